"""SFT training throughput through the project's TRL path (SFTTrainer + packing), printed as JSON.

    uv run python benchmarks/train_throughput.py                                 # GPU: the fastest setting
    uv run python benchmarks/train_throughput.py --device cpu --steps 3          # CPU smoke run (tiny settings)
    uv run python benchmarks/train_throughput.py --device cpu --shape tiny --seq-len 1024 --steps 8
    # GPU, the stage configs' way: fp32 master weights + autocast, Liger kernels, no compile, 32 rows per step
    uv run python benchmarks/train_throughput.py --dtype fp32 --liger --no-compile --batch-size 32

On a GPU the defaults are the fastest setting measured on one H200 (docs/TRAINING.md): the SmolLM2-135M shape in
pure bf16, 128 rows of 1,024 tokens per step, torch.compile, no Liger (~302k tokens/s).

The model is a random init of the chosen Llama shape (no download); the data is random token
sequences, pre-tokenized, packed (bfd, padding-free) exactly like the stage configs, or (--no-packing) batched
as equal-length rows, so that sdpa runs its causal flash kernel over B x T tokens per micro-step. On a GPU the
run uses bf16, fused AdamW and torch.compile (unless --no-compile); Liger kernels with --liger. Output:
tokens/s (after warm-up steps), tokens per CPU-second of this process (the fair figure on a shared machine:
x cores for dedicated cores), MFU (6N + attention FLOPs per token over the
device's bf16 peak; null on CPU unless --peak-tflops), peak memory.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# Dense bf16 peak TFLOP/s by device-name fragment (vendor data sheets).
PEAK_BF16_TFLOPS = {"H200": 989.0, "H100": 989.0, "A100": 312.0, "L40S": 362.0, "L4": 121.0, "A10G": 125.0,
                    "RTX 4090": 165.0, "A6000": 155.0, "V100": 125.0, "T4": 65.0}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", choices=["auto", "cuda", "cpu"], default="auto")
    parser.add_argument("--shape", choices=["smollm2-135m", "tiny"], default="smollm2-135m")
    parser.add_argument("--steps", type=int, default=None, help="Measured optimizer steps (GPU 20, CPU 3).")
    parser.add_argument("--warmup", type=int, default=None, help="Unmeasured first steps (GPU 3, CPU 1).")
    parser.add_argument("--seq-len", type=int, default=None, help="Tokens per row (GPU 1024, CPU 128).")
    parser.add_argument("--batch-size", type=int, default=None,
                        help="Rows per device per micro-step (GPU 128: the fastest measured on an H200; CPU 1).")
    parser.add_argument("--grad-accum", type=int, default=None, help="Micro-steps per step (default 1).")
    parser.add_argument("--compile", action=argparse.BooleanOptionalAction, default=None,
                        help="torch.compile (default: on GPU).")
    parser.add_argument("--liger", action=argparse.BooleanOptionalAction, default=None,
                        help="Liger kernels (default: off; they do not compile under Inductor, so --liger needs "
                             "--no-compile to help).")
    parser.add_argument("--packing", action=argparse.BooleanOptionalAction, default=None,
                        help="One packed row per micro-step (bfd, as the stage configs) instead of B equal-length "
                             "rows (default: packed on CPU, rows on GPU).")
    parser.add_argument("--attn", default="sdpa", help="attn_implementation (sdpa, flex_attention, eager).")
    parser.add_argument("--dtype", choices=["fp32", "bf16"], default=None,
                        help="Weights: fp32 master weights (+ bf16 autocast on GPU, as the stage configs), or pure "
                             "bf16 (default: bf16 on GPU, fp32 on CPU).")
    parser.add_argument("--peak-tflops", type=float, default=None, help="Device peak for MFU (default: by name).")
    parser.add_argument("--threads", type=int, default=None, help="CPU threads (default: torch's).")
    return parser.parse_args(argv)


def resolve_settings(args) -> dict:
    import torch

    device = "cuda" if args.device == "auto" and torch.cuda.is_available() else args.device
    device = "cpu" if device == "auto" else device
    if device == "cuda" and not torch.cuda.is_available():
        raise SystemExit("error: --device cuda but no CUDA device is available")
    gpu = device == "cuda"
    liger = bool(args.liger) and gpu and importlib.util.find_spec("liger_kernel") is not None
    return {
        "device": device, "shape": args.shape, "steps": args.steps or (20 if gpu else 3),
        "warmup": max(1, args.warmup if args.warmup is not None else (3 if gpu else 1)),
        "seq_len": args.seq_len or (1024 if gpu else 128), "batch_size": args.batch_size or (128 if gpu else 1),
        "grad_accum": args.grad_accum or 1, "bf16": gpu,
        "compile": gpu and args.compile is not False, "liger": liger,
        "packing": args.packing if args.packing is not None else not gpu, "attn": args.attn,
        "dtype": args.dtype or ("bf16" if gpu else "fp32"),
    }


def build_model(settings: dict):
    from training.model_init import (
        SMOLLM2_135M_SHAPE,
        SMOLLM2_VOCAB_SIZE,
        ModelShape,
        init_model,
        llama_config,
    )

    shape, vocab = (SMOLLM2_135M_SHAPE, SMOLLM2_VOCAB_SIZE) if settings["shape"] == "smollm2-135m" else (ModelShape(), 8192)
    config = llama_config(shape, vocab_size=vocab)
    config.pad_token_id, config.eos_token_id, config.bos_token_id = 0, 2, 1
    config._attn_implementation = settings.get("attn", "sdpa")
    if settings["liger"]:
        from liger_kernel.transformers import apply_liger_kernel_to_llama

        # Norm/SwiGLU/RoPE kernels only: TRL's fused LM head already avoids materialising the logits.
        apply_liger_kernel_to_llama(rope=True, rms_norm=True, swiglu=True, cross_entropy=False,
                                    fused_linear_cross_entropy=False)
    model = init_model(config, seed=0)
    if settings.get("dtype") == "bf16":
        import torch

        model = model.to(torch.bfloat16)
    return model, config


def build_tokenizer():
    """A small ChatML tokenizer: the trainer only needs its pad/eos ids (the data is pre-tokenized)."""
    from training.tokenizer import train_tokenizer

    return train_tokenizer(["THCE benchmark tokenizer <|im_start|> <|im_end|>"] * 8, vocab_size=300)


def random_dataset(settings: dict, vocab_size: int, n_sequences: int):
    import torch
    from datasets import Dataset

    generator = torch.Generator().manual_seed(0)
    ids = torch.randint(3, vocab_size, (n_sequences, settings["seq_len"]), generator=generator)
    return Dataset.from_dict({"input_ids": ids.tolist()})


def flops_per_token(n_params: int, config, seq_len: int) -> float:
    """6N for the weights plus 12 * layers * hidden * seq_len for attention (PaLM appendix B)."""
    return 6.0 * n_params + 12.0 * config.num_hidden_layers * config.hidden_size * seq_len


def peak_tflops(device: str, given: float | None) -> float | None:
    if given or device != "cuda":
        return given
    import torch

    name = torch.cuda.get_device_name(0)
    return next((v for k, v in PEAK_BF16_TFLOPS.items() if k in name), None)


def make_timer():
    from transformers import TrainerCallback

    class StepTimer(TrainerCallback):
        def __init__(self):
            self.ends: list[float] = []
            self.cpu_ends: list[float] = []

        def on_step_end(self, args, state, control, **kwargs):
            if args.device.type == "cuda":
                import torch

                torch.cuda.synchronize()
            self.ends.append(time.perf_counter())
            self.cpu_ends.append(time.process_time())

    return StepTimer()


def train_args(settings: dict, output_dir: str):
    from trl import SFTConfig

    return SFTConfig(
        output_dir=output_dir, max_steps=settings["warmup"] + settings["steps"], max_length=settings["seq_len"],
        packing=settings.get("packing", True), per_device_train_batch_size=settings["batch_size"],
        gradient_accumulation_steps=settings["grad_accum"], learning_rate=1e-4,
        bf16=settings["bf16"] and settings.get("dtype") != "bf16",
        use_cpu=settings["device"] == "cpu", gradient_checkpointing=False, torch_compile=settings["compile"],
        optim="adamw_torch_fused", logging_steps=1000, save_strategy="no", report_to="none", seed=0,
        dataloader_num_workers=2 if settings["device"] == "cuda" else 0,
        dataloader_pin_memory=settings["device"] == "cuda", disable_tqdm=True,
    )


def run(settings: dict) -> dict:
    import torch
    from transformers import PrinterCallback
    from trl import SFTTrainer

    from training.model_init import count_parameters

    model, config = build_model(settings)
    n_params = count_parameters(model)
    sequences = settings["batch_size"] * settings["grad_accum"] * (settings["warmup"] + settings["steps"])
    timer = make_timer()
    with tempfile.TemporaryDirectory(prefix="thce-bench-") as tmp:
        trainer = SFTTrainer(model=model, args=train_args(settings, tmp), processing_class=build_tokenizer(),
                             train_dataset=random_dataset(settings, config.vocab_size, sequences), callbacks=[timer])
        trainer.remove_callback(PrinterCallback)  # stdout carries only the JSON result
        if settings["device"] == "cuda":
            torch.cuda.reset_peak_memory_stats()
        trainer.train()
    first = max(settings["warmup"] - 1, 0)  # the end of the last warm-up step starts the clock
    seconds = timer.ends[-1] - timer.ends[first]
    cpu_seconds = timer.cpu_ends[-1] - timer.cpu_ends[first]
    tokens = (len(timer.ends) - 1 - first) * settings["batch_size"] * settings["grad_accum"] * settings["seq_len"]
    return {"n_params": n_params, "seconds": seconds, "cpu_seconds": cpu_seconds, "tokens": tokens,
            "flops_per_token": flops_per_token(n_params, config, settings["seq_len"])}


def peak_memory_gb(device: str) -> float:
    if device == "cuda":
        import torch

        return torch.cuda.max_memory_allocated() / 1e9
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e9  # KiB on Linux


def main(argv=None) -> None:
    args = parse_args(argv)
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    settings = resolve_settings(args)
    result = run(settings)
    tokens_per_s = result["tokens"] / result["seconds"] if result["seconds"] > 0 else None
    peak = peak_tflops(settings["device"], args.peak_tflops)
    mfu = tokens_per_s * result["flops_per_token"] / (peak * 1e12) if peak and tokens_per_s else None
    print(json.dumps({
        "benchmark": "train_throughput", **settings, "threads": torch.get_num_threads(),
        "device_name": torch.cuda.get_device_name(0) if settings["device"] == "cuda" else "cpu",
        "n_params": result["n_params"], "measured_steps": settings["steps"], "tokens": result["tokens"],
        "seconds": round(result["seconds"], 3), "tokens_per_s": round(tokens_per_s, 1) if tokens_per_s else None,
        "cpu_seconds": round(result["cpu_seconds"], 3),
        "tokens_per_cpu_s": round(result["tokens"] / result["cpu_seconds"], 1) if result["cpu_seconds"] > 0 else None,
        "mfu": round(mfu, 4) if mfu is not None else None, "peak_tflops": peak,
        "peak_memory_gb": round(peak_memory_gb(settings["device"]), 3),
        "versions": {"torch": torch.__version__, "trl": __import__("trl").__version__,
                     "transformers": __import__("transformers").__version__},
    }))


if __name__ == "__main__":
    main()
