"""`predict_file`: code a JSONL file of narratives into the predictions JSONL of DESIGN.md.

One output row per input line, in input order; a bad line (broken JSON, no narrative, empty, too long)
gets an error row instead of stopping the batch. Resumable: ids already in the output are skipped and
new rows are appended (a half-written last row from a crash is dropped first).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from core.pipeline.engine import check_narrative
from core.pipeline.result import error_prediction

logger = logging.getLogger(__name__)


@dataclass
class InputRow:
    line: int
    case_id: str
    narrative: str = ""
    error: str | None = None


def parse_input_line(line_no: int, text: str) -> InputRow:
    """One input line -> InputRow (with `error` set when the line cannot be coded)."""
    fallback_id = f"line-{line_no}"
    try:
        record = json.loads(text)
    except json.JSONDecodeError as exc:
        return InputRow(line_no, fallback_id, error=f"line {line_no}: not valid JSON ({exc.msg})")
    if not isinstance(record, dict):
        return InputRow(line_no, fallback_id, error=f"line {line_no}: expected a JSON object")
    raw_id = record.get("id")
    case_id = str(raw_id) if raw_id not in (None, "") else fallback_id
    if "narrative" not in record:
        return InputRow(line_no, case_id, error=f'line {line_no}: missing "narrative" field')
    try:
        narrative = check_narrative(record["narrative"])
    except ValueError as exc:
        return InputRow(line_no, case_id, error=f"line {line_no}: {exc}")
    return InputRow(line_no, case_id, narrative)


def read_input(path: Path) -> list[InputRow]:
    with open(path, encoding="utf-8") as handle:
        lines = handle.read().splitlines()
    return [parse_input_line(i, line) for i, line in enumerate(lines, start=1)]


def done_ids(output_path: Path) -> set[str]:
    """Ids already written; drops a half-written last line left by an interrupted run."""
    if not output_path.exists():
        return set()
    text = output_path.read_text(encoding="utf-8")
    if text and not text.endswith("\n"):
        text = text[: text.rfind("\n") + 1]
        output_path.write_text(text, encoding="utf-8")
        logger.warning("dropped a half-written last row of %s", output_path)
    ids = set()
    for line in text.splitlines():
        try:
            ids.add(str(json.loads(line)["id"]))
        except (json.JSONDecodeError, KeyError, TypeError):
            logger.warning("ignoring an unreadable row of %s", output_path)
    return ids


def _code_rows(pipeline, rows: list[InputRow]) -> list[dict]:
    good = [row for row in rows if row.error is None]
    results = iter(pipeline.code_batch([row.narrative for row in good]) if good else [])
    out = []
    for row in rows:
        if row.error is not None:
            out.append(error_prediction(row.case_id, row.error))
            continue
        result = next(results)
        if isinstance(result, ValueError):
            out.append(error_prediction(row.case_id, f"line {row.line}: {result}"))
        else:
            out.append(result.to_prediction(row.case_id))
    return out


def predict_file(input_path, output_path, model=None, batch_size: int = 8,
                 progress: Callable[[int, int], None] | None = None, constrain: str = "valid",
                 pipeline=None, quantize: bool | None = None, use_model: bool = True, rules: bool = True) -> dict:
    """Code every line of `input_path` into `output_path`; returns counts and timing. `rules=False`: without
    the coding rules' edits (core.rules)."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, not {batch_size}")
    input_path, output_path = Path(input_path), Path(output_path)
    rows = read_input(input_path)
    skip = done_ids(output_path)
    todo = [row for row in rows if row.case_id not in skip]
    if pipeline is None and any(row.error is None for row in todo):
        from core.pipeline import get_pipeline

        pipeline = get_pipeline(model, constrain, quantize, use_model, rules)
    output_path.parent.mkdir(parents=True, exist_ok=True)
    start, written, errors = time.perf_counter(), 0, 0
    with open(output_path, "a", encoding="utf-8") as out:
        for first in range(0, len(todo), batch_size):
            for prediction in _code_rows(pipeline, todo[first:first + batch_size]):
                out.write(json.dumps(prediction, ensure_ascii=False) + "\n")
                written += 1
                errors += prediction["error"] is not None
            out.flush()
            if progress is not None:
                progress(written, len(todo))
    seconds = time.perf_counter() - start
    return {"input_lines": len(rows), "written": written, "skipped": len(rows) - len(todo), "errors": errors,
            "seconds": round(seconds, 3), "output": str(output_path)}
