"""Preventive services and screenings done at the encounter.

- Medicare pays its preventive services by their own HCPCS codes (CMS Medicare Claims Processing Manual ch. 18;
  the "Medicare Preventive Services" chart): the initial and subsequent annual wellness visit G0438/G0439, the
  initial preventive physical examination G0402, annual depression screening G0444 (in place of CPT 96127),
  alcohol misuse screening G0442, obesity counseling G0447, and a screening colonoscopy G0121 (not at high
  risk) or G0105 (high risk) and screening flexible sigmoidoscopy G0104 (in place of CPT 45378/45330).
- ICD-10-CM: the reason for a screening or routine examination is its Z code (Official Guidelines I.C.21.c.12
  screening, I.C.21.c.13 routine and administrative examinations: Z00.00 without, Z00.01 with abnormal findings);
  a screening that comes back negative does not make the screened-for condition a diagnosis (I.C.21.c.12: a
  condition found at a screening is coded; one not found is not).
- A screening mammogram is CPT 77067 for any payer. An office E/M visit code is billed with a preventive
  service only for a separately identifiable problem: a visit that codes no problem and documents no MDM or
  total time is the preventive service alone (CMS: modifier 25 E/M with preventive services).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.rules.addressed import is_history_code, mention_sections
from core.rules.em import ALL_EM, OFFICE_EM, documented_level
from core.rules.models import Context, Rule
from core.rules.narrative import PREVENTIVE_VISIT_RE, note_sections
from core.rules.wellvisit import ROUTINE_COUNSELING
from core.text import affirmed, split_sentences

GUIDELINE = ("CMS Medicare Claims Processing Manual ch. 18 (preventive services: G0438/G0439, G0402, G0442, G0444, "
             "G0447, G0104/G0105/G0121); ICD-10-CM Official Guidelines I.C.21.c.12 (screening) and I.C.21.c.13 "
             "(routine examinations)")


@dataclass(frozen=True)
class Service:
    pattern: str  # how a note says the service was done
    what: str
    medicare_code: str | None  # the HCPCS code Medicare pays it by
    replaces: tuple[str, ...] = ()  # CPT codes the Medicare code takes the place of
    icd: str | None = None  # the encounter's Z code ("Z00.0" = Z00.00/Z00.01 by the findings)
    screened: tuple[str, tuple[str, ...]] | None = None  # (condition words, ICD prefixes) when the screen is negative
    medicare_by_name: bool = False  # a Medicare service whatever the note says of the payer
    cpt: str | None = None  # the CPT code of the service, any payer


_HIGH_RISK = r"\bhigh[- ]risk\b|\bfamily history of (colon|colorectal)|\bhistory of (colon|colorectal) (cancer|polyps?)"
SERVICES: tuple[Service, ...] = (
    Service(r"\b(initial|first)\b[^.;]{0,40}\b(annual wellness visit|AWV)\b", "the initial annual wellness visit",
            "G0438", icd="Z00.0", medicare_by_name=True),
    Service(r"\bannual wellness visit\b|\bAWV\b", "a subsequent annual wellness visit", "G0439", icd="Z00.0",
            medicare_by_name=True),
    Service(r"\binitial preventive physical exam(ination)?\b|\bIPPE\b|\bwelcome to medicare\b",
            "the initial preventive physical examination", "G0402", icd="Z00.0", medicare_by_name=True),
    Service(r"\bdepression screening\b|\bscreen(ing|ed)? for depression\b", "depression screening", "G0444",
            ("96127",), "Z13.31", (r"depress", ("F32", "F33"))),
    Service(r"\balcohol (misuse |use )?screening\b|\bscreen(ing|ed)? for (alcohol|unhealthy drinking)\b",
            "alcohol misuse screening", "G0442", (), "Z13.39", (r"alcohol|drinking", ("F10",))),
    Service(r"\bscreening colonoscopy\b|\bcolonoscopy\b[^.;]{0,25}\bscreening\b", "a screening colonoscopy", "G0121",
            ("45378",), "Z12.11"),
    Service(r"\bscreening (flexible )?sigmoidoscopy\b", "a screening flexible sigmoidoscopy", "G0104", ("45330",),
            "Z12.11"),
    Service(r"\bscreening mammogra(m|phy)\b|\bmammogra(m|phy)\b[^.;]{0,25}\bscreening\b", "a screening mammogram",
            None, icd="Z12.31", cpt="77067"),
    Service(r"\b(behavioral|intensive) counseling for obesity\b|\bobesity counseling\b", "obesity counseling",
            "G0447"),
)
_NOT_DONE_RE = re.compile(r"\b(due|overdue|recommend\w*|order(ed|s)?|refer\w*|schedul\w*|declin\w*|refus\w*|"
                          r"will|plan(s|ned)? (to|for)|next year|postpon\w*|deferred|not (done|performed|completed))\b", re.I)
_NEGATIVE_RE = re.compile(r"\b(screen(ing)?|result|score|PHQ-?\d|AUDIT(-C)?)\b[^.;]{0,25}\bnegative\b"
                          r"|\bnegative (screen|result)|\bscreened negative\b", re.I)
# a standardized emotional/behavioral instrument or such a screen, what CPT 96127 reports
_INSTRUMENT = (r"\bPHQ|\bGAD-?7\b|\bEPDS\b|\bEdinburgh\b|\bM-?CHAT|\bVanderbilt\b|\bPSC-?(17|35)\b|\bASQ|"
               r"\bCRAFFT\b|\bSCARED\b|\bPCL-?5\b|\bBDI\b|\bBeck\b|\bGDS\b|\bgeriatric depression\b|"
               r"\b(depression|anxiety|mood|behavio\w*|emotional|developmental|ADHD|autism)\b[^.;]{0,25}"
               r"\b(screen\w*|assessment|questionnaire|inventory|scale|instrument)|"
               r"\bscreen\w*\b[^.;]{0,25}\b(depression|anxiety|mood|behavio\w*|emotional|developmental|ADHD|autism)")
# screenings billed by CPT for any payer when the note says they were done and gives their result: (code, what,
# how a note says it, whether it belongs only to a preventive visit (a visual acuity of an eye complaint is exam))
_SCORED = r"[^.;\n]{0,40}\b(?:scored|score|completed|administered|result)\b|[^.;\n]{0,20}:\s*\d"
SCREENINGS: tuple[tuple[str, str, str, bool], ...] = (
    ("96127", "a brief emotional or behavioral assessment on a standardized instrument",
     rf"\b(?:PHQ-?(?:9|2|A)?|GAD-?7|EPDS|Edinburgh|Vanderbilt|PSC-?(?:17|35)|CRAFFT|SCARED|PCL-?5|GDS)\b(?:{_SCORED})", False),
    ("96110", "a developmental screening on a standardized instrument",
     rf"\b(?:ASQ(?:-3)?|M-?CHAT(?:-R)?|PEDS|developmental screen\w*)\b(?:{_SCORED})", False),
    ("99173", "a visual acuity screening", r"\b(?:vision screen\w*|snellen|visual acuity screen\w*)\b", True),
    ("92551", "a pure-tone hearing screening", r"\b(?:hearing screen\w*|audiometry screen\w*|pure[- ]tone\b[^.;\n]{0,30}"
     r"\bscreen\w*|audiometry\b[^.;\n]{0,30}\bpass\w*)", True),
)
_ABNORMAL = r"\babnormal\b|\belevated\b|\bnew (finding|problem)s?\b[^.;]{0,20}\b(found|noted)\b"


def done_services(narrative: str) -> list[tuple[Service, str]]:
    """The services a note says were done at this encounter, each with the sentence that says so (the
    initial annual wellness visit hides the subsequent one)."""
    found = []
    for service in SERVICES:
        sentence = affirmed(narrative, service.pattern)
        if sentence and not _NOT_DONE_RE.search(sentence):
            if not (service.medicare_code == "G0439" and any(s.medicare_code == "G0438" for s, _ in found)):
                found.append((service, sentence))
    return found


def _medicare_code(service: Service, narrative: str) -> str | None:
    if service.medicare_code == "G0121" and affirmed(narrative, _HIGH_RISK):
        return "G0105"
    return service.medicare_code


def _exam_code(narrative: str) -> str:
    return "Z00.01" if affirmed(narrative, _ABNORMAL) else "Z00.00"


def _documented_elsewhere(narrative: str, words: str) -> bool:
    """Whether a sentence other than a screening one names the condition (a known condition stays coded)."""
    return any(re.search(words, s, re.I) and not re.search(r"screen", s, re.I) and affirmed(s, words)
               for s in split_sentences(narrative, keep_labels=True))


def _propose(ctx: Context) -> list:
    edits = []
    medicare = bool(affirmed(ctx.narrative, r"\bmedicare\b"))
    icd, cpt, hcpcs = ctx.icd(), ctx.codes.get("cpt", []), ctx.codes.get("hcpcs", [])
    done = done_services(ctx.narrative)
    for service, _ in done:
        code = _medicare_code(service, ctx.narrative)
        if code and (medicare or service.medicare_by_name) and code not in hcpcs:
            edits.append(RULE.edit("add", "hcpcs", code, f"Medicare pays {service.what} by {code}"))
            edits += [RULE.edit("drop", "cpt", c, f"for a Medicare patient {code} takes the place of {c}")
                      for c in service.replaces if c in cpt]
        if service.cpt and service.cpt not in cpt:
            edits.append(RULE.edit("add", "cpt", service.cpt, f"{service.what} is billed by {service.cpt}"))
        z = _exam_code(ctx.narrative) if service.icd == "Z00.0" else service.icd
        if z and not any(c.startswith(z[:5]) for c in icd):
            edits.append(RULE.edit("add", "icd10cm", z, f"the encounter is for {service.what}: {z}"))
            icd.append(z)
        if service.screened and _NEGATIVE_RE.search(ctx.narrative):
            words, prefixes = service.screened
            if not _documented_elsewhere(ctx.narrative, words):
                negative = [c for c in icd if c.startswith(prefixes)]
                edits += [RULE.edit("drop", "icd10cm", c, f"the {service.what} was negative: {c} is not a "
                                    "diagnosis of this encounter") for c in negative]
                icd = [c for c in icd if c not in negative]
    wellness = [code for service, _ in done if (code := service.medicare_code) in _WELLNESS]
    edits += _screenings(ctx, medicare or bool(wellness))  # an AWV is Medicare's, whatever the note says of the payer
    if wellness and documented_level(ctx.narrative) is None:
        dropped = _wellness_only(ctx, wellness[0])
        edits += dropped
        icd = [c for c in icd if c not in {e.code for e in dropped}]
        cpt = [c for c in cpt if c not in {e.code for e in dropped}]
    if "96127" in cpt and not affirmed(ctx.narrative, _INSTRUMENT):
        edits.append(RULE.edit("drop", "cpt", "96127", "96127 is a brief emotional or behavioral assessment scored "
                               "on a standardized instrument; the note names none: not billed"))
    if done and all(c.startswith("Z") for c in icd) and documented_level(ctx.narrative) is None:
        edits += [RULE.edit("drop", "cpt", c, f"the visit is for {done[0][0].what} and addresses no other problem "
                            "(no separately identifiable E/M: no problem coded, no MDM or total time documented)")
                  for c in cpt if c in OFFICE_EM]
    return edits


_WELLNESS = ("G0438", "G0439", "G0402")


def _wellness_only(ctx: Context, code: str) -> list:
    """A Medicare wellness visit (AWV, IPPE) whose note documents no separate problem visit (no MDM or time): the
    visit is the wellness service. The conditions its history reviews are not coded unless its assessment or plan
    addresses them (their history and status Z codes stay), no problem E/M is billed, and the depression screening
    it includes is no 96127."""
    sections = note_sections(ctx.narrative)
    reason = f"the visit is the Medicare wellness visit ({code})"
    edits = [RULE.edit("drop", "icd10cm", c, f"{reason}: {c} is reviewed, not addressed by an assessment or plan, "
                       "and is not coded") for c in ctx.diagnoses()
             if not is_history_code(ctx.codeset, c)
             and "assessment" not in mention_sections(ctx.codeset, c, ctx.narrative, sections)]
    edits += [RULE.edit("drop", "icd10cm", c, f"{reason}: its personalized prevention plan holds the diet and exercise "
                        f"counseling, {c} is not coded") for c in ctx.icd() if c in ROUTINE_COUNSELING]
    edits += [RULE.edit("drop", "cpt", c, f"{reason} and the note documents no separate problem visit: {c} is not "
                        "billed") for c in ctx.codes.get("cpt", []) if c in ALL_EM or c == "96127"]
    return edits


def _screenings(ctx: Context, medicare: bool) -> list:
    """CPT screenings the note says were done with their result (SCREENINGS), missing from the answer; a
    Medicare depression screening is G0444's, and acuity and hearing screens belong to a preventive visit."""
    cpt, hcpcs = ctx.codes.get("cpt", []), ctx.codes.get("hcpcs", [])
    preventive = any(c.startswith(("9938", "9939")) for c in cpt) or bool(PREVENTIVE_VISIT_RE.search(ctx.narrative))
    edits = []
    for code, what, pattern, preventive_only in SCREENINGS:
        if code in cpt or (preventive_only and not preventive) or (code == "96127" and (medicare or "G0444" in hcpcs)):
            continue
        sentence = affirmed(ctx.narrative, pattern)
        if sentence and not _NOT_DONE_RE.search(sentence):
            quote = sentence if len(sentence) <= 70 else sentence[:67] + "..."
            edits.append(RULE.edit("add", "cpt", code, f"the note documents {what} done at the visit ('{quote}'): "
                                   f"{code}"))
    return edits



RULE = Rule("preventive_services", GUIDELINE,
            "screenings and wellness visits: Medicare's G-codes and the encounter's screening Z code", _propose,
            one_encounter=True)
