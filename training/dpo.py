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

KIND = "dpo"


def make_parser():
    from trl import DPOConfig

    return make_stage_parser(DPOConfig)


def get_trainer(settings: TrainSettings, inputs: StageInputs):
    from trl import DPOTrainer

    callback, callbacks = get_callbacks(settings)
    trainer = DPOTrainer(
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
        print("error: DPO starts from a trained model (stage 2); init_from_scratch is not allowed", file=sys.stderr)
        return 2
    try:
        inputs = prepare_stage(settings, KIND)
        checkpoint = None if settings.run.dry_run else resolve_checkpoint(
            settings.train.resume_from_checkpoint, settings.train.output_dir)
    except (StageError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    report = format_report(settings, inputs)
    print(report)
    append_to_log(settings.run.log_file, report)
    if settings.run.dry_run:
        print("dry run: nothing trained")
        return 0
    started = time.perf_counter()
    trainer, callback = get_trainer(settings, inputs)
    result = trainer.train(resume_from_checkpoint=checkpoint)
    save_stage(trainer, settings, inputs, result, callback.history, time.perf_counter() - started, KIND, {"beta": settings.train.beta})
    print(f"saved {settings.train.output_dir} ({result.global_step} steps, train loss {result.training_loss:.4f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
