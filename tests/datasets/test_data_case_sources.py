"""One case-spec grammar for load_cases, load_source (thce data build) and thce eval."""

import pytest

from core.datasets import load_cases
from core.datasets.case_sources import CaseSpec, load_source, parse_case_spec


@pytest.mark.parametrize(("spec", "parsed"), [
    ("synthetic", CaseSpec("synthetic")),
    ("synthetic:50", CaseSpec("synthetic", count=50)),
    ("synthetic:50:7919", CaseSpec("synthetic", count=50, seed=7919)),
    ("synthetic::3", CaseSpec("synthetic", seed=3)),
    ("Rules:4:2", CaseSpec("rules", count=4, seed=2)),
    ("llm:10", CaseSpec("llm", count=10)),
    ("codiesp:../shared/datasets/codiesp/dev", CaseSpec("codiesp", path="../shared/datasets/codiesp/dev")),
    ("raw: notes.jsonl ", CaseSpec("raw", path="notes.jsonl")),
    ("cases.jsonl", CaseSpec("file", path="cases.jsonl")),
    ("/tmp/a:b.jsonl", CaseSpec("file", path="/tmp/a:b.jsonl")),
])
def test_accepted_forms(spec, parsed):
    assert parse_case_spec(spec) == parsed


@pytest.mark.parametrize(("spec", "message"), [
    ("synthetic:many", "N must be an integer"),
    ("synthetic:5:x", "SEED must be an integer"),
    ("rules:-1", "N must not be negative"),
    ("synthetic:1:2:3", r"expected synthetic\[:N\[:SEED\]\]"),
    ("codiesp:", "expected codiesp:PATH"),
    ("raw", "expected raw:PATH"),
])
def test_malformed_specs_name_the_spec(spec, message):
    with pytest.raises(ValueError, match=message):
        parse_case_spec(spec)


def test_both_loaders_take_the_same_spec():
    cases = load_cases("synthetic:3:1")
    source = load_source("synthetic:3:1")
    assert [case.narrative for case in source.cases] == [case["narrative"] for case in cases]
    assert len(load_cases("rules:2")) == 2
    with pytest.raises(ValueError, match="unknown source"):
        load_source("cases.jsonl")
