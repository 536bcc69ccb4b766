"""Checking one imported case (a JSONL object or a CSV row) and one model prediction before they are stored."""

from __future__ import annotations

import json
from dataclasses import dataclass

from core.constants import MAX_NARRATIVE_CHARS
from core.prompts import SYSTEMS, format_answer, parse_output
from core.store.errors import FieldError, check_text

MAX_ID_CHARS = 200
MAX_RAW_CHARS = 100_000
MAX_REASONING_CHARS = 20_000
MAX_MODEL_ID_CHARS = 300


@dataclass
class PredictionRecord:
    raw: str
    codes: dict[str, list[str]]
    reasoning: str
    model_id: str
    latency_s: float | None
    prompt: list[dict] | None  # None: rebuild it from the narrative at import
    rule_edits: list[dict] | None = None  # the coding rules' edits of the answer (CodingResult.rule_edits)


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


def check_codes(value, field: str) -> dict[str, list[str]]:
    """A {system: [code, ...]} mapping with known systems and string codes (stripped, de-duplicated)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise FieldError(f"{field} is not valid JSON: {exc.msg}", field) from None
    if not isinstance(value, dict):
        raise FieldError(f"{field} must be an object mapping code systems to lists of codes", field)
    codes = {system: [] for system in SYSTEMS}
    for system, items in value.items():
        if system not in codes:
            raise FieldError(f"{field} has unknown code system {system!r} (known: {', '.join(SYSTEMS)})", field)
        if not isinstance(items, list) or not all(isinstance(c, str) for c in items):
            raise FieldError(f"{field}.{system} must be a list of code strings", f"{field}.{system}")
        for code in (c.strip() for c in items):
            if code and code not in codes[system]:
                codes[system].append(code)
    return codes


def check_prompt(value, field: str = "prompt") -> list[dict]:
    ok = isinstance(value, list) and value and all(
        isinstance(m, dict) and isinstance(m.get("role"), str) and isinstance(m.get("content"), str) for m in value
    )
    if not ok:
        raise FieldError(f"{field} must be a non-empty list of {{'role', 'content'}} chat messages", field)
    return [{"role": m["role"], "content": m["content"]} for m in value]


def _check_latency(value, field: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise FieldError(f"{field} must be a non-negative number of seconds", field)
    return float(value)


def check_prediction(value, field: str = "prediction", *, require_prompt: bool = False) -> PredictionRecord:
    """A model output given as its raw text or as a CodingResult-like dict (codes, reasoning, raw, ...)."""
    if isinstance(value, str):
        value = {"raw": value}
    if not isinstance(value, dict):
        raise FieldError(f"{field} must be the raw model output or an object with 'raw'/'codes'", field)
    raw = check_text(value.get("raw"), f"{field}.raw", MAX_RAW_CHARS)
    if not raw.strip() and value.get("codes") is None:
        raise FieldError(f"{field} needs 'raw' (the model output) or 'codes'", f"{field}.raw")
    parsed = parse_output(raw) if raw.strip() else None
    codes = check_codes(value["codes"], f"{field}.codes") if value.get("codes") is not None else parsed.codes
    reasoning = value.get("reasoning")
    reasoning = check_text(parsed.reasoning if reasoning is None and parsed else reasoning,
                           f"{field}.reasoning", MAX_REASONING_CHARS)
    prompt = value.get("prompt")
    if prompt is None and require_prompt:
        raise FieldError(f"{field}.prompt is required (the chat messages the model saw)", f"{field}.prompt")
    return PredictionRecord(
        raw=raw if raw.strip() else format_answer(reasoning, codes),
        codes=codes,
        reasoning=reasoning,
        model_id=check_text(value.get("model_id") or "", f"{field}.model_id", MAX_MODEL_ID_CHARS),
        latency_s=_check_latency(value.get("latency_s"), f"{field}.latency_s"),
        prompt=None if prompt is None else check_prompt(prompt, f"{field}.prompt"),
        rule_edits=check_rule_edits(value.get("rule_edits"), f"{field}.rule_edits"),
    )


EDIT_FIELDS = ("action", "system", "code", "rule", "guideline", "reason", "replacement")


def check_rule_edits(value, field: str = "rule_edits") -> list[dict] | None:
    """A list of coding-rule edits ({action, system, code, rule, reason, ...} with text values) or None."""
    if value is None:
        return None
    ok = isinstance(value, list) and all(
        isinstance(e, dict) and {"action", "system", "code", "rule"} <= set(e)
        and all(isinstance(e.get(k), str) for k in EDIT_FIELDS if e.get(k) is not None) for e in value
    )
    if not ok:
        raise FieldError(f"{field} must be a list of {{'action', 'system', 'code', 'rule', 'reason'}} objects", field)
    return [{k: check_text(e[k], f"{field}.{k}", MAX_REASONING_CHARS) for k in EDIT_FIELDS if e.get(k) is not None}
            for e in value]


def _external_id(value) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise FieldError("id is required (a string or an integer)", "id")
    text = str(value).strip()
    if not text:
        raise FieldError("id is required and must not be empty", "id")
    return check_text(text, "id", MAX_ID_CHARS)


def optional_name(value, field: str) -> str | None:
    """A short label (source, split): None when empty, at most 100 characters."""
    if value in (None, ""):
        return None
    return check_text(str(value), field, 100).strip() or None


def case_from_mapping(obj, line: int, source: str | None, split: str | None) -> CaseRecord:
    """Check one record; `source`/`split` given on the command line win over the record's own fields."""
    if not isinstance(obj, dict):
        raise FieldError("record must be a JSON object", "record")
    codes = obj.get("codes")
    meta = obj.get("meta")
    if meta is not None and not isinstance(meta, dict):
        raise FieldError("meta must be an object", "meta")
    prediction = obj.get("prediction")
    return CaseRecord(
        line=line,
        external_id=_external_id(obj.get("id")),
        narrative=check_text(obj.get("narrative"), "narrative", MAX_NARRATIVE_CHARS, required=True),
        source=source or optional_name(obj.get("source"), "source") or "import",
        split=split or optional_name(obj.get("split"), "split"),
        codes=None if codes in (None, "") else check_codes(codes, "codes"),
        meta=meta,
        prediction=None if prediction in (None, "") else check_prediction(prediction),
    )
