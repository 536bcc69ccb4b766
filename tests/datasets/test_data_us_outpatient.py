"""The US outpatient evaluation set: size, settings, valid gold, rule tags, and rules that leave gold alone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.datasets import load_cases
from core.datasets.us_outpatient import build_us_outpatient
from core.rules import OPT_IN, apply_rules, find_conflicts, rule_names

SHIPPED = Path(__file__).resolve().parents[2] / "data" / "eval" / "us_outpatient.jsonl"


@pytest.fixture(scope="module")
def cases():
    return [json.loads(line) for line in SHIPPED.read_text(encoding="utf-8").splitlines()]


def test_shipped_file_is_the_seeded_generator_output(cases):
    assert cases == build_us_outpatient()


def test_size_settings_and_rule_tags(cases):
    assert len(cases) >= 150 and len({c["id"] for c in cases}) == len(cases)
    assert {c["setting"] for c in cases} == {"primary_care", "ed", "urgent_care", "orthopedics"}
    tagged = {rule for c in cases for rule in c["rules"]}
    assert tagged == set(rule_names()) | {rule.name for rule in OPT_IN}  # every rule has a slice


def test_gold_is_valid_conflict_free_and_a_fixed_point_of_the_rules(cases):
    from core.codes import get_codeset

    codeset = get_codeset()
    for case in cases:
        assert all(codeset.is_valid(code, system) for system, codes in case["codes"].items() for code in codes), case
        assert find_conflicts(case["codes"], codeset) == []
        assert apply_rules(case["codes"], case["narrative"], codeset).edits == [], case["id"]


def test_load_cases_keeps_rules_and_setting():
    loaded = load_cases(str(SHIPPED))
    assert loaded[0]["meta"]["rules"] and loaded[0]["meta"]["setting"] == "primary_care"
