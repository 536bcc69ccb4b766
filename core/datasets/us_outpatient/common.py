"""Shared pieces of the US outpatient evaluation cases: patients, visit openings and E/M documentation."""

from __future__ import annotations

import random
from dataclasses import dataclass

OFFICE = {"new": ("99202", "99203", "99204", "99205"), "established": ("99212", "99213", "99214", "99215")}
ED_LEVELS = ("99282", "99283", "99284", "99285")
MDM_WORDS = ("straightforward", "low", "moderate", "high")
# x-ray codes of a family leveled by the number of views (chest, wrist, ankle, knee; the radiology_views rule):
# a case whose imaging sentence states the count ("two views") and codes one of them exercises that rule
VIEW_COUNT_CODES = frozenset({"71046", "73110", "73610", "73560"})
_MINUTES = {
    "new": ((15, 29), (30, 44), (45, 59), (60, 74)),
    "established": ((10, 19), (20, 29), (30, 39), (40, 54)),
}


@dataclass(frozen=True)
class Patient:
    age: int
    sex: str

    @property
    def noun(self) -> str:
        return {"F": "woman", "M": "man"}[self.sex] if self.age >= 18 else {"F": "girl", "M": "boy"}[self.sex]

    @property
    def they(self) -> str:
        return "she" if self.sex == "F" else "he"

    @property
    def their(self) -> str:
        return "her" if self.sex == "F" else "his"

    def intro(self) -> str:
        return f"{self.age}-year-old {self.noun}"


def patient(rng: random.Random, low: int = 19, high: int = 82) -> Patient:
    return Patient(rng.randint(low, high), rng.choice("FM"))


def case(cid: str, narrative: str, setting: str, rules: list[str], icd=(), cpt=(), hcpcs=()) -> dict:
    return {
        "id": cid,
        "narrative": " ".join(narrative.split()),
        "setting": setting,
        "rules": sorted(set(rules)),
        "codes": {
            "icd10cm": list(dict.fromkeys(icd)),
            "cpt": list(dict.fromkeys(cpt)),
            "hcpcs": list(dict.fromkeys(hcpcs)),
        },
    }


def fields(narrative: str, setting: str, rules: list[str], icd=(), cpt=(), hcpcs=()) -> dict:
    return {
        "narrative": narrative,
        "setting": setting,
        "rules": rules,
        "icd": icd,
        "cpt": cpt,
        "hcpcs": hcpcs,
    }


def family(make):
    """Turn `make(rng, i) -> case fields` into `(rng, start, count) -> [case, ...]` with ids us-NNN."""

    def cases(rng: random.Random, start: int, count: int) -> list[dict]:
        return [case(f"us-{start + i:03d}", **make(rng, i)) for i in range(count)]

    cases.__name__ = make.__name__
    return cases


def mdm_sentence(rng: random.Random, level: int) -> str:
    word = MDM_WORDS[level]
    return rng.choice(
        [
            f"Medical decision making was {word}.",
            f"MDM: {word}.",
            f"{word.capitalize()} complexity medical decision making.",
            f"Overall medical decision making of {word} complexity.",
        ]
    )


def time_sentence(rng: random.Random, status: str, level: int) -> str:
    minutes = rng.randint(*_MINUTES[status][level])
    return rng.choice(
        [
            f"Total time on the date of the encounter was {minutes} minutes.",
            f"I spent a total of {minutes} minutes on this visit, including review and documentation.",
            f"Total time: {minutes} minutes.",
        ]
    )


def status_sentence(rng: random.Random, status: str, p: Patient, setting: str) -> str:
    where = "urgent care" if setting == "urgent_care" else "the clinic"
    if status == "new":
        return rng.choice(
            [
                f"New patient to {where}.",
                f"{p.they.capitalize()} is a new patient establishing care.",
                f"First visit to {where}; new patient.",
            ]
        )
    return rng.choice(
        [
            "Established patient.",
            f"Established patient of {where}, last seen months ago.",
            f"{p.they.capitalize()} is an established patient here.",
        ]
    )


def office_em(rng: random.Random, status: str, level: int, p: Patient, setting: str) -> tuple[str, str]:
    """(status + level documentation, the office E/M code); the level by MDM or by time at random."""
    basis = mdm_sentence(rng, level) if rng.random() < 0.6 else time_sentence(rng, status, level)
    return f"{status_sentence(rng, status, p, setting)} {basis}", OFFICE[status][level]


def ed_em(rng: random.Random, level: int) -> tuple[str, str]:
    """(MDM documentation, the ED E/M code) for levels low..high of ED_LEVELS (0 = straightforward)."""
    return mdm_sentence(rng, level), ED_LEVELS[level]


def side_code(codes: tuple[str, str], side: str) -> str:
    return codes[0] if side == "right" else codes[1]
