"""`thce predict` / `predict_file`: resuming keeps complete rows and retries error rows, a bad byte or a BOM does
not stop the batch, repeated ids are reported, and a row with codes is not an error row (with a fake pipeline:
no model is loaded)."""

import json

import pytest
from typer.testing import CliRunner

import core.pipeline
from core.cli import app
from core.pipeline import CodingResult, predict_file

runner = CliRunner()
PARSE_ERROR = "no JSON answer and no codes found"


class FakePipeline:
    """Codes every narrative as N30.00 + 81002 while the model's own answer 'could not be parsed' (what
    thce-tiny does); a narrative "nothing" gets no code at all."""

    model_id = "fake"

    def __init__(self):
        self.coded: list[str] = []

    def code_batch(self, narratives):
        self.coded += narratives
        results = []
        for narrative in narratives:
            codes = {"icd10cm": [], "cpt": [], "hcpcs": []}
            if narrative != "nothing":
                codes = {"icd10cm": ["N30.00"], "cpt": ["81002"], "hcpcs": []}
            results.append(CodingResult(codes=codes, reasoning="r", raw='{"', latency_s=0.1, error=PARSE_ERROR))
        return results


@pytest.fixture
def fake(monkeypatch):
    pipe = FakePipeline()

    def get_pipeline(*args, **kwargs):
        return pipe

    monkeypatch.setattr(core.pipeline, "get_pipeline", get_pipeline)
    return pipe


def _lines(*records) -> str:
    return "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records)


def _rows(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n") if line]


def _row(case_id, error=None):
    return {"id": case_id, "codes": {"icd10cm": ["I10"], "cpt": [], "hcpcs": []}, "error": error}


def test_a_complete_last_row_without_newline_is_kept(fake, tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text(_lines({"id": "x1", "narrative": "Cystitis."}, {"id": "x2", "narrative": "Cystitis."},
                             {"id": "x3", "narrative": "Cystitis."}), encoding="utf-8")
    out = tmp_path / "prev.jsonl"
    out.write_text(json.dumps(_row("x1")) + "\n" + json.dumps(_row("x2")), encoding="utf-8")  # no final newline
    result = runner.invoke(app, ["predict", "-i", str(source), "-o", str(out), "--json"])
    assert result.exit_code == 0, result.output
    assert "half-written" not in result.output
    assert [r["id"] for r in _rows(out)] == ["x1", "x2", "x3"] and fake.coded == ["Cystitis."]
    assert out.read_text(encoding="utf-8").endswith("\n")


def test_a_half_written_last_row_is_still_dropped(fake, tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text(_lines({"id": "x1", "narrative": "A."}, {"id": "x2", "narrative": "B."}), encoding="utf-8")
    out = tmp_path / "prev.jsonl"
    out.write_text(json.dumps(_row("x1")) + '\n{"id": "x2", "codes": {', encoding="utf-8")
    stats = predict_file(source, out)
    assert [r["id"] for r in _rows(out)] == ["x1", "x2"] and stats["skipped"] == 1 and fake.coded == ["B."]


def test_output_that_is_the_input_is_refused(fake, tmp_path):
    source = tmp_path / "in.jsonl"
    text = _lines({"id": "x1", "narrative": "A."})
    source.write_text(text, encoding="utf-8")
    link = tmp_path / "link.jsonl"
    link.symlink_to(source)
    for output in (source, tmp_path / "." / "in.jsonl", link):
        result = runner.invoke(app, ["predict", "-i", str(source), "-o", str(output)])
        assert result.exit_code == 1 and "is the input file" in result.output, result.output
    assert source.read_text(encoding="utf-8") == text and fake.coded == []


def test_a_non_utf8_line_gets_its_own_error_row(fake, tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_bytes(_lines({"id": "a", "narrative": "A."}).encode()
                       + b'{"id": "b", "narrative": "caf\xe9"}\n' + _lines({"id": "c", "narrative": "C."}).encode())
    out = tmp_path / "out.jsonl"
    stats = predict_file(source, out)
    rows = _rows(out)
    assert [r["id"] for r in rows] == ["a", "line-2", "c"] and stats["errors"] == 1
    assert rows[1]["error"].startswith("line 2: not valid UTF-8 (byte 0xe9")


def test_a_utf8_bom_is_accepted(fake, tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"\xef\xbb\xbf" + _lines({"id": "a", "narrative": "A."}).encode())
    out = tmp_path / "out.jsonl"
    predict_file(source, out)
    assert [(r["id"], r["error"]) for r in _rows(out)] == [("a", None)]


def test_error_rows_are_coded_again_after_the_input_is_fixed(fake, tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text(_lines({"id": "a1", "narrative": "A."}, {"id": "a2", "narrative": " "}), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    first = predict_file(source, out)
    assert first["errors"] == 1 and "narrative is empty" in _rows(out)[1]["error"]
    source.write_text(_lines({"id": "a1", "narrative": "A."}, {"id": "a2", "narrative": "Fixed."}), encoding="utf-8")
    again = predict_file(source, out)
    rows = _rows(out)
    assert [(r["id"], r["error"]) for r in rows] == [("a1", None), ("a2", None)]
    assert again["skipped"] == 1 and again["written"] == 1 and fake.coded == ["A.", "Fixed."]


def test_a_resume_keeps_the_outputs_file_mode(fake, tmp_path):
    """The rewrite before a resume went through a temporary file and left the output 0600."""
    import stat

    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_text(_lines({"id": "a1", "narrative": "A."}, {"id": "a2", "narrative": " "}), encoding="utf-8")
    predict_file(source, out)
    out.chmod(0o644)
    source.write_text(_lines({"id": "a1", "narrative": "A."}, {"id": "a2", "narrative": "Fixed."}), encoding="utf-8")
    predict_file(source, out)  # the error row is rewritten away first
    assert stat.S_IMODE(out.stat().st_mode) == 0o644


def test_repeated_ids_and_fallback_ids_are_reported_not_merged(fake, tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text(_lines({"id": "a1", "narrative": "A."}, {"id": "line-4", "narrative": "B."},
                             {"id": "a1", "narrative": "C."}, {"narrative": "D."}), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    stats = predict_file(source, out)
    rows = _rows(out)
    assert [r["id"] for r in rows] == ["a1", "line-4", "a1", "line-4-2"]
    assert rows[2]["error"] == "line 3: duplicate id a1 (line 1)" and not rows[3]["error"]
    assert fake.coded == ["A.", "B.", "D."] and stats["duplicate_ids"] == 1
    again = predict_file(source, out)  # a rerun codes nothing again and keeps the duplicate reported once
    assert [r["id"] for r in _rows(out)] == ["a1", "line-4", "line-4-2", "a1"] and fake.coded == ["A.", "B.", "D."]
    assert again["written"] == 1 and again["errors"] == 1


def test_rows_with_codes_are_not_error_rows(fake, tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text(_lines({"id": "a", "narrative": "Cystitis."}, {"id": "b", "narrative": "nothing"}),
                      encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["predict", "-i", str(source), "-o", str(out), "--json"])
    assert result.exit_code == 0, result.output
    stats = json.loads(result.stdout.strip().splitlines()[-1])
    rows = _rows(out)
    assert rows[0]["codes"]["icd10cm"] == ["N30.00"] and rows[0]["error"] is None
    assert rows[0]["warning"] == PARSE_ERROR
    assert rows[1]["error"] == PARSE_ERROR and rows[1]["warning"] is None
    assert stats["errors"] == 1 and stats["warnings"] == 1


def test_rewriting_the_output_keeps_rows_with_unicode_line_breaks(fake, tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text(_lines({"id": "a", "narrative": "A."}, {"id": "b", "narrative": "B."}), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    kept = json.dumps(dict(_row("a"), reasoning="one\u2028two"), ensure_ascii=False)
    out.write_text(kept + "\n" + json.dumps(_row("b", error="line 2: narrative is empty")) + "\n", encoding="utf-8")
    predict_file(source, out)
    assert out.read_text(encoding="utf-8").split("\n")[0] == kept
    assert [(r["id"], r["error"]) for r in _rows(out)] == [("a", None), ("b", None)] and fake.coded == ["B."]
