"""The plan of a training stage (dry run): parameters, tokens, steps and an estimated wall time.

Token counts come from the real tokenizer and chat template; the time estimate divides the tokens the
trainer will process by a throughput: a measured one (`throughput_tokens_per_s`, e.g. from
benchmarks/train_throughput.py) or a rough FLOP-based guess (6 x params FLOPs per trained token).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

# Rough effective training FLOP/s when nothing was measured: CPU per core (fp32), one modern GPU (bf16).
CPU_FLOPS_PER_CORE = 2.5e10
GPU_FLOPS = 1.0e14


@dataclass
class TrainingPlan:
    kind: str
    n_records: int
    n_params: int | None
    max_length: int | None
    packing: bool
    tokens_per_epoch: int
    sequences_per_epoch: int
    sequences_per_step: int
    steps: int
    tokens_to_process: int
    throughput_tokens_per_s: float | None
    throughput_source: str
    est_seconds: float | None
    n_truncated: int = 0
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def sft_lengths(records: list[dict], tokenizer) -> list[int]:
    return [len(tokenizer.apply_chat_template(r["messages"], tokenize=True, return_dict=True)["input_ids"])
            for r in records]


def kto_lengths(records: list[dict], tokenizer) -> list[int]:
    """Tokens of prompt+completion for each KTO row."""
    return [len(tokenizer.apply_chat_template(r["prompt"] + r["completion"], tokenize=True, return_dict=True)["input_ids"])
            for r in records]


def dpo_lengths(records: list[dict], tokenizer) -> list[int]:
    """Tokens of prompt+chosen plus prompt+rejected for each pair (the two sequences DPO trains on)."""
    lengths = []
    for r in records:
        total = 0
        for answer in (r["chosen"], r["rejected"]):
            total += len(tokenizer.apply_chat_template(r["prompt"] + answer, tokenize=True, return_dict=True)["input_ids"])
        lengths.append(total)
    return lengths


def guess_throughput(n_params: int | None, device: str, n_threads: int) -> float | None:
    if not n_params:
        return None
    flops = GPU_FLOPS if device.startswith("cuda") else CPU_FLOPS_PER_CORE * max(1, n_threads)
    return flops / (6.0 * n_params)


def build_plan(kind: str, lengths: list[int], train_args, n_params: int | None, world_size: int = 1,
               measured_throughput: float | None = None, n_threads: int = 1) -> TrainingPlan:
    """Steps and tokens as the TRL trainers will see them (sequences truncated to max_length)."""
    max_length = train_args.max_length
    cap = max_length * (2 if kind == "dpo" else 1) if max_length else None
    clipped = [min(n, cap) if cap else n for n in lengths]
    tokens = sum(clipped)
    packing = bool(getattr(train_args, "packing", False))
    sequences = math.ceil(tokens / max_length) if packing and max_length else len(lengths)
    per_step = train_args.per_device_train_batch_size * train_args.gradient_accumulation_steps * world_size
    steps_per_epoch = max(1, math.ceil(sequences / per_step))
    steps = train_args.max_steps if train_args.max_steps > 0 else math.ceil(steps_per_epoch * train_args.num_train_epochs)
    tokens_to_process = int(tokens * steps / steps_per_epoch)
    notes = []
    if kind == "dpo":
        tokens_to_process = int(tokens_to_process * 4 / 3)  # + a forward pass of the reference model
        notes.append("DPO tokens include the reference model's forward pass (x4/3)")
    throughput, source = measured_throughput, "measured (throughput_tokens_per_s)"
    if throughput is None:
        throughput = guess_throughput(n_params, str(train_args.device), n_threads)
        source = "rough guess from 6*params FLOPs per token; measure with benchmarks/train_throughput.py"
    est = tokens_to_process / throughput / world_size if throughput else None
    return TrainingPlan(
        kind=kind, n_records=len(lengths), n_params=n_params, max_length=max_length, packing=packing,
        tokens_per_epoch=tokens, sequences_per_epoch=sequences, sequences_per_step=per_step, steps=steps,
        tokens_to_process=tokens_to_process, throughput_tokens_per_s=throughput, throughput_source=source,
        est_seconds=est, n_truncated=sum(1 for a, b in zip(lengths, clipped, strict=True) if a != b), notes=notes,
    )


def format_plan(plan: TrainingPlan) -> str:
    params = f"{plan.n_params / 1e6:.2f}M" if plan.n_params else "unknown (model unavailable)"
    if plan.est_seconds is not None:
        est = (f"{plan.est_seconds / 60:.1f} min at {plan.throughput_tokens_per_s:,.0f} tokens/s "
               f"[{plan.throughput_source}]")
    else:
        est = "unknown (no parameter count and no measured throughput_tokens_per_s)"
    lines = [
        f"plan ({plan.kind.upper()}):",
        f"  parameters          {params}",
        f"  records             {plan.n_records} ({plan.n_truncated} longer than max_length {plan.max_length})",
        f"  tokens per epoch    {plan.tokens_per_epoch:,}",
        f"  sequences per epoch {plan.sequences_per_epoch} (packing: {plan.packing})",
        f"  steps               {plan.steps} x {plan.sequences_per_step} sequences",
        f"  tokens to process   {plan.tokens_to_process:,}",
        f"  est. time           {est}",
    ]
    lines += [f"  note: {n}" for n in plan.notes]
    return "\n".join(lines)
