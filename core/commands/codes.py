"""`thce codes`: look up, validate and search ICD-10-CM, CPT and HCPCS codes.

    thce codes show E11.65
    thce codes validate E11.9 S52.502A 99214 J3420 --json
    thce codes search "ondansetron injection" --system hcpcs -k 5
    thce codes coverage --dataset data/eval/us_outpatient.jsonl   # which gold codes the code sets lack
    thce --help; thce codes --hcpcs-file HCPC2026_ANWEB.xlsx stats   # load the full CMS HCPCS set
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from core.commands import fail as _fail
from core.constants import system_of

app = typer.Typer(help="Look up, validate and search ICD-10-CM, CPT and HCPCS codes.", no_args_is_help=True)

MAX_QUERY_CHARS = 10_000
SystemOption = Annotated[str | None, typer.Option("--system", "-s", help="icd10cm, cpt or hcpcs")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


@app.callback()
def main(
    ctx: typer.Context,
    hcpcs_file: Annotated[Path | None, typer.Option(help="Official CMS HCPCS file (full set); env THCE_HCPCS_FILE")] = None,
    cpt_file: Annotated[Path | None, typer.Option(help="Your licensed CPT file (full set); env THCE_CPT_FILE")] = None,
) -> None:
    ctx.obj = {"hcpcs_file": hcpcs_file, "cpt_file": cpt_file}


def _codeset(ctx: typer.Context):
    from core.codes import get_codeset

    options = ctx.obj or {}
    try:
        return get_codeset(options.get("hcpcs_file"), options.get("cpt_file"))
    except (ValueError, OSError) as exc:
        _fail(f"could not load the code sets: {exc}")


def _system(value: str | None) -> str | None:
    if value is None:
        return None
    system = system_of(value)
    if system is None:
        _fail(f"unknown --system {value[:40]!r}; choose icd10cm, cpt or hcpcs")
    return system


def _print_json(payload) -> None:
    typer.echo(json.dumps(payload, indent=2, ensure_ascii=False))


@app.command()
def show(ctx: typer.Context, code: str, system: SystemOption = None, as_json: JsonOption = False) -> None:
    """Description, billability, hierarchy and notes of one code."""
    system = _system(system)
    codeset = _codeset(ctx)
    info = codeset.lookup(code, system)
    if info is None:
        _fail(codeset.validate(code, system).message)
    ancestors = codeset.ancestors(info.code) if info.system == "icd10cm" else []
    if as_json:
        _print_json({**asdict(info), "ancestors": ancestors})
        return
    _render_code(info, [_ancestor_label(codeset, code) for code in reversed(ancestors)])


def _ancestor_label(codeset, code: str) -> str:
    """'Chapter 4: Endocrine, nutritional and metabolic diseases (E00-E89)', a block's title (it ends with
    its range: 'Diabetes mellitus (E08-E13)'), else 'E11: Type 2 diabetes mellitus'."""
    record = codeset.tables["icd10cm"].get(code)
    if record is None:
        return code
    if record.kind == "chapter":
        return f"Chapter {code}: {record.description}"
    return record.description if record.kind == "block" else f"{code}: {record.description}"


@app.command()
def validate(
    ctx: typer.Context,
    codes: Annotated[list[str], typer.Argument(help="One or more codes")],
    system: SystemOption = None,
    as_json: JsonOption = False,
) -> None:
    """Check codes; exit 0 only when every code is known and billable and no two of them conflict
    (an Excludes1 pair such as E10.9 with E11.9). A code given more than once (E11.9 and e119 alike) is
    checked and shown once, with a note on stderr."""
    from core.rules import find_conflicts

    system = _system(system)
    codeset = _codeset(ctx)
    results = _distinct([codeset.validate(code, system) for code in codes])
    conflicts = find_conflicts([r.normalized for r in results if r.ok and r.system == "icd10cm"], codeset)
    if as_json:
        _print_json([{**asdict(result), "ok": result.ok, "conflicts": _conflicts_of(result, conflicts)}
                     for result in results])
    else:
        _render_validations(results)
        _render_conflicts(conflicts)
    if conflicts or not all(result.ok for result in results):
        raise typer.Exit(1)


def _distinct(results: list) -> list:
    """The first result of each code (same system and normalized spelling, else the same input); a note on
    stderr for each code given more than once."""
    kept: dict[tuple, object] = {}
    given: dict[tuple, int] = {}
    for result in results:
        key = (result.system, result.normalized) if result.normalized else ("", result.code.strip())
        kept.setdefault(key, result)
        given[key] = given.get(key, 0) + 1
    for key, count in given.items():
        if count > 1:
            typer.echo(f"note: {kept[key].normalized or kept[key].code} was given {count} times; checked once",
                       err=True)
    return list(kept.values())


def _conflict_message(conflict: dict) -> str:
    first, second = conflict["codes"]
    other = second if conflict["excluding"] == first else first
    return (f"Excludes1 conflict: {conflict['excluding']} excludes {other} ('{conflict['note']}'); "
            f"they are not coded together ({conflict['guideline']})")


def _conflicts_of(result, conflicts: list[dict]) -> list[str]:
    return [_conflict_message(c) for c in conflicts if result.ok and result.normalized in c["codes"]]


@app.command()
def search(
    ctx: typer.Context,
    text: str,
    system: SystemOption = None,
    k: Annotated[int, typer.Option("-k", "--top", min=1, max=500, help="Number of results")] = 10,
    as_json: JsonOption = False,
) -> None:
    """Full-text search over code descriptions (and ICD-10-CM inclusion terms)."""
    system = _system(system)
    if not text.strip():
        _fail("the search text is empty")
    if len(text) > MAX_QUERY_CHARS:
        _fail(f"the search text is {len(text)} characters long; at most {MAX_QUERY_CHARS}")
    hits = _codeset(ctx).search(text, system=system, k=k)
    if not hits:
        _fail(f"no codes match {text[:60]!r}" + (f" in {system}" if system else ""))
    if as_json:
        _print_json([asdict(hit) for hit in hits])
        return
    _render_hits(hits)


@app.command()
def coverage(
    ctx: typer.Context,
    dataset: Annotated[str, typer.Option(help="Cases: FILE.jsonl | codiesp:PATH | synthetic:N[:SEED] | raw:FILE")],
    as_json: JsonOption = False,
) -> None:
    """How many of a dataset's gold codes the loaded code sets know (curated CPT/HCPCS by default)."""
    from core.codes.coverage import code_coverage
    from core.datasets import load_cases
    from core.datasets.case_sources import parse_case_spec

    try:
        if parse_case_spec(dataset).kind == "file" and not Path(dataset).exists():
            _fail(f"file not found: {dataset} (--dataset takes FILE.jsonl, codiesp:PATH, synthetic:N[:SEED] "
                  "or raw:FILE)")
        cases = load_cases(dataset)
    except (ValueError, OSError) as exc:
        _fail(str(exc))
    figures = code_coverage(cases, _codeset(ctx))
    if as_json:
        _print_json(figures)
        return
    table = _table(f"Code-set coverage of {dataset} ({len(cases)} cases)", "system", "distinct codes", "covered",
                   "uses covered", "missing (most used first)")
    for system, row in figures.items():
        table.add_row(system, str(row["codes"]), f"{row['covered']} ({_pct(row['rate'])})",
                      f"{row['uses_covered']}/{row['uses']}", ", ".join(row["missing"][:15]) or "-")
    _print(table)


def _pct(rate: float | None) -> str:
    return "-" if rate is None else f"{100 * rate:.1f}%"


@app.command()
def stats(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Codes and billable codes per system, with data version and source."""
    figures = _codeset(ctx).stats()
    if as_json:
        _print_json(figures)
        return
    _render_stats(figures)


# ---- human-readable output (rich) ------------------------------------------------------------------
def _table(title: str, *columns: str):
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column, overflow="fold")
    return table


def _print(renderable) -> None:
    from rich.console import Console

    Console().print(renderable)


def _render_code(info, ancestors: list[str]) -> None:
    """`ancestors`: labels from the chapter down to the parent, one line each."""
    table = _table(f"{info.code} ({info.system})", "field", "value")
    table.add_row("description", info.description)
    table.add_row("billable", "yes" if info.billable else f"no ({info.kind})")
    for label, value in (("category", info.category), ("unit", info.unit), ("parent", info.parent)):
        if value:
            table.add_row(label, value)
    if ancestors:
        table.add_row("ancestors", "\n".join(ancestors))
    if info.children:
        shown = ", ".join(info.children[:30])
        table.add_row("children", shown + (f" ... ({len(info.children)} in all)" if len(info.children) > 30 else ""))
    for name, lines in info.notes.items():
        table.add_row(name.replace("_", " "), "\n".join(lines))
    _print(table)


def _render_validations(results) -> None:
    table = _table("Validation", "code", "normalized", "system", "status", "message")
    for result in results:
        style = "green" if result.ok else "red"
        table.add_row(result.code, result.normalized, result.system or "-", f"[{style}]{result.status}[/]",
                      result.message)
    _print(table)


def _render_conflicts(conflicts: list[dict]) -> None:
    if not conflicts:
        return
    table = _table("Conflicts", "codes", "message")
    for conflict in conflicts:
        table.add_row(" + ".join(conflict["codes"]), f"[red]{_conflict_message(conflict)}[/]")
    _print(table)


def _render_hits(hits) -> None:
    table = _table("Search results", "#", "code", "system", "description", "score")
    for rank, hit in enumerate(hits, start=1):
        table.add_row(str(rank), hit.code, hit.system, hit.description, f"{hit.score:.2f}")
    _print(table)


def _render_stats(figures: dict) -> None:
    table = _table("Code sets", "system", "codes", "billable", "version", "source")
    for system, row in figures.items():
        table.add_row(system, str(row["codes"]), str(row["billable"]), row.get("version", "-"),
                      row.get("source", "-"))
    _print(table)
