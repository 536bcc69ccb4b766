"""The ED physician's claim (professional services in a facility): in a hospital emergency department the
hospital bills the technical side of what it supplies on its own facility claim, and the physician bills only
the professional work. So on the ED's own note (core.rules.em.patient_family says "ed"):

- laboratory tests (CPT 80047-89398) and the blood draw (36415) are the hospital laboratory's: not on the
  physician's claim;
- an imaging study the note says radiology read ("CT head (radiology): ...", "CXR per radiology", "radiologist
  read") is the radiologist's to bill (the interpretation) and the hospital's (the images): not the ED
  physician's, unless the note records the physician's own interpretation of the images ("x-ray, my read: ...");
  a study with no word on who read it is left as coded;
- an ECG is billed as its interpretation and report only (93010; the tracing, 93005, is the hospital's): a
  coded 93000 or 93005 becomes 93010, and an ECG the note documents with its result ("ECG (my read): sinus
  tachycardia", "ECG: normal sinus rhythm") adds 93010 when no ECG code is there.

Drugs given in the ED and their administration are the same case, handled with the drug pairing rule
(core.rules.pairing). Office, urgent-care and clinic notes are not touched: there the practice bills what it
performs."""

from __future__ import annotations

import re

from core.rules.em import patient_family
from core.rules.models import Context, Rule
from core.rules.narrative import short_quote, visit_note
from core.text import split_sentences

GUIDELINE = ("CMS Medicare Claims Processing Manual ch. 12 (physicians' services in a facility setting) and "
             "ch. 13 §20 (professional and technical components): the hospital bills the technical component "
             "and its laboratory's tests; the interpreting physician bills the professional component "
             "(ECG interpretation and report 93010)")

ECG_GLOBAL = ("93000", "93005")  # tracing with interpretation (office), tracing only (the hospital's)
ECG_INTERPRETATION = "93010"
_VENIPUNCTURE = "36415"
_IMAGING = re.compile(r"\b(?:x-?rays?|xr|cxr|radiographs?|films?|ct|cta|computed tomography|mri|mra|ultrasound|"
                      r"u/?s|sonogra\w*|doppler|imaging|views?)\b", re.I)
_RADIOLOGY_READ = re.compile(r"\bradiolog(?:y|ist)\b|\bofficial (?:read|report|interpretation)\b|\bper rad\b|"
                             r"\brads? (?:read|report)\b", re.I)
_OWN_READ = re.compile(r"\bmy (?:own )?(?:read|reading|interpretation|review of the images)\b|\binterpreted by me\b|"
                       r"\bI (?:personally )?(?:reviewed and )?interpreted\b|\bread by me\b", re.I)
_ECG = re.compile(r"\b(?:ecg|ekg|electrocardiogram|12-lead)\b", re.I)
# an ECG sentence that gives its result, not one planned, declined, or told of from before
_ECG_RESULT = re.compile(r"\b(?:sinus|nsr|rhythm|normal|unremarkable|no (?:acute|st|ischemic)|st[- ](?:elevation|"
                         r"depression|changes?)|axis|qtc?|pr \d|t[- ]wave|twi|afib|atrial|block|paced|bradycardia|"
                         r"tachycardia|q waves?|nonischemic|non-ischemic|without (?:acute|ischemic))\b", re.I)
_ECG_NOT_HERE = re.compile(r"\b(?:prior|previous|old|last|outside|ordered|will (?:obtain|get)|to be done|declined|"
                           r"refused|not done|per cardiology|from (?:the )?(?:clinic|office|ems|ambulance))\b|\bago\b",
                           re.I)


def _is_lab(code: str) -> bool:
    return code.isdigit() and "80047" <= code <= "89398"


def _is_imaging(code: str) -> bool:
    return code.isdigit() and "70010" <= code <= "79999"


def _radiology_reads(narrative: str) -> bool:
    """Whether the note says radiology read its imaging and records no interpretation of the physician's own."""
    sentences = [s for s in split_sentences(narrative, keep_labels=True) if _IMAGING.search(s)]
    return (bool(_RADIOLOGY_READ.search(narrative))
            and not any(_OWN_READ.search(s) for s in sentences))


def _ecg_documented(narrative: str) -> str | None:
    """The sentence documenting an ECG done at this visit with its result, or None."""
    for sentence in split_sentences(narrative, keep_labels=True):
        match = _ECG.search(sentence)
        if match and _ECG_RESULT.search(sentence) and not _ECG_NOT_HERE.search(sentence):
            return sentence.strip()
    return None


def _propose(ctx: Context) -> list:
    cpt = list(ctx.codes.get("cpt", []))
    if not visit_note(ctx.narrative) or patient_family(ctx.narrative, cpt) != "ed":
        return []
    edits = []
    for code in cpt:
        if _is_lab(code) or code == _VENIPUNCTURE:
            edits.append(RULE.edit("drop", "cpt", code, f"the ED's note: the hospital laboratory performs and bills "
                                   f"the test ({code}), not the ED physician"))
    if any(_is_imaging(code) for code in cpt) and _radiology_reads(ctx.narrative):
        edits += [RULE.edit("drop", "cpt", code, f"the ED's note says radiology read the imaging: the radiologist "
                            f"bills its interpretation and the hospital the images ({code}), not the ED physician")
                  for code in cpt if _is_imaging(code)]
    global_ecg = [code for code in cpt if code in ECG_GLOBAL]
    if global_ecg:
        keep = ECG_INTERPRETATION not in cpt
        for code in global_ecg:
            reason = (f"the ED's note: the hospital bills the ECG tracing, the physician its interpretation and "
                      f"report, {ECG_INTERPRETATION}")
            if keep:
                edits.append(RULE.edit("replace", "cpt", code, reason, replacement=ECG_INTERPRETATION))
                keep = False
            else:
                edits.append(RULE.edit("drop", "cpt", code, reason))
    elif ECG_INTERPRETATION not in cpt:
        sentence = _ecg_documented(ctx.narrative)
        if sentence:
            edits.append(RULE.edit("add", "cpt", ECG_INTERPRETATION, f"the ED physician documents the ECG and its "
                                   f"result ('{short_quote(sentence)}'): its interpretation and report, "
                                   f"{ECG_INTERPRETATION}"))
    return edits


RULE = Rule("ed_professional", GUIDELINE, "on the ED's note the physician bills the professional work only: no "
            "hospital labs, no imaging radiology read, ECG as 93010", _propose, one_encounter=True)
