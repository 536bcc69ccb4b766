"""Checking one imported case (a JSONL object or a CSV row) and one model prediction before they are stored:
pydantic models with the store's limits. A bad value raises FieldError naming the field ("codes.cpt[1]",
"prediction.latency_s") and what is wrong with it; every problem of the record is in the message."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Annotated, NotRequired

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictStr,
    TypeAdapter,
    ValidationError,
    model_validator,
)
from pydantic_core import PydanticCustomError
from typing_extensions import TypedDict  # pydantic needs this one on Python < 3.12

from core.constants import MAX_NARRATIVE_CHARS, SYSTEMS
from core.prompts import format_answer, parse_output
from core.schema import limited_text, not_blank, problems
from core.store.errors import FieldError

MAX_ID_CHARS = 200
MAX_RAW_CHARS = 100_000
MAX_REASONING_CHARS = 20_000
MAX_MODEL_ID_CHARS = 300
MAX_LABEL_CHARS = 100


def validated(schema: type[BaseModel] | TypeAdapter, value, field: str):
    """`value` validated by a model or TypeAdapter; a ValidationError becomes one FieldError naming the first
    bad field (under `field`) and listing every problem."""
    try:
        if isinstance(schema, TypeAdapter):
            return schema.validate_python(value)
        return schema.model_validate(value)
    except ValidationError as exc:
        found = problems(exc, field)
        raise FieldError("; ".join(f"{name} {text}" for name, text in found), found[0][0]) from None


def _json_text(value):
    """CSV cells hold the codes as JSON text."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError as exc:
            raise PydanticCustomError("json_invalid", "is not valid JSON: {msg}", {"msg": exc.msg}) from None
    return value


def _known_systems(value: dict[str, list[str]]) -> dict[str, list[str]]:
    """Every system present; codes stripped, empty ones dropped, duplicates removed."""
    codes: dict[str, list[str]] = {system: [] for system in SYSTEMS}
    for system, items in value.items():
        if system not in codes:
            raise PydanticCustomError("unknown_system", "has unknown code system {name} (known: {known})",
                                      {"name": repr(system), "known": ", ".join(SYSTEMS)})
        for code in (c.strip() for c in items):
            if code and code not in codes[system]:
                codes[system].append(code)
    return codes


# {system: [code, ...]}, or that object as JSON text.
CodeLists = Annotated[dict[StrictStr, list[StrictStr]], BeforeValidator(_json_text), AfterValidator(_known_systems)]


class ChatMessage(TypedDict):  # other keys are dropped
    role: StrictStr
    content: StrictStr


EditText = limited_text(MAX_REASONING_CHARS)
EDIT_FIELDS = ("action", "system", "code", "rule", "guideline", "reason", "replacement")


class RuleEdit(TypedDict):
    action: EditText
    system: EditText
    code: EditText
    rule: EditText
    guideline: NotRequired[EditText | None]
    reason: NotRequired[EditText | None]
    replacement: NotRequired[EditText | None]


def _edits_without_nulls(edits: list[dict]) -> list[dict]:
    return [{key: edit[key] for key in EDIT_FIELDS if edit.get(key) is not None} for edit in edits]


def _blank_is_none(value):
    return None if value == "" else value


def _text_or_empty(value):
    return "" if value is None else value


class PredictionRecord(BaseModel):
    """A model output given as its raw text or as a CodingResult-like dict (codes, reasoning, raw, ...)."""
    model_config = ConfigDict(extra="ignore")
    raw: Annotated[limited_text(MAX_RAW_CHARS), BeforeValidator(_text_or_empty)] = ""
    codes: CodeLists | None = None
    reasoning: limited_text(MAX_REASONING_CHARS) | None = None
    model_id: Annotated[limited_text(MAX_MODEL_ID_CHARS), BeforeValidator(lambda v: v or "")] = ""
    latency_s: Annotated[float, Field(ge=0, strict=True)] | None = None
    prompt: Annotated[list[ChatMessage], Field(min_length=1)] | None = None  # None: rebuilt from the narrative
    rule_edits: Annotated[list[RuleEdit], AfterValidator(_edits_without_nulls)] | None = None  # CodingResult.rule_edits

    @model_validator(mode="before")
    @classmethod
    def _raw_text(cls, value):
        return {"raw": value} if isinstance(value, str) else value

    @model_validator(mode="after")
    def _complete(self) -> PredictionRecord:
        """Codes and reasoning parsed from `raw` where not given; `raw` written from them where empty."""
        if not self.raw.strip() and self.codes is None:
            raise PydanticCustomError("raw_or_codes", "needs 'raw' (the model output) or 'codes'")
        parsed = parse_output(self.raw) if self.raw.strip() else None
        if self.codes is None:
            self.codes = parsed.codes
        if self.reasoning is None:
            self.reasoning = parsed.reasoning if parsed else ""
            if len(self.reasoning) > MAX_REASONING_CHARS:
                raise PydanticCustomError("reasoning_too_long", "has reasoning longer than {limit:,} characters",
                                          {"limit": MAX_REASONING_CHARS})
        if not self.raw.strip():
            self.raw = format_answer(self.reasoning, self.codes)
        return self


def _id_text(value):
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise PydanticCustomError("id_type", "is required (a string or an integer)")
    return str(value).strip()


def _label_in(value):
    return None if value in (None, "") else str(value)


def _label_out(value: str | None) -> str | None:
    return (value or "").strip() or None


# A short label (source, split): None when empty, at most 100 characters.
Label = Annotated[limited_text(MAX_LABEL_CHARS) | None, BeforeValidator(_label_in), AfterValidator(_label_out)]


class CaseInput(BaseModel):
    """One imported case as the file gives it."""
    model_config = ConfigDict(extra="ignore")
    id: Annotated[limited_text(MAX_ID_CHARS), BeforeValidator(_id_text), AfterValidator(not_blank)]
    narrative: Annotated[limited_text(MAX_NARRATIVE_CHARS), AfterValidator(not_blank)]
    source: Label = None
    split: Label = None
    codes: Annotated[CodeLists | None, BeforeValidator(_blank_is_none)] = None
    meta: dict | None = None
    prediction: Annotated[PredictionRecord | None, BeforeValidator(_blank_is_none)] = None


@dataclass
class CaseRecord:
    line: int
    external_id: str
    narrative: str
    source: str
    split: str | None
    codes: dict[str, list[str]] | None
    meta: dict | None
    prediction: PredictionRecord | None


_CODES = TypeAdapter(CodeLists)
_LABEL = TypeAdapter(Label)


def check_codes(value, field: str) -> dict[str, list[str]]:
    """A {system: [code, ...]} mapping with known systems and string codes (stripped, de-duplicated)."""
    return validated(_CODES, value, field)


def check_prediction(value, field: str = "prediction", *, require_prompt: bool = False) -> PredictionRecord:
    prediction = validated(PredictionRecord, value, field)
    if prediction.prompt is None and require_prompt:
        raise FieldError(f"{field}.prompt is required (the chat messages the model saw)", f"{field}.prompt")
    return prediction


def optional_name(value, field: str) -> str | None:
    """A short label (source, split): None when empty, at most 100 characters."""
    return validated(_LABEL, value, field)


def case_from_mapping(obj, line: int, source: str | None, split: str | None) -> CaseRecord:
    """Check one record; `source`/`split` given on the command line win over the record's own fields."""
    case = validated(CaseInput, obj, "")
    return CaseRecord(line=line, external_id=case.id, narrative=case.narrative,
                      source=source or case.source or "import", split=split or case.split, codes=case.codes,
                      meta=case.meta, prediction=case.prediction)
