"""`thce eval` and `thce report`: a BOM in a dataset file, loud warnings for predictions that do not cover the
dataset, refused options that do not apply, and damaged reports named in one line."""

import json

import pytest
from typer.testing import CliRunner

from core.cli import app

runner = CliRunner()
CASES = [{"id": f"d{i}", "narrative": f"type 2 diabetes, visit {i}", "codes": {"icd10cm": ["E11.9"], "cpt": [], "hcpcs": []}}
         for i in range(1, 6)]


def _jsonl(path, rows, bom=False):
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + "".join(json.dumps(r) + "\n" for r in rows).encode())
    return path


def _eval(tmp_path, predictions, *extra):
    dataset = _jsonl(tmp_path / "gold.jsonl", CASES)
    return runner.invoke(app, ["eval", "--dataset", str(dataset), "--predictions", str(predictions), "--report",
                               str(tmp_path / "r.json"), "--no-plots", "--resamples", "20", *extra])


def test_a_dataset_and_predictions_with_a_utf8_bom_are_read(tmp_path):
    dataset = _jsonl(tmp_path / "gold.jsonl", CASES, bom=True)
    preds = _jsonl(tmp_path / "p.jsonl", [{"id": c["id"], "codes": c["codes"]} for c in CASES], bom=True)
    result = runner.invoke(app, ["eval", "--dataset", str(dataset), "--predictions", str(preds), "--report",
                                 str(tmp_path / "r.json"), "--no-plots", "--resamples", "20", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["metrics"]["overall"]["micro_f1"] == 1.0 and "warning:" not in result.output


def test_a_non_utf8_dataset_line_is_named(tmp_path):
    dataset = tmp_path / "gold.jsonl"
    dataset.write_bytes(b'{"id": "d1", "narrative": "caf\xe9", "codes": {"icd10cm": ["E11.9"]}}\n')
    result = runner.invoke(app, ["eval", "--dataset", str(dataset), "--baseline", "majority_code", "--report",
                                 str(tmp_path / "r.json"), "--no-plots"])
    assert result.exit_code == 1 and "gold.jsonl line 1: not valid UTF-8" in result.output
    assert "Traceback" not in result.output


def test_missing_unmatched_and_repeated_predictions_are_warned_about(tmp_path):
    rows = [{"id": "d1", "codes": {"icd10cm": ["E11.9"]}}, {"id": "d1", "codes": {}}, {"id": "zz", "codes": {}}]
    result = _eval(tmp_path, _jsonl(tmp_path / "p.jsonl", rows))
    assert result.exit_code == 0, result.output
    assert "warning: 4 of 5 cases have no prediction and are scored as empty answers" in result.stderr
    assert "warning: 1 prediction ids match no case" in result.stderr
    assert "warning: 1 prediction rows repeat an earlier id" in result.stderr
    assert "only 1 of 5 cases predicted" in " ".join(result.stdout.split())  # the table title
    saved = json.loads((tmp_path / "r.json").read_text())
    assert len(saved["warnings"]) == 3 and saved["counts"]["n_missing"] == 4


def test_json_output_carries_the_warnings_and_stays_parseable(tmp_path):
    result = _eval(tmp_path, _jsonl(tmp_path / "p.jsonl", [{"id": "d1", "codes": {}}]), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["warnings"][0].startswith("4 of 5 cases have no prediction")
    assert "warning: 4 of 5" in result.stderr


def test_full_coverage_has_no_warning(tmp_path):
    result = _eval(tmp_path, _jsonl(tmp_path / "p.jsonl", [{"id": c["id"], "codes": {}} for c in CASES]))
    assert result.exit_code == 0 and "warning:" not in result.output


@pytest.mark.parametrize(("extra", "message"), [
    (["--predictions", "p.jsonl", "--resamples", "-3"], "--resamples"),
    (["--baseline", "bm25", "--constrain", "bogus"], "--constrain applies only to --model"),
    (["--baseline", "bm25", "--no-model"], "--no-model applies only to --model"),
    (["--predictions", "p.jsonl", "--train", "synthetic:10"], "--train applies only to --baseline"),
    (["--model", "/no/such/model", "--constrain", "bogus"], "--constrain must be one of"),
])
def test_options_that_do_not_apply_are_refused(tmp_path, monkeypatch, extra, message):
    monkeypatch.chdir(tmp_path)
    _jsonl(tmp_path / "p.jsonl", [{"id": "d1", "codes": {}}])
    dataset = _jsonl(tmp_path / "gold.jsonl", CASES)
    result = runner.invoke(app, ["eval", "--dataset", str(dataset), "--report", "r.json", "--no-plots", *extra])
    assert result.exit_code in (1, 2) and message in result.output, result.output
    assert "Traceback" not in result.output and not (tmp_path / "r.json").exists()


def test_run_eval_refuses_negative_resamples(tmp_path):
    from core.evaluation import run_eval

    preds = _jsonl(tmp_path / "p.jsonl", [{"id": "d1", "codes": {}}])
    with pytest.raises(ValueError, match="--resamples"):
        run_eval(str(_jsonl(tmp_path / "gold.jsonl", CASES)), predictions=preds, n_resamples=-3)


def _report(tmp_path):
    preds = _jsonl(tmp_path / "p.jsonl", [{"id": c["id"], "codes": c["codes"]} for c in CASES])
    assert _eval(tmp_path, preds).exit_code == 0
    return tmp_path / "r.json"


@pytest.mark.parametrize(("field", "value", "message"), [
    ("cases", None, '"cases" is null, expected a list'),
    ("systems", "icd10cm", '"systems" is a string, expected a list'),
    ("cases", [{"id": "d1", "gold": ["E11.9"]}], '"cases[0].gold" must map each system'),
])
def test_a_damaged_report_is_one_line_naming_the_file(tmp_path, field, value, message):
    path = _report(tmp_path)
    report = json.loads(path.read_text())
    report[field] = value
    path.write_text(json.dumps(report))
    for args in ([str(path)], [str(path), "--json"], [str(path), str(path)]):
        result = runner.invoke(app, ["report", *args])
        assert result.exit_code == 1, result.output
        assert str(path) in result.output and message in result.output and "Traceback" not in result.output


def test_a_report_that_is_not_utf8_is_named(tmp_path):
    path = tmp_path / "r.json"
    path.write_bytes(b'{"schema": 1, "note": "caf\xe9"}')
    result = runner.invoke(app, ["report", str(path)])
    assert result.exit_code == 1 and f"{path}: not valid UTF-8" in result.output


def test_analysis_tolerates_null_fields():
    from core.evaluation import confusions, failing_cases, worst_codes

    report = {"systems": ["icd10cm"], "cases": None, "metrics": {"overall": {}}}
    assert worst_codes(report) == [] and failing_cases(report) == [] and confusions(report)["totals"]["missed"] == 0


def test_a_report_path_that_is_a_directory_is_refused_before_predicting(tmp_path):
    """Regression: `--report DIR` ran the whole evaluation, wrote DIR's predictions beside it (DIR.predictions.jsonl)
    and only then failed with '[Errno 21] Is a directory'."""
    dataset = _jsonl(tmp_path / "gold.jsonl", CASES)
    out = tmp_path / "out"
    out.mkdir()
    result = runner.invoke(app, ["eval", "--dataset", str(dataset), "--baseline", "bm25", "--report", str(out),
                                 "--no-plots"])
    assert result.exit_code == 1 and "is a directory" in result.output and "Errno" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gold.jsonl", "out"]


def test_a_missing_model_directory_is_a_one_line_error(tmp_path):
    """Regression: `thce eval --model DIR` with no such folder ended in a ModelNotAvailableError traceback
    (`thce predict` and `thce code` print the one line)."""
    dataset = _jsonl(tmp_path / "gold.jsonl", CASES)
    result = runner.invoke(app, ["eval", "--dataset", str(dataset), "--model", str(tmp_path / "no-model"), "--report",
                                 str(tmp_path / "r.json"), "--no-plots"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output.strip().splitlines()[-1].startswith("Error: model directory")
    assert "does not exist" in result.output and not (tmp_path / "r.json").exists()


def test_a_failed_model_run_keeps_the_earlier_runs_predictions(tmp_path):
    """Regression: `thce eval --model M --report r.json` deleted r.predictions.jsonl (an earlier, possibly hour-long
    run's rows) before loading M, so a mistyped model path or an interrupted rerun lost them."""
    dataset = _jsonl(tmp_path / "gold.jsonl", CASES)
    earlier = _jsonl(tmp_path / "r.predictions.jsonl", [{"id": c["id"], "codes": c["codes"]} for c in CASES])
    before = earlier.read_bytes()
    result = runner.invoke(app, ["eval", "--dataset", str(dataset), "--model", str(tmp_path / "typo"), "--report",
                                 str(tmp_path / "r.json"), "--no-plots"])
    assert result.exit_code == 1
    assert earlier.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gold.jsonl", "r.predictions.jsonl"]
