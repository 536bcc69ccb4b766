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
                     0.912], ["icd10cm", "⚠ E11", "Type 2 diabetes mellitus", "not_billable", "", 0.5]]
    assert len(views.TABLE_COLUMNS) == len(rows[0])
    assert views.result_to_csv(RESULT).splitlines()[0] == ",".join(views.RESULT_COLUMNS)


def test_check_model_accepts_default_listed_and_configured_models_only(tmp_path):
    assert views.check_model("", None) is None
    assert views.check_model(None, "/models/mine") == "/models/mine"
    assert views.check_model("/models/mine", "/models/mine") == "/models/mine"
    assert views.check_model(TARGET_HUB_MODEL, None) == TARGET_HUB_MODEL
    for bad in ("/etc", str(tmp_path), "someone/other-model", "../data"):
        with pytest.raises(ValueError, match="not offered"):
            views.check_model(bad, "/models/mine")
