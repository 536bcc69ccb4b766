"""'Use additional code' notes (ICD-10-CM Official Guidelines I.A.13, etiology/manifestation and
'use additional code' convention; I.C.4.a.3 long-term drug therapy in diabetes): when a coded condition's
note asks for an additional code and the narrative documents what that code says, add it."""

from __future__ import annotations

import re

from core.rules.models import Context, Rule
from core.rules.narrative import patient_age
from core.rules.references import note_lines, parse_references
from core.text import any_affirmed

GUIDELINE = "ICD-10-CM Official Guidelines I.A.13 ('use additional code') and I.C.4.a.3 (diabetes drug therapy)"

# additional code -> narrative patterns that document it (only added when a coded condition's note names it)
TRIGGERS: dict[str, tuple[str, ...]] = {
    # long-term insulin, not a correction or sliding scale, a drip or IV doses given for the day
    "Z79.4": (r"(?<!IV )(?<!scale )\binsulin\b(?![- ](?:correction|sliding|drip|infusion|gtt|protocol|bolus))",),
    "Z79.84": (r"\b(metformin|glipizide|glyburide|glimepiride|sitagliptin|pioglitazone|empagliflozin|"
               r"dapagliflozin|oral (hypoglycemic|antidiabetic|diabetes) (agent|medication|drug)s?)\b",),
    "Z79.85": (r"\b(semaglutide|liraglutide|dulaglutide|tirzepatide|exenatide)\b",),
    "Z77.22": (r"\b(secondhand|second-hand|passive)(?: tobacco| cigarette)? smoke\b",),
    # a quit told as done, not advised ("Advised to quit smoking" is a smoker's plan)
    "Z87.891": (r"\b(former smoker|ex-smoker)\b|(?<!to )\bquit smoking\b",),
    "F17.210": (r"\bsmokes (\d+|a|one|half a|two) (pack|cigarette)|\bpack[- ]a[- ]day\b|\bcigarette smoker\b",),
    "B96.20": (r"\b(E\. ?coli|Escherichia coli)\b",),
    "B95.61": (r"\bMSSA\b|methicillin[- ]susceptible staph",),
    "B95.62": (r"\bMRSA\b|methicillin[- ]resistant staph",),
    "B95.0": (r"\bgroup A strep",),
}


def requested_by(codeset, code: str, additional: str) -> str | None:
    """The 'use additional' note line of `code` (or an ancestor) that names `additional`, or None."""
    for line, _ in note_lines(codeset, code, "use_additional"):
        if any(ref.covers(additional) for ref in parse_references(line)):
            return line
    return None


def _requesting(ctx: Context, additional: str) -> str | None:
    return next((code for code in ctx.icd() if requested_by(ctx.codeset, code, additional)), None)


def _type1_insulin(ctx: Context) -> list:
    """Z79.4 (long-term use of insulin) beside type 1 diabetes alone: E10's notes ask for no drug-therapy code, its
    insulin is inherent (I.C.4.a.3 applies Z79.4 to the other types)."""
    diabetes = [c for c in ctx.icd() if c[:3] in ("E08", "E09", "E10", "E11", "E13")]
    if ctx.has("icd10cm", "Z79.4") and diabetes and all(c.startswith("E10") for c in diabetes):
        return [RULE.edit("drop", "icd10cm", "Z79.4", "type 1 diabetes is treated with insulin by definition: E10 asks "
                          "for no long-term insulin code, Z79.4 is not coded")]
    return []


def _propose(ctx: Context) -> list:
    edits = _type1_insulin(ctx)
    for additional, patterns in TRIGGERS.items():
        if ctx.has("icd10cm", additional) or (additional[:2] == "B9" and any(c[:2] == "B9" for c in ctx.icd())):
            continue
        if additional == "Z87.891" and any(c.startswith("F17") for c in ctx.icd()):
            continue  # a current smoker's nicotine dependence is coded: no history of it (Excludes1)
        requester = _requesting(ctx, additional)
        if (additional == "Z77.22" and not requester and any(c.startswith("F17") for c in ctx.icd())
                and (any_affirmed(ctx.narrative, patterns) or _SOMEONE_ELSE_RE.search(ctx.narrative))):
            gone = _smoker_is_someone_else(ctx)
            if gone:  # a child's 'nicotine dependence' is a parent's smoke: exposure, Z77.22
                edits += [RULE.edit("replace", "icd10cm", gone[0].code, gone[0].reason, "Z77.22")] + gone[1:]
            continue
        if requester and any_affirmed(ctx.narrative, patterns):
            edits.append(RULE.edit("add", "icd10cm", additional, f"{requester} says 'use additional code' for "
                                   f"{ctx.codeset.describe(additional).lower()}, which the note documents"))
            if additional == "Z77.22":
                edits += _smoker_is_someone_else(ctx)
    return edits


_SOMEONE_ELSE_RE = re.compile(r"\b(?:dad|mom|father|mother|parents?|household|caregiver|grand\w+|partner|husband|wife|"
                              r"roommate|sibling|brother|sister)\b[^.;]{0,30}\bsmok", re.I)


def _smoker_is_someone_else(ctx: Context) -> list:
    """Exposure to someone else's smoke (Z77.22, which Excludes1 nicotine dependence): a child, or a note whose
    smoker is another person ("Dad smokes cigarettes at home"), is no smoker: F17 is dropped."""
    age = patient_age(ctx.narrative)
    own = [clause for clause in re.split(r"[.;\n]", ctx.narrative)
           if re.search(r"\bsmok|\bppd\b|\bcigarettes?\b", clause, re.I) and not _SOMEONE_ELSE_RE.search(clause)
           and not re.search(r"\bsecond-?hand|\bexposure|\bcounsel", clause, re.I)]
    if not ((age is not None and age < 12) or (_SOMEONE_ELSE_RE.search(ctx.narrative) and not own)):
        return []
    return [RULE.edit("drop", "icd10cm", code, f"the smoke is someone else's (Z77.22, exposure to environmental "
                      f"tobacco smoke): the patient's nicotine dependence {code} is not coded")
            for code in ctx.icd() if code.startswith("F17")]


RULE = Rule("use_additional_code", GUIDELINE,
            "a coded condition asks for an additional code and the note documents it", _propose, one_encounter=True)
