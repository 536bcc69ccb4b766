"""`thce train sft|dpo|pipeline`: run the training entry points (training/) as subprocesses.

`core` never imports `training`: each command runs `python -m training.<entry> ...` in the current
working directory with the same interpreter, streams its output and exits with its status.

    thce train sft --config training/configs/stage_2.yaml --dry-run
    thce train sft --config training/configs/stage_1_tiny.yaml --learning_rate 1e-4 --max_steps 50
    thce train dpo --config training/configs/stage_3_tiny.yaml --train_file pairs.jsonl
    thce train kto --config training/configs/kto_tiny.yaml --train_file kto.jsonl
    thce train pipeline --preset tiny --output-dir data/models/thce-tiny
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import typer

app = typer.Typer(help="Train models: SFT, DPO and KTO stages (TRL), and the whole tiny pipeline.", no_args_is_help=True)

PASS_THROUGH = {"allow_extra_args": True, "ignore_unknown_options": True}
DRY_RUN_HELP = "Check config, data, tokenizer, template, model, output_dir; train nothing (exit 1 if not ready)."


def run_entry(module: str, args: list[str]) -> int:
    """Run `python -m <module> args...`, streaming its output; Ctrl+C stops the child too."""
    process = subprocess.Popen([sys.executable, "-m", module, *args])
    try:
        return process.wait()
    except KeyboardInterrupt:
        process.terminate()
        try:
            return process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            return 130


def _stage_args(config: Path, dry_run: bool, extra: list[str]) -> list[str]:
    if not config.is_file():
        typer.echo(f"error: config file not found: {config}", err=True)
        raise typer.Exit(2)
    extra = ["--help" if arg == "--help-training" else arg for arg in extra]
    return ["--config", str(config.resolve()), *(["--dry_run"] if dry_run else []), *extra]


@app.command(context_settings=PASS_THROUGH)
def sft(
    ctx: typer.Context,
    config: Path = typer.Option(..., "--config", help="Stage YAML (training/configs/stage_{1,2}[_tiny].yaml)."),
    dry_run: bool = typer.Option(False, "--dry-run", help=DRY_RUN_HELP),
) -> None:
    """Supervised fine-tuning (stages 1-2). Extra flags override the YAML, e.g. --learning_rate 1e-4
    (all of them: --help-training)."""
    raise typer.Exit(run_entry("training.sft", _stage_args(config, dry_run, ctx.args)))


@app.command(context_settings=PASS_THROUGH)
def dpo(
    ctx: typer.Context,
    config: Path = typer.Option(..., "--config", help="Stage YAML (training/configs/stage_3[_tiny].yaml)."),
    dry_run: bool = typer.Option(False, "--dry-run", help=DRY_RUN_HELP),
) -> None:
    """Preference optimisation (stage 3) on stage_3 pairs or pairs exported from the review store
    (all flags: --help-training)."""
    raise typer.Exit(run_entry("training.dpo", _stage_args(config, dry_run, ctx.args)))


@app.command(context_settings=PASS_THROUGH)
def kto(
    ctx: typer.Context,
    config: Path = typer.Option(..., "--config", help="KTO YAML (training/configs/kto_tiny.yaml)."),
    dry_run: bool = typer.Option(False, "--dry-run", help=DRY_RUN_HELP),
) -> None:
    """KTO on the review store's unpaired signals (`thce annotations export --format kto`), trained as
    exported (all flags: --help-training)."""
    raise typer.Exit(run_entry("training.kto", _stage_args(config, dry_run, ctx.args)))


@app.command(context_settings={**PASS_THROUGH, "help_option_names": []}, add_help_option=False)
def pipeline(ctx: typer.Context) -> None:
    """Build data, fit the retriever, train tokenizer + stages 1-3, export, evaluate, write the model card.

    Every option (--preset, --output-dir, --work-dir, --steps, --codiesp ...) belongs to the pipeline itself:
    `thce train pipeline --help` prints its own parser's help.
    """
    args = ["--help" if arg in ("--help-pipeline", "-h") else arg for arg in ctx.args]
    raise typer.Exit(run_entry("training.pipeline", args))
