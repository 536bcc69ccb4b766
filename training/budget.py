"""Fitting training into a wall-clock budget: measure tokens/s here, size each stage's steps, stop on time.

    tokens_per_s = measure_throughput(ModelShape(), vocab_size=8192, seq_len=1024)
    steps = steps_for(seconds=300, tokens_per_s=tokens_per_s, tokens_per_step=4 * 1024)

`TimeLimitCallback` (set by `max_train_minutes`) is the safety net: it ends training, with a saved
model, when a stage overruns, whatever the estimate said.
"""

from __future__ import annotations

import logging
import math
import time

from transformers import TrainerCallback

logger = logging.getLogger(__name__)

DPO_COST_FACTOR = 4.0 / 3.0  # policy forward+backward plus the reference model's forward pass


def packed_position_ids(seq_len: int, documents: int = 3):
    """Position ids of `documents` sequences packed into one row (as the bfd-packing collator makes them)."""
    import torch

    size = max(1, seq_len // documents)
    lengths = [size] * (documents - 1) + [seq_len - size * (documents - 1)]
    return torch.cat([torch.arange(n) for n in lengths]).unsqueeze(0)


def measure_throughput(shape, vocab_size: int, seq_len: int, steps: int = 3, warmup: int = 1, seed: int = 0) -> float:
    """Training tokens/s of a random-init Llama of `shape` on this machine: fp32, AdamW, one packed row of
    `seq_len` tokens a step (several documents, so attention takes the same masked path as training)."""
    import torch

    from training.model_init import init_model, llama_config

    model = init_model(llama_config(shape, vocab_size=vocab_size), seed=seed)
    model.config.use_cache = False
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
    generator = torch.Generator().manual_seed(seed)
    batch = torch.randint(3, vocab_size, (1, seq_len), generator=generator)
    positions = packed_position_ids(seq_len)
    started = None
    for step in range(warmup + steps):
        if step == warmup:
            started = time.perf_counter()
        loss = model(input_ids=batch, position_ids=positions, labels=batch, use_cache=False).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
    seconds = time.perf_counter() - started
    rate = steps * seq_len / seconds
    logger.info("measured %.0f training tokens/s at sequence length %d", rate, seq_len)
    return rate


def steps_for(seconds: float, tokens_per_s: float, tokens_per_step: float, cost_factor: float = 1.0,
              min_steps: int = 1, max_steps: int | None = None) -> int:
    """Optimizer steps that fit in `seconds` at the measured rate (clamped to [min_steps, max_steps])."""
    if seconds <= 0 or tokens_per_s <= 0 or tokens_per_step <= 0:
        return min_steps
    steps = math.floor(seconds * tokens_per_s / (tokens_per_step * cost_factor))
    if max_steps is not None:
        steps = min(steps, max_steps)
    return max(min_steps, steps)


def split_budget(total_s: float, shares: dict[str, float]) -> dict[str, float]:
    """Seconds per stage from relative shares."""
    weight = sum(shares.values())
    return {name: total_s * share / weight for name, share in shares.items()}


class TimeLimitCallback(TrainerCallback):
    """Ends training once `max_seconds` have passed (checked after each optimizer step); the model is saved."""

    def __init__(self, max_seconds: float):
        self.max_seconds = max_seconds
        self.started = time.perf_counter()

    def on_train_begin(self, args, state, control, **kwargs):
        self.started = time.perf_counter()

    def on_step_end(self, args, state, control, **kwargs):
        elapsed = time.perf_counter() - self.started
        if elapsed > self.max_seconds:
            logger.warning("time limit of %.0f s reached at step %d/%d: stopping", self.max_seconds,
                           state.global_step, state.max_steps)
            control.should_training_stop = True
            control.should_save = True
        return control
