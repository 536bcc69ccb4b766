"""The pydantic shape of stage records (core.datasets.record_schema): every problem, with its field."""

from __future__ import annotations

from core.datasets.record_schema import schema_problems

MESSAGES = [{"role": "system", "content": "s"}, {"role": "user", "content": "u"},
            {"role": "assistant", "content": "a"}]
CODES = {"icd10cm": ["E11.9"], "cpt": [], "hcpcs": []}


def _stage_2(**changes):
    return {"id": "r1", "messages": MESSAGES, "codes": CODES, "source": "synthetic", "meta": {}, **changes}


def _stage_3(**changes):
    return {"id": "p1", "prompt": MESSAGES[:2], "chosen": MESSAGES[2:], "rejected": MESSAGES[2:],
            "source": "synthetic", "meta": {"codes": CODES}, **changes}


def test_good_records_have_no_problems():
    assert schema_problems(_stage_2(extra="allowed"), "stage_2") == []
    assert schema_problems(_stage_3(), "stage_3") == []
    assert schema_problems(_stage_3(meta={}), "stage_3") == []  # meta.codes is optional


def test_stage_2_problems_name_their_fields():
    assert schema_problems([1], "stage_2") == ["'record' must be an object, got list"]
    assert schema_problems({"id": 3}, "stage_2") == [
        "'id' must be a string, got int", "'source' is required", "'meta' is required", "'messages' is required",
        "'codes' is required"]
    blank = [MESSAGES[0], {"role": "user", "content": "  "}, MESSAGES[2]]
    assert schema_problems(_stage_2(messages=blank), "stage_2") == [
        "'messages[1].content' is required and must not be empty"]
    assert schema_problems(_stage_2(messages=MESSAGES[:2]), "stage_2") == [
        "'messages' roles are ['system', 'user'], expected ['system', 'user', 'assistant']"]
    assert schema_problems(_stage_2(codes={"icd10cm": [], "cpt": [5]}), "stage_2") == [
        "'codes.cpt[0]' must be a string, got int", "'codes.hcpcs' is required"]
    assert schema_problems(_stage_2(codes={**CODES, "icd9": []}), "stage_2") == [
        "'codes' has unknown system 'icd9' (known: icd10cm, cpt, hcpcs)"]


def test_stage_3_problems_name_their_fields():
    assert schema_problems(_stage_3(rejected="text", meta={"codes": {"cpt": "99214"}}), "stage_3") == [
        "'meta.codes.icd10cm' is required", "'meta.codes.cpt' must be a list, got str", "'meta.codes.hcpcs' is required",
        "'rejected' must be a list, got str"]
    assert schema_problems(_stage_3(chosen=MESSAGES[:1]), "stage_3") == [
        "'chosen' roles are ['system'], expected ['assistant']"]
