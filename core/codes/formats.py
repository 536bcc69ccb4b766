"""Code formats: cleaning user input, telling systems apart by shape, canonical spelling.

ICD-10-CM: letter, digit, digit-or-letter, then up to 4 more characters, written with a dot after the
third (E11.65, S52.502A, W00.0XXA). CPT: 5 digits, or 4 digits + F (category II), T (category III) or
U (proprietary lab). HCPCS Level II: a letter A-V + 4 digits (J3420).
"""

from __future__ import annotations

import re
from functools import lru_cache

MAX_CODE_LENGTH = 12  # longest legal spelling is 8 ("W00.0XXA"); leave room for stray spaces/dashes
ICD10CM_RE = re.compile(r"[A-Z][0-9][0-9A-Z](?:[0-9A-Z]{1,4})?")
CPT_RE = re.compile(r"[0-9]{4}[0-9FTU]")
HCPCS_RE = re.compile(r"[A-V][0-9]{4}")
_FORMATS = (("icd10cm", ICD10CM_RE), ("cpt", CPT_RE), ("hcpcs", HCPCS_RE))
_STRIP_RE = re.compile(r"[\s.\-]+")


class CodeFormatError(ValueError):
    """The input cannot be a code of any system (empty, too long, non-ASCII, punctuation...)."""


def format_problem(code: object) -> str | None:
    """Why `code` cannot be a code at all, or None if it might be one."""
    if not isinstance(code, str):
        return f"a code must be text, got {type(code).__name__}"
    if not code.strip():
        return "the code is empty"
    if len(code) > MAX_CODE_LENGTH * 4:
        return f"the code is {len(code)} characters long; codes have at most 8"
    if not code.isascii():
        return "the code contains non-ASCII characters"
    if code.count(".") > 1:
        return "the code has more than one dot"
    return None


@lru_cache(maxsize=65536)
def compact(code: str) -> str:
    """Upper case without spaces, dots or dashes: ' e11.65 ' -> 'E1165'."""
    return _STRIP_RE.sub("", code).upper()


@lru_cache(maxsize=65536)
def format_systems(key: str) -> tuple[str, ...]:
    """Systems whose format a compact key matches, in SYSTEMS order ('J3420' -> ('icd10cm', 'hcpcs'))."""
    return tuple(system for system, pattern in _FORMATS if pattern.fullmatch(key))


def canonical(key: str, system: str | None) -> str:
    """Spelling of a compact key in a system: ICD-10-CM gets its dot after the third character."""
    if system == "icd10cm" and len(key) > 3:
        return f"{key[:3]}.{key[3:]}"
    return key
