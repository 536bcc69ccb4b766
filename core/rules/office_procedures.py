"""Office procedures a note says were done at the visit (CPT: a service is reported by whoever performs it; the
procedure's own code, by what the note documents): cerumen removal (69210 with instruments, 69209 by irrigation),
control of a nosebleed (30901 simple anterior, 30903 extensive anterior, 30905 posterior), removal of a foreign
body from the eye (65222 cornea at the slit lamp, 65220 without it, 65205 conjuniva), the dressing or debridement
of a partial-thickness burn (16020 / 16025 / 16030 by its extent), an intrauterine device or contraceptive implant
put in or taken out (58300 / 58301, 11981 / 11982 / 11983, with the device furnished: J7296-J7301, J7307), an
ingrown nail's avulsion (11730) or excision with its matrix (11750), debridement of nails (11720 one to five,
11721 six or more), and an ECG traced and read in the office (93000; the ED's is `ed_professional`'s 93010).

A procedure is added when the answer codes none of its family, and a family member the note's words contradict is
replaced (11730 for a matrixectomy). Only what a sentence says was done here: not planned, considered, declined,
referred, or done before ('ENT in 3 days for pack removal' removes nothing)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from core.rules.em import patient_family
from core.rules.models import Context, Rule
from core.rules.narrative import short_quote
from core.text import negated_before, split_sentences

GUIDELINE = "CPT: a procedure is reported by the physician who performs it, by the code its documentation supports"

_NOT_DONE_RE = re.compile(r"\bwill\b|\bconsider\w*|\bnext (?:visit|time|week)\b|\bdeclin\w*|\brefer\w*|\bif\b|\bprevious\w*|"
                          r"\bprior\b|\bago\b|\bschedul\w*|\breturn\b|\brtc\b|\bf/u\b|\bfollow[- ]?up\b|\bplan(?:ned|s)? (?:to|for)\b|"
                          r"\bdiscuss\w*|\boptions?\b|\bat home\b|\bhome care\b|\bif needed\b|\bprn\b", re.I)


@dataclass(frozen=True)
class Procedure:
    name: str
    family: frozenset[str]  # one of them per encounter
    context: str  # what the note must name (the condition or the device)
    done: str  # a sentence saying it was done here
    choose: Callable[[str, str], str | None]  # (note, the sentence) -> the code, None to abstain
    hcpcs: Callable[[str, str], str | None] = lambda note, sentence: None  # the device furnished with it


def _cerumen(note: str, sentence: str) -> str:
    instrument = r"\bcurett\w*|\bforceps\b|\bsuction\w*|\bloop\b|\bspoon\b|\binstrument\w*|\balligator\b"
    if re.search(instrument, sentence, re.I):
        return "69210"
    return "69209" if re.search(r"\birrigat\w*|\blavage\b|\bflush\w*", sentence, re.I) else "69210"


def _epistaxis(note: str, sentence: str) -> str:
    if re.search(r"\bposterior (?:packing|pack|balloon|epistaxis)\b", note, re.I):
        return "30905"
    return "30903" if re.search(r"\bextensive\b|\bcomplex\b|\bbilateral packing\b", sentence, re.I) else "30901"


def _eye_foreign_body(note: str, sentence: str) -> str | None:
    if re.search(r"\bcornea\w*\b", note, re.I):
        return "65222" if re.search(r"\bslit[- ]?lamp\b", note, re.I) else "65220"
    return "65205" if re.search(r"\bconjunctiva\w*\b", note, re.I) else None


def _burn(note: str, sentence: str) -> str | None:
    if not re.search(r"\bpartial[- ]thickness\b|\bsecond[- ]degree\b|\b2nd[- ]degree\b|\bblisters?\b", note, re.I):
        return None  # a superficial (first-degree) burn's care is part of the visit
    extent = re.search(r"(\d+(?:\.\d+)?)\s*%\s*(?:of\s+)?(?:TBSA|BSA|total body)", note, re.I)
    percent = float(extent.group(1)) if extent else 0.0
    return "16030" if percent > 10 else "16025" if percent >= 5 else "16020"


_IUD_DEVICES = (("J7298", r"\bmirena\b|\blevonorgestrel 52\b"), ("J7297", r"\bliletta\b"), ("J7296", r"\bkyleena\b"),
                ("J7301", r"\bskyla\b"), ("J7300", r"\bparagard\b|\bcopper (?:T|IUD)\b"))


def _iud(note: str, sentence: str) -> str:
    return "58301" if re.search(r"\bremoved\b", sentence, re.I) and not re.search(
        r"\binserted\b|\bplaced\b", sentence, re.I) else "58300"


def _iud_device(note: str, sentence: str) -> str | None:
    if _iud(note, sentence) != "58300":
        return None
    return next((code for code, pattern in _IUD_DEVICES if re.search(pattern, note, re.I)), None)


def _implant(note: str, sentence: str) -> str:
    removed = re.search(r"\bremoved\b|\bremoval\b|\bexplant\w*", note, re.I)
    inserted = re.search(r"\binserted\b|\bplaced\b|\binsertion\b", note, re.I)
    return "11983" if removed and inserted else "11982" if removed else "11981"


def _implant_device(note: str, sentence: str) -> str | None:
    return "J7307" if _implant(note, sentence) in ("11981", "11983") else None


def _ingrown_nail(note: str, sentence: str) -> str:
    return "11750" if re.search(r"\bmatri[cx]ectomy\b|\bphenol\w*|\bmatrix (?:destroy|ablat|excis)\w*", note, re.I) else "11730"


_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}


def _nail_debridement(note: str, sentence: str) -> str:
    count = re.search(r"\bx\s*(\d+)\b|\b(\d+|" + "|".join(_NUMBERS) + r")\s+(?:\w+\s+)?(?:toe)?nails\b", sentence, re.I)
    both_sides = re.search(r"\b1-5\b[^.]{0,20}\b(?:b/l|bilat\w*|both)\b|\bL and R\b|\ball (?:ten|10) (?:toe)?nails\b",
                           sentence, re.I)
    number = count and (count.group(1) or count.group(2))
    value = int(number) if number and number.isdigit() else _NUMBERS.get((number or "").lower(), 0)
    return "11721" if both_sides or value >= 6 else "11720"


def _ecg(note: str, sentence: str) -> str | None:
    if re.search(r"\bscreening\b", sentence, re.I):
        return None  # the screening ECG of a Medicare initial preventive visit is G0403-G0405
    return None if patient_family(note, []) == "ed" else "93000"


PROCEDURES: tuple[Procedure, ...] = (
    Procedure("cerumen removal", frozenset({"69209", "69210"}), r"\bcerumen\b|\bear ?wax\b",
              r"\bremoved\b|\bremoval\b|\bdisimpact\w*|\bcurett(?:ed|age)\b|\birrigated\b|\blavage\b", _cerumen),
    Procedure("control of a nosebleed", frozenset({"30901", "30903", "30905", "30906"}), r"\bepistaxis\b|\bnose ?bleed",
              r"\bpacking (?:was )?(?:placed|inserted)\b|\bpack(?:ed|ing)? placed\b|\banterior (?:nasal )?packing\b|"
              r"\brhino ?rocket\b|\bmerocel\b|\bcauteri[sz]\w*|\bsilver nitrate\b|\bcautery\b", _epistaxis),
    Procedure("removal of a foreign body from the eye", frozenset({"65205", "65210", "65220", "65222"}),
              r"\b(?:FB|foreign body)\b",
              r"\b(?:FB|foreign body)\b[^.;]{0,40}\bremoved\b|\bremoved\b[^.;]{0,40}\b(?:FB|foreign body)\b|"
              r"\bremoval of (?:the )?(?:corneal )?(?:FB|foreign body)\b", _eye_foreign_body),
    Procedure("burn dressing", frozenset({"16000", "16020", "16025", "16030"}), r"\bburns?\b",
              r"\bburn care\b|\bdebrid(?:ed|ement)\b", _burn),
    Procedure("intrauterine device", frozenset({"58300", "58301"}),
              r"\bIUD\b|\bintrauterine (?:device|system)\b|\bmirena\b|\bkyleena\b|\bliletta\b|\bskyla\b|\bparagard\b",
              r"\b(?:IUD|mirena|kyleena|liletta|skyla|paragard|device)\b[^.;]{0,80}\b(?:inserted|placed|removed)\b|"
              r"\bIUD insertion,? (?:uncomplicated|without (?:difficulty|complication))", _iud, _iud_device),
    Procedure("contraceptive implant", frozenset({"11981", "11982", "11983"}),
              r"\bnexplanon\b|\bcontraceptive implant\b|\betonogestrel implant\b",
              r"\b(?:nexplanon|implant)\b[^.;]{0,60}\b(?:inserted|placed|removed)\b", _implant, _implant_device),
    Procedure("ingrown nail", frozenset({"11730", "11750", "11732"}), r"\bingrown\b|\bonychocryptosis\b|\bnail\b",
              r"\bnail avulsion\b|\bavulsed\b|\bmatri[cx]ectomy\b|\bwedge resection\b", _ingrown_nail),
    Procedure("debridement of nails", frozenset({"11720", "11721"}), r"\bonychomycosis\b|\bmycotic\b|\bdystrophic\b",
              r"\bdebridement of (?:\w+ )?(?:toe)?nails\b|\bnails? (?:were )?debrided\b", _nail_debridement),
    Procedure("ECG in the office", frozenset({"93000", "93005", "93010"}), r"\bECG\b|\bEKG\b|\belectrocardiogram\b",
              r"\b(?:ECG|EKG|electrocardiogram)\b[^.;]{0,40}\b(?:in (?:the )?(?:office|clinic)|my (?:interpretation|read)|"
              r"today|here|performed|obtained)\b[^.;]{0,160}\b(?:NSR|SR|sinus|rhythm|axis|ST|QTc|QRS|PR|AF|afib|atrial|"
              r"rate|normal|block|LVH|Q waves?)\b", _ecg),
)


_COMPARED_RE = re.compile(r"\b(?:unchanged|changed|compared|no change)\b (?:from|to|with) (?:the )?(?:prior|previous)\b", re.I)


def _done(narrative: str, procedure: Procedure) -> str | None:
    for sentence in split_sentences(narrative, keep_labels=True):
        match = re.search(procedure.done, sentence, re.I)
        if match and not _NOT_DONE_RE.search(_COMPARED_RE.sub(" ", sentence)) \
                and not negated_before(sentence, match.start()):
            return sentence
    return None


def _propose(ctx: Context) -> list:
    edits = []
    cpt, hcpcs = ctx.codes.get("cpt", []), ctx.codes.get("hcpcs", [])
    for procedure in PROCEDURES:
        if not re.search(procedure.context, ctx.narrative, re.I):
            continue
        sentence = _done(ctx.narrative, procedure)
        code = procedure.choose(ctx.narrative, sentence) if sentence else None
        if code is None:
            continue
        why = f"the note documents the {procedure.name} done here ('{short_quote(sentence)}')"
        coded = [c for c in cpt if c in procedure.family]
        if not coded:
            edits.append(RULE.edit("add", "cpt", code, f"{why}: {code} ({ctx.codeset.describe(code)})"))
        elif code not in coded:
            edits.append(RULE.edit("replace", "cpt", coded[0], f"{why}: {code}, not {coded[0]}", code))
            coded = coded[1:]
        edits += [RULE.edit("drop", "cpt", c, f"{why}: one code of the procedure, {code}") for c in coded if c != code]
        device = procedure.hcpcs(ctx.narrative, sentence)
        if device and device not in hcpcs:
            edits.append(RULE.edit("add", "hcpcs", device, f"{why}: the device furnished, {device} "
                                   f"({ctx.codeset.describe(device)})"))
    return edits


RULE = Rule("office_procedure", GUIDELINE, "a procedure the note says was done here gets its code", _propose,
            one_encounter=True)
