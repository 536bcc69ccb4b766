import json
from pathlib import Path

import pytest

from core.datasets import load_cases
from core.datasets.build import build_dataset

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "raw_records.jsonl"


def _is_case(case):
    return set(case) == {"id", "narrative", "codes", "meta"} and set(case["codes"]) == {"icd10cm", "cpt", "hcpcs"}


def test_synthetic_and_raw_specs():
    cases = load_cases("synthetic:5:2")
    assert len(cases) == 5 and all(_is_case(c) for c in cases)
    assert cases == load_cases("synthetic:5:2")
    raw = load_cases(f"raw:{FIXTURE}")
    assert len(raw) == 10 and raw[0]["codes"]["icd10cm"] == ["E11.65", "Z79.4"]


def test_jsonl_of_cases_and_of_stage_records(tmp_path, no_candidates):
    plain = tmp_path / "cases.jsonl"
    plain.write_text(json.dumps({"id": "a", "narrative": "HTN", "codes": ["I10", "99213"]}) + "\n")
    assert load_cases(str(plain))[0]["codes"] == {"icd10cm": ["I10"], "cpt": ["99213"], "hcpcs": []}
    stage_2 = tmp_path / "s2.jsonl"
    build_dataset("stage_2", "synthetic", stage_2, count=4, seed=1, retriever=no_candidates)
    cases = load_cases(str(stage_2))
    assert [c["narrative"] for c in cases] == [c["narrative"] for c in load_cases("synthetic:4:1")]
    stage_3 = tmp_path / "s3.jsonl"
    build_dataset("stage_3", "synthetic", stage_3, count=6, seed=1, retriever=no_candidates)
    assert all(not c["id"].endswith("pair0") for c in load_cases(str(stage_3)))


def test_bad_specs_and_lines_are_clear_errors(tmp_path):
    with pytest.raises(ValueError, match="'nothing-here.jsonl': file not found"):
        load_cases("nothing-here.jsonl")
    with pytest.raises(ValueError, match="expected codiesp:PATH"):
        load_cases("nothing-here")
    with pytest.raises(ValueError, match="N must be an integer"):
        load_cases("synthetic:many")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "narrative": "x", "codes": []}\n{oops\n')
    with pytest.raises(ValueError, match="bad.jsonl line 2: invalid JSON"):
        load_cases(str(bad))
