"""The reasoning style enforced while decoding (core.inference.style): verbatim quotes, short quotes, no
"(description)" after an ICD-10-CM code, short reasons after CPT/HCPCS codes; through the tracker, the plain loop
and prompt-lookup generation."""

from __future__ import annotations

import re

import pytest
import torch

from core.inference.style import SHORTENED, ReasoningStyle, normalize, open_quote

NARRATIVE = "Patient with type 2 diabetes.\nShe reports  burning on urination for three days."


@pytest.fixture
def style(generator):
    return ReasoningStyle.for_narrative(generator.vocab, NARRATIVE)


def _feed(generator, tracker, text):
    for token_id in generator.vocab.encode(text):
        tracker.feed(token_id)


def test_quotes_are_checked_against_the_narrative_ignoring_case_and_spacing(style):
    assert style.quote_ok("type 2 diab")
    assert style.quote_ok("TYPE 2 DIABETES.")
    assert style.quote_ok("diabetes. she reports burning")  # across a line break and a double space
    assert style.quote_ok("burning on urination ...")  # the shortened-quote mark
    assert not style.quote_ok("type 1 diabetes")
    assert not style.quote_ok("dysuria")
    assert style.line_ok('"type 2 diabetes" -> E11.9.\n"burning on')
    assert not style.line_ok('"type 2 diabetes" -> E11.9.\n"painful urination')
    assert normalize("A  b\nC") == "a b c"


def test_open_quote_and_the_parenthesis_rule(style):
    assert open_quote('"fever" -> R50.9') is None
    assert open_quote('"fever and') == "fever and"
    assert style.banned_after('"type 2 diabetes" -> E11.9') is not None
    assert style.banned_after('"burning on urination" -> R30.0; N39.0') is not None
    assert style.banned_after('"burning on urination" -> R30.0.') is None
    assert style.banned_after('Not coded: "fever"') is None  # an exclusion's label may follow in parentheses
    assert style.banned_after('"type 2') is None
    assert style.banned_after('"Level of MDM: low" -> 99203') is not None  # no "/99205" or "-99205" alternative


def test_no_alternative_code_after_a_code(generator):
    tracker = generator.tracker(think_budget=500, narrative=NARRATIVE, style=True)
    _feed(generator, tracker, '<think>\n"type 2 diabetes" -> E11.9')
    period = generator.vocab.encode(".")[0]
    for joiner in ("/", "-", ","):
        logits = torch.zeros(generator.model.config.vocab_size)
        logits[generator.vocab.encode(joiner)[0]] = 10.0
        logits[period] = 5.0
        assert tracker.pick(logits) == period, joiner


def test_a_long_quote_is_closed_with_the_shortened_mark(generator, style):
    tracker = generator.tracker(think_budget=500, narrative=NARRATIVE, style=True)
    _feed(generator, tracker, '<think>\n"one two three four five six seven eight nine ten eleven twelve')
    assert tracker.allowed_ids() is None  # twelve words: still free
    _feed(generator, tracker, " thirteen")
    forced = []
    while (allowed := tracker.allowed_ids()) is not None:
        forced.append(int(allowed[0]))
        tracker.feed(forced[-1])
    assert generator.decode(forced) == SHORTENED
    assert open_quote(tracker._line) is None


def _logits_preferring(generator, texts: list[str]) -> torch.Tensor:
    """Logits whose best tokens are the first token of each text, in order."""
    logits = torch.zeros(generator.model.config.vocab_size)
    for rank, text in enumerate(texts):
        logits[generator.vocab.encode(text)[0]] = 100.0 - rank
    return logits


def test_pick_keeps_quotes_verbatim_and_drops_the_description(generator):
    tracker = generator.tracker(think_budget=500, narrative=NARRATIVE, style=True)
    _feed(generator, tracker, '<think>\n"type 2')
    wrong, right = " insulin", " diabetes"
    assert generator.decode([tracker.pick(_logits_preferring(generator, [wrong, right]))]) == right
    nothing_fits = _logits_preferring(generator, [" insulin", " hypertension"])
    nothing_fits[generator.vocab.encode(" diabetes")[0]] = -100.0  # outside the top tokens tried
    assert generator.decode([tracker.pick(nothing_fits)]) == '"'  # no verbatim way on: the quote closes
    _feed(generator, tracker, ' diabetes" -> E11.9')
    logits = torch.zeros(generator.model.config.vocab_size)
    logits[tracker.style.after_code_ids] = 10.0
    period = generator.vocab.encode(".")[0]
    logits[period] = 5.0
    assert tracker.pick(logits) == period
    _feed(generator, tracker, " ")
    assert tracker.pick(logits) == period  # "(" after a space is a description too
    free = generator.tracker(think_budget=500)  # no style: the model's choice stands
    _feed(generator, free, '<think>\n"type 2 diabetes" -> E11.9')
    assert int(free.pick(logits)) in tracker.style.after_code_ids.tolist()


@pytest.mark.parametrize("lookup", [0, 4])
def test_the_style_holds_in_generated_answers(generator, lookup):
    """A random model, plain loop and prompt lookup alike: every quote it writes is in the narrative."""
    from core.prompts import build_messages, split_reasoning

    prompt = generator.prompt_ids(build_messages(NARRATIVE))
    old = generator.prompt_lookup
    generator.prompt_lookup = lookup
    try:
        tracker = generator.tracker(generator.valid_grammar, think_budget=60, narrative=NARRATIVE, style=True)
        text = generator.decode(list(generator.stream(prompt, tracker, max_new_tokens=120)))
    finally:
        generator.prompt_lookup = old
    reasoning, _ = split_reasoning(text, [])
    style = ReasoningStyle.for_narrative(generator.vocab, NARRATIVE)
    for line in reasoning.splitlines():
        assert style.line_ok(line), line
        for code, reason in re.findall(r'(?:->|;)\s*([A-Z0-9][A-Z0-9.]*)\s*\(([^()]*)', line):
            assert re.fullmatch(r"\d{4}[0-9A-Z]|[A-Z]\d{4}", code), line  # no "(" after an ICD-10-CM code
            assert len(reason.split()) <= style.reason_words, line


def test_pipeline_style_follows_the_environment(make_pipeline, monkeypatch):
    monkeypatch.setenv("THCE_REASONING_STYLE", "0")
    assert make_pipeline().style is False
    monkeypatch.delenv("THCE_REASONING_STYLE")
    assert make_pipeline().style is True
    assert make_pipeline(style=False).style is False


def test_a_short_reason_may_follow_a_procedure_code(generator, monkeypatch):
    """THCE_REASON_WORDS (reason_words): "(" may follow a CPT or HCPCS code, and the reason is closed at a word
    boundary once it holds that many words; after an ICD-10-CM code "(" stays banned (a description), and "/",
    "-" and "," after any code. With 0 "(" is banned after every code, as before."""
    assert ReasoningStyle.for_narrative(generator.vocab, NARRATIVE).reason_words == 6  # the default
    monkeypatch.setenv("THCE_REASON_WORDS", "0")
    assert ReasoningStyle.for_narrative(generator.vocab, NARRATIVE).reason_words is None
    monkeypatch.delenv("THCE_REASON_WORDS")
    strict = ReasoningStyle.for_narrative(generator.vocab, NARRATIVE, reason_words=0)
    assert strict.reason_words is None and not strict.reason_is_long('"type 2 diabetes" -> E11.9 (a b c d e f g')
    style = ReasoningStyle.for_narrative(generator.vocab, NARRATIVE, reason_words=3)
    assert style.reason_is_long('"type 2 diabetes" -> 99213 (without any complication')
    assert not style.reason_is_long('"type 2 diabetes" -> 99213 (without any')
    assert not style.reason_is_long('"type 2 diabetes" -> 99213 (without any complication) and more words here')
    assert not style.reason_is_long('Not coded: "fever" (negated, a b c d')  # an exclusion's label: no code
    # "(" banned after an ICD-10-CM code (after_icd_ids), a short reason allowed after a procedure code
    assert style.banned_after('"type 2 diabetes" -> E11.9') is style.after_icd_ids
    assert style.banned_after('"x" -> I10; R30.0') is style.after_icd_ids
    assert style.banned_after('"MDM: low" -> 99203') is style.after_code_ids
    assert style.banned_after('"x" -> E11.9; J1100') is style.after_code_ids
    assert strict.banned_after('"MDM: low" -> 99203') is strict.after_code_ids  # strict: it holds "(" too
    tracker = generator.tracker(think_budget=500, narrative=NARRATIVE, style=True)
    tracker.style = style
    _feed(generator, tracker, '<think>\n"type 2 diabetes" -> E11.9')
    texts = generator.vocab.texts
    paren = next(i for i in generator.vocab.after_code_ids.tolist() if texts[i].lstrip(" ").startswith("("))
    period = generator.vocab.encode(".")[0]
    logits = torch.zeros(generator.model.config.vocab_size)
    logits[paren], logits[period] = 10.0, 5.0
    assert tracker.pick(logits) == period  # after an ICD-10-CM code "(" would start a description
    tracker = generator.tracker(think_budget=500, narrative=NARRATIVE, style=True)
    tracker.style = style
    _feed(generator, tracker, '<think>\n"type 2 diabetes" -> 99213')
    logits = torch.zeros(generator.model.config.vocab_size)
    logits[paren], logits[period] = 10.0, 5.0
    assert tracker.pick(logits) == paren  # allowed after a procedure code
    for joiner in ("/", "-", ","):
        logits = torch.zeros(generator.model.config.vocab_size)
        logits[generator.vocab.encode(joiner)[0]], logits[period] = 10.0, 5.0
        assert tracker.pick(logits) == period, joiner
    _feed(generator, tracker, ' (without any complication')
    word = generator.vocab.encode(" today")[0]
    logits = torch.zeros(generator.model.config.vocab_size)
    logits[word] = 10.0
    assert generator.vocab.text(tracker.pick(logits)) == ")"  # the fourth word is not started
    strict_tracker = generator.tracker(think_budget=500, narrative=NARRATIVE, style=True)
    strict_tracker.style = strict
    _feed(generator, strict_tracker, '<think>\n"MDM: low" -> 99213')
    logits = torch.zeros(generator.model.config.vocab_size)
    logits[paren], logits[period] = 10.0, 5.0
    assert strict_tracker.pick(logits) == period  # THCE_REASON_WORDS=0 bans "(" after every code


def _decoder_keeps(generator, narrative: str, reasoning: str) -> bool:
    """True when the styled tracker lets a model that wants exactly `reasoning` write it token for token."""
    tracker = generator.tracker(think_budget=10_000, narrative=narrative, style=True)
    _feed(generator, tracker, "<think>\n")
    for token_id in generator.vocab.encode(reasoning):
        allowed = tracker.allowed_ids()
        if allowed is not None and token_id not in allowed.tolist():
            return False
        logits = torch.zeros(generator.model.config.vocab_size)
        logits[token_id] = 100.0
        if allowed is None and tracker.pick(logits) != token_id:
            return False
        tracker.feed(token_id)
    return True


CLEAN = ['"type 2 diabetes" -> E11.9.\n"burning on urination" -> R30.0; 99213 (established patient, low MDM).',
         '"She reports burning on urination for three days." -> R30.0.\nNot coded: "type 2 diabetes" (negated).',
         '"burning on urination" -> J1100 (x4 units: 4 mg, 1 mg/unit).']
CONFLICTS = {'"type 2 diabetes" -> E11.9 (without complications).': "'(' right after E11.9",
             '"burning on urination" -> 99213 (established patient, low MDM, two stable problems).': "reason after 99213",
             '"type 2 diabetes" -> E11.9/E11.65.': "'/' right after E11.9",
             '"type 1 diabetes" -> E10.9.': "quote not in the narrative",
             '"type 2 diabetes" -> E11.9.\n"type 2 diabetes" -> E11.9.': "line written twice"}


def test_style_conflicts_names_what_the_decoder_would_change(generator):
    """The text-level check (used on training files) agrees with the token-level decoder, both ways."""
    from core.reasoning_lines import style_conflicts

    for text in CLEAN:
        assert style_conflicts(text, NARRATIVE) == [], text
        assert _decoder_keeps(generator, NARRATIVE, text), text
    for text, phrase in CONFLICTS.items():
        problems = style_conflicts(text, NARRATIVE)
        assert problems and problems[0].startswith(phrase), (text, problems)
        if "written twice" not in phrase:  # a repeated line ends the reasoning (tested with the tracker)
            assert not _decoder_keeps(generator, NARRATIVE, text), text
    long_quote = '"Patient with type 2 diabetes. She reports burning on urination for three days." -> R30.0.'
    assert style_conflicts(long_quote, NARRATIVE)[0].startswith("quote over 12 words")
    assert style_conflicts('"Patient with type 2 diabetes. She reports burning on urination for ..." -> R30.0.',
                           NARRATIVE) == []  # cut at 12 words with the mark, as the training data writes it
    assert style_conflicts('"type 2 diabetes" -> 99213 (a b c d e f g).', NARRATIVE, reason_words=8) == []


def test_training_reasoning_is_what_the_decoder_writes(generator, tmp_path):
    """Every kind of training case renders reasoning the style lets the model write unchanged: synthetic notes,
    rule cases and CodiEsp cases (no description after an ICD-10-CM code, short procedure reasons, quotes from
    the narrative without quote marks of their own)."""
    import itertools

    from core.datasets.codiesp import read_codiesp
    from core.datasets.reasoning import case_reasoning
    from core.datasets.rule_cases import generate_rule_cases
    from core.datasets.synthetic import generate_cases
    from core.paths import REPO_ROOT
    from core.reasoning_lines import style_conflicts

    cases = [*itertools.islice(generate_cases(40, seed=3), 40), *itertools.islice(generate_rule_cases(40, seed=3), 40)]
    split = tmp_path / "dev"
    (split / "text_files_en").mkdir(parents=True)
    (split / "text_files_en" / "c1.txt").write_text(
        'A 70-year-old woman with "poorly controlled" essential hypertension and chronic kidney disease stage 3.\n'
        "Abdominal pain in the right lower quadrant for two days.\n", encoding="utf-8")
    (split / "devD.tsv").write_text("c1\ti10\nc1\tn18.30\nc1\tr10.31\n", encoding="utf-8")
    cases += read_codiesp(split)[0]
    real = REPO_ROOT.parent / "shared" / "datasets" / "codiesp" / "train"  # the project's copy, when present
    if real.is_dir():
        cases += read_codiesp(real)[0][:20]
    for case in cases:
        reasoning = case_reasoning(case)
        assert style_conflicts(reasoning, case.narrative) == [], (case.id, reasoning)
    for case in cases[::10]:  # the decoder agrees (slower: one tracker step per token)
        assert _decoder_keeps(generator, case.narrative, case_reasoning(case)), case.id
