"""`thce data`: build, check and split training datasets.

    thce data build --stage stage_2 --source synthetic --count 2000 --seed 1 --output /tmp/s2.jsonl
    thce data build --stage stage_2 --source codiesp:../shared/datasets/codiesp/dev --output /tmp/cd.jsonl
    thce data check --dataset /tmp/s2.jsonl --stage stage_2 --json
    thce data split --dataset /tmp/s2.jsonl --output-dir /tmp/s2_splits --ratios 0.8,0.1,0.1 --seed 0
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from core.commands import fail as _fail

app = typer.Typer(help="Build, check and split training datasets (stage_1, stage_2, stage_3).", no_args_is_help=True)

STAGE_HELP = "stage_1 (code knowledge), stage_2 (reasoning SFT) or stage_3 (DPO pairs)"
StageOption = Annotated[str, typer.Option("--stage", help=STAGE_HELP)]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]
MAX_PRINTED_PROBLEMS = 50


def _check_stage(stage: str) -> str:
    if stage not in ("stage_1", "stage_2", "stage_3"):
        _fail(f"unknown --stage {stage[:40]!r}; choose stage_1, stage_2 or stage_3")
    return stage


@app.command()
def build(
    stage: StageOption,
    source: Annotated[str, typer.Option(help="synthetic[:N[:SEED]] | rules[:N[:SEED]] | llm[:N[:SEED]] | codiesp:PATH | raw:FILE")],
    output: Annotated[Path, typer.Option(help="Output JSONL file.")],
    count: Annotated[int | None, typer.Option(min=1, help="Records to write (synthetic default 1000; others: all).")] = None,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same file).")] = 0,
    candidates: Annotated[bool, typer.Option(help="Retrieve candidate codes into each prompt.")] = True,
    as_json: JsonOption = False,
) -> None:
    """Write one stage file from one source."""
    from tqdm import tqdm

    from core.datasets.build import build_dataset
    from core.datasets.candidates import NoCandidates
    from core.datasets.llm_client import LLMError
    from core.datasets.raw import RawRecordError
    from core.retrieval import default_retriever

    _check_stage(stage)
    retriever = default_retriever() if candidates else NoCandidates()
    error = None
    with tqdm(total=count, unit="rec", file=sys.stderr, desc=f"{stage} from {source.split(':')[0]}") as bar:
        try:
            stats = build_dataset(stage, source, output, count, seed, retriever=retriever, on_record=lambda: bar.update(1))
        except (ValueError, RawRecordError, LLMError, OSError) as exc:
            error = str(exc)
    if error is not None:  # after the bar is closed, so the error is a line of its own
        _fail(error)
    if as_json:
        typer.echo(json.dumps(stats, indent=2))
        return
    typer.echo(f"Wrote {stats['records']} {stage} records to {stats['output']} "
               f"({stats['seconds']} s, {stats['records_per_min']} records/min)")
    if "mapping" in stats:
        mapping = stats["mapping"]
        typer.echo("CodiEsp codes: " + ", ".join(f"{k}={mapping[k]}" for k in
                                                ("cases", "codes", "valid", "child", "seventh_character", "parent", "parent_child", "dropped",
                                                 "icd10pcs_codes")))


def _where(line: int) -> str:
    return f"line {line}" if line else "dataset"


def _print_check(report) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(title=f"{report.path} ({report.stage})")
    for column in ("system", "records with codes", "codes", "distinct", "top codes"):
        table.add_column(column)
    for system, row in report.stats.get("systems", {}).items():
        top = ", ".join(f"{code} x{n}" for code, n in row["top"][:5])
        table.add_row(system, str(row["records_with_codes"]), str(row["codes"]), str(row["distinct"]), top)
    console.print(table)
    words, near = report.stats.get("reasoning_words", {}), report.stats.get("near_duplicates", {})
    console.print(f"records {report.records}; reasoning words mean {words.get('mean')} p95 {words.get('p95')} "
                  f"max {words.get('max')}; near-duplicate pairs {near.get('pairs')} ({near.get('fraction')})")
    console.print(f"labels: {report.stats.get('labels')}")
    for line, message in report.warnings[:MAX_PRINTED_PROBLEMS]:
        typer.echo(f"warning {_where(line)}: {message}", err=True)
    for line, message in report.errors[:MAX_PRINTED_PROBLEMS]:
        typer.echo(f"{_where(line)}: {message}", err=True)
    if len(report.errors) > MAX_PRINTED_PROBLEMS:
        typer.echo(f"... and {len(report.errors) - MAX_PRINTED_PROBLEMS} more errors", err=True)
    console.print("[green]PASS[/green]" if report.ok else f"[red]FAIL[/red]: {len(report.errors)} errors")


@app.command()
def check(
    dataset: Annotated[Path, typer.Option(help="Stage JSONL file to check.")],
    stage: StageOption,
    as_json: JsonOption = False,
) -> None:
    """Quality gates: schema, valid codes, answers, duplicates, near-duplicates, lengths. Exit 1 on failure."""
    from core.datasets.stage_checks import check_dataset

    _check_stage(stage)
    _need_file(dataset)
    try:
        report = check_dataset(dataset, stage)
    except (OSError, UnicodeDecodeError) as exc:
        _fail(f"could not read {dataset}: {exc}")
    if as_json:
        typer.echo(json.dumps(report.to_dict(), indent=2))
    else:
        _print_check(report)
    if not report.ok:
        raise typer.Exit(1)


def _need_file(dataset: Path) -> None:
    """A JSONL file to read: a folder or a missing path is named as such."""
    if dataset.is_dir():
        _fail(f"--dataset {dataset} is a folder: give a JSONL file (e.g. {dataset / 'train.jsonl'})")
    if not dataset.is_file():
        _fail(f"dataset not found: {dataset}")


@app.command()
def split(
    dataset: Annotated[Path, typer.Option(help="JSONL file to split.")],
    output_dir: Annotated[Path, typer.Option(help="Folder for train.jsonl, val.jsonl, test.jsonl.")],
    ratios: Annotated[str, typer.Option(help="train,val,test shares.")] = "0.8,0.1,0.1",
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace existing train/val/test files.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Deterministic split with no narrative shared across splits (never over the input; existing split files
    only with --overwrite)."""
    from core.datasets.split import parse_ratios, split_dataset

    _need_file(dataset)
    try:
        result = split_dataset(dataset, output_dir, parse_ratios(ratios), seed, overwrite)
    except (ValueError, OSError) as exc:
        _fail(str(exc))
    if as_json:
        typer.echo(json.dumps(result, indent=2))
        return
    for name, row in result["splits"].items():
        typer.echo(f"{name}: {row['records']} records, {row['narratives']} narratives -> {output_dir / (name + '.jsonl')}")
