"""Regressions of `thce codes`: a repeated code is validated (and its Excludes1 conflict listed) once, `show`
gives the chapter with its title, and `coverage` says a missing dataset file is missing."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import core.codes
from core.commands.codes import app

runner = CliRunner()


@pytest.fixture
def with_fixture_codes(monkeypatch, fixture_codeset):
    monkeypatch.setattr(core.codes, "get_codeset", lambda *args, **kwargs: fixture_codeset)


def test_a_repeated_code_is_checked_once_and_its_conflict_listed_once(with_fixture_codes):
    result = runner.invoke(app, ["validate", "E10.9", "E11.9", "E11.9", "e119", "--json"])
    assert result.exit_code == 1
    rows = json.loads(result.stdout)
    assert [row["normalized"] for row in rows] == ["E10.9", "E11.9"]
    assert [len(row["conflicts"]) for row in rows] == [1, 1]
    assert "E11.9 was given 3 times; checked once" in result.stderr
    table = runner.invoke(app, ["validate", "E10.9", "E11.9", "E11.9"], env={"COLUMNS": "200"})
    assert table.exit_code == 1
    assert table.stdout.count("Excludes1 conflict") == 1
    assert table.stdout.count("Type 2 diabetes mellitus without complications") == 1


def test_distinct_codes_keep_their_order_and_bad_inputs_stay(with_fixture_codes):
    result = runner.invoke(app, ["validate", "XYZ", "E11.9", "XYZ", "99214", "--json"])
    rows = json.loads(result.stdout)
    assert [row["code"] for row in rows] == ["XYZ", "E11.9", "99214"] and "XYZ was given 2 times" in result.stderr


def test_show_names_the_chapter_with_its_title(with_fixture_codes):
    result = runner.invoke(app, ["show", "E11.9"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "Chapter 4: Endocrine, nutritional and metabolic diseases (E00-E89)" in result.stdout
    assert "Diabetes mellitus (E08-E13)" in result.stdout and "E11: Type 2 diabetes mellitus" in result.stdout
    assert "4 > E08-E13" not in result.stdout
    lines = result.stdout.splitlines()
    chapter = next(i for i, line in enumerate(lines) if "Chapter 4:" in line)
    assert "E11: Type 2" in lines[chapter + 2]  # from the chapter down, one line each
    assert json.loads(runner.invoke(app, ["show", "E11.9", "--json"]).stdout)["ancestors"] == ["E11", "E08-E13", "4"]


def test_coverage_of_a_missing_file_says_not_found(with_fixture_codes, tmp_path):
    result = runner.invoke(app, ["coverage", "--dataset", str(tmp_path / "nope.jsonl")])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"file not found: {tmp_path / 'nope.jsonl'}" in result.stderr and "expected" not in result.stderr
