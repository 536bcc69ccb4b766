"""KTO (Kahneman-Tversky optimisation) with TRL's KTOTrainer on the review store's unpaired signals.

Usage (from the repository root):

    uv run thce annotations export --format kto --output data/kto_reviews.jsonl && \\
        uv run thce train kto --config training/configs/kto_tiny.yaml --train_file data/kto_reviews.jsonl
    uv run python -m training.kto --config training/configs/kto_tiny.yaml --dry_run

The data is what `thce annotations export --format kto` writes: TRL's conversational unpaired preference
rows ({"prompt": [messages], "completion": [assistant message], "label": bool}); accepted model answers are
desirable, rejected or corrected ones undesirable, corrections desirable. It trains as is (no reformatting).
The reference model is a frozen copy of the starting model. Keys: training/config.py's dataclasses +
trl.KTOConfig (desirable_weight / undesirable_weight balance the two labels).
"""

from __future__ import annotations

import sys

from training.config import TrainSettings
from training.stage import StageInputs
from training.stage_main import StageEntry, run_stage_main


def label_counts(records: list[dict]) -> tuple[int, int]:
    """(desirable, undesirable) rows."""
    good = sum(1 for r in records if r["label"])
    return good, len(records) - good


def report_lines(settings: TrainSettings, inputs: StageInputs) -> list[str]:
    good, bad = label_counts(inputs.records)
    return [f"labels: {good} desirable, {bad} undesirable"]


def summary_extra(settings: TrainSettings, inputs: StageInputs) -> dict:
    good, bad = label_counts(inputs.records)
    return {"beta": settings.train.beta, "desirable": good, "undesirable": bad}


ENTRY = StageEntry("kto", trainer="KTOTrainer", config="KTOConfig",
                   scratch_error="KTO starts from a trained model; init_from_scratch is not allowed",
                   report_lines=report_lines, summary_extra=summary_extra)


def main(argv: list[str] | None = None) -> int:
    return run_stage_main(ENTRY, argv)


if __name__ == "__main__":
    sys.exit(main())
