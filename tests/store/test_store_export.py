"""Exporting preference pairs (stage_3 JSONL and an HF dataset folder) and the `thce annotations` CLI."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select
from store_helpers import case_with_prediction, model_result
from typer.testing import CliRunner

from core.cli import app
from core.store import FieldError, Prediction, StoreError, export_preference_pairs, get_session, save_review

STAGE3_KEYS = {"id", "prompt", "chosen", "rejected", "source", "meta"}


def _two_corrections_and_an_accept():
    ids = []
    for name in ("a", "b", "c"):
        case_id, _ = case_with_prediction(external_id=name)
        ids.append(case_id)
    save_review(ids[0], "alice", "correct", corrected_codes={"icd10cm": ["E11.9"]})
    save_review(ids[1], "bob", "correct", corrected_codes={"icd10cm": ["E11.65", "I10"]})
    save_review(ids[2], "alice", "accept")


def test_dpo_export_writes_stage3_records(store, tmp_path):
    _two_corrections_and_an_accept()
    out = tmp_path / "out" / "pairs.jsonl"
    assert export_preference_pairs(out, format="dpo") == 2
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(records) == 2
    first = records[0]
    assert set(first) == STAGE3_KEYS and first["source"] == "review"
    assert first["prompt"] == model_result()["prompt"]
    assert first["chosen"][0]["role"] == "assistant" and '"E11.9"' in first["chosen"][0]["content"]
    assert first["rejected"] == [{"role": "assistant", "content": model_result()["raw"]}]
    assert {"review_id", "annotator", "model_id", "created_at"} <= set(first["meta"])
    assert [r["meta"]["annotator"] for r in records] == ["alice", "bob"]
    assert len({r["id"] for r in records}) == 2


def test_hf_export_round_trips(store, tmp_path):
    from datasets import load_from_disk

    _two_corrections_and_an_accept()
    assert export_preference_pairs(tmp_path / "hf", format="hf") == 2
    dataset = load_from_disk(str(tmp_path / "hf"))
    assert len(dataset) == 2 and STAGE3_KEYS <= set(dataset.column_names)
    assert dataset[1]["meta"]["annotator"] == "bob"


def test_export_errors(store, tmp_path):
    with pytest.raises(FieldError, match="format"):
        export_preference_pairs(tmp_path / "x", format="csv")
    with pytest.raises(StoreError, match="no preference pairs"):
        export_preference_pairs(tmp_path / "hf", format="hf")
    assert export_preference_pairs(tmp_path / "empty.jsonl") == 0
    assert (tmp_path / "empty.jsonl").read_text() == ""


def test_cli_import_export_and_stats(tmp_path):
    runner = CliRunner()
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}
    cases = tmp_path / "cases.jsonl"
    good = {"id": "x1", "narrative": "Diabetes visit.", "prediction": model_result("Diabetes visit.")}
    cases.write_text(json.dumps(good) + "\n{broken\n", encoding="utf-8")
    result = runner.invoke(app, ["annotations", "import", str(cases), "--source", "cli", "--json"], env=env)
    assert result.exit_code == 1  # one bad line: reported, the good line still imported
    assert json.loads(result.stdout)["imported"] == 1
    assert f"{cases}:2: invalid JSON" in result.stderr

    from core.store import next_case

    item = next_case("zoe")
    save_review(item.case_id, "zoe", "correct", corrected_codes={"icd10cm": ["E11.9"]})
    out = tmp_path / "pairs.jsonl"
    result = runner.invoke(app, ["annotations", "export", "--format", "dpo", "--output", str(out)], env=env)
    assert result.exit_code == 0, result.output
    assert len(out.read_text().splitlines()) == 1 and f"wrote 1 preference pairs to {out} (dpo)" in result.stdout
    result = runner.invoke(app, ["annotations", "export", "--format", "kto", "--output", str(out)], env=env)
    assert result.exit_code == 0 and "KTO rows" in result.stdout, result.output

    result = runner.invoke(app, ["annotations", "stats", "--json"], env=env)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["by_decision"]["correct"] == 1 and data["by_annotator"]["zoe"]["total"] == 1
    assert runner.invoke(app, ["annotations", "stats"], env=env).exit_code == 0


def test_cli_import_rebuilds_a_missing_prompt_with_retrieved_candidates(tmp_path, monkeypatch):
    import core.retrieval
    from core.prompts import Candidate

    class OneCandidate:
        def retrieve(self, narrative, k=8):
            return [Candidate("E11.9", "icd10cm", "Type 2 diabetes mellitus without complications", 0.9)]

    monkeypatch.setattr(core.retrieval, "default_retriever", lambda *args: OneCandidate())
    cases = tmp_path / "cases.jsonl"
    cases.write_text(json.dumps({"id": "x1", "narrative": "Diabetes visit.", "prediction": "<think>t</think>{}"}) + "\n")
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}
    result = CliRunner().invoke(app, ["annotations", "import", str(cases), "--json"], env=env)
    assert result.exit_code == 0 and json.loads(result.stdout)["predictions"] == 1, result.output
    with get_session() as session:
        prediction = session.exec(select(Prediction)).one()
    assert prediction.prompt_rebuilt and "Diabetes visit." in prediction.prompt[-1]["content"]
    assert "E11.9" in prediction.prompt[-1]["content"]


def test_cli_errors_are_messages_not_tracebacks(tmp_path):
    runner = CliRunner()
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}
    result = runner.invoke(app, ["annotations", "import", str(tmp_path / "missing.jsonl")], env=env)
    assert result.exit_code == 1 and "no such file" in result.stderr and "Traceback" not in result.output
    result = runner.invoke(app, ["annotations", "export", "--format", "xml", "--output", "x"], env=env)
    assert result.exit_code == 1 and "format must be one of" in result.stderr
    result = runner.invoke(app, ["annotations", "--database-url", "nosuchdriver://x", "stats"])
    assert result.exit_code == 1 and "cannot open the database" in result.stderr


@pytest.fixture(autouse=True)
def _forget_cli_engine():
    yield
    from core.store import reset_engine

    reset_engine()
