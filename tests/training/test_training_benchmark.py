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


def test_gpu_defaults_are_the_fastest_measured_setting(monkeypatch):
    """On a GPU a plain run measures what reached 300k tokens/s on one H200; each choice can be turned off."""
    import importlib.util

    import torch

    spec = importlib.util.spec_from_file_location("train_throughput", SCRIPT)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    gpu = bench.resolve_settings(bench.parse_args([]))
    assert (gpu["device"], gpu["seq_len"], gpu["batch_size"], gpu["grad_accum"]) == ("cuda", 1024, 128, 1)
    assert (gpu["dtype"], gpu["compile"], gpu["liger"], gpu["packing"]) == ("bf16", True, False, False)
    stages = bench.resolve_settings(bench.parse_args(["--dtype", "fp32", "--no-compile", "--packing",
                                                      "--batch-size", "1", "--seq-len", "2048"]))
    assert (stages["dtype"], stages["compile"], stages["packing"], stages["batch_size"]) == ("fp32", False, True, 1)
    cpu = bench.resolve_settings(bench.parse_args(["--device", "cpu"]))
    assert (cpu["dtype"], cpu["compile"], cpu["packing"], cpu["batch_size"], cpu["seq_len"]) == ("fp32", False, True,
                                                                                                  1, 128)
