"""Preference optimisation (stage 3) with TRL's DPOTrainer, starting from the stage 2 model.

Usage (from the repository root):

    uv run python -m training.dpo --config training/configs/stage_3_tiny.yaml
    uv run thce train dpo --config training/configs/stage_3.yaml --dry-run
    uv run thce annotations export pairs.jsonl && \\
        uv run thce train dpo --config training/configs/stage_3_tiny.yaml --train_file pairs.jsonl

The data is stage_3 JSONL ({"prompt": [messages], "chosen": [assistant message], "rejected": [...]}),
which is also what the review store exports: it trains as is. The reference model is a frozen copy of
the starting model (TRL loads it from the same path). Keys: training/config.py's dataclasses + trl.DPOConfig.
"""

from __future__ import annotations

import sys

from training.config import TrainSettings
from training.stage import StageInputs
from training.stage_main import StageEntry, run_stage_main


def summary_extra(settings: TrainSettings, inputs: StageInputs) -> dict:
    return {"beta": settings.train.beta}


ENTRY = StageEntry("dpo", trainer="DPOTrainer", config="DPOConfig",
                   scratch_error="DPO starts from a trained model (stage 2); init_from_scratch is not allowed",
                   summary_extra=summary_extra)


def main(argv: list[str] | None = None) -> int:
    return run_stage_main(ENTRY, argv)


if __name__ == "__main__":
    sys.exit(main())
