import json

import pytest
from typer.testing import CliRunner

from core.cli import app

CASES = [
    {"id": "d1", "narrative": "type 2 diabetes", "codes": {"icd10cm": ["E11.9"], "cpt": ["99214"], "hcpcs": []}},
    {"id": "d2", "narrative": "asthma wheezing", "codes": {"icd10cm": ["J45.909"], "cpt": [], "hcpcs": []}},
]


@pytest.fixture
def gold(monkeypatch):
    def load_cases(spec):
        if spec != "fake:dev":
            raise ValueError(f"case spec {spec!r}: expected fake:dev")
        return [dict(c) for c in CASES]

    monkeypatch.setattr("core.datasets.load_cases", load_cases)


def _predictions(tmp_path, rows):
    path = tmp_path / "preds.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def _eval(tmp_path, name, rows, *extra):
    report = tmp_path / f"{name}.json"
    result = CliRunner().invoke(app, ["eval", "--dataset", "fake:dev", "--predictions",
                                      str(_predictions(tmp_path, rows)), "--report", str(report),
                                      "--no-plots", "--resamples", "50", *extra])
    return result, report


def test_eval_prints_a_table_and_writes_the_report(tmp_path, gold):
    rows = [{"id": "d1", "codes": {"icd10cm": ["E11.9"], "cpt": ["99213"]}}, {"id": "d2", "codes": {}}]
    result, report = _eval(tmp_path, "run", rows)
    assert result.exit_code == 0, result.output
    assert "icd10cm" in result.output and "95% CI" in result.output and "validity" in result.output
    saved = json.loads(report.read_text())
    assert saved["metrics"]["icd10cm"]["micro_recall"] == 0.5 and saved["systems"] == ["icd10cm", "cpt"]


def test_eval_json_and_systems_option(tmp_path, gold):
    rows = [{"id": "d1", "codes": {"icd10cm": ["E11.9"]}}]
    result, _ = _eval(tmp_path, "run", rows, "--systems", "icd10cm", "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)  # the warning about d2 (no prediction) goes to stderr
    assert payload["systems"] == ["icd10cm"] and set(payload["metrics"]) == {"overall", "icd10cm"}


def test_eval_errors_are_one_line_not_tracebacks(tmp_path, gold):
    result, _ = _eval(tmp_path, "run", [{"id": "d1", "codes": ["E11.9"]}])
    assert result.exit_code == 1 and "preds.jsonl:1: field 'codes'" in result.output
    assert "Traceback" not in result.output
    result = CliRunner().invoke(app, ["eval", "--dataset", "nope", "--baseline", "bm25", "--report",
                                      str(tmp_path / "r.json")])
    assert result.exit_code == 1 and "expected fake:dev" in result.output
    result = CliRunner().invoke(app, ["eval", "--dataset", "fake:dev", "--report", str(tmp_path / "r.json")])
    assert result.exit_code == 1 and "exactly one of model, baseline or predictions" in result.output


def test_report_analyses_one_run_and_compares_two(tmp_path, gold):
    _, weak = _eval(tmp_path, "weak", [{"id": "d1", "codes": {"icd10cm": ["E11.65"]}, "reasoning": "sugar high"}])
    _, strong = _eval(tmp_path, "strong", [{"id": "d1", "codes": {"icd10cm": ["E11.9"], "cpt": ["99214"]}},
                                          {"id": "d2", "codes": {"icd10cm": ["J45.909"]}}])
    one = CliRunner().invoke(app, ["report", str(weak), "--top-k", "3"])
    assert one.exit_code == 0, one.output
    assert "Worst" in one.output and "E11.65" in one.output and "sugar high" in one.output
    as_json = json.loads(CliRunner().invoke(app, ["report", str(weak), "--json"]).output)
    assert as_json["confusions"]["same_category"][0]["gold"] == "E11.9"
    two = CliRunner().invoke(app, ["report", str(weak), str(strong)])
    assert two.exit_code == 0, two.output
    assert "delta" in two.output and "+1.000" in two.output
    compared = json.loads(CliRunner().invoke(app, ["report", str(weak), str(strong), "--json"]).output)
    assert compared["same_dataset"] is True


def test_report_rejects_bad_input(tmp_path):
    bad = tmp_path / "x.json"
    bad.write_text("[]")
    result = CliRunner().invoke(app, ["report", str(bad)])
    assert result.exit_code == 1 and "not a THCE evaluation report" in result.output
    result = CliRunner().invoke(app, ["report", str(bad), str(bad), str(bad)])
    assert result.exit_code == 1 and "one report" in result.output
