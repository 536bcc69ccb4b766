"""benchmarks/train_throughput.py runs the TRL SFT path on CPU and prints one JSON object."""

import json
import subprocess
import sys

import pytest

from core.paths import REPO_ROOT

SCRIPT = REPO_ROOT / "benchmarks" / "train_throughput.py"


def _run(*args):
    done = subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, cwd=REPO_ROOT,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def test_tiny_cpu_run_reports_throughput():
    result = _run("--device", "cpu", "--shape", "tiny", "--seq-len", "64", "--steps", "2")
    assert result["device"] == "cpu" and result["bf16"] is False and result["compile"] is False
    assert result["tokens"] == 2 * 64 and result["tokens_per_s"] > 0 and result["tokens_per_cpu_s"] > 0
    assert result["mfu"] is None and result["peak_memory_gb"] > 0
    assert 6_000_000 < result["n_params"] < 8_000_000


@pytest.mark.heavy
def test_smollm2_shape_on_cpu():
    result = _run("--device", "cpu", "--steps", "3")
    assert result["n_params"] == 134_515_008 and result["tokens"] == 3 * 128
    assert _run("--device", "cpu", "--steps", "1", "--peak-tflops", "1.0")["mfu"] > 0
