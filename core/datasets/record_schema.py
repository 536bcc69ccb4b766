"""The shape of stage records (DESIGN.md formats) as pydantic models; `schema_problems` lists what is wrong
with one record ("'messages[2].content' is required and must not be empty"), empty when it is well formed."""

from __future__ import annotations

from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    StrictStr,
    ValidationError,
    create_model,
    model_validator,
)
from pydantic_core import PydanticCustomError

from core.constants import SYSTEMS
from core.schema import NonBlank, problems


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: StrictStr
    content: NonBlank


def _roles(*expected: str):
    """A list of messages whose roles are exactly `expected`, in order."""

    def check(messages: list[ChatMessage]) -> list[ChatMessage]:
        got = [m.role for m in messages]
        if got != list(expected):
            raise PydanticCustomError("roles", "roles are {got}, expected {expected}",
                                      {"got": got, "expected": list(expected)})
        return messages

    return Annotated[list[ChatMessage], AfterValidator(check)]


class _KnownSystems(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _no_unknown_system(cls, data):
        unknown = [key for key in data if key not in SYSTEMS] if isinstance(data, dict) else []
        if unknown:
            raise PydanticCustomError("unknown_system", "has unknown system {name} (known: {known})",
                                      {"name": repr(unknown[0]), "known": ", ".join(SYSTEMS)})
        return data


# {"icd10cm": [...], "cpt": [...], "hcpcs": [...]}: every system present, a list of code strings each.
Codes = create_model("Codes", __base__=_KnownSystems, **{system: (list[StrictStr], ...) for system in SYSTEMS})


class _Record(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: NonBlank
    source: StrictStr
    meta: dict


class MessagesRecord(_Record):
    """stage_1 and stage_2: one conversation and the codes of its answer."""
    messages: _roles("system", "user", "assistant")
    codes: Codes


class _PairMeta(BaseModel):
    model_config = ConfigDict(extra="allow")
    codes: Codes | None = None


class PairRecord(_Record):
    """stage_3: a prompt with a chosen and a rejected answer."""
    prompt: _roles("system", "user")
    chosen: _roles("assistant")
    rejected: _roles("assistant")
    meta: _PairMeta


def schema_problems(record, stage: str) -> list[str]:
    """Problems with the shape of one record for `stage`."""
    model = PairRecord if stage == "stage_3" else MessagesRecord
    try:
        model.model_validate(record)
    except ValidationError as exc:
        return [f"'{field}' {text}" for field, text in problems(exc)]
    return []
