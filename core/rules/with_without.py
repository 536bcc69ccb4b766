"""A condition is coded either with a feature or without it (ICD-10-CM's paired "with X" / "without X" codes, e.g.
N40.0 "Benign prostatic hyperplasia without lower urinary tract symptoms" and N40.1 "... with lower urinary
tract symptoms"; I85.00 / I85.01 esophageal varices without / with bleeding): when both codes of such a pair are
in the answer, the "without" one contradicts the other and is dropped.

Two codes pair when they share the category and length and their descriptions are the same text with "with"
in one where the other has "without". The note documents the feature when the "with" code was chosen on it; a
note that spans several encounters (varices that bled once and not at another visit) is left alone."""

from __future__ import annotations

import re
from functools import lru_cache

from core.rules.models import Context, Rule

GUIDELINE = ("ICD-10-CM conventions: a condition's 'with' and 'without' codes are mutually exclusive (Guidelines "
             "I.A.15 'With')")

_WITHOUT_RE = re.compile(r"\bwithout\b")


@lru_cache(maxsize=4096)
def _with_form(description: str) -> str | None:
    """The description with its (only) 'without' turned into 'with'; None when it says no 'without'."""
    if len(_WITHOUT_RE.findall(description)) != 1:
        return None
    return _WITHOUT_RE.sub("with", description).strip()


def contradicts(codeset, without: str, with_: str) -> bool:
    """Whether `without` is the 'without' code of the pair whose 'with' code is `with_`."""
    if without == with_ or without[:3] != with_[:3] or len(without) != len(with_):
        return False
    form = _with_form(codeset.describe(without))
    return form is not None and form == codeset.describe(with_).strip()


def _propose(ctx: Context) -> list:
    codes = ctx.icd()
    edits = []
    for code in codes:
        partner = next((other for other in codes if contradicts(ctx.codeset, code, other)), None)
        if partner:
            edits.append(RULE.edit("drop", "icd10cm", code, f"{code} ({ctx.codeset.describe(code)}) contradicts "
                                   f"{partner} ({ctx.codeset.describe(partner)}), coded for the same condition"))
    return edits


RULE = Rule("with_without", GUIDELINE, "a condition's 'without' code coded beside its 'with' code is dropped",
            _propose, one_encounter=True)
