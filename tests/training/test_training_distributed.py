"""The multi-process path on CPU: 3 SFT steps with 2 processes (torchrun, gloo DDP) follow the same loss
curve as 1 process with the same global batch. (`accelerate launch --cpu` needs MPI for several CPU
processes; torchrun + use_cpu gives transformers' MULTI_CPU mode directly.)"""

import json
import os
import subprocess
import sys

import pytest

from core.paths import REPO_ROOT, TRAINING_CONFIG_DIR

SMALL = ["--hidden_size", "64", "--num_hidden_layers", "2", "--num_attention_heads", "2", "--num_key_value_heads",
         "1", "--intermediate_size", "128", "--max_length", "512", "--max_steps", "3", "--logging_steps", "1",
         "--save_strategy", "no", "--gradient_accumulation_steps", "1", "--check_data", "false", "--use_cpu", "true"]


def _losses(out_dir):
    summary = json.loads((out_dir / "training_summary.json").read_text())
    return summary["world_size"], [h["loss"] for h in summary["log_history"] if "loss" in h]


@pytest.mark.heavy
def test_two_processes_match_one(tmp_path, tokenizer_dir, sample_files):
    common = ["-m", "training.sft", "--config", str(TRAINING_CONFIG_DIR / "stage_1_tiny.yaml"),
              "--tokenizer_name_or_path", str(tokenizer_dir), "--model_name_or_path", str(tokenizer_dir),
              "--train_file", str(sample_files["stage_1"]), *SMALL]
    env = dict(os.environ, OMP_NUM_THREADS="1")
    single = [sys.executable, *common, "--per_device_train_batch_size", "2", "--output_dir", str(tmp_path / "one")]
    launch = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_port", "29571",
              *common, "--per_device_train_batch_size", "1", "--output_dir", str(tmp_path / "two")]
    for command in (single, launch):
        done = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-3000:]
    (one_world, one), (two_world, two) = _losses(tmp_path / "one"), _losses(tmp_path / "two")
    assert (one_world, two_world) == (1, 2)
    assert len(one) == len(two) == 3
    assert two[-1] < two[0] and one[-1] < one[0]
    assert all(abs(a - b) < 0.1 for a, b in zip(one, two, strict=True)), (one, two)
