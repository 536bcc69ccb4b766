"""Fixtures for the code-set tests: the real CodeSet (ICD-10-CM from the package, curated files as they
are in the repo) and a CodeSet whose CPT/HCPCS tables come from tiny JSON files written here."""

from __future__ import annotations

import json

import pytest

from core.codes import CodeSet, get_codeset
from core.codes.icd10cm import load_icd_table
from core.codes.sources import load_procedure_table

CPT_ENTRIES = [
    {"code": "99214", "description": "Office visit, established patient, moderate complexity",
     "category": "E/M office, established"},
    {"code": "83036", "description": "Hemoglobin A1c level test", "category": "Chemistry"},
    {"code": "3044F", "description": "Most recent HbA1c below 7.0 percent", "category": "Category II"},
]
HCPCS_ENTRIES = [
    {"code": "J3420", "description": "Injection, vitamin B-12 cyanocobalamin, up to 1000 mcg",
     "category": "Drugs administered other than oral method", "unit": "up to 1000 mcg"},
    {"code": "J2405", "description": "Injection, ondansetron hydrochloride, per 1 mg",
     "category": "Drugs administered other than oral method", "unit": "1 mg"},
    {"code": "E1161", "description": "Manual adult size wheelchair, includes tilt in space",
     "category": "Durable medical equipment"},
]


def write_curated(path, system: str, entries: list[dict]) -> None:
    document = {"system": system, "version": "test-1", "source": "written by the tests", "codes": entries}
    path.write_text(json.dumps(document), encoding="utf-8")


@pytest.fixture(scope="session")
def codeset() -> CodeSet:
    return get_codeset()


@pytest.fixture(scope="session")
def fixture_codeset(tmp_path_factory) -> CodeSet:
    folder = tmp_path_factory.mktemp("curated")
    write_curated(folder / "cpt.json", "cpt", CPT_ENTRIES)
    write_curated(folder / "hcpcs.json", "hcpcs", HCPCS_ENTRIES)
    return CodeSet(load_icd_table(), load_procedure_table("cpt", curated_file=folder / "cpt.json"),
                   load_procedure_table("hcpcs", curated_file=folder / "hcpcs.json"))
