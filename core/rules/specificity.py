"""Specificity the note documents: the side of a lateral condition (ICD-10-CM Official Guidelines I.B.13,
I.A.9.a: unspecified codes only when the record gives no more detail) and the combination codes the "with"
convention presumes (I.A.15; diabetes with CKD I.C.4.a, hypertension with heart or kidney disease I.C.9.a)."""

from __future__ import annotations

import re
from functools import lru_cache

from core.rules.models import Context, Rule
from core.rules.text import affirmed, condition_side

SIDE_GUIDELINE = "ICD-10-CM Official Guidelines I.B.13 (laterality) and I.A.9.a (unspecified codes)"
COMBINATION_GUIDELINE = "ICD-10-CM Official Guidelines I.A.15 ('with'), I.C.4.a and I.C.9.a (combination codes)"
_SIDE_WORDS = {"right": ("right",), "left": ("left",), "bilateral": ("bilateral",)}


@lru_cache(maxsize=4096)
def _same_category(codeset, code: str) -> tuple[str, ...]:
    prefix = code[:3]
    return tuple(c for c in codeset.tables["icd10cm"] if c.startswith(prefix) and len(c) == len(code))


def sided_variant(codeset, code: str, side: str) -> str | None:
    """The code that says `side` where `code` says 'unspecified <part>' (e.g. S93.409A -> S93.401A for right)."""
    description = codeset.describe(code)
    if "unspecified" not in description:
        return None
    wanted = set()
    parts = description.split("unspecified")
    for i in range(1, len(parts)):
        for word in _SIDE_WORDS[side]:
            wanted.add(("unspecified".join(parts[:i]) + word + "unspecified".join(parts[i:])).lower())
    for candidate in _same_category(codeset, code):
        if candidate != code and codeset.describe(candidate).lower() in wanted and codeset.is_valid(candidate):
            return candidate
    return None


def opposite_variant(codeset, code: str, side: str) -> str | None:
    """The code that says `side` where `code` says the other side (M25.511 right shoulder -> M25.512 for left)."""
    description = codeset.describe(code).lower()
    named = set(re.findall(r"\b(right|left)\b", description))
    if len(named) != 1 or side in named or side not in ("right", "left"):
        return None
    wanted = re.sub(rf"\b{named.pop()}\b", side, description)
    return next((c for c in _same_category(codeset, code)
                 if c != code and codeset.describe(c).lower() == wanted and codeset.is_valid(c)), None)


def _propose_side(ctx: Context) -> list:
    """The side must be named in a sentence about the condition itself (its description's words, the side
    words left out)."""
    edits, icd = [], ctx.icd()
    for code in icd:
        description = ctx.codeset.describe(code)
        if "unspecified" in description and not re.search(r"\b(right|left)\b", description):
            side = condition_side(ctx.narrative, description)
            better = sided_variant(ctx.codeset, code, side) if side else None
            if better:
                edits.append(SIDE_RULE.edit("replace", "icd10cm", code, f"the note documents the {side} side: "
                                            f"{better} instead of the unspecified-side {code}", better))
            continue
        side = condition_side(ctx.narrative, re.sub(r"\b(right|left)\b", " ", description, flags=re.I))
        other = opposite_variant(ctx.codeset, code, side) if side else None
        if other in icd:
            edits.append(SIDE_RULE.edit("drop", "icd10cm", code, f"the note documents the {side} side only: "
                                        f"{other} is coded, {code} is not"))
        elif other:
            edits.append(SIDE_RULE.edit("replace", "icd10cm", code, f"the note documents the {side} side: "
                                        f"{other}, not {code}", other))
    return edits


# (code prefixes present together) -> (code to replace, replacement, reason); both must be coded
COMBINATIONS: tuple[tuple[str, str, str, str], ...] = (
    ("E11.9", "N18", "E11.22", "diabetes 'with' chronic kidney disease is presumed linked: E11.22"),
    ("E10.9", "N18", "E10.22", "diabetes 'with' chronic kidney disease is presumed linked: E10.22"),
    ("I10", "N18.3", "I12.9", "hypertension with CKD stage 1-4 is hypertensive CKD: I12.9"),
    ("I10", "N18.1", "I12.9", "hypertension with CKD stage 1-4 is hypertensive CKD: I12.9"),
    ("I10", "N18.2", "I12.9", "hypertension with CKD stage 1-4 is hypertensive CKD: I12.9"),
    ("I10", "N18.4", "I12.9", "hypertension with CKD stage 1-4 is hypertensive CKD: I12.9"),
    ("I10", "N18.9", "I12.9", "hypertension with CKD is hypertensive CKD: I12.9"),
    ("I10", "N18.5", "I12.0", "hypertension with CKD stage 5 is hypertensive CKD: I12.0"),
    ("I10", "I50", "I11.0", "hypertension with heart failure is hypertensive heart disease with heart failure: I11.0"),
)


def _propose_combination(ctx: Context) -> list:
    icd, edits = ctx.icd(), []
    for code, partner, replacement, reason in COMBINATIONS:
        if code in icd and any(c.startswith(partner) for c in icd) and replacement not in icd:
            edits.append(COMBINATION_RULE.edit("replace", "icd10cm", code, reason, replacement))
            icd.remove(code)
    return edits


_TYPE_PATTERNS = {"E10": r"\b(type 1|type I|T1DM|DM1|DM type 1|insulin-dependent) diabet|\b(T1DM|DM1)\b",
                  "E11": r"\b(type 2|type II|T2DM|DM2|DM type 2) diabet|\b(T2DM|DM2)\b"}
TYPE_GUIDELINE = "ICD-10-CM Official Guidelines I.C.4.a.2 (type of diabetes as documented; E11 when not documented)"


def documented_diabetes_type(narrative: str) -> str | None:
    """'E10' or 'E11' when the note names exactly one type of diabetes."""
    found = [category for category, pattern in _TYPE_PATTERNS.items() if affirmed(narrative, pattern)]
    return found[0] if len(found) == 1 else None


def _propose_type(ctx: Context) -> list:
    documented = documented_diabetes_type(ctx.narrative)
    if documented is None:
        return []
    edits = []
    for code in ctx.icd():
        if code[:3] in _TYPE_PATTERNS and code[:3] != documented:
            better = documented + code[3:]
            edits.append(TYPE_RULE.edit("replace", "icd10cm", code, f"the note documents {'type 1' if documented == 'E10' else 'type 2'} "
                                        f"diabetes: {better}, not {code}", better))
    return edits


TYPE_RULE = Rule("diabetes_type", TYPE_GUIDELINE, "the diabetes category follows the documented type", _propose_type,
                 one_encounter=True)
SIDE_RULE = Rule("laterality", SIDE_GUIDELINE, "an unspecified-side or wrong-side code becomes the documented side",
                 _propose_side,
                 one_encounter=True)
COMBINATION_RULE = Rule("combination_code", COMBINATION_GUIDELINE,
                        "conditions the 'with' convention links are coded by their combination code",
                        _propose_combination, one_encounter=True)
