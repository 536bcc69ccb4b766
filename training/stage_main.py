"""The one `main()` of the stage entry points (sft.py, dpo.py, kto.py): parse the settings, check the inputs,
print the report, train, save. What differs between the stages is a `StageEntry`.

Exit status: 2 for a bad configuration, 1 for inputs that cannot be used, 0 otherwise (a dry run included).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass

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


def _no_lines(settings: TrainSettings, inputs: StageInputs) -> list[str]:
    return []


def _no_summary(settings: TrainSettings, inputs: StageInputs) -> dict:
    return {}


@dataclass(frozen=True)
class StageEntry:
    """A stage entry point: its data format, TRL's trainer and config classes (by name, imported when
    needed), why it refuses `init_from_scratch` (None: it allows it), extra report lines and summary keys."""

    kind: str  # sft, dpo or kto (training/data.py's record formats)
    trainer: str  # e.g. "SFTTrainer"
    config: str  # e.g. "SFTConfig"
    scratch_error: str | None = None
    report_lines: Callable[[TrainSettings, StageInputs], list[str]] = _no_lines
    summary_extra: Callable[[TrainSettings, StageInputs], dict] = _no_summary


def _trl(name: str):
    import trl

    return getattr(trl, name)


def get_trainer(entry: StageEntry, settings: TrainSettings, inputs: StageInputs):
    """(TRL trainer over the stage's data, the metrics-log callback whose history goes into the summary)."""
    callback, callbacks = get_callbacks(settings)
    trainer = _trl(entry.trainer)(
        model=inputs.model,
        args=settings.train,
        train_dataset=inputs.train_dataset(),
        eval_dataset=inputs.eval_dataset(),
        processing_class=inputs.tokenizer,
        callbacks=callbacks,
        peft_config=get_peft_config(settings, inputs.model),
    )
    return trainer, callback


def _fail(message: object, status: int) -> int:
    print(f"error: {message}", file=sys.stderr)
    return status


@contextmanager
def _offline_when_local(settings: TrainSettings):
    """HF_HUB_OFFLINE=1 while a model that is already on this machine trains: peft's save otherwise asks the
    hub whether the base's config exists (a network call, and a warning when offline), for nothing."""
    from training.model_init import resolve_model_source

    local = settings.model.init_from_scratch or resolve_model_source(settings.model.model_name_or_path).kind != "missing"
    before = os.environ.get("HF_HUB_OFFLINE")
    if local:
        os.environ["HF_HUB_OFFLINE"] = "1"
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("HF_HUB_OFFLINE", None)
        else:
            os.environ["HF_HUB_OFFLINE"] = before


def _train_and_save(entry: StageEntry, settings: TrainSettings, inputs: StageInputs, checkpoint: str | None) -> None:
    started = time.perf_counter()
    trainer, callback = get_trainer(entry, settings, inputs)
    with _offline_when_local(settings):
        result = trainer.train(resume_from_checkpoint=checkpoint)
        save_stage(trainer, settings, inputs, result, callback.history, time.perf_counter() - started, entry.kind,
                   entry.summary_extra(settings, inputs))
    print(f"saved {settings.train.output_dir} ({result.global_step} steps, train loss {result.training_loss:.4f})")


def run_stage_main(entry: StageEntry, argv: list[str] | None = None) -> int:
    """Parse YAML + flags, check config/data/tokenizer/model, print the plan; unless a dry run, train and save."""
    try:
        settings = parse_settings(make_stage_parser(_trl(entry.config)), argv)
    except ConfigError as exc:
        return _fail(exc, 2)
    setup_logging(settings.run.log_file)
    if entry.scratch_error and settings.model.init_from_scratch:
        return _fail(entry.scratch_error, 2)
    try:
        inputs = prepare_stage(settings, entry.kind)
        checkpoint = None if settings.run.dry_run else resolve_checkpoint(
            settings.train.resume_from_checkpoint, settings.train.output_dir)
    except (StageError, FileNotFoundError) as exc:
        return _fail(exc, 1)
    report = "\n".join([format_report(settings, inputs), *entry.report_lines(settings, inputs)])
    print(report)
    append_to_log(settings.run.log_file, report)
    if settings.run.dry_run:
        print("dry run: nothing trained")
        return 0
    _train_and_save(entry, settings, inputs, checkpoint)
    return 0
