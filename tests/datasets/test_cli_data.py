import hashlib
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from core.cli import app

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parents[2] / "data" / "examples"
FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "raw_records.jsonl"


def _run(*args):
    return runner.invoke(app, ["data", *args])


def test_build_is_deterministic_and_passes_check(tmp_path):
    outputs = []
    for name in ("a", "b"):
        path = tmp_path / f"{name}.jsonl"
        result = _run("build", "--stage", "stage_2", "--source", "synthetic", "--count", "60", "--seed", "1",
                      "--no-candidates", "--output", str(path))
        assert result.exit_code == 0, result.output
        outputs.append(hashlib.sha256(path.read_bytes()).hexdigest())
    assert outputs[0] == outputs[1]
    check = _run("check", "--dataset", str(tmp_path / "a.jsonl"), "--stage", "stage_2", "--json")
    assert check.exit_code == 0 and json.loads(check.stdout)["ok"] is True


def test_raw_source_with_candidates_and_json_stats(tmp_path):
    path = tmp_path / "raw.jsonl"
    result = _run("build", "--stage", "stage_3", "--source", f"raw:{FIXTURE}", "--output", str(path), "--json")
    assert result.exit_code == 0, result.output
    stats = json.loads(result.stdout[result.stdout.index("{"):])
    assert stats["records"] == 10 and stats["raw_records"] == 10
    assert "Candidate codes:" in json.loads(path.read_text().splitlines()[0])["prompt"][1]["content"]


def test_corrupted_file_exits_1_with_line_numbers(tmp_path):
    lines = (EXAMPLES / "sample_stage_2.jsonl").read_text().splitlines()[:6]
    record = json.loads(lines[4])
    record["messages"][2]["content"] = "<think>\nno close\n" + json.dumps(record["codes"])
    lines[1] = "{not json"
    lines[4] = json.dumps(record)
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join(lines) + "\n")
    result = _run("check", "--dataset", str(bad), "--stage", "stage_2")
    assert result.exit_code == 1
    assert "line 2: invalid JSON" in result.output and "line 5: unbalanced think tags" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("args, message", [
    (("build", "--stage", "stage_9", "--source", "synthetic", "--output", "x.jsonl"), "unknown --stage"),
    (("build", "--stage", "stage_2", "--source", "pubmed", "--output", "x.jsonl"), "unknown source"),
    (("build", "--stage", "stage_2", "--source", "codiesp:/no/such/dir", "--output", "x.jsonl"), "not a CodiEsp"),
    (("check", "--dataset", "/no/such.jsonl", "--stage", "stage_2"), "dataset not found"),
    (("check", "--dataset", ".", "--stage", "stage_2"), "is a folder: give a JSONL file"),  # it said "not found"
    (("split", "--dataset", ".", "--output-dir", "out"), "is a folder: give a JSONL file"),
    (("build", "--stage", "stage_2", "--source", "llm", "--output", "x.jsonl"), "THCE_LLM_BASE_URL"),
    (("split", "--dataset", str(FIXTURE), "--output-dir", "out", "--ratios", "1,2"), "--ratios"),
])
def test_bad_input_is_a_clear_error(args, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("THCE_LLM_BASE_URL", raising=False)
    result = _run(*args)
    assert result.exit_code == 1 and message in result.output and "Traceback" not in result.output
    assert not list(tmp_path.glob("x.jsonl*"))  # nothing half-written


def test_split_writes_three_files(tmp_path):
    result = _run("split", "--dataset", str(EXAMPLES / "sample_stage_2.jsonl"), "--output-dir", str(tmp_path),
                  "--seed", "1", "--json")
    assert result.exit_code == 0, result.output
    splits = json.loads(result.stdout)["splits"]
    assert sum(row["records"] for row in splits.values()) == 42
    assert all((tmp_path / f"{name}.jsonl").exists() for name in ("train", "val", "test"))


@pytest.mark.parametrize("stage", ["stage_1", "stage_2", "stage_3"])
def test_shipped_examples_pass_the_check(stage):
    from core.datasets.stage_checks import check_dataset

    path = EXAMPLES / f"sample_{stage}.jsonl"
    report = check_dataset(path, stage)
    assert report.ok, report.errors[:5]
    assert 30 <= report.records <= 50


def test_build_to_a_directory_is_refused_before_building_and_leaves_nothing(tmp_path):
    """Regression: `--output DIR` built every record into DIR.partial (a sibling of DIR), then failed on the
    rename with '[Errno 21] Is a directory' and left DIR.partial behind."""
    out = tmp_path / "out"
    out.mkdir()
    result = _run("build", "--stage", "stage_2", "--source", "synthetic", "--count", "3", "--no-candidates",
                  "--output", str(out))
    assert result.exit_code == 1 and "is a directory" in result.output and "Errno" not in result.output
    assert any(line.startswith("Error: --output") for line in result.output.splitlines())  # not after the bar
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no out.partial


def test_split_into_a_file_is_a_clear_error(tmp_path):
    """Regression: `--output-dir FILE` ended with '[Errno 17] File exists'."""
    result = _run("split", "--dataset", str(FIXTURE), "--output-dir", str(FIXTURE))
    assert result.exit_code == 1 and "not a directory" in result.output and "Errno" not in result.output


def test_shipped_stage_1_example_is_what_the_documented_command_builds(tmp_path):
    """Regression: data/examples/sample_stage_1.jsonl still held the first system prompt and the old one-line
    candidate block, so it no longer matched `thce data build --stage stage_1 --source synthetic --count 40 --seed 42`
    (docs/DATA.md), nor the prompts every other stage file and the model use."""
    path = tmp_path / "s1.jsonl"
    result = _run("build", "--stage", "stage_1", "--source", "synthetic", "--count", "40", "--seed", "42",
                  "--output", str(path))
    assert result.exit_code == 0, result.output
    assert path.read_bytes() == (EXAMPLES / "sample_stage_1.jsonl").read_bytes()
