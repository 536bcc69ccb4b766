import random

import pytest

from core.datasets.candidates import CodesetSearchRetriever, candidates_for
from core.datasets.stages import focus_codes, stage_1_records, stage_2_record, stage_3_records
from core.datasets.synthetic import generate_cases
from core.prompts import Candidate, narrative_from_messages, parse_output


class RecordingRetriever:
    def __init__(self):
        self.calls = []

    def retrieve(self, narrative, k=8):
        self.calls.append((narrative, k))
        return [Candidate("I10", "icd10cm", "Essential (primary) hypertension", 1.0)]


@pytest.fixture(scope="module")
def cases():
    return list(generate_cases(60, seed=11))


def test_stage_2_record_has_the_contract_shape_and_a_matching_answer(cases, no_candidates):
    record = stage_2_record(cases[0], no_candidates)
    assert set(record) == {"id", "messages", "codes", "source", "meta"}
    assert [m["role"] for m in record["messages"]] == ["system", "user", "assistant"]
    assert narrative_from_messages(record["messages"]) == cases[0].narrative
    parsed = parse_output(record["messages"][2]["content"])
    assert parsed.ok and parsed.repairs == [] and parsed.codes == record["codes"]


def test_the_callers_retriever_fills_the_candidate_block(cases):
    retriever = RecordingRetriever()
    record = stage_2_record(cases[1], retriever)
    assert retriever.calls == [(cases[1].narrative, 8)]
    assert "Candidate codes:\nICD-10-CM:\nI10 Essential (primary) hypertension" in record["messages"][1]["content"]


def test_fallback_retriever_searches_every_system():
    found = CodesetSearchRetriever().retrieve("ondansetron injection for vomiting, ED visit", k=3)
    assert {c.system for c in found} == {"icd10cm", "cpt", "hcpcs"}
    assert len(candidates_for("chest x-ray two views", CodesetSearchRetriever(), k=2)) == 6


def test_stage_3_pairs_differ_and_keep_the_gold(cases, codeset, no_candidates):
    rng = random.Random(0)
    pairs = [p for case in cases for p in stage_3_records(case, rng, codeset, no_candidates)]
    assert len(pairs) >= 50
    kinds = {p["meta"]["error"] for p in pairs}
    assert {"missed_code", "wrong_specificity", "invalid_code"} <= kinds
    for pair in pairs:
        assert set(pair) == {"id", "prompt", "chosen", "rejected", "source", "meta"}
        chosen, rejected = parse_output(pair["chosen"][0]["content"]), parse_output(pair["rejected"][0]["content"])
        assert chosen.codes == pair["meta"]["codes"]
        assert rejected.codes == pair["meta"]["rejected_codes"]
        assert pair["chosen"][0]["content"] != pair["rejected"][0]["content"]


def test_stage_1_items_cover_every_task_and_answer_formats(cases, codeset, no_candidates):
    records = list(stage_1_records(focus_codes(cases), 300, 0, "synthetic", no_candidates))
    assert len(records) == 300 and len({r["messages"][1]["content"] for r in records}) == 300
    tasks = {r["meta"]["task"] for r in records}
    assert tasks >= {"description_to_code", "code_to_description", "more_specific", "billable_or_header",
                     "seventh_character"}
    systems = {s for r in records for s, codes in r["codes"].items() if codes}
    assert systems == {"icd10cm", "cpt", "hcpcs"}
    for record in records:
        answer = record["messages"][2]["content"]
        if record["meta"]["answer_format"] == "json":
            assert parse_output(answer).codes == record["codes"]
        else:
            assert "<think>" not in answer and not any(record["codes"].values())
