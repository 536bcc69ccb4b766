"""core.prompts.parse_output on well-formed and (mostly) malformed model answers: it never raises, it
recovers the codes when they are there, and it says what it repaired."""

import json

import pytest

from core.prompts import format_answer, parse_output

GOOD = '<think>\n"type 2 diabetes and hyperglycemia" -> E11.65\n</think>\n' \
       '{"icd10cm": ["E11.65"], "cpt": ["99214"], "hcpcs": ["J3420"]}'
EXPECTED = {"icd10cm": ["E11.65"], "cpt": ["99214"], "hcpcs": ["J3420"]}

# (name, model output, expected codes, expected reasoning substring or None)
RECOVERABLE = [
    ("lower case and no dots", '<think>dm</think>{"icd10cm": ["e1165"], "cpt": ["99214"], "hcpcs": ["j3420"]}',
     EXPECTED, "dm"),
    ("missing opening think tag", 'dm2 here</think>\n{"icd10cm": ["E11.65"], "cpt": ["99214"], "hcpcs": ["J3420"]}',
     EXPECTED, "dm2 here"),
    ("unclosed think tag", '<think>dm2 here\n{"icd10cm": ["E11.65"], "cpt": ["99214"], "hcpcs": ["J3420"]}',
     EXPECTED, "dm2 here"),
    ("no think tags, prose first", 'The patient has DM2.\n{"icd10cm": ["E11.65"], "cpt": ["99214"], "hcpcs": ["J3420"]}',
     EXPECTED, "DM2"),
    ("single quotes", "<think>x</think>{'icd10cm': ['E11.65'], 'cpt': ['99214'], 'hcpcs': ['J3420']}", EXPECTED, "x"),
    ("trailing commas", '<think>x</think>{"icd10cm": ["E11.65",], "cpt": ["99214"], "hcpcs": ["J3420"],}', EXPECTED, "x"),
    ("bare keys", '<think>x</think>{icd10cm: ["E11.65"], cpt: ["99214"], hcpcs: ["J3420"]}', EXPECTED, "x"),
    ("truncated before the closing brace", '<think>x</think>{"icd10cm": ["E11.65"], "cpt": ["99214"], "hcpcs": ["J3420"]',
     EXPECTED, "x"),
    ("truncated inside a list", '<think>x</think>{"icd10cm": ["E11.65", "I1', {"icd10cm": ["E11.65"], "cpt": [], "hcpcs": []},
     "x"),
    ("code under the wrong system", '<think>x</think>{"icd10cm": ["99214"], "cpt": ["E11.65"], "hcpcs": ["J3420"]}',
     EXPECTED, "x"),
    ("codes as one string", '<think>x</think>{"icd10cm": "E11.65", "cpt": "99214", "hcpcs": "J3420"}', EXPECTED, "x"),
    ("system name aliases", '<think>x</think>{"ICD-10-CM": ["E11.65"], "CPT": ["99214"], "HCPCS": ["J3420"]}', EXPECTED, "x"),
    ("list of objects", '<think>x</think>{"icd10cm": [{"code": "E11.65", "description": "DM2"}], "cpt": [{"code": "99214"}], '
     '"hcpcs": [{"code": "J3420"}]}', EXPECTED, "x"),
    ("one flat codes list", '<think>x</think>{"codes": ["E11.65", "99214", "J3420"]}', EXPECTED, "x"),
    ("codes in prose, no JSON", "<think>x</think>\nCodes: E11.65, 99214 and J3420.", EXPECTED, "x"),
    ("markdown code fence", '<think>x</think>\n```json\n{"icd10cm": ["E11.65"], "cpt": ["99214"], "hcpcs": ["J3420"]}\n```',
     EXPECTED, "x"),
    ("chatter after the JSON", GOOD + "\nHope this helps!", EXPECTED, "type 2 diabetes"),
    ("example JSON inside the reasoning", '<think>format is {"icd10cm": ["A00.0"]}</think>'
     '{"icd10cm": ["E11.65"], "cpt": ["99214"], "hcpcs": ["J3420"]}', EXPECTED, "format is"),
    ("duplicate codes", '<think>x</think>{"icd10cm": ["E11.65", "e11.65"], "cpt": ["99214"], "hcpcs": ["J3420"]}',
     EXPECTED, "x"),
    ("non-codes mixed in", '<think>x</think>{"icd10cm": ["diabetes", "E11.65", ""], "cpt": ["99214"], "hcpcs": ["J3420"]}',
     EXPECTED, "x"),
    ("numbers instead of strings", '<think>x</think>{"icd10cm": ["E11.65"], "cpt": [99214], "hcpcs": ["J3420"]}',
     EXPECTED, "x"),
    ("null lists", '<think>x</think>{"icd10cm": ["E11.65"], "cpt": null, "hcpcs": null}',
     {"icd10cm": ["E11.65"], "cpt": [], "hcpcs": []}, "x"),
    ("upper-case tags", '<THINK>x</THINK>{"icd10cm": ["E11.65"], "cpt": ["99214"], "hcpcs": ["J3420"]}', EXPECTED, "x"),
    ("spaced tags", '< think >x</ think >{"icd10cm": ["E11.65"], "cpt": ["99214"], "hcpcs": ["J3420"]}', EXPECTED, "x"),
    ("curly quotes", '<think>x</think>{“icd10cm”: [“E11.65”], “cpt”: [“99214”], “hcpcs”: [“J3420”]}', EXPECTED, "x"),
    ("bare list of codes", '<think>x</think>["E11.65", "99214", "J3420"]', EXPECTED, "x"),
    ("missing systems", '<think>x</think>{"icd10cm": ["E11.65"]}', {"icd10cm": ["E11.65"], "cpt": [], "hcpcs": []}, "x"),
    ("whitespace inside codes", '<think>x</think>{"icd10cm": [" E11.65 "], "cpt": ["99214 "], "hcpcs": ["J3420"]}',
     EXPECTED, "x"),
]

# harmless variations that need no repair note
SILENT = {"example JSON inside the reasoning", "upper-case tags", "spaced tags"}

UNRECOVERABLE = [
    ("empty", ""),
    ("whitespace only", "  \n\t "),
    ("None", None),
    ("reasoning only", "<think>I am not sure what this is.</think>"),
    ("prose only", "I cannot code this narrative."),
    ("control characters", "\x00\x01\x02" * 300),
    ("unbalanced braces only", "{{{{ }} ]]"),
]


def test_well_formed_answer():
    parsed = parse_output(GOOD)
    assert parsed.ok and parsed.error is None
    assert parsed.codes == EXPECTED
    assert parsed.reasoning.startswith('"type 2 diabetes')
    assert parsed.repairs == []


def test_format_answer_round_trips():
    text = format_answer("because", EXPECTED)
    parsed = parse_output(text)
    assert parsed.ok and parsed.codes == EXPECTED and parsed.reasoning == "because" and parsed.repairs == []


@pytest.mark.parametrize(("name", "text", "codes", "reasoning"), RECOVERABLE, ids=[r[0] for r in RECOVERABLE])
def test_malformed_answers_are_recovered(name, text, codes, reasoning):
    parsed = parse_output(text)
    assert parsed.ok, parsed.error
    assert parsed.codes == codes
    assert reasoning in parsed.reasoning
    if name not in SILENT:
        assert parsed.repairs, "a malformed answer must report what was repaired"


@pytest.mark.parametrize(("name", "text"), UNRECOVERABLE, ids=[u[0] for u in UNRECOVERABLE])
def test_unrecoverable_answers_fail_cleanly(name, text):
    parsed = parse_output(text)
    assert not parsed.ok
    assert parsed.error
    assert parsed.codes == {"icd10cm": [], "cpt": [], "hcpcs": []}


def test_reasoning_survives_a_missing_answer():
    parsed = parse_output("<think>I am not sure what this is.</think>")
    assert parsed.reasoning == "I am not sure what this is."


def test_code_shaped_unknowns_are_kept_for_validation_and_words_dropped():
    parsed = parse_output('<think>x</think>{"icd10cm": ["diabetes"], "cpt": ["9921"], "hcpcs": []}')
    assert parsed.codes["cpt"] == ["9921"]
    assert parsed.codes["icd10cm"] == []
    assert any("diabetes" in r for r in parsed.repairs)


def test_normalization_is_reported():
    parsed = parse_output('<think>x</think>{"icd10cm": ["e1165"], "cpt": [], "hcpcs": []}')
    assert any("E11.65" in r for r in parsed.repairs)


REASONING = """"burning on urination" -> R30.0; N39.0.
"Level of MDM: low" -> 99213.
"ceftriaxone 1 g IM" -> J0696 (x4); 96372.
"urine culture" -> 87086, 81003.
"a made-up finding" -> Q99.99; E11.
99214: no single sentence, inferred from the whole case.
"burning" -> R30.0.
Not coded: "no fever" (negated); "mother with E11.9" (family history)."""


def test_reasoning_codes_are_the_valid_codes_each_line_cites_once_in_order():
    from core.prompts import reasoning_codes

    assert reasoning_codes(REASONING) == {"icd10cm": ["R30.0", "N39.0"],
                                          "cpt": ["99213", "96372", "87086", "81003", "99214"],
                                          "hcpcs": ["J0696"]}
    assert reasoning_codes("No billable code is supported by the documentation.") == \
        {"icd10cm": [], "cpt": [], "hcpcs": []}


def test_the_answer_line_is_written_only_after_a_closed_reasoning_without_an_answer():
    from core.prompts import answer_from_reasoning

    text = f"<think>\n{REASONING}\n</think>"
    line = answer_from_reasoning(text)
    assert line.startswith("\n")
    parsed = parse_output(text + line)
    assert parsed.ok and not parsed.repairs and parsed.codes["hcpcs"] == ["J0696"]
    assert json.loads(line) == parsed.codes
    assert answer_from_reasoning(text + '\n{"icd10cm": [], "cpt": [], "hcpcs": []}') == ""  # already answered
    assert answer_from_reasoning(f"<think>\n{REASONING}") == ""  # cut off before </think>
    assert answer_from_reasoning("") == ""
