"""ICD-10-CM table built from the `simple-icd-10-cm` package (CMS/NCHS data, nothing copied into the repo).

Walking the package's XML tree costs ~1.5 s, so the compact table (records + notes) is pickled into the
cache directory, keyed by the package version, and reloaded from there by later processes.
"""

from __future__ import annotations

import logging
from importlib import metadata

from core.codes.cache import cached_pickle
from core.codes.models import CodeRecord

logger = logging.getLogger(__name__)

TABLE_SCHEMA = 2
_KINDS = {"chapter": "chapter", "section": "block", "category": "category",
          "subcategory": "subcategory", "extended subcategory": "extension"}
# note fields kept per node: (attribute on the package's tree node, key in CodeInfo.notes)
_LIST_NOTES = (("inclusion_term", "inclusion_terms"), ("includes", "includes"),
               ("excludes1", "excludes1"), ("excludes2", "excludes2"))
_TEXT_NOTES = (("code_first", "code_first"), ("code_also", "code_also"),
               ("use_additional_code", "use_additional"), ("notes", "notes"),
               ("seven_chr_note", "seven_chr_note"))
# notes that apply to every descendant of the node that carries them (the package's *_ancestor links)
INHERITED_NOTES = ("code_first", "code_also", "use_additional", "seven_chr_def", "seven_chr_note")


def package_version() -> str:
    return metadata.version("simple-icd-10-cm")


def data_version() -> str:
    """The CMS release the package ships, read from its data file name (e.g. 'April-1-2026')."""
    from simple_icd_10_cm import simple_icd_10_cm as icd

    name = icd._classification_data_package_file_name  # 'icd10c-tabular-April-1-2026.xml'
    return name.removeprefix("icd10c-tabular-").removesuffix(".xml")


def load_icd_table() -> dict:
    """{'records': {code: CodeRecord}, 'notes': {code: {key: [str]}}, 'version': str} (cached on disk)."""
    key = f"icd10cm-table-v{TABLE_SCHEMA}-{package_version()}"
    return cached_pickle(key, build_icd_table)


def build_icd_table() -> dict:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from simple_icd_10_cm import simple_icd_10_cm as icd

    records: dict[str, CodeRecord] = {}
    notes: dict[str, dict[str, list[str]]] = {}
    for chapter in icd._chapter_list:
        _add_node(chapter, None, records, notes)
    billable = sum(record.billable for record in records.values())
    logger.info("built ICD-10-CM table: %d entries, %d billable", len(records), billable)
    return {"records": records, "notes": notes, "version": data_version()}


def _add_node(node, block: str | None, records: dict, notes: dict) -> None:
    kind = _KINDS.get(node.type, "subcategory")
    if kind == "block":
        block = node.description
    children = tuple(child.name for child in node.children)
    is_code = kind not in ("chapter", "block")
    # the package names a one-category block like its category (B99); the category keeps the name
    if node.name not in records or is_code:
        parent = node.parent.name if node.parent is not None else None
        if parent == node.name:  # category B99 under block B99: point at the block's parent
            parent = node.parent.parent.name if node.parent.parent is not None else None
        records[node.name] = CodeRecord(node.description, is_code and not children, parent, children,
                                        kind, block if is_code else None)
        node_notes = _node_notes(node)
        if node_notes:
            notes[node.name] = node_notes
    for child in node.children:
        _add_node(child, block, records, notes)


def _node_notes(node) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for attribute, key in _LIST_NOTES:
        if getattr(node, attribute):
            found[key] = [_clean(line) for line in getattr(node, attribute)]
    for attribute, key in _TEXT_NOTES:
        text = getattr(node, attribute)
        if text:
            found[key] = [_clean(line) for line in text.split("\n") if line.strip()]
    if node.seven_chr_def:
        found["seven_chr_def"] = [f"{char}: {_clean(meaning)}" for char, meaning in node.seven_chr_def.items()]
    return found


def _clean(text: str) -> str:
    """One line, single spaces ('type I or II/\tinitial' -> 'type I or II / initial')."""
    return " ".join(text.replace("/\t", " / ").split())
