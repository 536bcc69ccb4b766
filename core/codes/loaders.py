"""Readers for procedure code files: THCE's curated JSON, the CMS HCPCS annual release, a licensed CPT file.

Every reader returns a list of plain dicts {"code", "description", ...} and raises ValueError naming the
file, and the entry index or line number, when the data is bad; `core.codes.sources` merges the results.

    load_curated("cpt")                 # data/code_databases/cpt_curated.json, schema-checked
    load_cms_hcpcs(Path("HCPC2025_JAN_ANWEB.zip"))   # full CMS HCPCS release (see core.codes.cms_hcpcs)
    load_cpt_file(Path("cpt_licensed.csv"))          # a user's licensed CPT file
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import pandas as pd

from core.codes.cms_hcpcs import load_cms_hcpcs
from core.codes.formats import CPT_RE, HCPCS_RE
from core.codes.tabular import decode_bytes, find_column, read_table
from core.paths import CODE_DB_DIR

__all__ = ["load_cms_hcpcs", "load_cpt_file", "load_curated"]

logger = logging.getLogger(__name__)

CODE_PATTERNS = {"cpt": CPT_RE, "hcpcs": HCPCS_RE}
CURATED_FIELDS = {"code": True, "description": True, "category": True, "unit": False}  # name -> required
CPT_CODE_COLUMNS = ("code", "cpt", "cptcode", "cptcodes", "hcpcs", "procedurecode")
CPT_DESCRIPTION_COLUMNS = (
    "longdescription", "longdescriptor", "description", "descriptor", "cliniciandescriptor",
    "mediumdescription", "mediumdescriptor", "shortdescription", "shortdescriptor",
)  # fmt: skip
MAX_REPORTED_ERRORS = 5
LEADING_CODE_RE = re.compile(r'\s*"?([0-9A-Za-z]{4,6})"?([\t|,]|\s)')  # "99214<TAB>...", "0042T ..."


# ---------------------------------------------------------------- curated JSON


def load_curated(system: str, path: Path | None = None) -> list[dict]:
    """Entries of data/code_databases/<system>_curated.json (or `path`), schema-checked.

    A missing file gives [] and a warning (that system then starts empty); a malformed one raises ValueError."""
    if system not in CODE_PATTERNS:
        raise ValueError(f"unknown procedure code system {system!r}; expected one of {sorted(CODE_PATTERNS)}")
    path = Path(path) if path is not None else CODE_DB_DIR / f"{system}_curated.json"
    if not path.is_file():
        logger.warning("curated %s code file %s is missing; that system starts empty", system, path)
        return []
    document = _read_json(path)
    if document.get("system", system) != system:
        raise ValueError(f"{path}: 'system' is {document['system']!r}, expected {system!r}")
    entries = document.get("codes")
    if not isinstance(entries, list):
        raise ValueError(f"{path}: 'codes' must be a list, got {type(entries).__name__}")
    seen: dict[str, int] = {}
    for index, entry in enumerate(entries):
        _check_curated_entry(entry, index, system, path)
        if entry["code"] in seen:
            raise ValueError(
                f"{path}: codes[{index}] duplicates code {entry['code']} (first at codes[{seen[entry['code']]}])"
            )
        seen[entry["code"]] = index
    return [dict(entry) for entry in entries]


def _read_json(path: Path) -> dict:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from exc
    if not isinstance(document, dict):
        raise ValueError(f"{path}: expected a JSON object with a 'codes' list")
    return document


def _check_curated_entry(entry: object, index: int, system: str, path: Path) -> None:
    where = f"{path}: codes[{index}]"
    if not isinstance(entry, dict):
        raise ValueError(f"{where} must be an object, got {type(entry).__name__}")
    unknown = sorted(set(entry) - set(CURATED_FIELDS))
    if unknown:
        raise ValueError(f"{where} has unknown field(s) {unknown}; allowed: {sorted(CURATED_FIELDS)}")
    for name, required in CURATED_FIELDS.items():
        value = entry.get(name)
        if value is None and not required:
            continue
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"{where}.{name} must be a non-empty string, got {value!r}")
    if not CODE_PATTERNS[system].fullmatch(entry["code"]):
        raise ValueError(f"{where}.code {entry['code']!r} is not a valid {system} code")


# ---------------------------------------------------------------- licensed CPT file


def load_cpt_file(path: Path) -> list[dict]:
    """Codes of a user's licensed CPT file: CSV/TSV/pipe/XLSX with a header naming a code and a description
    column, or headerless "code<TAB>descriptor" / "code|descriptor" / "code descriptor" lines."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"CPT file not found: {path}")
    if path.suffix.lower() in (".xlsx", ".xls"):
        rows = _rows_from_frame(read_table(path.read_bytes(), str(path)), str(path))
    else:
        rows = _rows_from_text(decode_bytes(path.read_bytes()), str(path))
    entries = _validated_cpt_entries(rows, str(path))
    logger.info("read %d CPT codes from %s", len(entries), path)
    return entries


def _rows_from_text(text: str, name: str) -> list[tuple[int, str, str]]:
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), None)
    if first is None:
        raise ValueError(f"{name}: the file is empty")
    leading = LEADING_CODE_RE.match(first)
    if leading and _looks_like_code(leading.group(1).upper()):
        separator = leading.group(2)
        return _headerless_rows(lines, separator if separator in "\t|," else None)
    delimiter = next((d for d in ("\t", "|", ",") if d in first), None)
    if delimiter is None:
        raise ValueError(f"{name}: line 1: cannot find a delimiter (tab, '|' or ',') or a leading code")
    return _rows_from_frame(read_table(text.encode("utf-8"), name, sep=delimiter), name)


def _looks_like_code(cell: str) -> bool:
    """A first cell such as 99214, 0042T or a malformed X0000 means no header row; CODE or CPT means one."""
    return bool(re.fullmatch(r"[0-9A-Z]{4,6}", cell)) and sum(char.isdigit() for char in cell) >= 3


def _headerless_rows(lines: list[str], delimiter: str | None) -> list[tuple[int, str, str]]:
    rows = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        parts = line.split(delimiter, 1) if delimiter else line.strip().split(None, 1)
        code = parts[0].strip().strip('"')
        description = parts[1].strip().strip('"') if len(parts) > 1 else ""
        rows.append((number, code, description))
    return rows


def _rows_from_frame(frame: pd.DataFrame, name: str) -> list[tuple[int, str, str]]:
    code_column = find_column(frame, CPT_CODE_COLUMNS)
    description_column = find_column(frame, CPT_DESCRIPTION_COLUMNS) or find_column(
        frame, ("desc",), partial=True
    )
    if code_column is None or description_column is None:
        raise ValueError(
            f"{name}: line 1: need a code column (one of {CPT_CODE_COLUMNS}) and a description column "
            f"(one of {CPT_DESCRIPTION_COLUMNS}); found {list(frame.columns)}"
        )
    codes = frame[code_column].astype(str).tolist()
    descriptions = frame[description_column].astype(str).tolist()
    return [
        (offset + 2, code, text) for offset, (code, text) in enumerate(zip(codes, descriptions, strict=True))
    ]


def _validated_cpt_entries(rows: list[tuple[int, str, str]], name: str) -> list[dict]:
    errors: list[str] = []
    entries: dict[str, dict] = {}
    for line, raw_code, description in rows:
        code = raw_code.strip().upper()
        if not code and not description.strip():
            continue
        if not CPT_RE.fullmatch(code):
            errors.append(f"line {line}: {raw_code!r} is not a CPT code (5 digits, or 4 digits + F, T or U)")
        elif not description.strip():
            errors.append(f"line {line}: code {code} has an empty description")
        else:
            entries[code] = {"code": code, "description": " ".join(description.split())}
    if errors:
        shown = "; ".join(errors[:MAX_REPORTED_ERRORS])
        more = f" (and {len(errors) - MAX_REPORTED_ERRORS} more)" if len(errors) > MAX_REPORTED_ERRORS else ""
        raise ValueError(f"{name}: {len(errors)} bad line(s): {shown}{more}")
    if not entries:
        raise ValueError(f"{name}: no CPT codes found")
    return list(entries.values())
