"""`thce serve --port`, `thce code` input checks before the model loads, and `thce data split` never writing over
its input or (without --overwrite) over earlier splits."""

import json

import pytest
from typer.testing import CliRunner

import core.commands.serve
import core.pipeline
from core.cli import app

runner = CliRunner()


@pytest.mark.parametrize("port", ["99999", "0", "-1"])
def test_serve_refuses_a_port_out_of_range(monkeypatch, port):
    def never(*args, **kwargs):
        raise AssertionError("the web app must not start")

    monkeypatch.setattr(core.commands.serve, "run_forwarding_signals", never)
    result = runner.invoke(app, ["serve", "--port", port])
    assert result.exit_code == 2 and "--port" in result.output and "Traceback" not in result.output


@pytest.fixture
def no_model(monkeypatch):
    def get_pipeline(*args, **kwargs):
        raise AssertionError("the model must not be loaded for bad input")

    monkeypatch.setattr(core.pipeline, "get_pipeline", get_pipeline)


@pytest.mark.parametrize(("args", "message"), [
    (["code", "   "], "narrative is empty"),
    (["code", ""], "narrative is empty"),
    (["code", "Cough.", "--constrain", "foo"], "--constrain must be one of none, valid, candidates"),
    (["code", "chest pain. " * 16_000], "the limit is 20,000"),
])
def test_code_checks_its_input_before_loading_the_model(no_model, args, message):
    result = runner.invoke(app, args)
    assert result.exit_code == 1 and message in result.output, result.output
    assert isinstance(result.exception, SystemExit)  # not the AssertionError of a model load


def test_code_refuses_text_and_file_together(no_model, tmp_path):
    note = tmp_path / "note.txt"
    note.write_text("Chest pain.", encoding="utf-8")
    for args in (["code", "Cough.", "-f", str(note)], ["code", "-", "--file", str(note)]):
        result = runner.invoke(app, args)
        assert result.exit_code == 1 and "not both" in result.output, result.output


def test_code_names_a_file_that_is_not_utf8(no_model, tmp_path):
    note = tmp_path / "note.txt"
    note.write_bytes(b"Caf\xe9 au lait spots.")
    result = runner.invoke(app, ["code", "-f", str(note)])
    assert result.exit_code == 1 and f"--file {note}: not valid UTF-8 (byte 0xe9" in result.output


def test_code_accepts_a_file_with_a_bom(monkeypatch, tmp_path):
    seen = []

    class Pipe:
        def code(self, text):
            seen.append(text)
            raise ValueError("stop here")

    monkeypatch.setattr(core.pipeline, "get_pipeline", lambda *args, **kwargs: Pipe())
    note = tmp_path / "note.txt"
    note.write_bytes(b"\xef\xbb\xbfCough.")
    runner.invoke(app, ["code", "-f", str(note)])
    assert seen == ["Cough."]


def _records(path, n):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps({"id": f"r{i}", "narrative": f"Narrative number {i}."}) + "\n"
                            for i in range(n)), encoding="utf-8")
    return path.read_text(encoding="utf-8")


def _split(*args):
    return runner.invoke(app, ["data", "split", *args])


def test_split_never_writes_over_its_input(tmp_path):
    source = tmp_path / "sp" / "train.jsonl"
    before = _records(source, 16)
    for extra in ([], ["--overwrite"]):
        result = _split("--dataset", str(source), "--output-dir", str(tmp_path / "sp"), *extra)
        assert result.exit_code == 1 and "is the input file" in result.output, result.output
    assert source.read_text(encoding="utf-8") == before
    assert not (tmp_path / "sp" / "val.jsonl").exists() and not (tmp_path / "sp" / "test.jsonl").exists()


def test_split_refuses_existing_outputs_unless_overwrite(tmp_path):
    source = tmp_path / "all.jsonl"
    _records(source, 16)
    out = tmp_path / "sp"
    out.mkdir()
    (out / "val.jsonl").write_text("keep me\n", encoding="utf-8")
    result = _split("--dataset", str(source), "--output-dir", str(out))
    assert result.exit_code == 1 and "val.jsonl" in result.output and "--overwrite" in result.output
    assert (out / "val.jsonl").read_text(encoding="utf-8") == "keep me\n" and not (out / "train.jsonl").exists()
    result = _split("--dataset", str(source), "--output-dir", str(out), "--overwrite", "--json")
    assert result.exit_code == 0, result.output
    assert sum(row["records"] for row in json.loads(result.stdout)["splits"].values()) == 16
