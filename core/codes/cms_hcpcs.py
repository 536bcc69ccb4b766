"""Reader for the CMS HCPCS Level II annual file ("HCPC2025_JAN_ANWEB" in the yearly ZIP from cms.gov).

It follows the CMS record layout document shipped in that ZIP (HCPC20xx_recordlayout), using only
these fields of the fixed-width text record (1-based columns; the record has more fields we ignore):

    HCPC        1-5     code, left-justified ("J2405"; modifiers are 2 characters, e.g. "25")
    SEQNUM      6-10    sequence number of the line within the code
    RECID       11      3 = first line of a procedure, 4 = continuation line of a procedure,
                        7 = first line of a modifier, 8 = continuation line of a modifier
    LONG DESC   12-91   long description (80 characters; longer text continues on RECID 4 lines)
    SHORT DESC  92-119  short description (28 characters)
    TERM DT     273-280 termination date, YYYYMMDD, blank while the code is active

The CSV and XLSX exports of the same file carry these fields as columns named HCPC, SEQNUM, RECID,
LONG DESCRIPTION, SHORT DESCRIPTION and TERM DT (matched case- and punctuation-insensitively).
Continuation lines are joined to the long description with a space, modifier records are skipped, and
codes whose termination date lies before today are dropped.
"""

from __future__ import annotations

import logging
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from core.codes.formats import HCPCS_RE
from core.codes.tabular import decode_bytes, find_column, read_table

logger = logging.getLogger(__name__)

FIXED_WIDTH = {"code": (0, 5), "recid": (10, 11), "long": (11, 91), "short": (91, 119), "term": (272, 280)}
HCPCS_COLUMNS = {
    "code": ("hcpc", "hcpcs", "hcpcscode", "code"),
    "recid": ("recid", "recordid", "recordidentification"),
    "long": ("longdescription", "longdesc", "description"),
    "short": ("shortdescription", "shortdesc"),
    "term": ("termdt", "termdate", "terminationdate"),
}
HCPCS_SECTIONS = {
    "A": "Transportation, medical and surgical supplies", "B": "Enteral and parenteral therapy",
    "C": "Outpatient PPS (temporary)", "E": "Durable medical equipment",
    "G": "Procedures and professional services (temporary)", "H": "Behavioral health (Medicaid)",
    "J": "Drugs administered other than oral method, chemotherapy", "K": "DME for Medicare contractors (temporary)",
    "L": "Orthotics and prosthetics", "M": "Medical services", "P": "Pathology and laboratory",
    "Q": "Miscellaneous services (temporary)", "R": "Diagnostic radiology services",
    "S": "Private payer codes (temporary)", "T": "State Medicaid agency codes", "U": "Coronavirus lab tests",
    "V": "Vision, hearing and speech-language services",
}  # fmt: skip


@dataclass
class HcpcsRecord:
    """One line of the CMS file, whatever its container (fixed-width text, CSV or XLSX row)."""

    line: int
    code: str
    recid: str
    long: str
    short: str
    term: str


def load_cms_hcpcs(path: Path, today: date | None = None) -> list[dict]:
    """Active HCPCS Level II codes from the CMS annual file: the ZIP, its fixed-width .txt, or a CSV/XLSX export.

    Returns [{"code", "description" (long), "short_description", "category" (HCPCS section)}].
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"HCPCS file not found: {path}")
    name, data = _hcpcs_payload(path)
    records = (
        _records_from_table(read_table(data, name), name)
        if _is_table(name)
        else _fixed_width_records(data, name)
    )
    entries = _assemble_hcpcs(records, name, today or date.today())
    if not entries:
        raise ValueError(f"{name}: no active HCPCS codes found; is this the CMS HCPCS annual file?")
    logger.info("read %d active HCPCS codes from %s", len(entries), name)
    return entries


def _hcpcs_payload(path: Path) -> tuple[str, bytes]:
    """(display name, bytes) of the data file: the file itself, or the best member of a ZIP."""
    if not zipfile.is_zipfile(path):
        return str(path), path.read_bytes()
    with zipfile.ZipFile(path) as archive:
        members = [m for m in archive.namelist() if not m.endswith("/")]
        member = _pick_zip_member(members)
        if member is None:
            raise ValueError(
                f"{path}: no HCPCS data file (.txt, .csv or .xlsx) in the ZIP; members: {members}"
            )
        return f"{path}!{member}", archive.read(member)


def _pick_zip_member(members: list[str]) -> str | None:
    """Prefer the fixed-width text, then CSV, then XLSX; skip the layout document, notes and reports."""
    noise = ("layout", "note", "readme", "transaction", "change", "index")
    for suffix in (".txt", ".csv", ".xlsx"):
        candidates = [m for m in members if m.lower().endswith(suffix)]
        candidates = [m for m in candidates if not any(word in Path(m).name.lower() for word in noise)]
        if candidates:
            return sorted(candidates, key=lambda m: ("anweb" not in m.lower(), m))[0]
    return None


def _is_table(name: str) -> bool:
    return name.lower().endswith((".csv", ".tsv", ".xlsx", ".xls"))


def _fixed_width_records(data: bytes, name: str) -> Iterator[HcpcsRecord]:
    for number, line in enumerate(decode_bytes(data).splitlines(), start=1):
        if not line.strip(" \t\x1a"):  # blank lines and a DOS end-of-file mark
            continue
        if len(line) < 12:
            raise ValueError(
                f"{name}: line {number} is {len(line)} characters; a CMS HCPCS record has at least 12"
            )
        fields = {key: line[start:end].strip() for key, (start, end) in FIXED_WIDTH.items()}
        yield HcpcsRecord(
            number, fields["code"].upper(), fields["recid"], fields["long"], fields["short"], fields["term"]
        )


def _records_from_table(frame: pd.DataFrame, name: str) -> Iterator[HcpcsRecord]:
    """Rows of a CSV/XLSX export; without a RECID column a repeated code counts as a continuation line."""
    columns = {key: find_column(frame, aliases) for key, aliases in HCPCS_COLUMNS.items()}
    for key in ("code", "long"):
        if columns[key] is None:
            raise ValueError(
                f"{name}: no {key} column; expected one of {HCPCS_COLUMNS[key]}, found {list(frame.columns)}"
            )
    previous = None
    for offset, row in enumerate(frame.to_dict("records")):
        cell = {key: str(row[column]).strip() if column else "" for key, column in columns.items()}
        code = cell["code"].upper()
        if not code and not cell["long"]:
            continue
        recid = cell["recid"] or ("4" if code == previous else "3")
        previous = code
        yield HcpcsRecord(offset + 2, code, recid, cell["long"], cell["short"], cell["term"])


def _assemble_hcpcs(records: Iterable[HcpcsRecord], name: str, today: date) -> list[dict]:
    """Join continuation lines, drop modifiers and terminated codes."""
    entries: dict[str, dict] = {}
    terminated: set[str] = set()
    for record in records:
        if record.recid in ("7", "8"):
            continue
        if record.recid not in ("3", "4"):
            raise ValueError(f"{name}: line {record.line}: record id {record.recid!r} is not 3, 4, 7 or 8")
        if not HCPCS_RE.fullmatch(record.code):
            if len(record.code) <= 2 and record.recid == "3":  # modifier row in an export without RECID
                continue
            raise ValueError(f"{name}: line {record.line}: {record.code!r} is not a HCPCS Level II code")
        if record.recid == "4":
            _continue_description(entries, record, name)
            continue
        entries[record.code] = _new_hcpcs_entry(record)
        if _is_terminated(record.term, today, name, record.line):
            terminated.add(record.code)
    logger.info("%s: skipped %d terminated codes", name, len(terminated))
    return [entry for code, entry in entries.items() if code not in terminated]


def _new_hcpcs_entry(record: HcpcsRecord) -> dict:
    return {
        "code": record.code,
        "description": record.long or record.short,
        "short_description": record.short,
        "category": HCPCS_SECTIONS.get(record.code[0], "HCPCS Level II"),
    }


def _continue_description(entries: dict[str, dict], record: HcpcsRecord, name: str) -> None:
    entry = entries.get(record.code)
    if entry is None:
        raise ValueError(f"{name}: line {record.line}: continuation of {record.code} before its first line")
    if record.long:
        entry["description"] = f"{entry['description']} {record.long}".strip()


def _is_terminated(term: str, today: date, name: str, line: int) -> bool:
    digits = re.sub(r"\D", "", term.split(" ")[0])
    if not digits:
        return False
    if len(digits) != 8:
        raise ValueError(f"{name}: line {line}: termination date {term!r} is not YYYYMMDD")
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:])) < today
    except ValueError as exc:
        raise ValueError(f"{name}: line {line}: termination date {term!r} is not a valid date") from exc
