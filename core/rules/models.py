"""Value objects of the coding rules: one `Edit` per change, a `RulesOutcome` for a whole answer, and the
`Rule` record that names a rule, the guideline section it implements and the function that proposes edits."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field

ACTIONS = ("add", "drop", "replace")
# first letters of ICD-10-CM codes that name no condition of the patient: external causes (V-Y) and factors
# influencing health status (Z): the rules about documented diagnoses pass them by
NOT_A_DIAGNOSIS = "VWXYZ"


def is_diagnosis(code: str) -> bool:
    """An ICD-10-CM code that names a condition of the patient (not an external cause or a Z factor)."""
    return code[:1] not in NOT_A_DIAGNOSIS


@dataclass(frozen=True)
class Edit:
    """One change to an answer: add `code`, drop it, or replace it by `replacement`; `rule` and
    `guideline` say which rule did it and on what authority, `reason` says why in plain words."""

    action: str
    system: str
    code: str
    rule: str
    guideline: str
    reason: str
    replacement: str | None = None

    def to_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass
class RulesOutcome:
    codes: dict[str, list[str]]
    edits: list[Edit] = field(default_factory=list)
    rejected: list[Edit] = field(default_factory=list)  # proposed edits that would have made a code invalid
    skipped: list[str] = field(default_factory=list)  # rules that abstained (the note spans several encounters)

    def to_dict(self) -> dict:
        return {"codes": self.codes, "edits": [edit.to_dict() for edit in self.edits], "skipped": self.skipped}


@dataclass
class Context:
    """What a rule sees: the current codes (already edited by earlier rules), the narrative and the code set."""

    codes: dict[str, list[str]]
    narrative: str
    codeset: object
    candidates: dict[str, list[str]] = field(default_factory=dict)  # ranked candidate codes per system, best first

    def has(self, system: str, code: str) -> bool:
        return code in self.codes.get(system, [])

    def icd(self) -> list[str]:
        return list(self.codes.get("icd10cm", []))

    def diagnoses(self) -> list[str]:
        """The answer's ICD-10-CM codes that name a condition of the patient (is_diagnosis)."""
        return [code for code in self.icd() if is_diagnosis(code)]


@dataclass(frozen=True)
class Rule:
    """`one_encounter`: the rule reads the codes and the note as the report of one encounter (what is coded
    together, which side, which drug); it abstains on a narrative that spans several encounters."""

    name: str
    guideline: str
    summary: str
    propose: Callable[[Context], list[Edit]]
    one_encounter: bool = False

    def edit(self, action: str, system: str, code: str, reason: str, replacement: str | None = None) -> Edit:
        return Edit(action, system, code, self.name, self.guideline, reason, replacement)
