"""Wound repair (CPT repair guidelines, 12001-12057): a laceration closed at the visit with sutures, staples or tissue
adhesive is coded by the repair's kind, the anatomic group of the wound and the total length repaired:

- simple repair (one layer, superficial): scalp, neck, armpits, genitalia, trunk, limbs including hands and feet
  12001-12007; face, ears, eyelids, nose, lips, mucous membranes 12011-12018;
- intermediate (layered) repair, or a single-layer closure of a heavily contaminated wound: scalp, armpits, trunk,
  limbs other than hands and feet 12031-12037; neck, hands, feet, genitalia 12041-12047; face, ears, eyelids,
  nose, lips, mucous membranes 12051-12057.

The lengths of the wounds of one group and kind are added together (the guidelines' "total length"), a wound
given in two places of the note (the exam and the assessment) counted once. A closure with adhesive strips alone
is no repair code (it is part of the visit), and neither is a repair planned, referred or declined; a complex
repair (13100-13160) is left to the coder."""

from __future__ import annotations

import re

from core.rules.models import Context, Rule
from core.rules.narrative import short_quote
from core.text import negated_before, split_sentences

GUIDELINE = "CPT repair (closure) guidelines: simple and intermediate repair by anatomic group and total length (12001-12057)"

_INF = float("inf")
# (kind, group) -> [(upper bound of the total length in cm, code)]
CODES: dict[tuple[str, str], list[tuple[float, str]]] = {
    ("simple", "body"): [(2.5, "12001"), (7.5, "12002"), (12.5, "12004"), (20.0, "12005"), (30.0, "12006"), (_INF, "12007")],
    ("simple", "extremity"): [(2.5, "12001"), (7.5, "12002"), (12.5, "12004"), (20.0, "12005"), (30.0, "12006"),
                              (_INF, "12007")],
    ("simple", "face"): [(2.5, "12011"), (5.0, "12013"), (7.5, "12014"), (12.5, "12015"), (20.0, "12016"), (30.0, "12017"),
                         (_INF, "12018")],
    ("intermediate", "body"): [(2.5, "12031"), (7.5, "12032"), (12.5, "12034"), (20.0, "12035"), (30.0, "12036"),
                               (_INF, "12037")],
    ("intermediate", "extremity"): [(2.5, "12041"), (7.5, "12042"), (12.5, "12044"), (20.0, "12045"), (30.0, "12046"),
                                    (_INF, "12047")],
    ("intermediate", "face"): [(2.5, "12051"), (5.0, "12052"), (7.5, "12053"), (12.5, "12054"), (20.0, "12055"),
                               (30.0, "12056"), (_INF, "12057")],
}
REPAIR_CODES = frozenset(code for table in CODES.values() for _, code in table)
# the groups by the wound's site words, most specific first ('extremity' = neck, hands, feet, genitalia: their own
# intermediate codes; their simple repairs are the body's)
_GROUPS: tuple[tuple[str, str], ...] = (
    ("face", r"\b(?:face|facial|forehead|(?:eye)?brow|cheek|chin|lips?|vermilion|nose|nasal|ears?|earlobe|pinna|"
             r"(?:eye)?lids?|temple|malar|periorbital|jaw|mucosa|mucous membrane|philtrum)\b"),
    ("extremity", r"\b(?:hands?|fingers?|thumbs?|digits?|palms?|knuckles?|feet|foot|toes?|soles?|heels?|neck|"
                  r"genital\w*|scrot\w*|penile|penis|vulva\w*|labia\w*)\b"),
    ("body", r"\b(?:scalp|vertex|occipital|parietal|trunk|chest|back|abdomen|abdominal|flank|buttocks?|arms?|forearms?|"
             r"elbows?|wrists?|shoulders?|axilla\w*|armpits?|legs?|thighs?|knees?|shins?|calf|calves|ankles?|hips?|"
             r"pretibial)\b"),
)
_WOUND = r"\b(?:lacerations?|lacs?|wounds?|cuts?|gash)\b"
_REPAIRED_RE = re.compile(r"\brepair(?:ed)?\b|\bsutur(?:ed|es?|ing)\b|\bclosed (?:with|using|in)\b|\bstapl(?:ed|es?)\b|"
                          r"\bdermabond\b|\btissue adhesive\b|\bskin (?:glue|adhesive)\b|\bsimple interrupted\b|"
                          r"\b(?:nylon|prolene|vicryl|monocryl|chromic)\b", re.I)
_NOT_DONE_RE = re.compile(r"\bwill\b|\bconsider\w*|\bdeclin\w*|\brefer\w*|\bif\b|\bnot (?:repaired|sutured|closed)\b|"
                          r"\bno (?:repair|sutures?|closure)\b|\bleft open\b|\bheal by secondary\b|\bremov\w*|"
                          r"\bplastics?\b|\bprevious\w*|\bprior\b|\bago\b", re.I)
_INTERMEDIATE_RE = re.compile(r"\bintermediate\b|\blayered\b|(?<!single )(?<!single-)\blayer (?:closure|repair)\b|\b(?:two|2|double)[- ]layer|"
                              r"\bburied\b|\bdeep (?:dermal )?sutures?\b|\bsubcutaneous (?:sutures?|closure)\b|"
                              r"\bsubcuticular\b|\bgalea(?:l)? (?:closed|closure|repair)|\bclosed the galea\b|"
                              r"\bheavily contaminated\b", re.I)
_SIMPLE_RE = re.compile(r"\bsimple (?:single[- ])?(?:layer |lac\w* )?(?:repair|closure)\b|\bsingle[- ]layer\b", re.I)
_COMPLEX_RE = re.compile(r"\bcomplex (?:repair|closure|layered)\b", re.I)
_STRIPS_ONLY_RE = re.compile(r"\b(?:steri-?strips?|adhesive strips?|wound closure strips?)\b", re.I)
_LENGTH_RE = re.compile(r"(\d+(?:\.\d+)?)\s*(cm|mm)\b", re.I)
_TOTAL_RE = re.compile(r"\btotal (?:repaired |repair )?length\b[^.;\d]{0,12}(\d+(?:\.\d+)?)\s*(cm|mm)\b", re.I)


def _cm(value: str, unit: str) -> float:
    return float(value) / (10 if unit.lower() == "mm" else 1)


def _group(text: str) -> str | None:
    return next((group for group, pattern in _GROUPS if re.search(pattern, text, re.I)), None)


def repaired(narrative: str) -> tuple[str, str, float, str] | None:
    """(kind, group, total length in cm, a sentence saying so) for the wounds the note says were repaired here,
    or None (no repair, strips only, a complex repair, several groups, or no length or site given)."""
    sentences = split_sentences(narrative, keep_labels=True)
    done = [s for s in sentences if (m := _REPAIRED_RE.search(s)) and not _NOT_DONE_RE.search(s)
            and not negated_before(s, m.start())]
    if not done or _COMPLEX_RE.search(narrative):
        return None
    if all(_STRIPS_ONLY_RE.search(s) and not re.search(r"\bdermabond\b|\badhesive\b(?! strip)|\bsutur|\bstapl|"
                                                        r"\brepair", s, re.I) for s in done):
        return None
    simple = _SIMPLE_RE.search(narrative)
    kind = "intermediate" if not simple and any(_INTERMEDIATE_RE.search(s) for s in done) else "simple"
    wounds: dict[str, set[float]] = {}
    for sentence in sentences:  # each wound's length and site where a sentence gives both
        if not re.search(_WOUND, sentence, re.I) and not _REPAIRED_RE.search(sentence):
            continue
        groups = {g for g, pattern in _GROUPS if re.search(pattern, sentence, re.I)}
        for clause in re.split(r",|;|\band\b", sentence):  # a length goes with its own clause's site
            group = _group(clause) or (next(iter(groups)) if len(groups) == 1 else None)
            for match in _LENGTH_RE.finditer(clause):
                if group:
                    wounds.setdefault(group, set()).add(_cm(*match.groups()))
    total = next((_cm(*m.groups()) for s in done for m in [_TOTAL_RE.search(s)] if m), None)
    if len(wounds) != 1 and not (total and len(wounds) <= 1):
        return None  # two anatomic groups (two codes) or no site with a length: left to the coder
    group = next(iter(wounds)) if wounds else _group(" ".join(done))
    if group is None:
        return None
    length = total if total is not None else sum(wounds[group])
    return kind, group, length, done[0]


def repair_code(kind: str, group: str, length: float) -> str:
    return next(code for bound, code in CODES[(kind, group)] if round(length, 1) <= bound)


def _propose(ctx: Context) -> list:
    found = repaired(ctx.narrative)
    if found is None:
        return []
    kind, group, length, sentence = found
    code = repair_code(kind, group, length)
    cpt = ctx.codes.get("cpt", [])
    site = {"face": "face, ears, eyelids, nose, lips", "extremity": "neck, hands, feet, genitalia",
            "body": "scalp, trunk, limbs"}[group] if kind == "intermediate" else (
        "face, ears, eyelids, nose, lips" if group == "face" else "scalp, neck, trunk, limbs, hands, feet")
    why = (f"the note documents a {kind} repair of {length:g} cm in all ({site}: '{short_quote(sentence)}')")
    coded = [c for c in cpt if c in REPAIR_CODES]
    if code in coded:
        return [RULE.edit("drop", "cpt", c, f"{why}: one repair code, {code}") for c in coded if c != code]
    if coded:
        return [RULE.edit("replace", "cpt", coded[0], f"{why}: {code}, not {coded[0]}", code)] + [
            RULE.edit("drop", "cpt", c, f"{why}: one repair code, {code}") for c in coded[1:]]
    return [RULE.edit("add", "cpt", code, f"{why}: {code} ({ctx.codeset.describe(code)})")]


RULE = Rule("wound_repair", GUIDELINE, "a laceration repaired at the visit is coded by the repair's kind, the wound's "
            "anatomic group and the total length", _propose, one_encounter=True)
