"""`thce train kto` on the review store's KTO export, as exported (no reformatting): a dry run (fast) and a
two-step smoke run of TRL's KTOTrainer on the shipped thce-tiny model (heavy)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from core.cli import app
from core.paths import REPO_ROOT
from core.paths import TRAINING_CONFIG_DIR as CONFIGS
from training import kto

TINY = REPO_ROOT / "data" / "models" / "thce-tiny"
NARRATIVES = ["Type 2 diabetes without complications, routine follow-up.", "Diabetes type 2, stable on metformin.",
              "Essential hypertension, office visit.", "Type 2 diabetes with hyperglycemia, glucose 320."]


def _kto_export(path, tmp_path, monkeypatch) -> int:
    """Four reviewed cases (accept, reject, correct, accept) exported with `thce annotations export --format kto`."""
    from core.prompts import build_messages, format_answer
    from core.store import add_case, init_db, reset_engine, save_prediction, save_review

    url = f"sqlite:///{tmp_path / 'store.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    init_db(url)
    try:
        codes = {"icd10cm": ["E11.65"], "cpt": [], "hcpcs": []}
        for i, (narrative, decision) in enumerate(zip(NARRATIVES, ("accept", "reject", "correct", "accept"),
                                                      strict=True)):
            case_id = add_case(narrative, source="test", external_id=str(i))
            save_prediction(case_id, {"codes": codes, "reasoning": '"diabetes" -> E11.65', "model_id": "thce-tiny",
                                      "raw": format_answer('"diabetes" -> E11.65', codes),
                                      "prompt": build_messages(narrative)})
            fix = {"icd10cm": ["E11.9"]} if decision == "correct" else None
            save_review(case_id, "alice", decision, corrected_codes=fix)
        result = CliRunner().invoke(app, ["annotations", "export", "--format", "kto", "--output", str(path)])
        assert result.exit_code == 0, result.output
        return sum(1 for _ in path.open())
    finally:
        reset_engine()


def test_kto_dry_run_reads_the_export_as_is(tmp_path, monkeypatch, capsys):
    rows = tmp_path / "kto.jsonl"
    assert _kto_export(rows, tmp_path, monkeypatch) == 5  # accept, reject, correct (model + correction), accept
    code = kto.main(["--config", str(CONFIGS / "kto_tiny.yaml"), "--train_file", str(rows),
                     "--output_dir", str(tmp_path / "out"), "--dry_run"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "5 train / 0 eval records" in out and "labels: 3 desirable, 2 undesirable" in out and "plan (KTO)" in out


def test_bad_kto_rows_are_named_by_line(tmp_path, capsys):
    rows = tmp_path / "kto.jsonl"
    rows.write_text(json.dumps({"prompt": [{"role": "user", "content": "x"}],
                                "completion": [{"role": "assistant", "content": "y"}], "label": "yes"}) + "\n")
    assert kto.main(["--config", str(CONFIGS / "kto_tiny.yaml"), "--train_file", str(rows), "--dry_run"]) == 1
    assert "line 1: field 'label' must be true" in capsys.readouterr().err


@pytest.mark.heavy
def test_kto_trains_two_steps_on_the_shipped_tiny_model(tmp_path, monkeypatch):
    rows = tmp_path / "kto.jsonl"
    _kto_export(rows, tmp_path, monkeypatch)
    out = tmp_path / "kto"
    code = kto.main(["--config", str(CONFIGS / "kto_tiny.yaml"), "--model_name_or_path", str(TINY),
                     "--train_file", str(rows), "--output_dir", str(out), "--max_steps", "2",
                     "--per_device_train_batch_size", "2", "--logging_steps", "1", "--max_length", "1024"])
    assert code == 0
    summary = json.loads((out / "training_summary.json").read_text())
    assert summary["stage"] == "kto" and summary["global_step"] == 2
    assert (summary["desirable"], summary["undesirable"]) == (3, 2)
    assert (out / "model.safetensors").is_file()
