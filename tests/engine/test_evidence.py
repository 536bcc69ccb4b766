"""Evidence spans in the narrative."""

from core.evidence import best_overlap, evidence_highlights, find_evidence, locate

NARRATIVE = ("58-year-old with type 2 diabetes and hyperglycemia on metformin, HbA1c 9.1%. "
             "Established patient, moderate complexity visit. Denies chest pain.")


def _check_span(evidence):
    assert evidence.span is not None
    start, end = evidence.span
    assert NARRATIVE[start:end] == evidence.quote


def test_quote_from_reasoning_line_naming_the_code():
    reasoning = '"type 2 diabetes and hyperglycemia" -> E11.65\n"moderate complexity" -> 99214'
    evidence = find_evidence(NARRATIVE, ["unrelated"], reasoning, "E11.65")
    assert evidence.quote == "type 2 diabetes and hyperglycemia"
    _check_span(evidence)
    assert find_evidence(NARRATIVE, [], reasoning, "99214").quote == "moderate complexity"


def test_arrow_phrase_and_code_without_dot():
    evidence = find_evidence(NARRATIVE, [], "- on metformin -> Z7984 long-term oral drug", "Z79.84")
    assert evidence.quote == "on metformin"
    _check_span(evidence)


def test_quote_not_in_narrative_falls_back_to_overlap():
    reasoning = '"insulin pump failure" -> E11.65'
    evidence = find_evidence(NARRATIVE, ["Type 2 diabetes mellitus with hyperglycemia"], reasoning, "E11.65")
    assert "type 2 diabetes and hyperglycemia" in evidence.quote
    _check_span(evidence)


def test_overlap_picks_the_matching_phrase():
    evidence = best_overlap(NARRATIVE, ["Office visit, established patient, moderate medical decision making"])
    assert evidence.quote == "Established patient, moderate complexity visit"
    _check_span(evidence)


def test_no_overlap_gives_no_evidence():
    assert find_evidence(NARRATIVE, ["Appendicitis"], "", "K35.80").span is None
    assert find_evidence("", ["Appendicitis"]).quote == ""


def test_locate_is_case_insensitive_and_rejects_short_phrases():
    assert locate(NARRATIVE, "DENIES CHEST PAIN") == (NARRATIVE.index("Denies"), NARRATIVE.index("Denies") + 17)
    assert locate(NARRATIVE, "on") is None


def test_highlights_label_the_valid_spans_once_and_keep_every_character():
    items = [{"code": "E11.65", "valid": True, "span": [17, 50]}, {"code": "E11", "valid": False, "span": [0, 2]},
             {"code": "E11.9", "valid": True, "span": [20, 30]}, {"code": "Z00", "valid": True, "span": [10, 999]}]
    pieces = evidence_highlights(NARRATIVE, {"items": items})
    assert "".join(text for text, _ in pieces) == NARRATIVE
    assert [(text, label) for text, label in pieces if label] == [("type 2 diabetes and hyperglycemia", "E11.65")]
