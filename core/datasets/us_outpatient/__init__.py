"""THCE's US-style outpatient evaluation set (`data/eval/us_outpatient.jsonl`): cases written from THCE's own
templates across primary care, ED, urgent care and orthopedics, each with gold ICD-10-CM/CPT/HCPCS codes,
its setting and the coding rules it exercises. Never used for training (the synthetic training generator
does not import it).

    uv run python -m core.datasets.us_outpatient data/eval/us_outpatient.jsonl   # regenerate (seeded)
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from core.datasets.us_outpatient import illnesses, injuries, services

SEED = 13
PLAN = (  # (family, number of cases)
    (illnesses.acute_cases, 24),
    (illnesses.chronic_cases, 20),
    (illnesses.excludes_cases, 9),
    (injuries.acute_injury_cases, 28),
    (injuries.followup_cases, 15),
    (injuries.sided_condition_cases, 15),
    (services.drug_cases, 16),
    (services.vaccine_cases, 14),
    (services.wellness_cases, 6),
    (services.ambulance_cases, 6),
    (services.ed_visit_cases, 8),
    (illnesses.sex_specific_cases, 8),
    (illnesses.denied_cases, 8),
    (illnesses.uncertain_cases, 8),
    (illnesses.history_cases, 8),
    (illnesses.unaddressed_cases, 8),
    (illnesses.labs_later_cases, 8),
    (illnesses.redundant_cases, 8),
    (services.well_visit_cases, 8),
    (services.ed_professional_cases, 8),
    (illnesses.weight_cases, 8),
    (services.longitudinal_cases, 8),
    (services.procedure_cases, 8),
    (services.counseling_cases, 2),
)


def build_us_outpatient(seed: int = SEED) -> list[dict]:
    rng, cases = random.Random(seed), []
    for family, count in PLAN:
        cases.extend(family(rng, len(cases) + 1, count))
    return cases


def write_us_outpatient(path: Path, seed: int = SEED) -> int:
    cases = build_us_outpatient(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in cases), encoding="utf-8")
    return len(cases)
