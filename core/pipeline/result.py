"""What the pipeline returns: `CodingResult` with one `CodedItem` per code (contract 8 of the design)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from core.prompts import empty_codes


@dataclass
class CodedItem:
    system: str
    code: str
    description: str
    billable: bool
    valid: bool  # known to the code set AND billable
    status: str  # Validation.status: ok | unknown | not_billable | bad_format | wrong_system
    evidence: str = ""  # quote from the narrative ("" when none was found)
    span: list[int] | None = None  # [start, end] character offsets of `evidence` in the narrative
    source: str = "model"  # "model": the model's code; "retriever": added by the retriever's decision rule;
    #                        "rule": added by a coding rule (core.rules; `rule` and `rule_reason` say which and why);
    #                        "candidate": a retrieval suggestion shown when the answer has no valid code
    score: float = 0.0  # retrieval support in [0, 1] (0 when the retriever did not rank the code)
    message: str = ""  # the validation message (why a code is not valid)
    selected: bool = True  # part of the final answer (`CodingResult.codes`)
    rule: str = ""  # the coding rule that added, dropped or replaced this code ("" when no rule touched it)
    rule_reason: str = ""  # that rule's reason, in plain words


@dataclass
class CodingResult:
    codes: dict[str, list[str]] = field(default_factory=empty_codes)  # the final answer: selected valid codes
    items: list[CodedItem] = field(default_factory=list)
    ranked: dict[str, list[list]] = field(default_factory=lambda: {s: [] for s in empty_codes()})
    reasoning: str = ""
    raw: str = ""
    valid: bool = False  # the answer parsed and every code the model gave is valid and billable
    latency_s: float = 0.0
    repairs: list[str] = field(default_factory=list)
    error: str | None = None
    model_id: str = ""
    prompt: list[dict] = field(default_factory=list)
    rules_applied: bool = False  # the coding rules (core.rules) edited the answer (off: `rules=False`)
    rule_edits: list[dict] = field(default_factory=list)  # core.rules.Edit.to_dict() per edit, in order
    rules_skipped: list[str] = field(default_factory=list)  # rules that abstained: the note spans several encounters

    def to_dict(self) -> dict:
        return asdict(self)

    def to_prediction(self, case_id: str) -> dict:
        """The `thce predict` output row of DESIGN.md."""
        return {"id": case_id, "codes": self.codes, "ranked": self.ranked, "reasoning": self.reasoning,
                "raw": self.raw, "valid": self.valid, "latency_s": round(self.latency_s, 4), "error": self.error,
                "rules_applied": self.rules_applied, "rule_edits": self.rule_edits}


def error_prediction(case_id: str, message: str) -> dict:
    """The output row for an input that could not be coded."""
    return CodingResult(error=message).to_prediction(case_id)
