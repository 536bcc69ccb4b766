"""The `Draft` a rule training template returns (core.datasets.rule_templates): the narrative, the evidence for
every gold code, the careless answer the rules correct, and for a negative variant the mentions the rules must
leave uncoded (with what a careless coder would code for them)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

OFFICE = {"new": ("99202", "99203", "99204", "99205"), "established": ("99212", "99213", "99214", "99215")}
ED = ("99282", "99283", "99284", "99285")
LEVELS = ("straightforward", "low", "moderate", "high")


def _no_codes() -> dict[str, list[str]]:
    return {"icd10cm": [], "cpt": [], "hcpcs": []}


@dataclass
class Draft:
    setting: str
    sentences: list[str] = field(default_factory=list)
    evidence: list[tuple[str, str, str, str]] = field(default_factory=list)  # (quote, system, code, why)
    careless: dict[str, list[str]] = field(default_factory=_no_codes)
    exclusions: list[tuple[str, str]] = field(default_factory=list)  # (quote, why it is not coded)
    overcoded: dict[str, list[str]] = field(default_factory=_no_codes)  # careless codes no rule removes
    negative: str | None = None  # the rule this draft shows NOT applying (its edit would be wrong here)
    meta: dict = field(default_factory=dict)  # more case meta (e.g. billing units of a drug)

    def say(self, sentence: str, *codes: tuple[str, str], why: str = "", careless: bool = True) -> Draft:
        """Add a sentence; `codes` are (system, code) it supports, copied to the careless answer too."""
        self.sentences.append(sentence)
        for system, code in codes:
            self.evidence.append((sentence.rstrip("."), system, code, why))
            if careless:
                self.careless[system].append(code)
        return self

    def also(self, *codes: tuple[str, str], why: str = "") -> Draft:
        """More gold codes the last sentence supports, missing from the careless answer."""
        quote = self.sentences[-1].rstrip(".")
        self.evidence.extend((quote, system, code, why) for system, code in codes)
        return self

    def skip(self, sentence: str, reason: str, *codes: tuple[str, str], rule: str | None = None) -> Draft:
        """A sentence whose mention is not coded: `reason` is the reasoning's 'Not coded' note; `codes` are what
        a careless coder would code for it (in the careless answer; no rule removes them, the model must not add
        them); `rule` is the rule that must not apply here."""
        self.sentences.append(sentence)
        self.exclusions.append((sentence.rstrip("."), reason))
        for system, code in codes:
            self.careless[system].append(code)
            self.overcoded[system].append(code)
        if rule:
            self.negative = rule
        return self

    @property
    def narrative(self) -> str:
        return "\n".join(self.sentences)


def who(rng: random.Random, low: int = 20, high: int = 80) -> str:
    return f"{rng.randint(low, high)} y/o {rng.choice(['F', 'M', 'female', 'male'])}"


def em_sentence(rng: random.Random, draft: Draft, status: str | None = None, wrong: bool = True) -> None:
    """E/M sentence: MDM or time; the careless answer has the other patient status or a level off by one."""
    status = status or rng.choice(["new", "established"])
    level = rng.choice([1, 2, 3])
    if rng.random() < 0.5:
        text = f"{'New' if status == 'new' else 'Established'} pt. MDM {LEVELS[level]}."
    else:
        floors = {"new": (15, 30, 45, 60), "established": (10, 20, 30, 40)}[status]
        text = f"{'New patient' if status == 'new' else 'Established patient'}; total time {floors[level] + rng.randint(0, 9)} min."
    gold = OFFICE[status][level]
    draft.say(text, ("cpt", gold), careless=False)
    other = OFFICE["established" if status == "new" else "new"][level] if rng.random() < 0.5 else OFFICE[status][level - 1]
    draft.careless["cpt"].append(other if wrong else gold)
