"""Record checks with pydantic, shared by the stage-file checks (core.datasets.record_schema) and the review
store's imports (core.store.records): text types with the project's limits, and `problems`, which turns a
pydantic ValidationError into (field, what is wrong) pairs worded for people ("codes.cpt[1] must be a
string, got int"), never pydantic's own "Input should be ...". Imports nothing from core but constants."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field, StrictStr, ValidationError
from pydantic_core import PydanticCustomError

# What an error of each pydantic type says, after the field's name ({input_type}, and the error's ctx).
_WORDING = {
    "missing": "is required",
    "string_type": "must be a string, got {input_type}",
    "string_too_short": "is required and must not be empty",
    "string_too_long": "is too long: {length:,} characters (limit {max_length:,})",
    "dict_type": "must be an object, got {input_type}",
    "model_type": "must be an object, got {input_type}",
    "model_attributes_type": "must be an object, got {input_type}",
    "list_type": "must be a list, got {input_type}",
    "too_short": "must not be empty",
    "too_long": "has too many items: {actual_length:,} (limit {max_length:,})",
    "extra_forbidden": "is not a known field",
    "float_type": "must be a number, got {input_type}",
    "int_type": "must be an integer, got {input_type}",
    "greater_than_equal": "must be at least {ge}",
}


def not_blank(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("blank", "is required and must not be empty")
    return value


NonBlank = Annotated[StrictStr, AfterValidator(not_blank)]


def limited_text(max_chars: int) -> type[str]:
    """A string of at most `max_chars` characters (strict: a number is not read as text)."""
    return Annotated[StrictStr, Field(max_length=max_chars)]  # type: ignore[return-value]


def field_name(loc: tuple, prefix: str = "") -> str:
    """('codes', 'cpt', 1) -> 'codes.cpt[1]' (after `prefix`, when given)."""
    name = prefix
    for part in loc:
        if isinstance(part, int):
            name += f"[{part}]"
        else:
            name += f".{part}" if name else str(part)
    return name or "record"


def _wording(error: dict) -> str:
    template = _WORDING.get(error["type"])
    if template is None:  # a PydanticCustomError of ours, or a type without wording: pydantic's message
        return error["msg"].removeprefix("Value error, ")
    value = error.get("input")
    ctx = {**error.get("ctx", {}), "input_type": type(value).__name__,
           "length": len(value) if isinstance(value, str) else 0}
    return template.format(**ctx)


def problems(exc: ValidationError, prefix: str = "") -> list[tuple[str, str]]:
    """(field, what is wrong) for each error of a ValidationError, fields named as `field_name` names them."""
    return [(field_name(tuple(error["loc"]), prefix), _wording(error)) for error in exc.errors(include_url=False)]
