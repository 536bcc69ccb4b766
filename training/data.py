"""Stage datasets for the trainers: read JSONL, check each record's shape, keep the columns TRL needs.

stage_1/stage_2 records train SFT from their `messages` (conversational language modeling);
stage_3 records (and pairs exported from the review store) train DPO from `prompt`/`chosen`/`rejected`
(conversational preference), and the store's KTO export trains KTO from `prompt`/`completion`/`label`
(conversational unpaired preference), exactly as stored: no reformatting. Errors name the file and line.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

logger = logging.getLogger(__name__)

COLUMNS = {"sft": ("messages",), "dpo": ("prompt", "chosen", "rejected"), "kto": ("prompt", "completion", "label")}
EXPECTED = {"sft": "stage_1/stage_2 (messages)", "dpo": "stage_3 (prompt/chosen/rejected)",
            "kto": "KTO (prompt/completion/label: `thce annotations export --format kto`)"}
ROLES = {"system", "user", "assistant"}


class DataError(ValueError):
    """A stage file that cannot be trained on; the message names the file, line and field."""


def _check_messages(value, field: str, where: str, last_role: str | None = None) -> None:
    if not isinstance(value, list) or not value:
        raise DataError(f"{where}: field {field!r} must be a non-empty list of messages")
    for i, message in enumerate(value):
        if not isinstance(message, dict) or message.get("role") not in ROLES:
            raise DataError(f"{where}: {field}[{i}] needs a role in {sorted(ROLES)}")
        if not isinstance(message.get("content"), str) or not message["content"].strip():
            raise DataError(f"{where}: {field}[{i}].content must be a non-empty string")
    if last_role and value[-1]["role"] != last_role:
        raise DataError(f"{where}: the last message of {field!r} must have role {last_role!r}")


def check_record(record: dict, kind: str, where: str) -> None:
    if not isinstance(record, dict):
        raise DataError(f"{where}: a record must be a JSON object")
    missing = [c for c in COLUMNS[kind] if c not in record]
    if missing:
        raise DataError(f"{where}: missing field(s) {missing}; a {kind.upper()} file must be {EXPECTED[kind]} records")
    if kind == "sft":
        _check_messages(record["messages"], "messages", where, last_role="assistant")
    elif kind == "kto":
        _check_messages(record["prompt"], "prompt", where, last_role="user")
        _check_messages(record["completion"], "completion", where, last_role="assistant")
        if not isinstance(record["label"], bool):
            raise DataError(f"{where}: field 'label' must be true (desirable) or false (undesirable)")
    else:
        _check_messages(record["prompt"], "prompt", where, last_role="user")
        _check_messages(record["chosen"], "chosen", where, last_role="assistant")
        _check_messages(record["rejected"], "rejected", where, last_role="assistant")


def read_stage_records(path: str | Path, kind: str, limit: int | None = None) -> list[dict]:
    """Checked records of a stage file, reduced to the trainer's columns (first `limit` records)."""
    path = Path(path)
    if kind not in COLUMNS:
        raise ValueError(f"kind must be one of {sorted(COLUMNS)}, got {kind!r}")
    if not path.is_file():
        raise DataError(f"data file not found: {path}")
    records = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if limit is not None and len(records) >= limit:
                break
            if not line.strip():
                continue
            where = f"{path} line {number}"
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DataError(f"{where}: not valid JSON ({exc.msg})") from None
            check_record(record, kind, where)
            records.append({column: record[column] for column in COLUMNS[kind]})
    if not records:
        raise DataError(f"{path}: no records")
    return records


def to_dataset(records: list[dict]):
    from datasets import Dataset

    return Dataset.from_list(records)


def quality_report(path: str | Path, stage: str):
    """Run the dataset quality gates of core.datasets (`thce data check`) on a stage file -> CheckReport."""
    from core.datasets import check_dataset

    return check_dataset(path, stage)
