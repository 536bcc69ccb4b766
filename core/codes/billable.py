"""The billable ICD-10-CM form of a code that is not billable as it stands (a header, an older code such as
CodiEsp's 2018 'R51', a code without its 7th character), when the choice is unambiguous: the one billable or
'unspecified' descendant of a header, else the nearest billable ancestor. Used by the CodiEsp importer
(training targets) and by the retriever (a learned code stands for its billable form)."""

from __future__ import annotations

MAPPING_KINDS = ("valid", "child", "seventh_character", "parent", "parent_child", "dropped")


def _unspecified_descendant(codeset, code: str) -> tuple[str | None, bool]:
    """(billable code under a header, whether a 7th character was added) when the choice is unambiguous:
    a single child, or a single 'unspecified' child, at each level. A missing 7th character becomes A
    (initial encounter; for fractures 'closed', the ICD-10-CM default when open/closed is not stated):
    CodiEsp coders left the 7th character out, and a case report documents the active treatment."""
    current = code
    for _ in range(5):
        info = codeset.lookup(current, "icd10cm")
        if info is None:
            return None, False
        if info.billable:
            return current, current != code and _has_extension(codeset, current)
        children = [c for c in (codeset.lookup(child, "icd10cm") for child in info.children) if c]
        extensions = [c for c in children if c.kind == "extension"]
        if extensions:
            initial = [c for c in extensions if c.code.endswith("A") and c.billable]
            return (initial[0].code, True) if initial else (None, False)
        unspecified = children if len(children) == 1 else [c for c in children if "unspecified" in c.description.lower()]
        if len(unspecified) != 1:
            return None, False
        current = unspecified[0].code
    return None, False


def _has_extension(codeset, code: str) -> bool:
    info = codeset.lookup(code, "icd10cm")
    return info is not None and info.kind == "extension"


def _nearest_known_ancestor(codeset, code: str) -> str | None:
    compact = code.replace(".", "")
    for length in range(len(compact) - 1, 2, -1):
        candidate = codeset.normalize(compact[:length], "icd10cm")
        if codeset.lookup(candidate, "icd10cm") is not None:
            return candidate
    return None


def map_to_billable(codeset, code: str) -> tuple[str | None, str]:
    """(valid ICD-10-CM code or None, how) for a normalized CodiEsp code; how is one of MAPPING_KINDS."""
    if codeset.is_valid(code, "icd10cm"):
        return code, "valid"
    start, kind = code, "child"
    if codeset.lookup(code, "icd10cm") is None:
        start, kind = _nearest_known_ancestor(codeset, code), "parent"
        if start is None:
            return None, "dropped"
        if codeset.is_valid(start, "icd10cm"):
            return start, "parent"
        kind = "parent_child"
    target, seventh = _unspecified_descendant(codeset, start)
    if target is None:
        return None, "dropped"
    return target, "seventh_character" if seventh else kind
