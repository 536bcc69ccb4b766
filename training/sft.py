"""Supervised fine-tuning (stages 1 and 2) with TRL's SFTTrainer.

Usage (from the repository root):

    uv run python -m training.sft --config training/configs/stage_1_tiny.yaml
    uv run thce train sft --config training/configs/stage_2.yaml --dry-run
    uv run thce train sft --config training/configs/stage_1_tiny.yaml --max_steps 5 --learning_rate 1e-3

Every YAML key is a field of training/config.py's dataclasses or of trl.SFTConfig; flags override the
YAML. `--dry-run` checks config, data (quality gates), tokenizer, chat template and model, prints the
plan and trains nothing (exit 1 when it finds a problem). `--resume_from_checkpoint last` continues from the
newest checkpoint; a fresh run refuses an output_dir that holds an earlier run (`--overwrite_output_dir true`
replaces it).
Multi-GPU: `accelerate launch --config_file training/configs/accelerate/ddp.yaml -m training.sft --config ...`.
"""

from __future__ import annotations

import sys

from training.stage_main import StageEntry, run_stage_main

ENTRY = StageEntry("sft", trainer="SFTTrainer", config="SFTConfig")


def main(argv: list[str] | None = None) -> int:
    return run_stage_main(ENTRY, argv)


if __name__ == "__main__":
    sys.exit(main())
