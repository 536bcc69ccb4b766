"""`CodeSet.validate`: is a code known and billable, and if not, why not and what to use instead."""

from __future__ import annotations

from core.codes.formats import canonical, compact, format_problem, format_systems
from core.codes.models import SYSTEM_LABELS, Validation

SHAPES = "ICD-10-CM like E11.65, CPT like 99214, HCPCS like J3420"
SUGGESTION_LIMIT = 20


def validate(codeset, code: str, system: str | None) -> Validation:
    problem = format_problem(code)
    if problem:
        shown = _shown(code)
        message = f"{shown!r}: {problem}" if shown == code else f"bad code: {problem}"
        return Validation(shown, "", system, "bad_format", message)
    key = compact(code)
    formats = format_systems(key)
    if not formats:
        return Validation(code, key, system, "bad_format",
                          f"{code.strip()!r} is not shaped like a code ({SHAPES})")
    found = codeset._find(code, system)
    if found is not None:
        return _known(codeset, code, found)
    if system is not None:
        elsewhere = codeset._find(code, None)
        if elsewhere is not None or system not in formats:
            actual = elsewhere[0] if elsewhere else codeset.detect_system(code)
            spelled = elsewhere[1] if elsewhere else canonical(key, actual)
            return Validation(code, spelled, actual, "wrong_system",
                              f"{spelled} is {_a(actual)} code, not {SYSTEM_LABELS[system]}")
    target = system or codeset.detect_system(code)
    return _unknown(codeset, code, canonical(key, target), target)


def _known(codeset, code: str, found: tuple[str, str]) -> Validation:
    system, key = found
    record = codeset.tables[system][key]
    if record.billable:
        return Validation(code, key, system, "ok", f"{key}: {record.description}")
    suggestions = codeset.billable_descendants(key, SUGGESTION_LIMIT)
    examples = ", ".join(suggestions[:5])
    return Validation(code, key, system, "not_billable",
                      f"{key} ({record.description}) is a {record.kind}, not billable: use a more specific "
                      f"code{' such as ' + examples if examples else ''}", suggestions)


def _unknown(codeset, code: str, spelled: str, system: str) -> Validation:
    label = SYSTEM_LABELS[system]
    if system == "icd10cm":
        suggestions = _icd_near_misses(codeset, compact(code))
        hint = f"; did you mean {', '.join(suggestions[:5])}?" if suggestions else ""
        return Validation(code, spelled, system, "unknown", f"{spelled} is not {_a(system)} code{hint}",
                          suggestions)
    meta = codeset.meta[system]
    size = len(codeset.tables[system])
    hint = "" if meta.get("extra_file") else (
        f" (only the curated subset of {size} codes is loaded; load the full set with "
        f"--{system}-file or THCE_{system.upper()}_FILE)")
    return Validation(code, spelled, system, "unknown", f"{spelled} is not in the loaded {label} codes{hint}")


def _icd_near_misses(codeset, key: str) -> list[str]:
    """A 7th-character code missing its X placeholders, else billable codes under the longest known prefix."""
    table = codeset.tables["icd10cm"]
    if 4 <= len(key) < 7 and key[-1].isalpha():
        padded = canonical(key[:-1].ljust(6, "X") + key[-1], "icd10cm")
        if padded in table and table[padded].billable:
            return [padded]
    for end in range(len(key) - 1, 2, -1):
        prefix = canonical(key[:end], "icd10cm")
        if prefix in table:
            return [prefix] if table[prefix].billable else codeset.billable_descendants(prefix, SUGGESTION_LIMIT)
    return []


def _a(system: str) -> str:
    """'an ICD-10-CM', 'a CPT', 'an HCPCS Level II'."""
    return f"{'a' if system == 'cpt' else 'an'} {SYSTEM_LABELS[system]}"


def _shown(code: object) -> str:
    """The input as it can be echoed back: long inputs cut short."""
    text = code if isinstance(code, str) else repr(code)
    return text if len(text) <= 40 else f"{text[:20]}...({len(text)} characters)"
