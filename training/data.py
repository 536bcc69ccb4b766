"""Stage datasets for the trainers: read JSONL, check each record's shape, keep the columns TRL needs.

stage_1/stage_2 records train SFT from their `messages` (conversational language modeling);
stage_3 records (and pairs exported from the review store) train DPO from `prompt`/`chosen`/`rejected`
(conversational preference), and the store's KTO export trains KTO from `prompt`/`completion`/`label`
(conversational unpaired preference), exactly as stored: no reformatting. Errors name the file and line.
"""

from __future__ import annotations

import logging
from itertools import islice
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    ValidationError,
    ValidationInfo,
)
from pydantic_core import PydanticCustomError

from core.jsonl import read_objects

logger = logging.getLogger(__name__)

EXPECTED = {"sft": "stage_1/stage_2 (messages)", "dpo": "stage_3 (prompt/chosen/rejected)",
            "kto": "KTO (prompt/completion/label: `thce annotations export --format kto`)"}
ROLES = ["assistant", "system", "user"]


class DataError(ValueError):
    """A stage file that cannot be trained on; the message names the file, line and field."""


class Message(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: Literal["system", "user", "assistant"]
    content: Annotated[str, StringConstraints(strict=True, strip_whitespace=True, min_length=1)]


def _messages_ending_with(role: str):
    """A non-empty list of messages whose last one has `role`."""
    def check(messages: list[Message], info: ValidationInfo) -> list[Message]:
        if messages[-1].role != role:
            raise PydanticCustomError("last_role", f"the last message of {info.field_name!r} must have role {role!r}")
        return messages

    return Annotated[list[Message], Field(min_length=1), AfterValidator(check)]


EndsWithUser = _messages_ending_with("user")
EndsWithAssistant = _messages_ending_with("assistant")


class SFTRecord(BaseModel):
    """stage_1/stage_2: conversational language modeling. Other fields (id, codes, source, meta) are ignored."""

    messages: EndsWithAssistant


class DPORecord(BaseModel):
    """stage_3 and the store's preference pairs: conversational preference."""

    prompt: EndsWithUser
    chosen: EndsWithAssistant
    rejected: EndsWithAssistant


class KTORecord(BaseModel):
    """The store's KTO export: conversational unpaired preference."""

    prompt: EndsWithUser
    completion: EndsWithAssistant
    label: StrictBool


RECORDS: dict[str, type[BaseModel]] = {"sft": SFTRecord, "dpo": DPORecord, "kto": KTORecord}
COLUMNS = {kind: tuple(model.model_fields) for kind, model in RECORDS.items()}


def _problem(error: dict) -> str:
    """One pydantic error in the words of a stage file: the field (and message index) and what is wrong."""
    loc = error["loc"]
    if not loc:
        return "a record must be a JSON object"
    field = loc[0]
    if len(loc) == 1:
        if error["type"] == "last_role":
            return error["msg"]
        if field == "label":
            return "field 'label' must be true (desirable) or false (undesirable)"
        return f"field {field!r} must be a non-empty list of messages"
    if loc[2:] == ("content",):
        return f"{field}[{loc[1]}].content must be a non-empty string"
    return f"{field}[{loc[1]}] needs a role in {ROLES}"


def check_record(record: dict, kind: str, where: str) -> None:
    """DataError naming `where`, the field and the problem (missing fields all at once, else the first problem)."""
    try:
        RECORDS[kind].model_validate(record)
    except ValidationError as exc:
        errors = exc.errors()
        missing = [e["loc"][0] for e in errors if e["type"] == "missing" and len(e["loc"]) == 1]
        if missing:
            raise DataError(f"{where}: missing field(s) {missing}; a {kind.upper()} file must be "
                            f"{EXPECTED[kind]} records") from None
        raise DataError(f"{where}: {_problem(errors[0])}") from None


def read_stage_records(path: str | Path, kind: str, limit: int | None = None) -> list[dict]:
    """Checked records of a stage file, reduced to the trainer's columns (first `limit` records)."""
    path = Path(path)
    if kind not in RECORDS:
        raise ValueError(f"kind must be one of {sorted(RECORDS)}, got {kind!r}")
    if not path.is_file():
        raise DataError(f"data file not found: {path}")
    records = []
    for where, record in islice(read_objects(path, DataError), limit):
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
