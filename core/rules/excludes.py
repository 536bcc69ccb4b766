"""Excludes1 conflicts (ICD-10-CM Official Guidelines, Section I.A.12.a): an Excludes1 note means the two
conditions are never coded together (they are mutually exclusive, e.g. type 1 and type 2 diabetes)."""

from __future__ import annotations

from core.rules.models import Context, Rule
from core.rules.references import note_lines, parse_references

GUIDELINE = "ICD-10-CM Official Guidelines I.A.12.a (Excludes1)"


def excluded_by(codeset, code: str, other: str) -> str | None:
    """The Excludes1 note line of `code` (or of an ancestor) that names `other`, or None."""
    for line, _ in note_lines(codeset, code, "excludes1"):
        if any(ref.covers(other) for ref in parse_references(line)):
            return line
    return None


def find_conflicts(codes, codeset) -> list[dict]:
    """Excludes1 pairs among ICD-10-CM codes (a dict of systems or a flat list of ICD-10-CM codes):
    [{'codes': [a, b], 'note': a's line, 'carrier': ..., 'guideline': ...}]."""
    icd = codes.get("icd10cm", []) if isinstance(codes, dict) else list(codes)
    conflicts = []
    for i, first in enumerate(icd):
        for second in icd[i + 1:]:
            for a, b in ((first, second), (second, first)):
                line = excluded_by(codeset, a, b)
                if line:
                    conflicts.append({"codes": [first, second], "excluding": a, "note": line,
                                      "guideline": GUIDELINE})
                    break
    return conflicts


def _loser(first: str, second: str) -> str:
    """Which of two conflicting codes to drop: a symptom (R-chapter) code yields to a diagnosis; otherwise the
    later-listed (less confident) code. Measured on CodiEsp dev (tfidf_lr answers): this order made 79 helpful
    and 20 harmful drops; dropping the code that carries the note instead made 65 and 32."""
    if first.startswith("R") != second.startswith("R"):
        return first if first.startswith("R") else second
    return second


def _propose(ctx: Context) -> list:
    edits, dropped = [], set()
    for conflict in find_conflicts(ctx.codes, ctx.codeset):
        first, second = conflict["codes"]
        if first in dropped or second in dropped:
            continue
        loser = _loser(first, second)
        kept = second if loser == first else first
        dropped.add(loser)
        edits.append(RULE.edit("drop", "icd10cm", loser, f"{conflict['excluding']} has an Excludes1 note "
                               f"'{conflict['note']}': {loser} is not coded with {kept}"))
    return edits


RULE = Rule("excludes1_conflict", GUIDELINE, "two codes whose Excludes1 notes forbid coding them together",
            _propose, one_encounter=True)
