"""Value objects returned by the code-set API (`core.codes.CodeSet`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

SYSTEM_LABELS: dict[str, str] = {"icd10cm": "ICD-10-CM", "cpt": "CPT", "hcpcs": "HCPCS Level II"}
STATUSES: tuple[str, ...] = ("ok", "unknown", "not_billable", "bad_format", "wrong_system")


class CodeRecord(NamedTuple):
    """One row of a code table, as stored in memory and in the on-disk cache."""

    description: str
    billable: bool
    parent: str | None = None
    children: tuple[str, ...] = ()
    kind: str = "code"  # icd10cm: chapter | block | category | subcategory | extension; others: code
    category: str | None = None


@dataclass
class CodeInfo:
    code: str
    system: str
    description: str
    billable: bool
    parent: str | None
    children: list[str]
    notes: dict[str, list[str]]
    category: str | None
    kind: str = "code"
    unit: str | None = None  # HCPCS billing dose unit, e.g. "1 mg"


@dataclass
class Validation:
    code: str
    normalized: str
    system: str | None
    status: str
    message: str
    suggestions: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == "ok"


@dataclass
class SearchHit:
    code: str
    system: str
    description: str
    score: float
