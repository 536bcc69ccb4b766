"""Supervised fine-tuning (stages 1 and 2) with TRL's SFTTrainer.

Usage (from the repository root):

    uv run python -m training.sft --config training/configs/stage_1_tiny.yaml
    uv run thce train sft --config training/configs/stage_2.yaml --dry-run
    uv run thce train sft --config training/configs/stage_1_tiny.yaml --max_steps 5 --learning_rate 1e-3

Every YAML key is a field of training/config.py's dataclasses or of trl.SFTConfig; flags override the
YAML. `--dry-run` checks config, data (quality gates), tokenizer, chat template and model, prints the
plan and trains nothing. `--resume_from_checkpoint last` continues from the newest checkpoint.
Multi-GPU: `accelerate launch --config_file training/configs/accelerate/ddp.yaml -m training.sft --config ...`.
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

KIND = "sft"


def make_parser():
    from trl import SFTConfig

    return make_stage_parser(SFTConfig)


def get_trainer(settings: TrainSettings, inputs: StageInputs):
    from trl import SFTTrainer

    callback, callbacks = get_callbacks(settings)
    trainer = SFTTrainer(
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
    save_stage(trainer, settings, inputs, result, callback.history, time.perf_counter() - started, KIND, None)
    print(f"saved {settings.train.output_dir} ({result.global_step} steps, train loss {result.training_loss:.4f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
