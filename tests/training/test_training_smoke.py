"""End to end on the shipped sample data: 5 SFT steps of a from-scratch model, 5 DPO steps from it,
and the checkpoint codes a narrative through core.pipeline (what `thce code --model DIR` runs)."""

import json
import math

import pytest

from core.paths import TRAINING_CONFIG_DIR as CONFIGS
from training import dpo, sft

SMALL_SHAPE = ["--hidden_size", "64", "--num_hidden_layers", "2", "--num_attention_heads", "2",
               "--num_key_value_heads", "1", "--intermediate_size", "128", "--max_position_embeddings", "2048"]
FAST_RUN = ["--per_device_train_batch_size", "1", "--gradient_accumulation_steps", "1", "--logging_steps", "1",
            "--max_length", "1024"]


def _sft(tokenizer_dir, sample_files, out, *extra):
    return sft.main(["--config", str(CONFIGS / "stage_1_tiny.yaml"), "--tokenizer_name_or_path", str(tokenizer_dir),
                     "--model_name_or_path", str(tokenizer_dir), "--train_file", str(sample_files["stage_1"]),
                     "--output_dir", str(out), *SMALL_SHAPE, *FAST_RUN, *extra])


@pytest.fixture(scope="module")
def sft_dir(tmp_path_factory, tokenizer_dir, sample_files):
    out = tmp_path_factory.mktemp("sft")
    log = out / "train.log"
    assert _sft(tokenizer_dir, sample_files, out, "--max_steps", "5", "--save_steps", "5", "--log_file", str(log)) == 0
    return out


def test_sft_trains_five_steps_and_saves_a_complete_model(sft_dir):
    summary = json.loads((sft_dir / "training_summary.json").read_text())
    assert summary["global_step"] == 5 and math.isfinite(summary["train_loss"])
    losses = [h["loss"] for h in summary["log_history"] if "loss" in h]
    assert len(losses) == 5 and losses[-1] < losses[0]
    for name in ("model.safetensors", "config.json", "tokenizer.json", "chat_template.jinja"):
        assert (sft_dir / name).is_file(), name
    assert json.loads((sft_dir / "config.json").read_text())["use_cache"] is True
    log = (sft_dir / "train.log").read_text()
    assert "step 5/5 | loss" in log and "plan (SFT)" in log


def test_dpo_trains_five_steps_on_stage_3_pairs(sft_dir, sample_files, tmp_path_factory):
    out = tmp_path_factory.mktemp("dpo")
    code = dpo.main(["--config", str(CONFIGS / "stage_3_tiny.yaml"), "--model_name_or_path", str(sft_dir),
                     "--train_file", str(sample_files["stage_3"]), "--output_dir", str(out), "--max_steps", "5",
                     "--save_steps", "5", *FAST_RUN])
    assert code == 0
    summary = json.loads((out / "training_summary.json").read_text())
    assert summary["global_step"] == 5 and summary["beta"] == 0.1
    assert any("rewards/margins" in h for h in summary["log_history"])

    from typer.testing import CliRunner

    from core.cli import app

    narrative = "Patient with type 2 diabetes, seen for a follow-up."
    done = CliRunner().invoke(app, ["code", "--model", str(out), "--constrain", "none", "--json", narrative])
    assert done.exit_code == 0, done.output
    result = json.loads(done.stdout)
    assert isinstance(result["raw"], str) and set(result["codes"]) == {"icd10cm", "cpt", "hcpcs"}


def test_resume_from_the_last_checkpoint(tokenizer_dir, sample_files, tmp_path):
    assert _sft(tokenizer_dir, sample_files, tmp_path, "--max_steps", "2", "--save_steps", "2") == 0
    assert (tmp_path / "checkpoint-2").is_dir()
    assert _sft(tokenizer_dir, sample_files, tmp_path, "--max_steps", "3", "--save_steps", "3",
                "--resume_from_checkpoint", "last") == 0
    summary = json.loads((tmp_path / "training_summary.json").read_text())
    assert summary["global_step"] == 3
    # the summary covers the whole run: steps 1-2 from the checkpoint's trainer state, step 3 trained now
    assert [h["step"] for h in summary["log_history"] if "loss" in h] == [1, 2, 3]
    assert summary["resumed_from"]["step"] == 2


def test_bad_inputs_fail_with_one_line(tokenizer_dir, sample_files, tmp_path, capsys):
    assert _sft(tokenizer_dir, sample_files, tmp_path, "--train_file", str(sample_files["stage_3"])) == 1
    assert "missing field(s) ['messages']" in capsys.readouterr().err
    assert _sft(tokenizer_dir, sample_files, tmp_path, "--resume_from_checkpoint", str(tmp_path / "none")) == 1
    assert "checkpoint directory not found" in capsys.readouterr().err


def _store_pairs(path, narratives):
    """Corrections saved in a fresh review store, exported as `thce annotations export --format dpo` does."""
    from core.prompts import build_messages, format_answer
    from core.store import (
        add_case,
        export_preference_pairs,
        init_db,
        reset_engine,
        save_prediction,
        save_review,
    )

    init_db(f"sqlite:///{path.parent / 'store.db'}")
    try:
        for i, narrative in enumerate(narratives):
            case_id = add_case(narrative, source="test", external_id=f"case-{i}")
            codes = {"icd10cm": ["E11.65"], "cpt": [], "hcpcs": []}
            save_prediction(case_id, {"codes": codes, "reasoning": "diabetes", "latency_s": 0.1, "model_id": "tiny",
                                      "raw": format_answer("\"diabetes\" -> E11.65", codes),
                                      "prompt": build_messages(narrative)})
            save_review(case_id, "alice", "correct", corrected_codes={"icd10cm": ["E11.9"]})
        return export_preference_pairs(path, format="dpo")
    finally:
        reset_engine()


def test_dpo_trains_on_pairs_exported_from_the_review_store(sft_dir, tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    pairs = tmp_path / "pairs.jsonl"
    narratives = ["Type 2 diabetes without complications, routine follow-up.", "Diabetes type 2, stable on metformin."]
    assert _store_pairs(pairs, narratives) == 2
    code = dpo.main(["--config", str(CONFIGS / "stage_3_tiny.yaml"), "--model_name_or_path", str(sft_dir),
                     "--train_file", str(pairs), "--output_dir", str(tmp_path / "dpo"), "--max_steps", "2",
                     "--save_strategy", "no", *FAST_RUN])
    assert code == 0
    assert json.loads((tmp_path / "dpo" / "training_summary.json").read_text())["global_step"] == 2
