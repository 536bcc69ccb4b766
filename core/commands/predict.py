"""`thce predict`: code a JSONL file of narratives into predictions JSONL (resumable, batched)."""

from __future__ import annotations

from pathlib import Path

import typer


def command(
    input: Path = typer.Option(..., "--input", "-i", help='JSONL with {"id", "narrative"} per line.'),
    output: Path = typer.Option(..., "--output", "-o", help="Predictions JSONL (appended to; ids already coded "
                                "there are skipped, its error rows are coded again)."),
    model: str = typer.Option(None, "--model", "-m", help="Model directory or hub id (default: the shipped model)."),
    batch_size: int = typer.Option(8, "--batch-size", "-b", min=1, help="Narratives generated together."),
    constrain: str = typer.Option("valid", "--constrain", help="Constrained decoding: none, valid or candidates."),
    int8: bool = typer.Option(None, "--int8/--no-int8", help="int8 weights on CPU (faster; default: THCE_INT8)."),
    json_out: bool = typer.Option(False, "--json", help="Print the run summary as JSON."),
    rules: bool = typer.Option(True, "--rules/--no-rules", help="Let the coding rules edit every answer (each "
                               'row\'s "rule_edits" say how and why).'),
) -> None:
    """Code every narrative of a JSONL file; bad lines (not UTF-8, broken JSON, no narrative, a repeated id) get
    error rows, never stop the batch."""
    from tqdm import tqdm

    from core.inference import ModelNotAvailableError
    from core.pipeline import predict_file

    if not input.is_file():
        typer.echo(f"error: --input {input}: no such file", err=True)
        raise typer.Exit(1)
    if output.is_dir():
        typer.echo(f"error: --output {output} is a directory; give a file path such as {output / 'predictions.jsonl'}",
                   err=True)
        raise typer.Exit(1)
    bar = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(total=total, unit="narrative", desc="coding")
        bar.update(done - bar.n)

    try:
        stats = predict_file(input, output, model=model, batch_size=batch_size, progress=progress,
                             constrain=constrain, quantize=int8, rules=rules)
    except (ValueError, ModelNotAvailableError, OSError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    finally:
        if bar is not None:
            bar.close()
    _report(stats, json_out)


def _report(stats: dict, json_out: bool) -> None:
    if json_out:
        import json

        typer.echo(json.dumps(stats))
        return
    typer.echo(f"wrote {stats['written']} rows to {stats['output']} ({stats['skipped']} already there, "
               f"{stats['errors']} with errors) in {stats['seconds']:.1f} s")
    if stats.get("duplicate_ids"):
        typer.echo(f"warning: {stats['duplicate_ids']} input lines repeat an id of an earlier line (their rows say "
                   "\"duplicate id\"); give every line its own id", err=True)
    if stats.get("warnings"):
        typer.echo(f"note: {stats['warnings']} rows have codes although the model's own answer could not be parsed "
                   '(see their "warning")', err=True)
