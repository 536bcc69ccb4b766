"""Value objects of the clinical concept table used by the synthetic generator.

A concept pairs several lay/clinical phrasings with one code. Diagnosis codes may hold placeholders:
`{lat}` (laterality character, chosen with the `{side}` word in the phrase) and `{enc}` (the ICD-10-CM
7th character: A initial encounter, D subsequent encounter, S sequela), expanded by `expand_diagnosis`.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_SIDES: tuple[tuple[str, str], ...] = (("right", "1"), ("left", "2"))
ENCOUNTER_NAMES = {"A": "initial encounter", "D": "subsequent encounter", "S": "sequela"}


@dataclass(frozen=True)
class Diagnosis:
    """An ICD-10-CM concept. `detail` says why this level of specificity was chosen."""

    key: str
    code: str
    group: str
    phrases: tuple[str, ...]
    detail: str = ""
    sides: tuple[tuple[str, str], ...] = ()
    encounters: str = ""


@dataclass(frozen=True)
class DiagnosisVariant:
    """A concrete diagnosis: code and phrasings with laterality and encounter filled in."""

    key: str
    code: str
    group: str
    phrases: tuple[str, ...]
    detail: str
    side: str = ""
    encounter: str = ""


@dataclass(frozen=True)
class Procedure:
    """A CPT service. `phrases` may hold `{cm}` (a length drawn from `size_cm`) or `{side}`."""

    key: str
    code: str
    kind: str  # lab | imaging | test | procedure | therapy | vaccine | counseling
    phrases: tuple[str, ...]
    size_cm: tuple[float, float] | None = None
    indications: tuple[str, ...] = ()  # diagnosis keys that justify it in a procedure note


@dataclass(frozen=True)
class Drug:
    """A HCPCS Level II drug billed per `unit_amount` `unit_measure` (e.g. J2405 per 1 mg)."""

    key: str
    code: str
    names: tuple[str, ...]
    unit_amount: float
    unit_measure: str  # mg | mcg | units | ml
    doses: tuple[float, ...]  # typical doses, in unit_measure
    routes: tuple[str, ...]  # IV | IM | SC | neb | IA (intra-articular)


@dataclass(frozen=True)
class Supply:
    """A HCPCS Level II supply or device dispensed at the visit."""

    key: str
    code: str
    phrases: tuple[str, ...]
    indications: tuple[str, ...] = ()


def expand_diagnosis(dx: Diagnosis) -> list[DiagnosisVariant]:
    """All concrete variants of a concept (one per side x encounter character)."""
    sides = dx.sides or ((("", ""),) if "{lat}" not in dx.code else DEFAULT_SIDES)
    encounters = dx.encounters or ("A" if "{enc}" in dx.code else "")
    variants = []
    for side_word, side_char in sides:
        for enc in encounters or [""]:
            code = dx.code.replace("{lat}", side_char).replace("{enc}", enc)
            phrases = tuple(p.replace("{side}", side_word).strip() for p in dx.phrases)
            variants.append(DiagnosisVariant(dx.key, code, dx.group, phrases, dx.detail, side_word, enc))
    return variants
