"""Reading JSONL files whose every line must be a JSON object, with errors that name the file and line.
Lines are decoded one by one, so a byte that is not UTF-8 is reported with its line; a UTF-8 byte order mark
at the start of a file is accepted."""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator
from pathlib import Path


def decode_line(data: bytes, first: bool = False) -> str:
    """One line of a UTF-8 file as text (a byte order mark is dropped from the `first` line); ValueError naming
    the bad byte when it is not UTF-8."""
    if first and data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at byte {exc.start + 1} of the line); "
                         "save the file as UTF-8") from None


def read_objects(path: Path, error: type[Exception] = ValueError) -> Iterator[tuple[str, dict]]:
    """(where, record) per non-blank line, `where` being "NAME line N"; a line that is not UTF-8 or not a JSON
    object raises `error` naming it."""
    with path.open("rb") as handle:
        for number, data in enumerate(handle, 1):
            where = f"{path.name} line {number}"
            try:
                line = decode_line(data, first=number == 1)
            except ValueError as exc:
                raise error(f"{where}: {exc}") from None
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise error(f"{where}: invalid JSON ({exc.msg})") from None
            if not isinstance(record, dict):
                raise error(f"{where}: expected a JSON object")
            yield where, record
