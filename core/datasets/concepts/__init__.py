"""The curated clinical concept table: diagnoses (ICD-10-CM), services (CPT), drugs and supplies (HCPCS).

`concept_table()` keeps only concepts whose code is valid and billable in the loaded code set, so the
synthetic generator never emits a code the code set does not know (e.g. a CPT code missing from the
curated file).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import lru_cache

from core.codes import get_codeset
from core.datasets.concepts.diagnoses_acute import ACUTE_DIAGNOSES, INJURIES, SYMPTOMS
from core.datasets.concepts.diagnoses_chronic import CHRONIC_DIAGNOSES
from core.datasets.concepts.drugs import DRUGS, SUPPLIES
from core.datasets.concepts.model import (
    Diagnosis,
    DiagnosisVariant,
    Drug,
    Procedure,
    Supply,
    expand_diagnosis,
)
from core.datasets.concepts.procedures import ALL_PROCEDURES

logger = logging.getLogger(__name__)

ALL_DIAGNOSES: tuple[Diagnosis, ...] = SYMPTOMS + ACUTE_DIAGNOSES + INJURIES + CHRONIC_DIAGNOSES

__all__ = ["ALL_DIAGNOSES", "ALL_PROCEDURES", "DRUGS", "SUPPLIES", "ConceptTable", "Diagnosis", "DiagnosisVariant",
           "Drug", "Procedure", "Supply", "concept_table"]


@dataclass
class ConceptTable:
    """Concepts whose codes are valid, indexed by key."""

    diagnoses: dict[str, list[DiagnosisVariant]] = field(default_factory=dict)
    procedures: dict[str, Procedure] = field(default_factory=dict)
    drugs: dict[str, Drug] = field(default_factory=dict)
    supplies: dict[str, Supply] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)

    def diagnosis_keys(self, groups: tuple[str, ...] | None = None) -> list[str]:
        return [key for key, variants in self.diagnoses.items() if groups is None or variants[0].group in groups]

    def procedure_keys(self, kinds: tuple[str, ...]) -> list[str]:
        return [key for key, proc in self.procedures.items() if proc.kind in kinds]

    def has_procedure(self, key: str) -> bool:
        return key in self.procedures

    def counts(self) -> dict[str, int]:
        return {"diagnoses": len(self.diagnoses), "diagnosis_variants": sum(map(len, self.diagnoses.values())),
                "procedures": len(self.procedures), "drugs": len(self.drugs), "supplies": len(self.supplies),
                "skipped": len(self.skipped)}


def build_concept_table(is_valid) -> ConceptTable:
    """Filter the curated concepts with `is_valid(code, system) -> bool`."""
    table = ConceptTable()
    for dx in ALL_DIAGNOSES:
        variants = [v for v in expand_diagnosis(dx) if is_valid(v.code, "icd10cm")]
        table.skipped += [f"{dx.key}:{v.code}" for v in expand_diagnosis(dx) if v not in variants]
        if variants:
            table.diagnoses[dx.key] = variants
    for items, target, system in ((ALL_PROCEDURES, table.procedures, "cpt"), (DRUGS, table.drugs, "hcpcs"),
                                  (SUPPLIES, table.supplies, "hcpcs")):
        for item in items:
            if is_valid(item.code, system):
                target[item.key] = item
            else:
                table.skipped.append(f"{item.key}:{item.code}")
    if table.skipped:
        logger.info("concept table: %d concepts skipped (code not in the code set)", len(table.skipped))
    return table


@lru_cache(maxsize=1)
def concept_table() -> ConceptTable:
    """The concept table filtered by the process-wide code set (cached)."""
    codeset = get_codeset()
    return build_concept_table(codeset.is_valid)
