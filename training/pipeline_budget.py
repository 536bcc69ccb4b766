"""Sizing a pipeline stage to its share of the time budget: the flags passed to training.sft/dpo.

Before each stage: measure training tokens/s at the stage's sequence length (a few steps of the tiny
model, cached in the pipeline state), count the stage's tokens with the trained tokenizer, and turn
the stage's share of the remaining time into `--max_steps` (at most `max_epochs` over the data).
"""

from __future__ import annotations

import logging
import math
import statistics
from pathlib import Path

import yaml

from training.budget import DPO_COST_FACTOR, measure_throughput, steps_for

logger = logging.getLogger(__name__)

TRAINER_EFFICIENCY = 0.85  # the trainer's overhead (data collation, masks, logging) vs the bare measured loop
PACKING_FILL = 0.95        # bfd bins are nearly full
TIME_LIMIT_SLACK = 1.2     # the time-limit safety net, relative to the stage's budget
LENGTH_SAMPLE = 300


def read_config(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def measured_rate(pipeline, seq_len: int) -> float:
    given = getattr(pipeline.args, "tokens_per_s", None) or pipeline.preset.tokens_per_s
    if given:  # a pretrained base: the preset's (or the command line's) measured end-to-end rate
        return given
    cache = pipeline.state.setdefault("throughput", {})
    if str(seq_len) not in cache:
        from training.model_init import ModelShape

        rate = measure_throughput(ModelShape(), pipeline.state.get("vocab_size", 8192), seq_len)
        cache[str(seq_len)] = round(rate, 1)
    return cache[str(seq_len)] * TRAINER_EFFICIENCY


def choose_threads(vocab_size: int, seq_len: int = 1024) -> int:
    """1 thread or all cores, whichever trains faster right now: on a machine shared with other work,
    oversubscribed threads can be several times slower than one."""
    import os

    import torch

    from training.model_init import ModelShape

    rates = {}
    for threads in sorted({1, os.cpu_count() or 1}):
        torch.set_num_threads(threads)
        rates[threads] = measure_throughput(ModelShape(), vocab_size, seq_len, steps=2)
    best = max(rates, key=rates.get)
    logger.info("training threads: %d (tokens/s by threads: %s)", best, {k: round(v) for k, v in rates.items()})
    return best


def stage_seconds(pipeline, stage: str) -> float:
    """This stage's share of what is left after the reserves for the remaining stages and the evaluation."""
    preset = pipeline.preset
    done = set(pipeline.state.get("stages", {})) - {stage}
    remaining = [s for s in preset.shares if s not in done]
    left = pipeline.budget_s - pipeline.elapsed() - preset.reserve_eval_s - preset.reserve_stage_s * len(remaining)
    share = preset.shares[stage] / sum(preset.shares[s] for s in remaining)
    return max(30.0, left * share)


def sample_lengths(pipeline, stage: str, kind: str) -> tuple[int, list[int]]:
    """(records in the stage file, token lengths of a sample of them)."""
    from training.data import read_stage_records
    from training.plan import dpo_lengths, sft_lengths
    from training.tokenizer import load_tokenizer

    records = read_stage_records(pipeline.stage_file(stage), kind)
    tokenizer = load_tokenizer(str(pipeline.work / "tokenizer")) if not pipeline.preset.base_model else _base_tokenizer()
    sample = records[:: max(1, len(records) // LENGTH_SAMPLE)][:LENGTH_SAMPLE]
    return len(records), (sft_lengths if kind == "sft" else dpo_lengths)(sample, tokenizer)


def _base_tokenizer():
    from core.inference.base import prepare_base
    from core.paths import REPO_ROOT
    from training.tokenizer import load_tokenizer

    return load_tokenizer(str(prepare_base().path), str(REPO_ROOT / "training" / "chat_template.jinja"))


def stage_sizing(pipeline, stage: str, config: dict) -> dict:
    kind = "dpo" if stage == "stage_3" else "sft"
    max_length = int(config["max_length"])
    per_step = int(config["per_device_train_batch_size"]) * int(config["gradient_accumulation_steps"])
    n_records, lengths = sample_lengths(pipeline, stage, kind)
    cap = max_length * (2 if kind == "dpo" else 1)
    mean_tokens = statistics.mean(min(n, cap) for n in lengths)
    if config.get("packing"):
        epoch_sequences = math.ceil(n_records * mean_tokens / (max_length * PACKING_FILL))
        tokens_per_step = per_step * max_length * PACKING_FILL
    else:
        epoch_sequences, tokens_per_step = n_records, per_step * mean_tokens
    epoch_steps = max(1, math.ceil(epoch_sequences / per_step))
    seconds = stage_seconds(pipeline, stage)
    rate = measured_rate(pipeline, max_length)
    cap_steps = math.ceil(pipeline.preset.max_epochs * epoch_steps)
    if pipeline.args.max_steps:
        cap_steps = min(cap_steps, pipeline.args.max_steps)
    cost = DPO_COST_FACTOR if kind == "dpo" else 1.0
    steps = steps_for(seconds, rate, tokens_per_step, cost, max_steps=cap_steps)
    return {"seconds": round(seconds, 1), "tokens_per_s": round(rate, 1), "tokens_per_step": round(tokens_per_step),
            "epoch_steps": epoch_steps, "max_steps": steps, "records": n_records,
            "mean_tokens_per_record": round(mean_tokens, 1)}


def stage_overrides(pipeline, stage: str) -> tuple[list[str], dict]:
    """CLI overrides for the stage's YAML (paths in the work dir, step budget, time limit, seed)."""
    from core.paths import REPO_ROOT

    config = read_config(REPO_ROOT / pipeline.preset.configs[stage])
    sizing = stage_sizing(pipeline, stage, config)
    logger.info("%s sizing: %s", stage, sizing)
    work, seed, steps = pipeline.work, str(pipeline.args.seed), sizing["max_steps"]
    overrides = [
        "--train_file", str(pipeline.stage_file(stage)), "--output_dir", str(work / stage),
        "--max_steps", str(steps), "--save_steps", str(max(1, steps // 2)),
        "--max_train_minutes", f"{sizing['seconds'] * TIME_LIMIT_SLACK / 60:.2f}",
        "--throughput_tokens_per_s", str(sizing["tokens_per_s"]),
        "--log_file", str(work / "logs" / f"{stage}.log"), "--seed", seed, "--data_seed", seed,
    ]
    if getattr(pipeline.args, "skip_data_check", False):
        overrides += ["--check_data", "false"]
    previous = {"stage_1": None, "stage_2": "stage_1", "stage_3": "stage_2"}[stage]
    if previous is None and pipeline.preset.base_model:
        overrides += ["--model_name_or_path", pipeline.preset.base_model]
    elif previous is None:
        tokenizer = str(work / "tokenizer")
        overrides += ["--tokenizer_name_or_path", tokenizer, "--model_name_or_path", tokenizer]
    else:
        overrides += ["--model_name_or_path", str(work / previous)]
    return overrides, sizing
