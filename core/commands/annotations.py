"""`thce annotations`: fill the review queue, export training data, show annotation statistics.

    thce annotations import cases.jsonl --source codiesp --split dev --double-share 0.1 --min-submitted 1
    thce annotations distribute --min-submitted 2 --source codiesp     # two coders per case, for agreement
    thce annotations export --format dpo --output data/stage_3_reviews.jsonl   # preference pairs (DPO)
    thce annotations export --format kto --output data/kto_reviews.jsonl       # unpaired preference (KTO)
    thce annotations export --format sft --output data/sft_reviews.jsonl       # conversations (SFT)
    thce annotations export --format hf --output data/stage_3_reviews_hf
    thce annotations stats --json

Who: these commands run as the operating-system user on the machine that holds the database (an admin by
definition: they need the database URL); imports record that user as `created_by`.

The database is DATABASE_URL (or --database-url); default: SQLite data/thce.db (/data/thce.db on a Space).
Only `import` creates a missing SQLite database; the other commands (export, stats, distribute, refresh-queue)
work on existing cases and refuse a database file that is not there (a mistyped URL, not a new empty store).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from core.commands import fail as _fail

app = typer.Typer(help="Review queue, preference-pair export and annotation statistics.", no_args_is_help=True)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
MAX_ERRORS_SHOWN = 20


@app.callback()
def main(
    ctx: typer.Context,
    database_url: Annotated[str | None, typer.Option(envvar="DATABASE_URL", help="SQLAlchemy URL of the store.")] = None,
) -> None:
    ctx.obj = {"database_url": database_url}


@contextmanager
def _store(ctx: typer.Context, create: bool = False) -> Iterator[None]:
    """Open the store (`create`: make a missing SQLite database, else refuse it), then run the block: a
    StoreError in either ends the command with its message, no traceback."""
    from core.store import StoreError, init_db

    try:
        init_db((ctx.obj or {}).get("database_url"), create=create)
    except StoreError as exc:
        _fail(str(exc))
    except Exception as exc:  # a bad URL or an unreachable server: say so, no traceback
        _fail(f"cannot open the database: {type(exc).__name__}: {exc}")
    try:
        yield
    except StoreError as exc:
        _fail(str(exc))


def _operator() -> str | None:
    """Who runs this command (stored as the importer of the cases)."""
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return None


def _print_import(report: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"import {report['path']} (batch {report['batch']})")
    table.add_column("what")
    table.add_column("count", justify="right")
    for key in ("imported", "predictions", "duplicates", "double_annotation"):
        table.add_row(key.replace("_", " "), str(report[key]))
    table.add_row("bad lines", str(len(report["errors"])))
    Console().print(table)


def _pipeline_prompt(narrative: str) -> list[dict]:
    """The prompt the default pipeline would build (with retrieved candidates), for predictions imported
    without their prompt."""
    from core.prompts import build_messages
    from core.retrieval import default_retriever

    return build_messages(narrative, default_retriever().retrieve(narrative))


@app.command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="JSONL ({id, narrative, codes?, prediction?}) or CSV file.")],
    source: Annotated[str | None, typer.Option(help="Source label for every case (default: the record's, else 'import').")] = None,
    split: Annotated[str | None, typer.Option(help="Split label for every case.")] = None,
    double_share: Annotated[float, typer.Option(help="Share of cases that go to a second annotator (0-1).")] = 0.0,
    min_submitted: Annotated[int | None, typer.Option(help="Annotators who must submit each case (default "
                                                            "THCE_MIN_SUBMITTED, else 1).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Import cases into the review queue. Bad lines are reported (exit 1); the good ones are imported."""
    from core.store import import_cases

    with _store(ctx, create=True):
        report = import_cases(file, source=source, split=split, double_share=double_share,
                              prompt_builder=_pipeline_prompt, imported_by=_operator(),
                              min_submitted=min_submitted).to_dict()
    if as_json:
        typer.echo(json.dumps(report, indent=2))
    else:
        _print_import(report)
    for error in report["errors"][:MAX_ERRORS_SHOWN]:
        typer.echo(f"{file}:{error['line']}: {error['message']}", err=True)
    if len(report["errors"]) > MAX_ERRORS_SHOWN:
        typer.echo(f"... and {len(report['errors']) - MAX_ERRORS_SHOWN} more bad lines", err=True)
    if report["errors"]:
        raise typer.Exit(1)


@app.command()
def distribute(
    ctx: typer.Context,
    min_submitted: Annotated[int, typer.Option(help="Annotators who must submit each case (1-20).")],
    source: Annotated[str | None, typer.Option(help="Only the cases of this source (default: every case).")] = None,
) -> None:
    """Set how many annotators must submit each case before it leaves the queue (e.g. 2 for agreement)."""
    from core.store import set_min_submitted

    with _store(ctx):
        changed = set_min_submitted(min_submitted, source=source)
    typer.echo(f"{changed} case(s) now need {min_submitted} submitted review(s)")


@app.command("refresh-queue")
def refresh_queue(ctx: typer.Context) -> None:
    """Recompute which cases still need reviews from the reviews stored (after editing the database by hand)."""
    from core.store import refresh_queue as refresh

    with _store(ctx):
        changed = refresh()
    typer.echo(f"{changed} case(s) had a wrong open/complete flag; fixed" if changed
               else "every case's open/complete flag matches its reviews")


@app.command()
def export(
    ctx: typer.Context,
    output: Annotated[Path, typer.Option("--output", "-o", help="JSONL file (dpo, kto, sft) or folder (hf).")],
    format: Annotated[str, typer.Option("--format", "-f", help="dpo (stage_3 pairs), kto (prompt/completion/label), "
                                        "sft (messages) or hf (the pairs, datasets save_to_disk).")] = "dpo",
) -> None:
    """Export submitted reviews as training data (latest review versions only; TRL's dataset formats)."""
    from core.store import export_preference_pairs
    from core.store.export import EXPORTS

    with _store(ctx):
        count = export_preference_pairs(output, format=format)
    typer.echo(f"wrote {count} {EXPORTS[format].what} to {output} ({format})")


def _count_table(title: str, columns: list[str]):
    """A table for 80 columns: headers never cut (each column at least as wide as its header), names wrap."""
    from rich.table import Table

    table = Table(title=title)
    table.add_column(columns[0], overflow="fold")
    for column in columns[1:]:
        table.add_column(column, justify="right", min_width=len(column), no_wrap=True)
    return table


def _print_stats(data: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    cases = data["cases"]
    console.print(f"cases: {cases['total']} ({cases['open']} open, {cases['done']} done, {cases['leased']} leased, "
                  f"{cases['double_annotation']} for double annotation); reviews: {data['reviews']['latest']} "
                  f"({data['reviews']['versions']} versions); preference pairs: {data['preference_pairs']}")
    decisions, statuses = list(data["by_decision"]), list(data["by_status"])
    by_status = _count_table("reviews by status (latest versions)", ["annotator", *statuses, "total"])
    by_decision = _count_table("decisions and pace", ["annotator", *decisions, "s/review", "per hour"])
    for name, row in data["by_annotator"].items():
        by_status.add_row(name, *(str(row[s]) for s in statuses), str(row["total"]))
        pace = ("-" if row[key] is None else str(row[key]) for key in ("median_s_per_review", "per_hour"))
        by_decision.add_row(name, *(str(row[d]) for d in decisions), *pace)
    by_status.add_row("all", *(str(data["by_status"][s]) for s in statuses), str(data["reviews"]["latest"]))
    by_decision.add_row("all", *(str(data["by_decision"][d]) for d in decisions), "", "")
    console.print(by_status)
    console.print(by_decision)
    systems = Table(title="by code system")
    for column in ("system", "final codes", "corrected reviews"):
        systems.add_column(column)
    for system, row in data["by_system"].items():
        systems.add_row(system, str(row["final_codes"]), str(row["corrected_reviews"]))
    console.print(systems)
    agreement = data["agreement"]
    console.print(f"agreement on {agreement['double_reviewed_cases']} doubly reviewed cases: "
                  f"code kappa {agreement['codes']['kappa']} ({agreement['codes']['cases']} cases, "
                  f"{agreement['codes']['items']} items), decision kappa {agreement['decision']['kappa']}, "
                  f"mean Jaccard {agreement['mean_jaccard']}")
    for system, row in agreement["by_system"].items():
        console.print(f"  {system}: kappa {row['kappa']} over {row['cases']} cases ({row['items']} items)")


@app.command()
def stats(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Counts by status, decision, annotator and code system; throughput; inter-annotator agreement (Cohen's
    kappa overall and per code system, on cases with two or more submitted reviews; see docs/ANNOTATION.md)."""
    from core.store import stats as store_stats

    with _store(ctx):
        data = store_stats()
    if as_json:
        typer.echo(json.dumps(data, indent=2))
    else:
        _print_stats(data)
