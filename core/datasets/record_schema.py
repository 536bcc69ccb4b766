"""Structural checks of stage records (DESIGN.md formats). Each returns a list of problems (empty = ok)."""

from __future__ import annotations

from core.prompts import SYSTEMS


def _messages_problems(messages, field: str, roles: tuple[str, ...]) -> list[str]:
    if not isinstance(messages, list):
        return [f"'{field}' must be a list of messages"]
    got = tuple(m.get("role") if isinstance(m, dict) else None for m in messages)
    problems = [] if got == roles else [f"'{field}' roles are {list(got)}, expected {list(roles)}"]
    for i, message in enumerate(messages):
        if not isinstance(message, dict) or not isinstance(message.get("content"), str) or not message["content"].strip():
            problems.append(f"'{field}[{i}].content' must be a non-empty string")
    return problems


def codes_problems(codes, field: str = "codes") -> list[str]:
    if not isinstance(codes, dict):
        return [f"'{field}' must be an object with keys {list(SYSTEMS)}"]
    problems = [f"'{field}' has unknown system {key!r}" for key in codes if key not in SYSTEMS]
    for system in SYSTEMS:
        value = codes.get(system)
        if not isinstance(value, list) or not all(isinstance(c, str) for c in value):
            problems.append(f"'{field}.{system}' must be a list of code strings")
    return problems


def _common_problems(record: dict) -> list[str]:
    problems = []
    if not isinstance(record.get("id"), str) or not record.get("id"):
        problems.append("'id' must be a non-empty string")
    if not isinstance(record.get("source"), str):
        problems.append("'source' must be a string")
    if not isinstance(record.get("meta"), dict):
        problems.append("'meta' must be an object")
    return problems


def schema_problems(record, stage: str) -> list[str]:
    """Problems with the shape of one record for `stage`."""
    if not isinstance(record, dict):
        return ["record must be a JSON object"]
    problems = _common_problems(record)
    if stage == "stage_3":
        problems += _messages_problems(record.get("prompt"), "prompt", ("system", "user"))
        problems += _messages_problems(record.get("chosen"), "chosen", ("assistant",))
        problems += _messages_problems(record.get("rejected"), "rejected", ("assistant",))
        if isinstance(record.get("meta"), dict) and "codes" in record["meta"]:
            problems += codes_problems(record["meta"]["codes"], "meta.codes")
    else:
        problems += _messages_problems(record.get("messages"), "messages", ("system", "user", "assistant"))
        problems += codes_problems(record.get("codes"))
    return problems
