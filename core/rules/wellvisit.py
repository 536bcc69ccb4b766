"""A preventive medicine visit (CPT 99381-99397: the periodic comprehensive preventive evaluation, by the patient's
age and new or established status; ICD-10-CM Official Guidelines I.C.21.c.13: a routine exam is Z00.0- for an adult,
Z00.12- for a child, with or without abnormal findings). A note that says it is a well visit, an annual physical or
a preventive exam, of a patient whose age it states, gets the preventive code of that age band (a coded one of
another band or status is replaced) and the encounter's Z00 code when the answer has none. Not a Medicare annual
wellness visit or IPPE (G0438/G0439/G0402: preventive_services'), not a sports or pre-employment physical."""

from __future__ import annotations

import re

from core.rules.addressed import mention_sections
from core.rules.em import _NEW_RE, OFFICE_EM, documented_level
from core.rules.models import Context, Rule
from core.rules.narrative import (
    FORM_PHYSICAL_RE,
    MEDICARE_WELLNESS_RE,
    PREVENTIVE_VISIT_RE,
    note_sections,
    patient_age,
    visit_note,
)
from core.text import affirmed

GUIDELINE = ("CPT preventive medicine services 99381-99397 (by age, new or established); ICD-10-CM Official "
             "Guidelines I.C.21.c.13 (routine examinations, Z00)")

# a physical for a form only (sports, employment, DOT) is no preventive visit, unless the note says it is one too
_PREVENTIVE_SAID_RE = re.compile(r"\bwell[- ](?:child|visit|woman|man|adolescent|baby|check)|\bpreventive\b", re.I)
# (lowest age of the band, new patient code, established patient code)
BANDS = ((0, "99381", "99391"), (1, "99382", "99392"), (5, "99383", "99393"), (12, "99384", "99394"),
         (18, "99385", "99395"), (40, "99386", "99396"), (65, "99387", "99397"))
PREVENTIVE = frozenset(code for _, new, old in BANDS for code in (new, old))
# counseling every preventive visit gives (dietary Z71.3, exercise Z71.82): the preventive code's own work
ROUTINE_COUNSELING = ("Z71.3", "Z71.82")
# an abnormal finding the note affirms ("no abnormal findings", "BP not elevated" are none)
_ABNORMAL_RE = re.compile(r"\babnormal (?:finding|result|exam)|\bnot at goal\b|\belevated\b|\bnew(?:ly)? diagnos", re.I)


def _assessed_finding(ctx: Context) -> str | None:
    """A condition the answer codes (not a Z code, an external cause or a mental or behavioral one such as the
    nicotine dependence counseled) that the assessment names: a finding of the visit ("mild atopic dermatitis",
    "overweight (BMI 91st %ile)")."""
    sections = note_sections(ctx.narrative)
    return next((code for code in ctx.diagnoses() if not code.startswith("F")  # a habit counseled is no finding
                 and "assessment" in mention_sections(ctx.codeset, code, ctx.narrative, sections)), None)


def _propose(ctx: Context) -> list:
    if not (visit_note(ctx.narrative) and PREVENTIVE_VISIT_RE.search(ctx.narrative)) or (
            MEDICARE_WELLNESS_RE.search(ctx.narrative)) or (
            FORM_PHYSICAL_RE.search(ctx.narrative) and not _PREVENTIVE_SAID_RE.search(ctx.narrative)):
        return []
    age = patient_age(ctx.narrative)
    if age is None or set(ctx.codes.get("hcpcs", [])) & {"G0402", "G0438", "G0439"}:
        return []
    new = bool(_NEW_RE.search(ctx.narrative))
    band = next(b for b in reversed(BANDS) if age >= b[0])
    code = band[1] if new else band[2]
    cpt = ctx.codes.get("cpt", [])
    coded = [c for c in cpt if c in PREVENTIVE]
    why = f"a preventive visit of {'a new' if new else 'an established'} patient aged {age}: {code}"
    edits = []
    if not coded:
        edits.append(RULE.edit("add", "cpt", code, why))
    elif coded[0] != code:
        edits.append(RULE.edit("replace", "cpt", coded[0], f"{why}, not {coded[0]}", code))
    if not any(c.startswith("Z00") for c in ctx.icd()):
        finding = _assessed_finding(ctx)
        abnormal = bool(affirmed(ctx.narrative, _ABNORMAL_RE.pattern)) or finding is not None
        z = ("Z00.01" if abnormal else "Z00.00") if age >= 18 else ("Z00.121" if abnormal else "Z00.129")
        if age == 0 and re.search(r"\b(?:\d{1,2}[- ]?days?|newborn)\b", ctx.narrative, re.I):
            z = "Z00.111" if abnormal else "Z00.110"
        found = f" ({finding}, which the assessment names)" if finding else ""
        edits.append(RULE.edit("add", "icd10cm", z, f"the encounter is a routine examination "
                               f"{'with' if abnormal else 'without'} abnormal findings{found}: {z}"))
    edits += [RULE.edit("drop", "icd10cm", c, f"diet and exercise counseling is part of the preventive visit ({code}: "
                        f"counseling and risk factor reduction are in its descriptor): {c} is not coded")
              for c in ctx.icd() if c in ROUTINE_COUNSELING]
    if all(c.startswith("Z") for c in ctx.icd()) and documented_level(ctx.narrative) is None:
        edits += [RULE.edit("drop", "cpt", c, f"the preventive visit ({code}) addresses no other problem: no "
                            f"separately identifiable problem-oriented E/M, {c} is not billed") for c in cpt if c in OFFICE_EM]
    return edits


RULE = Rule("preventive_visit", GUIDELINE, "a well visit gets the preventive code of the patient's age and its Z00 code",
            _propose, one_encounter=True)
