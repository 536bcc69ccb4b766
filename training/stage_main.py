"""The one `main()` of the stage entry points (sft.py, dpo.py, kto.py): parse the settings, check the inputs,
print the report, train, save. What differs between the stages is a `StageEntry`.

Exit status: 2 for a bad configuration, 1 for inputs that cannot be used (a dry run that finds one still
prints its whole report first), 0 otherwise.

Where the run starts is decided before any weights load: resume from a checkpoint (`resume_from_checkpoint`),
or start afresh in an output_dir that holds no earlier run (`overwrite_output_dir true` replaces one).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass

from training.config import ConfigError, TrainSettings, make_stage_parser, parse_settings
from training.runlog import (
    append_to_log,
    check_fresh_start,
    clear_earlier_run,
    resolve_checkpoint,
    resume_point,
    setup_logging,
)
from training.stage import (
    StageError,
    StageInputs,
    format_report,
    get_callbacks,
    get_peft_config,
    is_ready,
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


def get_trainer(entry: StageEntry, settings: TrainSettings, inputs: StageInputs, wall_before_s: float = 0.0):
    """(TRL trainer over the stage's data, the metrics-log callback that keeps the run's wall time)."""
    callback, callbacks = get_callbacks(settings, wall_before_s)
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


def get_start(settings: TrainSettings) -> tuple[str | None, str]:
    """(checkpoint to resume from, or None to start afresh; the report line). FileNotFoundError for a checkpoint
    that is not there, StageError for one already at max_steps, FileExistsError for a fresh start over an earlier
    run (runlog.check_fresh_start)."""
    train = settings.train
    checkpoint = resolve_checkpoint(train.resume_from_checkpoint, train.output_dir)
    if checkpoint:
        step = resume_point(checkpoint)["step"]
        if 0 < train.max_steps <= step:  # the trainer would still run the rest of a partial epoch
            raise StageError(f"{checkpoint} is already at step {step} of --max_steps {train.max_steps}: nothing "
                             "left to train; raise --max_steps to train on")
        return checkpoint, f"resumes from {checkpoint} (step {step})"
    return None, check_fresh_start(train.output_dir, settings.run.overwrite_output_dir,
                                   resume_asked=bool(train.resume_from_checkpoint))


def _check_start(settings: TrainSettings, inputs: StageInputs) -> None:
    """The dry run's line for where the run would start (an error line instead of exiting)."""
    try:
        inputs.checks.append(("output_dir", "ok", get_start(settings)[1]))
    except (FileNotFoundError, StageError) as exc:
        inputs.checks.append(("checkpoint", "error", str(exc)))
    except FileExistsError as exc:
        inputs.checks.append(("output_dir", "error", str(exc)))


def _train_and_save(entry: StageEntry, settings: TrainSettings, inputs: StageInputs, checkpoint: str | None) -> None:
    resumed = resume_point(checkpoint) if checkpoint else None
    trainer, callback = get_trainer(entry, settings, inputs, (resumed or {}).get("wall_s_before") or 0.0)
    if checkpoint is None and settings.run.overwrite_output_dir and trainer.is_world_process_zero():
        clear_earlier_run(settings.train.output_dir)
    with _offline_when_local(settings):
        result = trainer.train(resume_from_checkpoint=checkpoint)
        summary = save_stage(trainer, settings, inputs, result, callback.wall_s(), entry.kind, resumed,
                             entry.summary_extra(settings, inputs))
    where = f", resumed at step {resumed['step']}" if resumed else ""
    print(f"saved {settings.train.output_dir} ({result.global_step} steps{where}, "
          f"train loss {summary['train_loss']:.4f})")


def run_stage_main(entry: StageEntry, argv: list[str] | None = None) -> int:
    """Parse YAML + flags, check config/start/data/tokenizer/model, print the plan; unless a dry run, train and
    save. A dry run reports every problem it finds in the report, then exits 1."""
    try:
        settings = parse_settings(make_stage_parser(_trl(entry.config)), argv)
    except ConfigError as exc:
        return _fail(exc, 2)
    setup_logging(settings.run.log_file)
    if entry.scratch_error and settings.model.init_from_scratch:
        return _fail(entry.scratch_error, 2)
    dry = settings.run.dry_run
    try:
        checkpoint, start = (None, "") if dry else get_start(settings)  # before any weights load
        inputs = prepare_stage(settings, entry.kind)
    except (StageError, FileNotFoundError, FileExistsError) as exc:
        return _fail(exc, 1)
    if dry:
        _check_start(settings, inputs)
    else:
        inputs.checks.append(("output_dir", "ok", start))
    report = "\n".join([format_report(settings, inputs), *entry.report_lines(settings, inputs)])
    print(report)
    append_to_log(settings.run.log_file, report)
    if dry:
        print("dry run: nothing trained")
        return 0 if is_ready(inputs) else _fail("dry run: not ready to train (see the report above)", 1)
    _train_and_save(entry, settings, inputs, checkpoint)
    return 0
