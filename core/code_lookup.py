"""Code lookups for clients of the server (the web app's Codes and Review tabs): search descriptions,
validate a list of codes, and everything known about one code, as plain data with checked input.

    search_codes("type 2 diabetes with hyperglycemia", "icd10cm", 5)  # rows [system, code, description, score]
    validate_codes("E11.9, S52.502A J3420")          # rows [input, normalized, system, status, message]
    code_card("E11.65")                               # {"found": True, "code", "system", "description", ...}
"""

from __future__ import annotations

import re

from core.codes import get_codeset

MAX_QUERY_CHARS = 2000
MAX_CODES = 500
MAX_CODE_CHARS = 20


def _split_codes(text: str) -> list[str]:
    return [c for c in re.split(r"[\s,;]+", text or "") if c]


def search_codes(text: str, system: str | None = None, k: int = 20) -> list[list]:
    """Rows [system, code, description, score] for a description search."""
    text = (text or "").strip()
    if not text:
        raise ValueError("search text is empty")
    if len(text) > MAX_QUERY_CHARS:
        raise ValueError(f"search text is too long ({len(text)} characters; the limit is {MAX_QUERY_CHARS})")
    hits = get_codeset().search(text, system=system, k=k)
    return [[h.system, h.code, h.description, round(float(h.score), 3)] for h in hits]


def validate_codes(text: str, system: str | None = None) -> list[list]:
    """Rows [input, normalized, system, status, message] for each code in `text` (the message names the
    billable codes below a non-billable one)."""
    codes = _split_codes(text)
    if not codes:
        raise ValueError("no codes given")
    if len(codes) > MAX_CODES:
        raise ValueError(f"too many codes ({len(codes)}); validate at most {MAX_CODES} at once")
    codeset = get_codeset()
    rows = []
    for code in codes:
        v = codeset.validate(code, system=system)
        named = set(re.findall(r"[A-Z0-9][A-Z0-9.]+", v.message))  # a message may name some already
        more = [code for code in v.suggestions[:10] if code not in named]
        message = v.message + (f" Also billable: {', '.join(more)}" if more else "")
        rows.append([code, v.normalized, v.system or "", v.status, message])
    return rows


def code_card(code: str) -> dict:
    """What is known about one code: {"found": False, "code", "message"} for an unknown code, else
    {"found": True, "code", "system", "description", "billable", "ancestors" (nearest first), "children",
    "notes" ({kind: [note, ...]})}."""
    codeset = get_codeset()
    info = codeset.lookup((code or "").strip()[:MAX_CODE_CHARS])
    if info is None:
        return {"found": False, "code": code, "message": codeset.validate((code or "")[:MAX_CODE_CHARS]).message}
    return {"found": True, "code": info.code, "system": info.system, "description": info.description,
            "billable": info.billable, "ancestors": list(codeset.ancestors(info.code)),
            "children": list(info.children or []), "notes": dict(info.notes or {})}
