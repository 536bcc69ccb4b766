"""`CodedCase`: a narrative with its gold codes and the evidence behind them, shared by every source
(synthetic, CodiEsp, raw records) and every stage builder."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.evidence import Evidence
from core.prompts import SYSTEMS, empty_codes

EXCLUSION_REASONS = {
    "negated": "negated, not coded",
    "family": "family history, not coded",
    "past": "resolved past history, not coded",
    "rule_out": "unconfirmed rule-out diagnosis in outpatient care, its symptoms are coded instead",
    "facility": "the ED's lab test or drug, billed by the hospital on its facility claim, not by the ED physician",
}


def units_why(units: int, basis: str) -> str:
    """The reason after a drug or mileage code: 'x4 units: 40 mg, 10 mg/unit' (a billing unit per dose step, per
    mile ...). Short and without nested parentheses, so the decoding style lets the model write it whole (a
    "(reason)" after a code holds at most core.reasoning_lines.REASON_WORDS words)."""
    count = f"x{units} unit{'s' if units > 1 else ''}"
    return f"{count}: {basis}" if basis else count


def units_basis(why: str) -> str:
    """The basis part of a `units_why` reason ('' when it has none)."""
    return why.split(": ", 1)[1] if ": " in why else ""


@dataclass(frozen=True)
class Exclusion:
    """A mention deliberately not coded; `code` is what a careless coder would assign."""

    quote: str
    reason: str  # a key of EXCLUSION_REASONS
    code: str = ""


@dataclass
class CodedCase:
    id: str
    narrative: str
    codes: dict[str, list[str]]
    source: str
    meta: dict = field(default_factory=dict)
    evidence: list[Evidence] = field(default_factory=list)
    exclusions: list[Exclusion] | None = None  # None: not known (real notes); [] : nothing to exclude
    rationale: str | None = None  # given reasoning (raw records), used verbatim
    rule_notes: list[str] = field(default_factory=list)  # coding rules applied, one short phrase each

    def all_codes(self) -> list[str]:
        return [code for system in SYSTEMS for code in self.codes.get(system, [])]

    def to_gold(self) -> dict:
        """The contract-7 gold case: evaluation compares against `meta.original_codes` when present."""
        codes = self.meta.get("original_codes") or self.codes
        meta = dict(self.meta)
        if "original_codes" in self.meta:
            meta["training_codes"] = self.codes
        return {"id": self.id, "narrative": self.narrative, "codes": _complete(codes), "meta": meta}


def _complete(codes: dict[str, list[str]]) -> dict[str, list[str]]:
    out = empty_codes()
    for system in SYSTEMS:
        out[system] = list(codes.get(system, []))
    return out


def codes_from_evidence(evidence: list[Evidence]) -> dict[str, list[str]]:
    """Gold codes in the order of their first evidence, without duplicates."""
    codes = empty_codes()
    for item in evidence:
        if item.code not in codes[item.system]:
            codes[item.system].append(item.code)
    return codes
