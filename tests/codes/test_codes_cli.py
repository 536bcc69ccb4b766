from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import core.codes
from core.commands.codes import app

runner = CliRunner()


@pytest.fixture
def with_fixture_codes(monkeypatch, fixture_codeset):
    """The CLI sees the CodeSet with the tiny curated CPT/HCPCS tables."""
    monkeypatch.setattr(core.codes, "get_codeset", lambda *args, **kwargs: fixture_codeset)


def _no_traceback(result) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output


def test_validate_all_valid_json(with_fixture_codes):
    result = runner.invoke(app, ["validate", "E11.9", "S52.502A", "W00.0XXA", "J3420", "99214", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [row["normalized"] for row in rows] == ["E11.9", "S52.502A", "W00.0XXA", "J3420", "99214"]
    assert all(row["ok"] and row["status"] == "ok" for row in rows)


def test_validate_reports_each_failure(with_fixture_codes):
    result = runner.invoke(app, ["validate", "E11", "XYZ", "E11.9", "--json"])
    assert result.exit_code == 1
    rows = json.loads(result.stdout)
    assert [row["status"] for row in rows] == ["not_billable", "bad_format", "ok"]
    assert rows[0]["suggestions"]


def test_validate_table_and_forced_system(with_fixture_codes):
    result = runner.invoke(app, ["validate", "99214", "--system", "icd10cm"])
    assert result.exit_code == 1 and "wrong_system" in result.stdout
    assert runner.invoke(app, ["validate", "e119", "--system", "ICD-10-CM"]).exit_code == 0


@pytest.mark.parametrize("args", [["validate", ""], ["validate", "x" * 1_000_000], ["validate", "É11.9"],
                                  ["show", ""], ["show", "x" * 1_000_000], ["show", "É11.9"], ["show", "E99.99"],
                                  ["search", ""], ["search", "   "], ["search", "x" * 1_000_000],
                                  ["search", "🙂🙂"], ["validate", "E11.9", "--system", "icd9"],
                                  ["search", "diabetes", "-k", "0"]])
def test_bad_input_is_a_clear_error(with_fixture_codes, args):
    result = runner.invoke(app, args)
    assert result.exit_code != 0
    _no_traceback(result)
    assert len(result.output) < 2000
    assert result.output.strip()


def test_show_json_and_table(with_fixture_codes):
    result = runner.invoke(app, ["show", "s52502a", "--json"])
    assert result.exit_code == 0
    info = json.loads(result.stdout)
    assert info["code"] == "S52.502A" and info["billable"] and info["ancestors"][-1] == "19"
    assert "seven_chr_def" in info["notes"]
    table = runner.invoke(app, ["show", "E11"])
    assert table.exit_code == 0 and "no (category)" in table.stdout and "E11.9" in table.stdout
    assert "1 mg" in runner.invoke(app, ["show", "J2405"]).stdout


def test_search_json(with_fixture_codes):
    result = runner.invoke(app, ["search", "type 2 diabetes with hyperglycemia", "-k", "3", "--json"])
    assert result.exit_code == 0
    hits = json.loads(result.stdout)
    assert len(hits) == 3 and "E11.65" in [hit["code"] for hit in hits]
    assert set(hits[0]) == {"code", "system", "description", "score"}


def test_search_table(codeset):
    result = runner.invoke(app, ["search", "acute myocardial infarction", "--system", "icd10cm", "-k", "5"])
    assert result.exit_code == 0 and "I21" in result.stdout


def test_stats(with_fixture_codes):
    result = runner.invoke(app, ["stats", "--json"])
    assert result.exit_code == 0
    stats = json.loads(result.stdout)
    assert stats["icd10cm"]["billable"] > 74_000 and stats["hcpcs"]["codes"] == 3
    assert runner.invoke(app, ["stats"]).exit_code == 0


def test_missing_official_file_is_a_clear_error():
    result = runner.invoke(app, ["--hcpcs-file", "/nonexistent/HCPC.txt", "stats"])
    assert result.exit_code == 1
    _no_traceback(result)
    assert "not found" in result.output


def test_registered_in_thce():
    from core.cli import app as thce

    result = runner.invoke(thce, ["codes", "validate", "E11.9", "--json"])
    assert result.exit_code == 0 and json.loads(result.stdout)[0]["normalized"] == "E11.9"


def test_official_files_complete_the_sets(tmp_path):
    hcpcs = tmp_path / "HCPC_TEST.csv"
    hcpcs.write_text("HCPC,SEQNUM,RECID,LONG DESCRIPTION,SHORT DESCRIPTION,TERM DT\n"
                     "Q9998,00100,3,Test-only supply made up by the THCE tests,Test supply,\n", encoding="utf-8")
    cpt = tmp_path / "cpt.txt"
    cpt.write_text("0999T\tTest-only descriptor written by the THCE tests\n", encoding="utf-8")
    base = runner.invoke(app, ["validate", "Q9998", "0999T", "--json"])
    assert [row["status"] for row in json.loads(base.stdout)] == ["unknown", "unknown"]
    result = runner.invoke(app, ["--hcpcs-file", str(hcpcs), "--cpt-file", str(cpt), "validate", "Q9998", "0999T",
                                 "J2405", "--json"])
    assert result.exit_code == 0, result.output
    assert [row["system"] for row in json.loads(result.stdout)] == ["hcpcs", "cpt", "hcpcs"]
    stats = json.loads(runner.invoke(app, ["--hcpcs-file", str(hcpcs), "stats", "--json"]).stdout)
    assert stats["hcpcs"]["extra_new_codes"] == "1"


def test_validate_names_the_excludes1_conflict(with_fixture_codes):
    result = runner.invoke(app, ["validate", "E10.9", "E11.9", "--json"])
    assert result.exit_code == 1
    rows = json.loads(result.stdout)
    assert all(row["ok"] for row in rows) and "Excludes1" in rows[0]["conflicts"][0]
    table = runner.invoke(app, ["validate", "E10.9", "E11.9"])
    assert table.exit_code == 1 and "Excludes1 conflict" in table.stdout and "E11.9" in table.stdout


def test_coverage_of_a_dataset(tmp_path):
    cases = tmp_path / "cases.jsonl"
    cases.write_text(json.dumps({"id": "1", "narrative": "x", "codes": {"icd10cm": ["E11.9"], "cpt": ["99214"],
                                                                       "hcpcs": ["J3420", "Q9998"]}}) + "\n")
    result = runner.invoke(app, ["coverage", "--dataset", str(cases), "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert figures["hcpcs"]["missing"] == ["Q9998"] and figures["cpt"]["rate"] == 1.0
    assert runner.invoke(app, ["coverage", "--dataset", str(tmp_path / "nope.jsonl")]).exit_code == 1
