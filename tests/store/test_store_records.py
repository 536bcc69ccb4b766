"""The pydantic checks of imported cases and predictions (core.store.records): each problem names its field
and says what is wrong, with the store's limits."""

from __future__ import annotations

import pytest

from core.constants import MAX_NARRATIVE_CHARS
from core.store.errors import FieldError
from core.store.records import (
    MAX_ID_CHARS,
    case_from_mapping,
    check_codes,
    check_prediction,
    optional_name,
)


def _error(call, *args, **kwargs) -> FieldError:
    with pytest.raises(FieldError) as info:
        call(*args, **kwargs)
    return info.value


@pytest.mark.parametrize(("record", "field", "message"), [
    ([], "record", "record must be an object, got list"),
    ({"narrative": "n"}, "id", "id is required"),
    ({"id": True, "narrative": "n"}, "id", "id is required (a string or an integer)"),
    ({"id": "  ", "narrative": "n"}, "id", "id is required and must not be empty"),
    ({"id": "x" * (MAX_ID_CHARS + 1), "narrative": "n"}, "id", "id is too long: 201 characters (limit 200)"),
    ({"id": "a", "narrative": " "}, "narrative", "narrative is required and must not be empty"),
    ({"id": "a", "narrative": "x" * (MAX_NARRATIVE_CHARS + 1)}, "narrative",
     f"narrative is too long: {MAX_NARRATIVE_CHARS + 1:,} characters (limit {MAX_NARRATIVE_CHARS:,})"),
    ({"id": "a", "narrative": 7}, "narrative", "narrative must be a string, got int"),
    ({"id": "a", "narrative": "n", "meta": "x"}, "meta", "meta must be an object, got str"),
    ({"id": "a", "narrative": "n", "codes": {"cpt": ["99214", 5]}}, "codes.cpt[1]",
     "codes.cpt[1] must be a string, got int"),
    ({"id": "a", "narrative": "n", "codes": "{nope"}, "codes", "codes is not valid JSON"),
    ({"id": "a", "narrative": "n", "prediction": {"model_id": "m"}}, "prediction",
     "prediction needs 'raw' (the model output) or 'codes'"),
    ({"id": "a", "narrative": "n", "prediction": {"raw": "x", "latency_s": -1}}, "prediction.latency_s",
     "prediction.latency_s must be at least 0"),
    ({"id": "a", "narrative": "n", "source": "s" * 101}, "source", "source is too long"),
])
def test_a_bad_case_names_its_field(record, field, message):
    error = _error(case_from_mapping, record, 1, None, None)
    assert error.field == field and str(error).startswith(message), str(error)


def test_every_problem_of_a_record_is_reported():
    error = _error(case_from_mapping, {"id": "", "narrative": "", "meta": 3}, 1, None, None)
    assert error.field == "id"
    assert str(error) == ("id is required and must not be empty; narrative is required and must not be empty; "
                          "meta must be an object, got int")


def test_a_good_case_is_cleaned_up():
    record = case_from_mapping({"id": 42, "narrative": "Chest pain.", "source": " er ", "split": "",
                                "codes": '{"icd10cm": [" R07.9 ", "R07.9", ""]}', "prediction": "", "extra": 1},
                               7, None, "dev")
    assert (record.line, record.external_id, record.source, record.split) == (7, "42", "er", "dev")
    assert record.codes == {"icd10cm": ["R07.9"], "cpt": [], "hcpcs": []}
    assert record.prediction is None and record.meta is None


def test_codes_refuse_unknown_systems_and_wrong_shapes():
    assert _error(check_codes, {"icd9": ["250.00"]}, "gold_codes").field == "gold_codes"
    assert "unknown code system 'icd9' (known: icd10cm, cpt, hcpcs)" in str(_error(check_codes, {"icd9": []}, "c"))
    assert str(_error(check_codes, ["E11.9"], "c")) == "c must be an object, got list"
    assert str(_error(check_codes, {"cpt": "99214"}, "c")) == "c.cpt must be a list, got str"


def test_a_prediction_from_raw_text_or_codes():
    parsed = check_prediction('<think>why</think>{"icd10cm": ["e119"]}')
    assert parsed.codes["icd10cm"] == ["E11.9"] and parsed.reasoning == "why" and parsed.model_id == ""
    built = check_prediction({"codes": {"cpt": ["99214"]}, "reasoning": "r", "latency_s": 2,
                              "prompt": [{"role": "user", "content": "c", "name": "dropped"}]})
    assert built.raw.startswith("<think>\nr\n</think>") and built.latency_s == 2.0
    assert built.prompt == [{"role": "user", "content": "c"}]
    with pytest.raises(FieldError, match=r"result.latency_s must be a number, got bool"):
        check_prediction({"raw": "x", "latency_s": True}, "result")
    with pytest.raises(FieldError, match=r"result.prompt must not be empty"):
        check_prediction({"raw": "x", "prompt": []}, "result")
    assert _error(check_prediction, {"raw": "x"}, "result", require_prompt=True).field == "result.prompt"


def test_rule_edits_keep_their_fields_without_nulls():
    edit = {"action": "add", "system": "icd10cm", "code": "Z79.84", "rule": "r", "reason": None, "other": 1}
    assert check_prediction({"raw": "x", "rule_edits": [edit]}).rule_edits == [
        {"action": "add", "system": "icd10cm", "code": "Z79.84", "rule": "r"}]
    error = _error(check_prediction, {"raw": "x", "rule_edits": [{"action": "drop"}]}, "result")
    assert error.field == "result.rule_edits[0].system" and "result.rule_edits[0].code is required" in str(error)


def test_optional_names():
    assert optional_name(None, "source") is None and optional_name("  ", "source") is None
    assert optional_name(12, "split") == "12" and optional_name(" dev ", "split") == "dev"
    assert _error(optional_name, "x" * 101, "source").field == "source"
