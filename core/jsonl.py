"""Reading JSONL files whose every line must be a JSON object, with errors that name the file and line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path


def read_objects(path: Path, error: type[Exception] = ValueError) -> Iterator[tuple[str, dict]]:
    """(where, record) per non-blank line, `where` being "NAME line N"; a line that is not a JSON object
    raises `error` naming it."""
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            where = f"{path.name} line {number}"
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise error(f"{where}: invalid JSON ({exc.msg})") from None
            if not isinstance(record, dict):
                raise error(f"{where}: expected a JSON object")
            yield where, record
