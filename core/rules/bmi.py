"""Body mass index and obesity class (ICD-10-CM Official Guidelines I.B.14 and I.C.21.c.3): the BMI code (Z68.-)
is an additional code of a weight condition the provider documents (obesity, overweight, underweight: E66.-,
R63.6, E44-E46 ask for it by their 'use additional code' notes), and it may be taken from any clinician's
documentation of the visit, so:

- a coded weight condition whose note asks for Z68 gets the BMI code of the value the note states ("BMI 36.4"
  -> Z68.36 for an adult; "BMI 91st %ile" -> Z68.53 for a patient aged 2-19), when the answer has none;
- a BMI code with no weight condition coded is dropped from a visit note (a BMI alone is not coded, I.B.14);
- the obesity class the provider documents ("class 2 obesity", "obesity class II") picks E66.811-E66.813 over
  obesity, unspecified (E66.9) or another class."""

from __future__ import annotations

import re

from core.rules.models import Context, Rule
from core.rules.narrative import patient_age, visit_note
from core.rules.notes import requested_by

GUIDELINE = ("ICD-10-CM Official Guidelines I.B.14 (BMI from any clinician, coded only with an associated "
             "condition) and I.C.21.c.3; E66.81- obesity class as documented")

_ADULT_BMI_RE = re.compile(r"\bBMI\b\s*(?:of|is|was|=|:)?\s*(\d{2}(?:\.\d)?)\b(?!\s*(?:st|nd|rd|th|%))", re.I)
_PEDIATRIC_BMI_RE = re.compile(r"\bBMI\b(?:[^.;\n]|\.(?=\d)){0,30}?\b(\d{1,2}(?:\.\d)?)\s*(?:st|nd|rd|th)?\s*(?:%ile|percentile)",
                               re.I)
_CLASS_RE = re.compile(r"\bclass\s+(1|2|3|I{1,3})\s+obesity\b|\bobesity,?\s+class\s+(1|2|3|I{1,3})\b", re.I)
_CLASS_CODES = {"1": "E66.811", "i": "E66.811", "2": "E66.812", "ii": "E66.812", "3": "E66.813", "iii": "E66.813"}
# obesity codes a documented class replaces: unspecified, or another class
_OBESITY_REPLACED = ("E66.9", "E66.811", "E66.812", "E66.813", "E66.89")


def adult_bmi_code(value: float) -> str:
    """Z68.1-Z68.45 for an adult BMI value."""
    if value < 20:
        return "Z68.1"
    if value < 40:
        return f"Z68.{int(value)}"
    return next(code for bound, code in ((45, "Z68.41"), (50, "Z68.42"), (60, "Z68.43"), (70, "Z68.44"),
                                         (float("inf"), "Z68.45")) if value < bound)


def pediatric_bmi_code(percentile: float) -> str:
    """Z68.51-Z68.54 for a BMI-for-age percentile (Z68.55/Z68.56, by % of the 95th, need more than a percentile)."""
    return "Z68.51" if percentile < 5 else "Z68.52" if percentile < 85 else "Z68.53" if percentile < 95 else "Z68.54"


def documented_bmi_code(narrative: str) -> str | None:
    """The Z68 code of the BMI the note states (by percentile for ages 2-19, by value for adults), or None."""
    age = patient_age(narrative)
    if age is not None and 2 <= age < 20:
        match = _PEDIATRIC_BMI_RE.search(narrative)
        return pediatric_bmi_code(float(match.group(1))) if match else None
    if age is not None and age < 2:
        return None
    match = _ADULT_BMI_RE.search(narrative)
    return adult_bmi_code(float(match.group(1))) if match and 10 <= float(match.group(1)) < 120 else None


def documented_obesity_class(narrative: str) -> str | None:
    match = _CLASS_RE.search(narrative)
    return _CLASS_CODES[(match.group(1) or match.group(2)).lower()] if match else None


def _propose(ctx: Context) -> list:
    edits = []
    obesity_class = documented_obesity_class(ctx.narrative)
    for code in ctx.icd():
        if obesity_class and code in _OBESITY_REPLACED and code != obesity_class:
            edits.append(RULE.edit("replace", "icd10cm", code, f"the note documents {ctx.codeset.describe(obesity_class).lower()}: "
                                   f"{obesity_class}, not {code}", obesity_class)
                         if obesity_class not in ctx.icd() else
                         RULE.edit("drop", "icd10cm", code, f"the note documents {obesity_class}: {code} is not coded beside it"))
    replaced = {edit.code for edit in edits}
    icd = list(dict.fromkeys(obesity_class if code in replaced else code for code in ctx.icd()))
    bmi = [code for code in icd if code.startswith("Z68")]
    condition = next((code for code in icd if not code.startswith("Z68") and requested_by(ctx.codeset, code, "Z68.30")),
                     None)
    if bmi and condition is None and visit_note(ctx.narrative):  # (case reports' annotators code a BMI alone)
        edits += [RULE.edit("drop", "icd10cm", code, f"a BMI is coded only with the weight condition it goes with "
                            f"(obesity, overweight, underweight), which the answer does not have: {code} is not coded")
                  for code in bmi]
    elif condition and not bmi:
        code = documented_bmi_code(ctx.narrative)
        if code and ctx.codeset.is_valid(code, "icd10cm"):
            edits.append(RULE.edit("add", "icd10cm", code, f"{condition} says 'use additional code' for the BMI, which "
                                   f"the note states: {code} ({ctx.codeset.describe(code).lower()})"))
    return edits


RULE = Rule("body_mass_index", GUIDELINE, "a weight condition gets the documented BMI code; the documented obesity "
            "class picks its code", _propose, one_encounter=True)
