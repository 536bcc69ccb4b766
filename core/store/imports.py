"""Import review cases from JSONL or CSV.

JSONL: one object per line, `{"id", "narrative"}` plus optional `codes` ({system: [codes]}), `prediction`
(the raw model output, or a CodingResult-like object with raw/codes/reasoning/model_id/latency_s/prompt),
`source`, `split`, `meta`. CSV: a header with `id` and `narrative`, optional `codes` (JSON) or
`icd10cm`/`cpt`/`hcpcs` columns (codes separated by `;`), `source`, `split`, `prediction` (raw output).

Every bad line is reported with its line number; the good ones are written in ONE transaction (all of them
or none). Cases already stored under the same (source, id) are left untouched and counted as duplicates.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import logging
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sqlmodel import Session, select

from core.constants import SYSTEMS
from core.store.db import run_write
from core.store.errors import FieldError, StoreError
from core.store.models import Case, Prediction
from core.store.queue import check_min_submitted, default_min_submitted
from core.store.records import CaseRecord, case_from_mapping, optional_name

logger = logging.getLogger(__name__)

PromptBuilder = Callable[[str], list[dict]]
_CHUNK = 500


@dataclass
class ImportReport:
    path: str
    batch: str
    imported: int = 0
    predictions: int = 0
    duplicates: int = 0
    double_annotation: int = 0
    errors: list[dict] = field(default_factory=list)  # {"line": n, "message": "..."}

    def to_dict(self) -> dict:
        return asdict(self)


def needs_double_review(source: str, external_id: str, share: float) -> bool:
    """A stable draw: the same case is always in (or out of) the double-annotation share."""
    digest = hashlib.sha256(f"{source}\x00{external_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < share


def _jsonl_rows(path: Path) -> Iterator[tuple[int, object]]:
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if number == 1 and raw.startswith(codecs.BOM_UTF8):  # as core.jsonl and the CSV reader accept it
                raw = raw[len(codecs.BOM_UTF8):]
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield number, FieldError(f"not UTF-8 text ({exc.reason})", "line")
                continue
            if not text.strip():
                continue
            try:
                yield number, json.loads(text)
            except json.JSONDecodeError as exc:
                yield number, FieldError(f"invalid JSON: {exc.msg} (column {exc.colno})", "line")


def _csv_mapping(row: dict) -> dict:
    mapping = {k.strip(): (v or "").strip() for k, v in row.items() if k}
    split_codes = {s: [c.strip() for c in mapping.pop(s, "").split(";") if c.strip()] for s in SYSTEMS}
    if not mapping.get("codes") and any(split_codes.values()):
        mapping["codes"] = split_codes
    mapping.pop("meta", None)
    return mapping


def _csv_rows(path: Path) -> Iterator[tuple[int, object]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise StoreError(f"{path}: not UTF-8 text ({exc.reason})", "file") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = {"id", "narrative"} - {(f or "").strip() for f in reader.fieldnames or []}
    if missing:
        raise StoreError(f"{path}: CSV header lacks column(s) {', '.join(sorted(missing))}", "header")
    start = reader.line_num + 1  # where the next record starts (a quoted cell may span lines: line_num is its end)
    for row in reader:
        yield start, _csv_mapping(row)
        start = reader.line_num + 1


def _gold_codes(codes: dict | None) -> dict | None:
    """Gold codes checked like a correction's (known, billable, in their system) and normalized (e119 -> E11.9);
    FieldError naming the first bad one."""
    if not codes:
        return codes
    from core.codes import get_codeset

    codeset, normalized = get_codeset(), {}
    for system, items in codes.items():
        normalized[system] = []
        for index, code in enumerate(items):
            check = codeset.validate(code, system)
            if not check.ok:
                raise FieldError(f"codes.{system}[{index}]: {code!r} is not a valid {system} code: {check.message}",
                                 f"codes.{system}")
            if check.normalized not in normalized[system]:
                normalized[system].append(check.normalized)
    return normalized


def read_case_records(path: Path, source: str | None, split: str | None, report: ImportReport) -> list[CaseRecord]:
    """Check every line; collect the good records and report the bad ones."""
    suffix = path.suffix.lower()
    if suffix not in (".jsonl", ".ndjson", ".json", ".csv"):
        raise StoreError(f"{path}: unsupported file type {suffix or '(none)'}; use .jsonl or .csv", "file")
    rows = _csv_rows(path) if suffix == ".csv" else _jsonl_rows(path)
    records: list[CaseRecord] = []
    first_line: dict[tuple[str, str], int] = {}
    for line, obj in rows:
        try:
            if isinstance(obj, FieldError):
                raise obj
            record = case_from_mapping(obj, line, source, split)
            record.codes = _gold_codes(record.codes)
            key = (record.source, record.external_id)
            if key in first_line:
                raise FieldError(f"duplicate id {record.external_id!r} (first on line {first_line[key]})", "id")
        except FieldError as exc:
            report.errors.append({"line": line, "message": str(exc)})
            continue
        first_line[key] = line
        records.append(record)
    return records


def _existing_ids(session: Session, records: list[CaseRecord]) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    by_source: dict[str, list[str]] = {}
    for record in records:
        by_source.setdefault(record.source, []).append(record.external_id)
    for source, ids in by_source.items():
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start:start + _CHUNK]
            query = select(Case.external_id).where(Case.source == source, Case.external_id.in_(chunk))
            found.update((source, eid) for eid in session.exec(query))
    return found


def _write_records(session: Session, records: list[CaseRecord], report: ImportReport, share: float,
                   prompts: dict[int, list[dict]], imported_by: str | None = None, min_submitted: int = 1) -> None:
    report.imported = report.predictions = report.duplicates = report.double_annotation = 0  # a retry starts over
    existing = _existing_ids(session, records)
    for record in records:
        if (record.source, record.external_id) in existing:
            report.duplicates += 1
            continue
        double = needs_double_review(record.source, record.external_id, share)
        case = Case(external_id=record.external_id, narrative=record.narrative, source=record.source,
                    split=record.split, import_batch=report.batch, gold_codes=record.codes,
                    meta=record.meta, target_reviews=max(2, min_submitted) if double else min_submitted,
                    created_by=imported_by)
        session.add(case)
        session.flush()
        report.imported += 1
        report.double_annotation += int(double)
        pred = record.prediction
        if pred is not None:
            session.add(Prediction(case_id=case.id, model_id=pred.model_id, prompt=pred.prompt or prompts[record.line],
                                   raw_output=pred.raw, codes=pred.codes, reasoning=pred.reasoning,
                                   latency_s=pred.latency_s, prompt_rebuilt=pred.prompt is None,
                                   rule_edits=pred.rule_edits))
            report.predictions += 1


def _rebuild_prompts(records: list[CaseRecord], builder: PromptBuilder | None) -> dict[int, list[dict]]:
    """Prompts for predictions imported without one, by line; a failure stops the import before any write."""
    prompts = {}
    for record in records:
        if record.prediction and record.prediction.prompt is None:
            if builder is None:
                raise StoreError(f"line {record.line}: prediction.prompt is missing; include the prompt messages "
                                 "in the file (or pass a prompt_builder)", "prediction.prompt")
            try:
                prompts[record.line] = builder(record.narrative)
            except Exception as exc:
                raise StoreError(f"line {record.line}: prediction.prompt is missing and could not be rebuilt "
                                 f"({type(exc).__name__}: {exc}); include the prompt messages in the file",
                                 "prediction.prompt") from exc
    return prompts


def import_cases(path: str | Path, *, source: str | None = None, split: str | None = None,
                 double_share: float = 0.0, prompt_builder: PromptBuilder | None = None,
                 imported_by: str | None = None, min_submitted: int | None = None) -> ImportReport:
    """Import a JSONL/CSV file of cases (see the module docstring). Returns what happened, line by line.
    `imported_by` (who ran the import) is stored on every case as `created_by`. `min_submitted`: annotators
    who must submit each case (default THCE_MIN_SUBMITTED, else 1); the `double_share` gets at least 2.
    `prompt_builder(narrative)`: the prompt messages of a prediction imported without them (`thce annotations
    import` passes the default pipeline's); without one, such a prediction stops the import."""
    path = Path(path)
    if not path.is_file():
        raise StoreError(f"{path}: no such file", "file")
    if not 0.0 <= double_share <= 1.0:
        raise FieldError(f"double_share must be between 0 and 1, got {double_share}", "double_share")
    source, split = optional_name(source, "source"), optional_name(split, "split")
    needed = default_min_submitted() if min_submitted is None else check_min_submitted(min_submitted)
    report = ImportReport(path=str(path), batch=uuid.uuid4().hex[:12])
    records = read_case_records(path, source, split, report)
    prompts = _rebuild_prompts(records, prompt_builder)
    if records:
        imported_by = optional_name(imported_by, "imported_by")
        run_write(lambda session: _write_records(session, records, report, double_share, prompts, imported_by,
                                                 needed))
    logger.info("import %s: %d imported, %d duplicates, %d bad lines",
                report.batch, report.imported, report.duplicates, len(report.errors))
    return report
