"""`thce report`: read one evaluation report (worst codes, confusions, failing cases) or compare two.

    thce report reports/tfidf_dev.json --top-k 15
    thce report reports/bm25_dev.json reports/tfidf_dev.json      # side by side: deltas, CI overlap
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from core.commands import fail as _fail


def _fmt(value) -> str:
    return "-" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)


def _describer():
    """code -> short description, or a no-op when the code sets cannot be loaded."""
    try:
        from core.codes import get_codeset

        codeset = get_codeset()
    except Exception:  # descriptions are a nicety: never fail the report for them
        return lambda code: ""
    return lambda code: codeset.describe(code)[:60]


def _table(title: str, columns: list[str], rows: list[list]):
    from rich.table import Table

    table = Table(title=title)
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*[_fmt(cell) for cell in row])
    return table


def _print_analysis(report: dict, top_k: int, n_cases: int) -> None:
    from rich.console import Console

    from core.evaluation import confusions, failing_cases, worst_codes

    console, describe = Console(), _describer()
    overall = report["metrics"]["overall"]
    console.print(f"[bold]{report.get('model_id') or report.get('baseline') or 'predictions'}[/] on "
                  f"{report['dataset']['spec']}: micro F1 {_fmt(overall['micro_f1'])}, MAP {_fmt(overall['map'])}")
    worst = worst_codes(report, top_k)
    if worst:
        console.print(_table(f"Worst {len(worst)} gold codes", ["system", "code", "description", "support", "tp", "fp",
                                                                  "fn", "f1"],
                             [[r["system"], r["code"], describe(r["code"]), r["support"], r["tp"], r["fp"], r["fn"],
                               r["f1"]] for r in worst]))
    else:
        console.print("every gold code was coded without a miss or a spurious code")
    conf = confusions(report, top_k)
    console.print(f"errors: {conf['totals']['same_category']} same category but another code, "
                  f"{conf['totals']['missed']} missed, {conf['totals']['spurious']} spurious")
    if conf["same_category"]:  # empty tables are left out
        console.print(_table("Same category, different code", ["system", "predicted", "gold", "gold description",
                                                                 "count"],
                             [[r["system"], r["predicted"], r["gold"], describe(r["gold"]), r["count"]]
                              for r in conf["same_category"]]))
    for kind in ("missed", "spurious"):
        if conf[kind]:
            console.print(_table(f"Most often {kind}", ["system", "code", "description", "count"],
                                 [[r["system"], r["code"], describe(r["code"]), r["count"]] for r in conf[kind]]))
    for case in failing_cases(report, n_cases):
        console.rule(f"case {case['id']} (F1 {_fmt(case['f1'])})" + (f" error: {case['error']}" if case["error"] else ""))
        for label in ("correct", "missed", "spurious"):
            codes = [c for codes in case[label].values() for c in codes]
            console.print(f"{label}: {', '.join(codes) or '-'}")
        console.print(f"reasoning: {case['reasoning'] or '-'}", markup=False)


def _print_comparison(comparison: dict) -> None:
    from rich.console import Console

    console = Console()
    if not comparison["same_dataset"]:
        console.print("[yellow]warning: the reports were computed on different datasets (sha256 differs)[/]")
    if not comparison["same_systems"]:
        console.print("[yellow]warning: the reports score different systems[/]")
    rows = []
    for r in comparison["rows"]:
        overlap = {True: "overlap", False: "DISJOINT", None: ""}[r["ci_overlap"]]
        delta = "-" if r["delta"] is None else f"{r['delta']:+.3f}"
        rows.append([r["scope"], r["metric"], r["a"], r["b"], delta, overlap])
    console.print(_table(f"A = {comparison['a']}   B = {comparison['b']}   (delta = B - A; 95% CIs)",
                         ["scope", "metric", "A", "B", "delta", "CIs"], rows))


def command(
    reports: Annotated[list[Path], typer.Argument(help="One report to analyse, or two to compare.")],
    top_k: Annotated[int, typer.Option("--top-k", help="Rows per table.")] = 10,
    cases: Annotated[int, typer.Option("--cases", help="Failing cases to show.")] = 3,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
) -> None:
    """Analyse one evaluation report, or compare two side by side."""
    from core.evaluation import read_report

    if len(reports) not in (1, 2):
        _fail(f"give one report to analyse or two to compare (got {len(reports)})")
    if top_k < 1 or cases < 0:
        _fail("--top-k must be at least 1 and --cases at least 0")
    try:
        loaded = [read_report(path) for path in reports]
    except ValueError as exc:
        _fail(str(exc))
    try:
        _show(loaded, top_k, cases, as_json)
    except (KeyError, TypeError, AttributeError, ValueError) as exc:  # a field read_report does not check
        names = " and ".join(str(path) for path in reports)
        _fail(f"{names}: damaged evaluation report ({type(exc).__name__}: {exc})")


def _show(loaded: list[dict], top_k: int, cases: int, as_json: bool) -> None:
    from core.evaluation import compare_reports, confusions, failing_cases, worst_codes

    if len(loaded) == 2:
        comparison = compare_reports(*loaded)
        if as_json:
            typer.echo(json.dumps(comparison, indent=2))
        else:
            _print_comparison(comparison)
        return
    report = loaded[0]
    if as_json:
        payload = {"worst_codes": worst_codes(report, top_k), "confusions": confusions(report, top_k),
                   "failing_cases": failing_cases(report, cases)}
        typer.echo(json.dumps(payload, indent=2))
        return
    _print_analysis(report, top_k, cases)
