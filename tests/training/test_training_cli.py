"""`thce train ...` runs the training entry points as subprocesses and passes their exit status through."""

import os
import subprocess
import sys

from core.paths import REPO_ROOT


def _thce(*args, timeout=180):
    env = dict(os.environ, HF_HUB_OFFLINE="1")
    return subprocess.run([sys.executable, "-m", "core.cli", "train", *args], capture_output=True, text=True,
                          cwd=REPO_ROOT, env=env, timeout=timeout)


def test_gpu_stage_2_dry_run_reports_offline_without_a_traceback():
    """The whole report, then exit 1 when something is unavailable here (0 only when ready to train)."""
    out = _thce("sft", "--config", "training/configs/stage_2.yaml", "--dry-run")
    assert "Traceback" not in out.stderr + out.stdout
    assert "dry run: nothing trained" in out.stdout
    assert "[unavailable] model" in out.stdout or "[    ok     ] model" in out.stdout
    ready = "not ready to train here" not in out.stdout
    assert out.returncode == (0 if ready else 1), out.stderr
    assert ready or "error: dry run: not ready to train" in out.stderr


def test_unknown_flag_exits_2_with_one_line(tmp_path):
    out = _thce("sft", "--config", "training/configs/stage_1_tiny.yaml", "--no_such_flag", "1")
    assert out.returncode == 2
    assert "unknown command-line flag(s): ['--no_such_flag', '1']" in out.stderr
    assert "Traceback" not in out.stderr


def test_missing_config_file():
    out = _thce("dpo", "--config", "nowhere.yaml")
    assert out.returncode == 2 and "config file not found" in out.stderr
