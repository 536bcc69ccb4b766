"""`thce train sft|dpo|kto` runs and output_dir: a fresh run never replaces an earlier one unasked
(`--overwrite_output_dir true` does), a resumed run's summary covers the whole run, and a dry run that finds a
problem exits 1 after printing its whole report. Tiny from-scratch model, a few steps."""

import json

import pytest

from tests.training.test_training_smoke import _sft  # the same tiny from-scratch run


def _summary(out):
    return json.loads((out / "training_summary.json").read_text())


@pytest.fixture(scope="module")
def resumed_run(tmp_path_factory, tokenizer_dir, sample_files):
    """Steps 1-2, then resumed to step 3 (`--resume_from_checkpoint last`)."""
    out = tmp_path_factory.mktemp("run")
    assert _sft(tokenizer_dir, sample_files, out, "--max_steps", "2", "--save_steps", "2") == 0
    first = _summary(out)
    assert _sft(tokenizer_dir, sample_files, out, "--max_steps", "3", "--save_steps", "3",
                "--resume_from_checkpoint", "last") == 0
    return out, first


def test_a_resumed_runs_summary_covers_the_whole_run(resumed_run):
    out, first = resumed_run
    summary = _summary(out)
    assert summary["global_step"] == 3
    losses = [h for h in summary["log_history"] if "loss" in h]
    assert [h["step"] for h in losses] == [1, 2, 3]  # steps 1-2 from the checkpoint's trainer state
    resumed = summary["resumed_from"]
    assert resumed["checkpoint"].endswith("checkpoint-2") and resumed["step"] == 2
    assert resumed["segment"]["steps"] == 1 and resumed["wall_s_before"] > 0
    assert summary["wall_s"] == pytest.approx(resumed["wall_s_before"] + resumed["segment"]["wall_s"], abs=0.2)
    assert summary["wall_s"] > first["wall_s"] * 0.5 and summary["wall_s"] > resumed["segment"]["wall_s"]
    whole = sum(h["loss"] for h in losses) / 3  # one step per log: the plain mean of the logged losses
    assert summary["train_loss"] == pytest.approx(whole, rel=1e-3)
    assert resumed["segment"]["train_loss"] == pytest.approx(losses[-1]["loss"], rel=1e-3)


def test_a_fresh_run_refuses_an_output_dir_that_holds_an_earlier_run(resumed_run, tokenizer_dir, sample_files,
                                                                     capsys):
    out, _ = resumed_run
    model_before = (out / "model.safetensors").read_bytes()
    capsys.readouterr()
    assert _sft(tokenizer_dir, sample_files, out, "--max_steps", "1") == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "already holds an earlier run (checkpoint-3" in err
    assert "--resume_from_checkpoint last" in err and "--output_dir" in err and "--overwrite_output_dir true" in err
    assert (out / "checkpoint-3").is_dir() and (out / "model.safetensors").read_bytes() == model_before
    assert _summary(out)["global_step"] == 3

    # the dry run says the same in its report, exits 1; resuming is fine
    assert _sft(tokenizer_dir, sample_files, out, "--max_steps", "1", "--dry_run") == 1
    assert "[   error   ] output_dir:" in capsys.readouterr().out
    assert _sft(tokenizer_dir, sample_files, out, "--max_steps", "4", "--resume_from_checkpoint", "last",
                "--dry_run") == 0
    assert "resumes from" in capsys.readouterr().out


def test_overwrite_output_dir_replaces_the_earlier_run(tokenizer_dir, sample_files, tmp_path):
    assert _sft(tokenizer_dir, sample_files, tmp_path, "--max_steps", "2", "--save_steps", "2") == 0
    (tmp_path / "notes.txt").write_text("mine")
    assert _sft(tokenizer_dir, sample_files, tmp_path, "--max_steps", "1", "--save_steps", "1",
                "--overwrite_output_dir", "true") == 0
    assert sorted(p.name for p in tmp_path.glob("checkpoint-*")) == ["checkpoint-1"]  # the earlier run's are gone
    assert _summary(tmp_path)["global_step"] == 1 and "resumed_from" not in _summary(tmp_path)
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_a_dry_run_that_finds_a_problem_exits_1_after_its_report(tokenizer_dir, sample_files, tmp_path, capsys):
    assert _sft(tokenizer_dir, sample_files, tmp_path, "--train_file", str(tmp_path / "missing.jsonl"),
                "--dry_run") == 1
    out, err = capsys.readouterr()
    assert "not ready to train here: data unavailable" in out and "dry run: nothing trained" in out
    assert "[    ok     ] tokenizer" in out and "error: dry run: not ready to train" in err

    assert _sft(tokenizer_dir, sample_files, tmp_path, "--resume_from_checkpoint", str(tmp_path / "none"),
                "--dry_run") == 1
    out, _ = capsys.readouterr()
    assert "[   error   ] checkpoint: resume_from_checkpoint: checkpoint directory not found" in out
    assert "plan (SFT)" in out and "dry run: nothing trained" in out

    assert _sft(tokenizer_dir, sample_files, tmp_path / "new", "--dry_run") == 0
    assert "starts afresh in" in capsys.readouterr().out


def test_resume_without_a_checkpoint_never_starts_afresh_over_a_trained_model(tokenizer_dir, sample_files, tmp_path,
                                                                              capsys):
    (tmp_path / "training_summary.json").write_text('{"global_step": 4}')  # a run saved without checkpoints
    assert _sft(tokenizer_dir, sample_files, tmp_path, "--resume_from_checkpoint", "last", "--dry_run") == 1
    out = capsys.readouterr().out
    assert "no checkpoint to resume from" in out and "resume it with" not in out


def test_resuming_a_checkpoint_already_at_max_steps_is_refused(resumed_run, tokenizer_dir, sample_files, capsys):
    """Regression: `--resume_from_checkpoint last` on a finished run (checkpoint at step N = --max_steps N) went on
    training: when N ends inside an epoch the trainer ran the epoch's rest ('step 4/3'), past max_steps and the
    schedule's end, and replaced the finished model and summary."""
    out, _ = resumed_run
    model_before = (out / "model.safetensors").read_bytes()
    capsys.readouterr()
    assert _sft(tokenizer_dir, sample_files, out, "--max_steps", "3", "--resume_from_checkpoint", "last") == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "already at step 3" in err and "--max_steps" in err
    assert (out / "model.safetensors").read_bytes() == model_before and _summary(out)["global_step"] == 3
    assert _sft(tokenizer_dir, sample_files, out, "--max_steps", "3", "--resume_from_checkpoint", "last",
                "--dry_run") == 1
    assert "[   error   ] checkpoint:" in capsys.readouterr().out
