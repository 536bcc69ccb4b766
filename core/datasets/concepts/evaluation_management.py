"""E/M (evaluation and management) levels and the narrative cues that select them.

Office/outpatient: new 99202-99205, established 99212-99215, chosen by medical decision making (MDM) or by
total time on the date of the encounter (2021+ rules). ED: 99281-99285 by MDM.
"""

from __future__ import annotations

from dataclasses import dataclass

MDM_LEVELS = ("straightforward", "low", "moderate", "high")

OFFICE_NEW = {"straightforward": "99202", "low": "99203", "moderate": "99204", "high": "99205"}
OFFICE_ESTABLISHED = {"straightforward": "99212", "low": "99213", "moderate": "99214", "high": "99215"}
ED_VISIT = {"minimal": "99281", "straightforward": "99282", "low": "99283", "moderate": "99284", "high": "99285"}

# total minutes on the date of the encounter -> level (inclusive ranges)
OFFICE_NEW_TIME = {"straightforward": (15, 29), "low": (30, 44), "moderate": (45, 59), "high": (60, 74)}
OFFICE_ESTABLISHED_TIME = {"straightforward": (10, 19), "low": (20, 29), "moderate": (30, 39), "high": (40, 54)}

MDM_PHRASES = (
    "MDM: {level}.",
    "Medical decision making of {level} complexity.",
    "{Level} complexity MDM.",
    "Level of MDM: {level}.",
)

MDM_SUPPORT = {
    "minimal": ("No workup needed.",),
    "straightforward": ("Minimal risk.", "No prescription needed."),
    "low": ("Low risk; OTC treatment.", "Limited data reviewed."),
    "moderate": ("Prescription drug management.", "Moderate risk of morbidity from treatment."),
    "high": ("Decision regarding hospitalization.", "High risk of morbidity; intensive monitoring."),
}

TIME_PHRASES = (
    "Total time on the date of the encounter: {minutes} minutes.",
    "I spent {minutes} minutes on this visit today, including review of records and documentation.",
)


@dataclass(frozen=True)
class EMChoice:
    code: str
    patient_status: str  # new | established | ed
    level: str
    basis: str  # mdm | time
    minutes: int | None = None


def em_code(setting: str, patient_status: str, level: str) -> str:
    """The E/M CPT code for a setting ('office' or 'ed'), patient status and MDM level."""
    if setting == "ed":
        return ED_VISIT[level]
    table = OFFICE_NEW if patient_status == "new" else OFFICE_ESTABLISHED
    return table[level]


def time_range(patient_status: str, level: str) -> tuple[int, int]:
    table = OFFICE_NEW_TIME if patient_status == "new" else OFFICE_ESTABLISHED_TIME
    return table[level]


def neighbour_levels(setting: str, level: str) -> list[str]:
    """Adjacent levels (for over/under-coding errors)."""
    order = ("minimal", *MDM_LEVELS) if setting == "ed" else MDM_LEVELS
    i = order.index(level)
    return [order[j] for j in (i - 1, i + 1) if 0 <= j < len(order)]
