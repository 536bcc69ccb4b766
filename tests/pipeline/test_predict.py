"""`predict_file` / `thce predict` and `thce code` on the tiny model."""

import json
import sys
import types

import pytest
from typer.testing import CliRunner

from core.cli import app
from core.pipeline import predict_file

KEYS = ["id", "codes", "ranked", "reasoning", "raw", "valid", "latency_s", "error", "rules_applied", "rule_edits",
        "warning"]
runner = CliRunner()


def _write_lines(path, lines):
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _twenty_lines():
    lines = [json.dumps({"id": f"case-{i}", "narrative": f"Patient {i} with type 2 diabetes, on metformin."})
             for i in range(20)]
    lines[3] = json.dumps({"id": "case-3", "narrative": ""})
    lines[11] = json.dumps({"id": "case-11", "narrative": "chest pain. " * 17_000})  # ~200 KB
    return lines


def _read(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(autouse=True)
def retrieval_module(monkeypatch, retriever):
    """Use the real core.retrieval when it exists, else a stand-in module with the same function."""
    try:
        import core.retrieval  # noqa: F401
    except ImportError:
        fake = types.ModuleType("core.retrieval")
        fake.default_retriever = lambda model_dir=None: retriever
        monkeypatch.setitem(sys.modules, "core.retrieval", fake)


def test_twenty_lines_with_an_empty_and_a_huge_narrative(make_pipeline, tmp_path):
    source = _write_lines(tmp_path / "in.jsonl", _twenty_lines())
    out = tmp_path / "out.jsonl"
    seen = []
    stats = predict_file(source, out, batch_size=8, pipeline=make_pipeline(),
                         progress=lambda done, total: seen.append((done, total)))
    rows = _read(out)
    assert len(rows) == 20 and [r["id"] for r in rows] == [f"case-{i}" for i in range(20)]
    assert all(list(r) == KEYS for r in rows)
    errors = {r["id"]: r["error"] for r in rows if r["error"]}
    assert set(errors) == {"case-3", "case-11"}
    assert "line 4: narrative is empty" in errors["case-3"] and "limit is 20,000" in errors["case-11"]
    assert stats["written"] == 20 and stats["errors"] == 2 and seen[-1] == (20, 20)
    assert all(r["reasoning"] and r["latency_s"] > 0 for r in rows if not r["error"])


def test_bad_lines_get_error_rows(make_pipeline, tmp_path):
    lines = ['{"id": "a", "narrative": "Chest pain."}', "{not json", '["a list"]', '{"id": "d"}',
             '{"id": "e", "narrative": 42}', "", '{"narrative": "Cough."}']
    out = tmp_path / "out.jsonl"
    predict_file(_write_lines(tmp_path / "in.jsonl", lines), out, batch_size=3, pipeline=make_pipeline())
    rows = _read(out)
    assert [r["id"] for r in rows] == ["a", "line-2", "line-3", "d", "e", "line-6", "line-7"]
    assert [bool(r["error"]) for r in rows] == [False, True, True, True, True, True, False]
    assert "not valid JSON" in rows[1]["error"] and 'missing "narrative"' in rows[3]["error"]


def test_resume_skips_done_ids_and_drops_a_half_written_row(make_pipeline, tmp_path):
    lines = _twenty_lines()[:6]
    source = _write_lines(tmp_path / "in.jsonl", lines)
    out = tmp_path / "out.jsonl"
    pipe = make_pipeline()
    predict_file(_write_lines(tmp_path / "head.jsonl", lines[:2]), out, pipeline=pipe)
    with open(out, "a", encoding="utf-8") as handle:
        handle.write('{"id": "case-2", "codes": {')  # interrupted while writing
    stats = predict_file(source, out, batch_size=4, pipeline=pipe)
    rows = _read(out)
    assert [r["id"] for r in rows] == [f"case-{i}" for i in range(6)]
    assert stats["skipped"] == 2 and stats["written"] == 4


def test_cli_predict(tiny_model_dir, tmp_path):
    source = _write_lines(tmp_path / "in.jsonl", _twenty_lines()[:3] + ['{"id": "z", "narrative": " "}'])
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["predict", "--input", str(source), "--output", str(out), "--model",
                                 str(tiny_model_dir), "--batch-size", "2", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout.strip().splitlines()[-1])["errors"] == 1
    assert len(_read(out)) == 4


def test_cli_predict_missing_input(tmp_path):
    result = runner.invoke(app, ["predict", "--input", str(tmp_path / "none.jsonl"), "--output", "x.jsonl"])
    assert result.exit_code == 1 and "no such file" in result.output


def test_cli_predict_to_a_directory_is_a_clear_error_before_any_model_loads(tmp_path, monkeypatch):
    """Regression: `thce predict --output DIR` ended with '[Errno 21] Is a directory'."""
    import core.pipeline

    monkeypatch.setattr(core.pipeline, "predict_file", lambda *a, **k: pytest.fail("nothing should be coded"))
    narratives = _write_lines(tmp_path / "in.jsonl", [json.dumps({"id": "a", "narrative": "hypertension"})])
    result = runner.invoke(app, ["predict", "--input", str(narratives), "--output", str(tmp_path)])
    assert result.exit_code == 1 and "is a directory" in result.output and "Errno" not in result.output


def test_cli_code_json(tiny_model_dir):
    from core.codes import get_codeset

    narrative = "58-year-old with type 2 diabetes and hyperglycemia on metformin, HbA1c 9.1%"
    result = runner.invoke(app, ["code", narrative, "--json", "--model", str(tiny_model_dir)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["reasoning"] and set(data["codes"]) == {"icd10cm", "cpt", "hcpcs"}
    assert all(get_codeset().is_valid(c, s) for s, codes in data["codes"].items() for c in codes)
    shown_good = {(i["system"], i["code"]) for i in data["items"] if i["valid"]}
    assert {(s, c) for s, codes in data["codes"].items() for c in codes} <= shown_good


def test_cli_code_stream_file_and_stdin(tiny_model_dir, tmp_path):
    note = tmp_path / "note.txt"
    note.write_text("Chest pain, ECG done.", encoding="utf-8")
    from_file = runner.invoke(app, ["code", "--file", str(note), "--stream", "--model", str(tiny_model_dir)])
    assert from_file.exit_code == 0, from_file.output
    assert "codes" in from_file.stdout
    from_stdin = runner.invoke(app, ["code", "-", "--json", "--model", str(tiny_model_dir)], input="Cough.")
    assert from_stdin.exit_code == 0 and "Cough." in json.loads(from_stdin.stdout)["prompt"][1]["content"]


@pytest.mark.parametrize(("args", "message"), [
    (["code", "   "], "narrative is empty"),
    (["code", "x", "--model", "/no/such/dir"], "does not exist"),
    (["code", "--file", "/no/such/file.txt"], "no such file"),
    (["code", "x", "--constrain", "strict"], "constrain must be one of"),
])
def test_cli_code_errors_are_one_line(tiny_model_dir, args, message):
    if "--model" not in args:
        args = [*args, "--model", str(tiny_model_dir)]
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output


def test_cli_code_and_predict_apply_the_rules_unless_no_rules(tiny_model_dir, tmp_path):
    narrative = "Acute bronchitis with cough for five days."
    on = json.loads(runner.invoke(app, ["code", narrative, "--json", "--model", str(tiny_model_dir)]).stdout)
    off = json.loads(runner.invoke(app, ["code", narrative, "--json", "--no-rules", "--model",
                                         str(tiny_model_dir)]).stdout)
    assert on["rules_applied"] is True and off["rules_applied"] is False and off["rule_edits"] == []
    source = _write_lines(tmp_path / "in.jsonl", [json.dumps({"id": "a", "narrative": narrative})])
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["predict", "-i", str(source), "-o", str(out), "--no-rules", "--model",
                                 str(tiny_model_dir)])
    assert result.exit_code == 0, result.output
    assert _read(out)[0]["rules_applied"] is False and _read(out)[0]["rule_edits"] == []
