"""core.views additions: the compact results table and model choices from clients."""

from __future__ import annotations

import pytest

from core import views
from core.paths import TARGET_HUB_MODEL

RESULT = {"items": [
    {"system": "icd10cm", "code": "E11.65", "description": "Type 2 diabetes mellitus with hyperglycemia",
     "billable": True, "valid": True, "status": "ok", "evidence": "type 2 diabetes", "score": 0.91234,
     "source": "model"},
    {"system": "icd10cm", "code": "E11", "description": "Type 2 diabetes mellitus", "billable": False,
     "valid": False, "status": "not_billable", "evidence": "", "score": 0.5, "source": "model"},
]}


def test_table_rows_keep_the_flag_and_status_of_invalid_codes():
    rows = views.table_rows(RESULT)
    assert rows == [["icd10cm", "E11.65", "Type 2 diabetes mellitus with hyperglycemia", "ok", "type 2 diabetes",
                     0.912, "model", "yes"],
                    ["icd10cm", "⚠ E11", "Type 2 diabetes mellitus", "not_billable", "", 0.5, "model", "no"]]
    assert len(views.TABLE_COLUMNS) == len(rows[0])
    assert views.result_to_csv(RESULT).splitlines()[0] == ",".join(views.RESULT_COLUMNS)


def test_summary_names_the_answer_and_the_model_codes_left_out():
    result = {"codes": {"icd10cm": ["E11.65", "Z79.84"], "cpt": [], "hcpcs": []}, "latency_s": 0.5, "items": [
        {**RESULT["items"][0], "selected": True},
        {"system": "icd10cm", "code": "Z79.84", "valid": True, "status": "ok", "source": "retriever", "selected": True},
        {"system": "icd10cm", "code": "R51.9", "valid": True, "status": "ok", "source": "model", "selected": False},
    ]}
    text = views.summary_markdown(result)
    assert "3 valid code(s)**, 2 in the answer" in text
    assert "Left out of the answer" in text and "`R51.9`" in text and "`Z79.84`" not in text.split("Left out")[1]
    assert [row[-1] for row in views.table_rows(result)] == ["yes", "yes", "no"]


def test_check_model_accepts_default_listed_and_configured_models_only(tmp_path):
    assert views.check_model("", None) is None
    assert views.check_model(None, "/models/mine") == "/models/mine"
    assert views.check_model("/models/mine", "/models/mine") == "/models/mine"
    assert views.check_model(TARGET_HUB_MODEL, None) == TARGET_HUB_MODEL
    for bad in ("/etc", str(tmp_path), "someone/other-model", "../data"):
        with pytest.raises(ValueError, match="not offered"):
            views.check_model(bad, "/models/mine")


def test_offered_models_are_names_not_server_paths():
    from core.paths import DEFAULT_MODEL_DIR

    names = views.available_models()
    assert names[0] == DEFAULT_MODEL_DIR.name and TARGET_HUB_MODEL in names
    assert not any(name.startswith("/") for name in names)
    assert views.check_model(DEFAULT_MODEL_DIR.name, None) == str(DEFAULT_MODEL_DIR)
