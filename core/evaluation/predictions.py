"""Reading and checking prediction rows (the predictions JSONL contract of DESIGN.md).

Row: {"id", "codes": {system: [code, ...]}, "ranked": {system: [[code, score], ...]}, "reasoning",
"raw", "valid", "latency_s", "error"}. Only "id" is required; a missing "codes" reads as no codes.
"""

from __future__ import annotations

import json
from pathlib import Path

from core.evaluation.metrics import canonical_code, unique_in_order
from core.jsonl import decode_line

RANKED_KEEP = 20  # ranked entries kept per system in the report's per-case rows


class PredictionError(ValueError):
    """A prediction row or file that does not follow the contract."""


def load_predictions(path: str | Path) -> list[dict]:
    """Read a predictions JSONL file (a UTF-8 byte order mark is accepted); a bad line raises PredictionError
    naming the line."""
    path = Path(path)
    if not path.is_file():
        raise PredictionError(f"predictions file not found: {path}")
    rows = []
    with path.open("rb") as handle:
        for line_no, data in enumerate(handle, start=1):
            try:
                line = decode_line(data, first=line_no == 1)
            except ValueError as exc:
                raise PredictionError(f"{path}:{line_no}: {exc}") from None
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise PredictionError(f"{path}:{line_no}: not valid JSON ({exc.msg})") from None
            try:
                check_prediction(row)
            except PredictionError as exc:
                raise PredictionError(f"{path}:{line_no}: {exc}") from None
            rows.append(row)
    return rows


def check_prediction(row: object) -> None:
    """Raise PredictionError when a row breaks the contract."""
    if not isinstance(row, dict):
        raise PredictionError("a prediction must be a JSON object")
    if row.get("id") in (None, ""):
        raise PredictionError("field 'id' is missing")
    for key in ("codes", "ranked"):
        value = row.get(key)
        if value is not None and not isinstance(value, dict):
            raise PredictionError(f"field '{key}' must be an object mapping system -> list")
        for system, items in (value or {}).items():
            if not isinstance(items, list):
                raise PredictionError(f"field '{key}.{system}' must be a list")


def predicted_codes(row: dict, system: str) -> list[str]:
    """The final answer's codes of one system, canonical and without repeats."""
    return unique_in_order(canonical_code(c) for c in (row.get("codes") or {}).get(system, []) if str(c).strip())


def _ranked_entry(item: object) -> tuple[str, float | None] | None:
    if isinstance(item, list | tuple) and item:
        code, score = item[0], item[1] if len(item) > 1 else None
    elif isinstance(item, dict):
        code, score = item.get("code", ""), item.get("score")
    else:
        code, score = item, None
    code = canonical_code(code)
    if not code:
        return None
    return code, float(score) if isinstance(score, int | float) else None


def ranked_codes(row: dict, system: str) -> list[tuple[str, float | None]]:
    """The ranked list of one system, first occurrence kept; falls back to `codes` when absent or empty."""
    entries = [_ranked_entry(i) for i in (row.get("ranked") or {}).get(system, [])]
    entries = [e for e in entries if e is not None]
    if not entries:
        entries = [(code, None) for code in predicted_codes(row, system)]
    seen: set[str] = set()
    out = []
    for code, score in entries:
        if code not in seen:
            seen.add(code)
            out.append((code, score))
    return out


def index_predictions(predictions: list[dict]) -> tuple[dict[str, dict], int]:
    """id -> row (first row wins) and the number of repeated ids."""
    by_id: dict[str, dict] = {}
    repeats = 0
    for position, row in enumerate(predictions, start=1):
        try:
            check_prediction(row)
        except PredictionError as exc:
            raise PredictionError(f"prediction #{position}: {exc}") from None
        key = str(row["id"])
        if key in by_id:
            repeats += 1
        else:
            by_id[key] = row
    return by_id, repeats
