"""Constrained decoding: the answer grammar, its token sets, and generation under it."""

import pytest

from core.constraints import (
    DONE,
    MAX_CODES_PER_SYSTEM,
    START_STATE,
    AnswerGrammar,
    CodeTrie,
    candidate_tries,
    valid_code_tries,
)
from core.prompts import build_messages, parse_output

NARRATIVE = "58-year-old with type 2 diabetes and hyperglycemia on metformin, HbA1c 9.1%"


@pytest.fixture(scope="module")
def grammar(generator):
    tries = candidate_tries([("icd10cm", "E11.65"), ("icd10cm", "E11.9"), ("icd10cm", "I10"), ("cpt", "99214")])
    return AnswerGrammar(generator.vocab, tries)


def test_trie_holds_words_not_prefixes():
    trie = CodeTrie(["E11.65", "E11.9", "E11.65"])
    assert "E11.65" in trie and "E11.9" in trie
    assert "E11" not in trie and "E11.6" not in trie and "X" not in trie
    assert trie.size == 2


def test_valid_tries_hold_billable_codes_only():
    tries = valid_code_tries()
    assert "E11.65" in tries["icd10cm"]
    assert "E11" not in tries["icd10cm"]  # a category, not billable
    assert tries["icd10cm"].size > 70_000


def test_grammar_accepts_a_well_formed_answer(grammar):
    state = grammar.run(START_STATE, '{"icd10cm": ["E11.65", "I10"], "cpt": ["99214"], "hcpcs": []}')
    assert grammar.is_done(state)


@pytest.mark.parametrize("text", [
    '{"icd10cm": ["E11.66"]',  # not an allowed code
    '{"icd10cm": ["E11"]',  # a prefix of allowed codes closed too early
    '{"icd10cm": [], "icd10cm": []',  # a key twice
    '{"diagnoses": []',  # not a system
    '{"hcpcs": ["',  # no allowed hcpcs code: the list must stay empty
    '{"icd10cm": [E11.65]',  # unquoted code
    '{"icd10cm": ["E11.65"]}}',  # text after the end
    '{      "icd10cm": []',  # a long run of whitespace
])
def test_grammar_rejects(grammar, text):
    assert grammar.run(START_STATE, text) is None


def test_grammar_bounds_list_length(generator):
    codes = [f"A{i:02d}" for i in range(MAX_CODES_PER_SYSTEM + 1)]
    grammar = AnswerGrammar(generator.vocab, candidate_tries(("icd10cm", c) for c in codes))
    prefix = '{"icd10cm": [' + ", ".join(f'"{c}"' for c in codes[:MAX_CODES_PER_SYSTEM])
    assert grammar.run(START_STATE, prefix + "]}") is not None
    assert grammar.run(START_STATE, prefix + f', "{codes[-1]}"') is None


def test_allowed_tokens_stay_in_the_grammar(grammar, generator):
    state = grammar.run(START_STATE, '{"icd10cm": ["E11.')
    allowed = grammar.allowed_ids(state).tolist()
    texts = [generator.vocab.text(i) for i in allowed]
    assert allowed and all(grammar.run(state, t) is not None for t in texts)
    assert "6" in texts and "9" in texts and "1" not in texts
    closing = grammar.run(START_STATE, '{"icd10cm": ["I10')
    assert any(generator.vocab.text(i).startswith('"') for i in grammar.allowed_ids(closing).tolist())


def test_only_eos_once_the_answer_is_done(grammar, generator):
    state = grammar.run(START_STATE, "{}")
    assert state[0] == DONE
    assert set(grammar.allowed_ids(state).tolist()) == set(generator.eos_ids)


def _feed_text(generator, tracker, text):
    for token_id in generator.vocab.encode(text):
        tracker.feed(token_id)


def test_tracker_ends_at_the_closing_brace(generator):
    tracker = generator.tracker()
    _feed_text(generator, tracker, "<think>\nsee {braces} in reasoning\n</think>\n")
    assert tracker.phase == "answer" and not tracker.done
    _feed_text(generator, tracker, '{"icd10cm": ["E11.65"], "cpt": ["}"]')
    assert not tracker.done  # a brace inside a string does not count
    _feed_text(generator, tracker, "}")
    assert tracker.done


def _forced_until_answer(tracker) -> list[int]:
    """The tokens the tracker forces (one allowed id each) until its answer starts."""
    forced = []
    while tracker.phase != "answer":
        allowed = tracker.allowed_ids()
        assert allowed is not None and allowed.numel() == 1
        forced.append(int(allowed[0]))
        tracker.feed(forced[-1])
    return forced


def test_tracker_forces_think_close_after_its_budget(generator):
    tracker = generator.tracker(think_budget=3)
    _feed_text(generator, tracker, "<think> one two three four")
    assert "</think>" in generator.decode(_forced_until_answer(tracker))


def test_a_tracker_that_stops_at_the_answer_is_done_at_think_close(generator):
    tracker = generator.tracker(generator.valid_grammar, stop_at_answer=True)
    _feed_text(generator, tracker, '<think>\n"type 2 diabetes" -> E11.9.\n')
    assert not tracker.done
    _feed_text(generator, tracker, "</think>")
    assert tracker.done and tracker.allowed_ids() is None
    budget = generator.tracker(think_budget=3, stop_at_answer=True)  # a forced </think> ends it too
    _feed_text(generator, budget, "<think> one two three four")
    assert "</think>" in generator.decode(_forced_until_answer(budget)) and budget.done


def test_generation_that_stops_at_the_answer_ends_with_think_close(generator):
    ids = generator.prompt_ids(build_messages(NARRATIVE))
    for lookup in (0, 8):
        generator.prompt_lookup, saved = lookup, generator.prompt_lookup
        try:
            tracker = generator.tracker(generator.valid_grammar, think_budget=8, stop_at_answer=True)
            text = generator.decode(list(generator.stream(ids, tracker, max_new_tokens=120)))
        finally:
            generator.prompt_lookup = saved
        assert tracker.done and text.rstrip().endswith("</think>")


def _constrained_answer(generator, grammar, narrative=NARRATIVE):
    tracker = generator.tracker(grammar, think_budget=8)
    ids = generator.prompt_ids(build_messages(narrative))
    tokens = list(generator.stream(ids, tracker, max_new_tokens=120))
    return tracker, parse_output(generator.decode(tokens))


def test_random_model_under_the_valid_grammar_answers_valid_codes(generator):
    from core.codes import get_codeset

    tracker, parsed = _constrained_answer(generator, generator.valid_grammar)
    assert tracker.done and parsed.ok
    codes = [(s, c) for s, cs in parsed.codes.items() for c in cs]
    assert all(get_codeset().is_valid(c, s) for s, c in codes)


def test_random_model_under_the_candidate_grammar_answers_candidates(generator, grammar):
    tracker, parsed = _constrained_answer(generator, grammar)
    assert tracker.done and parsed.ok
    assert set(parsed.codes["icd10cm"]) <= {"E11.65", "E11.9", "I10"}
    assert set(parsed.codes["cpt"]) <= {"99214"} and parsed.codes["hcpcs"] == []


def test_a_model_stopping_before_its_answer_is_made_to_answer(generator, grammar):
    eos = next(iter(generator.eos_ids))
    free = generator.tracker()
    assert free.redirect(eos) == eos
    tracker = generator.tracker(grammar)
    _feed_text(generator, tracker, "<think> short")
    token_id = tracker.redirect(eos)
    assert token_id != eos
    while tracker.phase != "answer":
        tracker.feed(token_id)
        allowed = tracker.allowed_ids()
        token_id = int(allowed[0]) if allowed is not None else token_id
    assert tracker.state is not None and not tracker.done


def test_tracker_closes_reasoning_that_repeats_a_line(generator):
    tracker = generator.tracker(think_budget=500)
    _feed_text(generator, tracker, '<think>\n"fever" -> R50.9.\n"cough" -> R05.9.\n')
    assert tracker.allowed_ids() is None  # distinct lines: free to go on
    _feed_text(generator, tracker, '"fever" -> R50.9.\n')
    assert "</think>" in generator.decode(_forced_until_answer(tracker))
