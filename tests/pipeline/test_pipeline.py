"""The coding pipeline on the tiny random model (and on scripted model outputs for the checks that need
a sensible answer)."""

import json

import pytest

from core.pipeline import MAX_NARRATIVE_CHARS, CodingResult

NARRATIVE = "58-year-old with type 2 diabetes and hyperglycemia on metformin, HbA1c 9.1%"
SCRIPTED = ('<think>\n"type 2 diabetes and hyperglycemia" -> E11.65\nE11 alone is too vague\n</think>\n'
            '{"icd10cm": ["E11.65", "E11", "Q99.99"], "cpt": [], "hcpcs": []}')
PREDICTION_KEYS = {"id", "codes", "ranked", "reasoning", "raw", "valid", "latency_s", "error", "rules_applied",
                   "rule_edits"}


def _scripted(pipe, text, narrative=NARRATIVE):
    request = pipe.prepare(narrative)
    return pipe.finish(request, pipe.generator.vocab.encode(text), 0.5)


def test_code_returns_json_with_only_valid_codes(make_pipeline):
    from core.codes import get_codeset

    result = make_pipeline("valid").code(NARRATIVE)
    data = json.loads(json.dumps(result.to_dict()))
    assert set(data["codes"]) == {"icd10cm", "cpt", "hcpcs"}
    assert all(get_codeset().is_valid(c, s) for s, codes in result.codes.items() for c in codes)
    assert result.reasoning and result.raw and result.latency_s > 0
    assert result.prompt[0]["role"] == "system" and NARRATIVE in result.prompt[1]["content"]
    assert set(result.to_prediction("x")) == PREDICTION_KEYS


def test_invalid_codes_are_flagged_never_shown_as_good(make_pipeline):
    result = _scripted(make_pipeline(rules=False), SCRIPTED)  # the coding rules would add Z79.84 (metformin)
    by_code = {item.code: item for item in result.items}
    assert result.codes["icd10cm"] == ["E11.65"]
    assert by_code["E11.65"].valid and by_code["E11.65"].status == "ok" and by_code["E11.65"].billable
    assert by_code["E11"].status == "not_billable" and not by_code["E11"].valid
    assert by_code["Q99.99"].status == "unknown" and not by_code["Q99.99"].valid
    assert not result.valid and result.error is None
    assert all(item.source == "model" for item in result.items)


def test_evidence_and_ranking(make_pipeline):
    result = _scripted(make_pipeline(rules=False), SCRIPTED)
    item = next(i for i in result.items if i.code == "E11.65")
    assert item.evidence == "type 2 diabetes and hyperglycemia"
    assert NARRATIVE[item.span[0]:item.span[1]] == item.evidence
    ranked = result.ranked["icd10cm"]
    assert ranked[0][0] == "E11.65" and ranked[0][1] >= 1.0
    assert len({code for code, _ in ranked}) == len(ranked) > 1  # retriever list follows, no duplicates
    assert all(0.0 <= score <= 1.0 for _, score in ranked[1:])
    assert "E11" not in [code for code, _ in ranked[:1]]


def test_unparseable_answer_gives_error_and_marked_suggestions(make_pipeline):
    result = _scripted(make_pipeline(), "<think>no idea</think> I cannot say.")
    assert result.error and not result.valid
    assert result.codes == {"icd10cm": [], "cpt": [], "hcpcs": []}
    assert result.items and all(item.source == "candidate" for item in result.items)


def test_stream_yields_text_then_the_result(make_pipeline):
    chunks = list(make_pipeline("none").stream(NARRATIVE))
    assert isinstance(chunks[-1], CodingResult)
    texts = chunks[:-1]
    assert len(texts) > 1 and all(isinstance(t, str) for t in texts)
    assert "".join(texts) == chunks[-1].raw


def test_the_answer_is_the_codes_the_reasoning_cites(make_pipeline):
    reasoning = '<think>\n"type 2 diabetes and hyperglycemia" -> E11.65; Q99.99.\n"metformin" -> Z79.84.\n</think>'
    result = _scripted(make_pipeline(rules=False), reasoning)
    assert result.raw.startswith(reasoning) and result.raw != reasoning
    assert json.loads(result.raw[len(reasoning):]) == {"icd10cm": ["E11.65", "Z79.84"], "cpt": [], "hcpcs": []}
    assert [i.code for i in result.items if i.source == "model"] == ["E11.65", "Z79.84"]
    assert result.error is None and result.valid
    generated = _scripted(make_pipeline(rules=False, answer="generated"), reasoning)
    assert generated.raw == reasoning and generated.error  # the ablation: no JSON line, no answer
    with pytest.raises(ValueError, match="answer must be one of"):
        make_pipeline(answer="json")


def test_a_streamed_answer_ends_with_the_answer_line(make_pipeline):
    chunks = list(make_pipeline("valid").stream(NARRATIVE))
    result = chunks[-1]
    assert "".join(chunks[:-1]) == result.raw
    assert result.raw.rstrip().endswith("}") and "</think>" in result.raw
    assert json.loads(result.raw[result.raw.rindex("</think>") + len("</think>"):]).keys() == {"icd10cm", "cpt",
                                                                                             "hcpcs"}


def test_candidates_mode_answers_only_candidates(make_pipeline):
    pipe = make_pipeline("candidates")
    result = pipe.code(NARRATIVE)
    offered = {(c.system, c.code) for c in pipe.prepare(NARRATIVE).candidates}
    assert all((s, c) in offered for s, codes in result.codes.items() for c in codes)
    assert not result.error


@pytest.mark.parametrize(("narrative", "message"), [
    ("", "narrative is empty"),
    ("   \n\t", "narrative is empty"),
    ("x" * (MAX_NARRATIVE_CHARS + 1), "limit is 20,000"),
    (None, "must be text"),
])
def test_bad_narratives_raise_clear_errors(make_pipeline, narrative, message):
    with pytest.raises(ValueError, match=message):
        make_pipeline().code(narrative)


def test_prompt_longer_than_the_context_is_rejected(make_pipeline):
    many_tokens = " ".join("7" * 9_000)  # under the character limit, over the 4096-token context
    with pytest.raises(ValueError, match="context"):
        make_pipeline().code(many_tokens)


def test_answer_room_shrinks_to_fit_the_context(make_pipeline):
    pipe = make_pipeline(max_new_tokens=4000)
    request = pipe.prepare(NARRATIVE)
    assert request.max_new_tokens == 4096 - len(request.prompt_ids)


def test_the_reasoning_budget_leaves_room_only_for_what_is_generated(make_pipeline):
    """A forced </think> needs a few tokens; the JSON line needs room only when the model writes it."""
    for answer, budget in (("reasoning", 100 - 8), ("generated", 100 - 64)):
        pipe = make_pipeline(max_new_tokens=100, think_budget=500, answer=answer)
        assert pipe.tracker(pipe.prepare(NARRATIVE)).think_budget == budget
    pipe = make_pipeline(max_new_tokens=100, think_budget=24)
    assert pipe.tracker(pipe.prepare(NARRATIVE)).think_budget == 24


def test_code_batch_keeps_order_and_returns_errors(make_pipeline):
    results = make_pipeline().code_batch([NARRATIVE, "", "Chest pain, ECG done."])
    assert isinstance(results[0], CodingResult) and isinstance(results[2], CodingResult)
    assert isinstance(results[1], ValueError)


def test_unknown_constrain_mode(make_pipeline):
    with pytest.raises(ValueError, match="constrain"):
        make_pipeline("strict")


class _RuledRetriever:
    """A retriever with fixed scores and a decision rule (core.retrieval.decision)."""

    def __init__(self, base):
        from core.retrieval.decision import DecisionRule

        self.base = base
        self.decision = DecisionRule({"icd10cm": 0.5, "cpt": 0.5, "hcpcs": 0.5}, {"icd10cm": 0.15})

    def retrieve(self, narrative, k=8):
        return self.base.retrieve(narrative, k)

    def candidates(self, ranked, k=8):
        return self.base.candidates(ranked, k)

    def rank(self, narrative, k=50):
        return {"icd10cm": [("E11.65", 0.9), ("Z79.84", 0.7), ("I10", 0.4), ("R51.9", 0.1)], "cpt": [],
                "hcpcs": [("J1815", 0.2)]}


def test_decision_rule_adds_confident_codes_and_drops_unsupported_ones(generator, retriever):
    from core.pipeline import Pipeline

    pipe = Pipeline(generator, _RuledRetriever(retriever), max_new_tokens=96, think_budget=24)
    answer = '<think>\n"diabetes" -> E11.65\n</think>\n{"icd10cm": ["R51.9", "E11.65", "I10"], "cpt": [], "hcpcs": []}'
    result = _scripted(pipe, answer, narrative=NARRATIVE + "; hypertension on lisinopril")  # the rules keep what is said
    assert result.codes == {"icd10cm": ["E11.65", "I10", "Z79.84"], "cpt": [], "hcpcs": []}
    by_code = {item.code: item for item in result.items}
    assert by_code["Z79.84"].source == "retriever" and by_code["Z79.84"].selected and by_code["Z79.84"].valid
    assert by_code["R51.9"].source == "model" and not by_code["R51.9"].selected  # 0.1 < the model's bar 0.15
    assert by_code["I10"].selected  # the model chose it and 0.4 >= 0.15
    assert [row[0] for row in result.ranked["icd10cm"][:3]] == ["E11.65", "Z79.84", "I10"]
    broken = _scripted(pipe, "<think>no idea</think> I cannot say.")
    assert broken.error and broken.codes["icd10cm"] == ["E11.65", "Z79.84"]


def test_retriever_only_ablation_needs_no_model(retriever):
    from core.pipeline import Pipeline

    pipe = Pipeline(None, _RuledRetriever(retriever), name="thce-x")
    narrative = "58-year-old with type 2 diabetes and hyperglycemia on metformin."
    result = pipe.code(narrative)
    assert result.codes == {"icd10cm": ["E11.65", "Z79.84"], "cpt": [], "hcpcs": []}  # the thresholds alone
    assert result.error is None and result.raw == "" and result.model_id == "thce-x (retriever only, no model)"
    assert all(item.source == "retriever" for item in result.items)
    batch = pipe.code_batch([narrative, ""])
    assert batch[0].codes == result.codes and isinstance(batch[1], ValueError)
    *chunks, final = list(pipe.stream(narrative))
    assert chunks == [] and final.codes == result.codes


def test_retrieval_runs_once_per_request(retriever):
    """Issue 14 (4c): the candidates in the prompt come from the one ranking, not from a second retrieve()."""
    from core.pipeline import Pipeline

    calls = {"rank": 0, "retrieve": 0}

    class Counting(_RuledRetriever):
        def rank(self, narrative, k=50):
            calls["rank"] += 1
            return super().rank(narrative, k)

        def retrieve(self, narrative, k=8):
            calls["retrieve"] += 1
            return super().retrieve(narrative, k)

    Pipeline(None, Counting(retriever), name="thce-x").code("type 2 diabetes with hyperglycemia on metformin")
    assert calls == {"rank": 1, "retrieve": 0}


def test_the_answer_mode_follows_the_environment(make_pipeline, monkeypatch):
    monkeypatch.setenv("THCE_ANSWER", "generated")
    assert make_pipeline().answer == "generated"
    monkeypatch.setenv("THCE_ANSWER", "json")
    with pytest.raises(ValueError, match="THCE_ANSWER must be one of reasoning, generated"):
        make_pipeline()
    monkeypatch.delenv("THCE_ANSWER")
    assert make_pipeline().answer == "reasoning"
    assert make_pipeline(answer="generated").answer == "generated"
