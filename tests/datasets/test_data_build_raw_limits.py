"""Regressions of raw records and `thce data build`: a system's codes given as a string are an error saying a
list is expected (not "'I' is not shaped like a code"), and build never writes a narrative longer than the
limit `thce data check` applies."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import core.datasets.build as build
from core.cli import app
from core.constants import MAX_NARRATIVE_CHARS
from core.datasets.candidates import NoCandidates
from core.datasets.raw import RawRecordError, read_raw_records

runner = CliRunner()
GOOD = {"id": "ok", "note": "Hypertension follow-up.", "codes": {"icd10cm": ["I10"]}}


def _raw(tmp_path, *records) -> str:
    path = tmp_path / "raw.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return str(path)


def test_codes_as_a_string_is_an_error_asking_for_a_list(tmp_path):
    path = _raw(tmp_path, GOOD, {"id": "b", "note": "HTN", "codes": {"icd10cm": "I10"}})
    with pytest.raises(RawRecordError, match=r"line 2: 'codes.icd10cm' must be a list of codes .*got str 'I10'"):
        read_raw_records(path)
    out = tmp_path / "s2.jsonl"
    result = runner.invoke(app, ["data", "build", "--stage", "stage_2", "--source", f"raw:{path}", "--output",
                                 str(out), "--no-candidates"])
    assert result.exit_code == 1 and "must be a list of codes" in result.output
    assert "not shaped like a code" not in result.output and not out.exists()


def test_a_note_over_the_limit_is_refused_with_its_line(tmp_path):
    long_note = "Hypertension follow-up. " * (MAX_NARRATIVE_CHARS // 24 + 500)
    assert len(long_note.strip()) > MAX_NARRATIVE_CHARS
    path = _raw(tmp_path, GOOD, {"id": "long", "note": long_note, "codes": ["I10"]})
    with pytest.raises(RawRecordError, match=f"line 2: the note is [0-9,]+ characters long; at most "
                                             f"{MAX_NARRATIVE_CHARS:,}"):
        read_raw_records(path)
    out = tmp_path / "s2.jsonl"
    result = runner.invoke(app, ["data", "build", "--stage", "stage_2", "--source", f"raw:{path}", "--output",
                                 str(out), "--no-candidates"])
    assert result.exit_code == 1 and "line 2: the note is" in result.output and not out.exists()


def test_a_note_at_the_limit_builds_and_passes_the_check(tmp_path):
    note = ("Hypertension follow-up. " * (MAX_NARRATIVE_CHARS // 24 + 1))[:MAX_NARRATIVE_CHARS]
    path = _raw(tmp_path, {"id": "edge", "note": note, "codes": ["I10"]})
    out = tmp_path / "s2.jsonl"
    result = runner.invoke(app, ["data", "build", "--stage", "stage_2", "--source", f"raw:{path}", "--output",
                                 str(out), "--no-candidates"])
    assert result.exit_code == 0, result.output
    check = runner.invoke(app, ["data", "check", "--dataset", str(out), "--stage", "stage_2", "--json"])
    assert "longer than" not in check.output


def test_build_skips_a_generated_record_over_the_limit(tmp_path, monkeypatch):
    def record(rid, narrative):
        user = f"Narrative:\n{narrative}"
        return {"id": rid, "messages": [{"role": "system", "content": "s"}, {"role": "user", "content": user},
                                        {"role": "assistant", "content": "a"}], "codes": {}, "source": "llm",
                "meta": {}}

    records = [record("short", "A short note."), record("long", "x" * (MAX_NARRATIVE_CHARS + 1))]
    monkeypatch.setattr(build, "iter_records", lambda *args: iter(records))
    out = tmp_path / "s2.jsonl"
    stats = build.build_dataset("stage_2", "synthetic:2", out, retriever=NoCandidates())
    assert stats["records"] == 1 and stats["skipped_too_long"] == 1
    assert [json.loads(line)["id"] for line in out.read_text().splitlines()] == ["short"]
    assert build.too_long(records[1]) and not build.too_long(records[0])
