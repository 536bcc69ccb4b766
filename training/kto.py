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
import time

from training.config import ConfigError, TrainSettings, make_stage_parser, parse_settings
from training.runlog import append_to_log, resolve_checkpoint, setup_logging
from training.stage import (
    StageError,
    StageInputs,
    format_report,
    get_callbacks,
    get_peft_config,
    prepare_stage,
    save_stage,
)

KIND = "kto"


def make_parser():
    from trl import KTOConfig

    return make_stage_parser(KTOConfig)


def label_counts(records: list[dict]) -> tuple[int, int]:
    """(desirable, undesirable) rows."""
    good = sum(1 for r in records if r["label"])
    return good, len(records) - good


def get_trainer(settings: TrainSettings, inputs: StageInputs):
    from trl import KTOTrainer

    callback, callbacks = get_callbacks(settings)
    trainer = KTOTrainer(
        model=inputs.model,
        args=settings.train,
        train_dataset=inputs.train_dataset(),
        eval_dataset=inputs.eval_dataset(),
        processing_class=inputs.tokenizer,
        callbacks=callbacks,
        peft_config=get_peft_config(settings, inputs.model),
    )
    return trainer, callback


def main(argv: list[str] | None = None) -> int:
    try:
        settings = parse_settings(make_parser(), argv)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    setup_logging(settings.run.log_file)
    if settings.model.init_from_scratch:
        print("error: KTO starts from a trained model; init_from_scratch is not allowed", file=sys.stderr)
        return 2
    try:
        inputs = prepare_stage(settings, KIND)
        checkpoint = None if settings.run.dry_run else resolve_checkpoint(
            settings.train.resume_from_checkpoint, settings.train.output_dir)
    except (StageError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    good, bad = label_counts(inputs.records)
    report = format_report(settings, inputs) + f"\nlabels: {good} desirable, {bad} undesirable"
    print(report)
    append_to_log(settings.run.log_file, report)
    if settings.run.dry_run:
        print("dry run: nothing trained")
        return 0
    started = time.perf_counter()
    trainer, callback = get_trainer(settings, inputs)
    result = trainer.train(resume_from_checkpoint=checkpoint)
    save_stage(trainer, settings, inputs, result, callback.history, time.perf_counter() - started, KIND,
               {"beta": settings.train.beta, "desirable": good, "undesirable": bad})
    print(f"saved {settings.train.output_dir} ({result.global_step} steps, train loss {result.training_loss:.4f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
