"""`predict_file`: code a JSONL file of narratives into the predictions JSONL of DESIGN.md.

One output row per input line, in input order; a bad line (not UTF-8, broken JSON, no narrative, empty, too
long, an id already used by an earlier line) gets an error row instead of stopping the batch. Resumable: ids
that already have a coded row in the output are skipped and new rows are appended. Before appending, the output
is rewritten (atomically) without its error rows, so those lines are coded again, and without a half-written
last row left by a crash (a last line that is not a JSON object; a complete one only gets its newline back).

A row whose codes came from the retriever although the model's own answer could not be parsed is not an
error: its `error` is null and `warning` says what was wrong with the model's answer.
"""

from __future__ import annotations

import json
import logging
import os
import stat
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from core.jsonl import decode_line
from core.pipeline.engine import check_narrative
from core.pipeline.result import error_prediction

logger = logging.getLogger(__name__)


@dataclass
class InputRow:
    line: int
    case_id: str
    narrative: str = ""
    error: str | None = None
    has_id: bool = True  # False: `case_id` is a fallback made from the line number
    duplicate: bool = False  # the id was already used by an earlier line


def parse_input_line(line_no: int, text: str) -> InputRow:
    """One input line -> InputRow (with `error` set when the line cannot be coded)."""
    fallback_id = f"line-{line_no}"
    try:
        record = json.loads(text)
    except json.JSONDecodeError as exc:
        return InputRow(line_no, fallback_id, error=f"line {line_no}: not valid JSON ({exc.msg})", has_id=False)
    if not isinstance(record, dict):
        return InputRow(line_no, fallback_id, error=f"line {line_no}: expected a JSON object", has_id=False)
    raw_id = record.get("id")
    has_id = raw_id not in (None, "")
    case_id = str(raw_id) if has_id else fallback_id
    if "narrative" not in record:
        return InputRow(line_no, case_id, error=f'line {line_no}: missing "narrative" field', has_id=has_id)
    try:
        narrative = check_narrative(record["narrative"])
    except ValueError as exc:
        return InputRow(line_no, case_id, error=f"line {line_no}: {exc}", has_id=has_id)
    return InputRow(line_no, case_id, narrative, has_id=has_id)


def _decode_line(line_no: int, data: bytes) -> InputRow | str:
    """The text of one input line, or an error row when it is not UTF-8 (a BOM opening line 1 is dropped)."""
    try:
        return decode_line(data, first=line_no == 1).rstrip("\r\n")
    except ValueError as exc:
        return InputRow(line_no, f"line-{line_no}", error=f"line {line_no}: {exc}", has_id=False)


def read_input(path: Path) -> list[InputRow]:
    """Every line of the input file as an InputRow (line by line, so one bad line spoils only its own row)."""
    rows = []
    with open(path, "rb") as handle:
        for line_no, data in enumerate(handle, start=1):
            decoded = _decode_line(line_no, data)
            rows.append(decoded if isinstance(decoded, InputRow) else parse_input_line(line_no, decoded))
    _mark_duplicates(rows)
    return rows


def _mark_duplicates(rows: list[InputRow]) -> None:
    """Give every line without an id a fallback id no real id uses, and an error to each repeat of an id."""
    real_ids = {row.case_id for row in rows if row.has_id}
    for row in rows:
        if not row.has_id and row.case_id in real_ids:
            suffix = 2
            while f"{row.case_id}-{suffix}" in real_ids:
                suffix += 1
            row.case_id = f"{row.case_id}-{suffix}"
    first_line: dict[str, int] = {}
    for row in rows:
        if row.case_id in first_line:
            row.duplicate = True
            row.error = f"line {row.line}: duplicate id {row.case_id} (line {first_line[row.case_id]})"
        else:
            first_line[row.case_id] = row.line


def _row_state(line: str) -> str:
    """"done" (a coded row), "error" (an error row), "object" (an object with no id) or "bad" (not an object)."""
    try:
        row = json.loads(line)
    except json.JSONDecodeError:
        return "bad"
    if not isinstance(row, dict):
        return "bad"
    if row.get("id") in (None, ""):
        return "object"
    return "error" if row.get("error") else "done"


def _rewrite(path: Path, lines: list[str]) -> None:
    """Replace `path` by `lines` atomically (a temporary file beside it, then a rename), keeping its file mode."""
    handle = tempfile.NamedTemporaryFile("w", encoding="utf-8", errors="surrogateescape", dir=path.parent,
                                         prefix=f".{path.name}.", suffix=".tmp", delete=False)
    try:
        with handle:
            handle.writelines(line + "\n" for line in lines)
        os.chmod(handle.name, stat.S_IMODE(path.stat().st_mode))  # not the temporary file's 0600
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


def done_ids(output_path: Path) -> set[str]:
    """Ids that already have a coded row. Rewrites the output without its error rows (their lines get coded
    again) and without a half-written last line left by an interrupted run."""
    if not output_path.exists():
        return set()
    text = output_path.read_text(encoding="utf-8", errors="surrogateescape")
    lines = text.split("\n")  # not splitlines(): a row may hold U+2028 and other line breaks in its strings
    if lines[-1] == "":
        lines.pop()
    states = [_row_state(line) for line in lines]
    changed = bool(text) and not text.endswith("\n")
    if changed and states[-1] == "bad":
        lines, states = lines[:-1], states[:-1]
        logger.warning("dropped a half-written last row of %s", output_path)
    ids = set()
    for line, state in zip(lines, states, strict=True):
        if state == "done":
            ids.add(str(json.loads(line)["id"]))
        elif state != "error" and line.strip():
            logger.warning("keeping an unreadable row of %s", output_path)
    kept = [line for line, state in zip(lines, states, strict=True) if state != "error"]
    if changed or len(kept) < len(lines):
        _rewrite(output_path, kept)
    return ids


def _check_paths(input_path: Path, output_path: Path) -> None:
    if not input_path.is_file():
        raise ValueError(f"input {input_path}: no such file")
    if output_path.exists() and os.path.samefile(input_path, output_path):
        raise ValueError(f"output {output_path} is the input file {input_path}: choose another output")


def _finish_row(prediction: dict) -> dict:
    """A row with codes is not an error row: a problem with the model's own answer becomes its `warning`."""
    has_codes = any((prediction.get("codes") or {}).values())
    warning = None
    if prediction["error"] is not None and has_codes:
        warning, prediction["error"] = prediction["error"], None
    prediction["warning"] = warning
    return prediction


def _code_rows(pipeline, rows: list[InputRow]) -> list[dict]:
    good = [row for row in rows if row.error is None]
    results = iter(pipeline.code_batch([row.narrative for row in good]) if good else [])
    out = []
    for row in rows:
        if row.error is not None:
            out.append(_finish_row(error_prediction(row.case_id, row.error)))
            continue
        result = next(results)
        if isinstance(result, ValueError):
            out.append(_finish_row(error_prediction(row.case_id, f"line {row.line}: {result}")))
        else:
            out.append(_finish_row(result.to_prediction(row.case_id)))
    return out


def predict_file(input_path, output_path, model=None, batch_size: int = 8,
                 progress: Callable[[int, int], None] | None = None, constrain: str = "valid",
                 pipeline=None, quantize: bool | None = None, use_model: bool = True, rules: bool = True) -> dict:
    """Code every line of `input_path` into `output_path`; returns counts and timing. `rules=False`: without
    the coding rules' edits (core.rules)."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, not {batch_size}")
    input_path, output_path = Path(input_path), Path(output_path)
    _check_paths(input_path, output_path)
    rows = read_input(input_path)
    skip = done_ids(output_path)
    todo = [row for row in rows if row.duplicate or row.case_id not in skip]
    if pipeline is None and any(row.error is None for row in todo):
        from core.pipeline import get_pipeline

        pipeline = get_pipeline(model, constrain, quantize, use_model, rules)
    output_path.parent.mkdir(parents=True, exist_ok=True)
    start, written, errors, warnings = time.perf_counter(), 0, 0, 0
    with open(output_path, "a", encoding="utf-8") as out:
        for first in range(0, len(todo), batch_size):
            for prediction in _code_rows(pipeline, todo[first:first + batch_size]):
                out.write(json.dumps(prediction, ensure_ascii=False) + "\n")
                written += 1
                errors += prediction["error"] is not None
                warnings += prediction["warning"] is not None
            out.flush()
            if progress is not None:
                progress(written, len(todo))
    seconds = time.perf_counter() - start
    duplicates = sum(row.duplicate for row in rows)
    return {"input_lines": len(rows), "written": written, "skipped": len(rows) - len(todo), "errors": errors,
            "warnings": warnings, "duplicate_ids": duplicates, "seconds": round(seconds, 3), "output": str(output_path)}
