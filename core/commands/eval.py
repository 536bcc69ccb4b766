"""`thce eval`: score a model, a baseline or a predictions file on a dataset; write a report with plots.

    thce eval --dataset codiesp:../shared/datasets/codiesp/dev --baseline tfidf_lr --report reports/tfidf_dev.json
    thce eval --dataset synthetic:200:7 --model default --report reports/tiny_synth.json
    thce eval --dataset gold.jsonl --predictions preds.jsonl --report reports/run.json --systems icd10cm,cpt
    thce eval --dataset data/eval/us_outpatient.jsonl --predictions preds.jsonl --rules --report reports/us_rules.json
    thce eval --dataset data/eval/us_outpatient.jsonl --model default --no-rules --report reports/us_no_rules.json
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from core.commands import fail as _fail

SUMMARY_METRICS = ("micro_precision", "micro_recall", "micro_f1", "macro_f1", "map", "exact_match", "category_f1")
_HEADERS = ("P", "R", "F1", "macro F1", "MAP", "exact", "cat. F1")


def _split_systems(values: list[str] | None) -> list[str] | None:
    systems = [part.strip().lower() for value in values or [] for part in value.split(",") if part.strip()]
    return systems or None


def _progress_bar():
    from tqdm import tqdm

    return tqdm(unit="case", desc="predicting", disable=None)  # disabled when stderr is not a terminal


def _print_summary(report: dict, report_path: Path) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(caption="micro P/R/F1; exact = exact-match rate; cat. = first 3 characters", title=f"{report.get('model_id') or report.get('baseline') or 'predictions'} "
                        f"on {report['dataset']['spec']} ({_coverage(report)})")
    table.add_column("scope")
    for header in _HEADERS:
        table.add_column(header, justify="right")
    for scope in ["overall", *report["systems"]]:
        cis, metrics = report["ci"].get(scope) or {}, report["metrics"][scope]
        table.add_row(scope, *["-" if metrics.get(m) is None else f"{metrics[m]:.3f}" for m in SUMMARY_METRICS])
        ci_cells = [cis.get(m) if m in ("micro_f1", "map") else None for m in SUMMARY_METRICS]
        table.add_row("  95% CI", *[f"{ci[0]:.2f}-{ci[1]:.2f}" if ci else "" for ci in ci_cells], style="dim")
    console = Console()
    console.print(table)
    validity, fmt, latency = report["validity"], report["format"], report["latency"]
    console.print(
        f"validity {_pct(validity['rate'])} of {validity['n_codes']} codes | think format {_pct(fmt['rate'])} "
        f"of {fmt['n_raw']} answers | latency mean {_secs(latency['mean_s'])} p50 {_secs(latency['p50_s'])} "
        f"p95 {_secs(latency['p95_s'])}"
    )
    own = (report.get("model_answer") or {}).get("micro_f1")
    if own:
        console.print("the language model's own answer (before the decision rule), micro-F1: "
                      + ", ".join(f"{s} {v:.3f}" for s, v in own.items()))
    reasoning = report.get("reasoning") or {}
    if reasoning.get("n_codes"):
        supported = (f" ({_pct(reasoning['supported_rate'])} with a quote that is the code's evidence)"
                     if reasoning.get("supported_rate") is not None else "")
        console.print(f"reasoning: {_pct(reasoning['grounded_rate'])} of the model's {reasoning['n_codes']} codes "
                      f"quote the narrative{supported} | answers with a line repeated more than twice: "
                      f"{reasoning['answers_with_a_line_repeated_more_than_twice']} of {reasoning['n_answers']}")
    _print_rule_slices(console, report)
    plots = report.get("plots") or {}
    console.print(f"report: {report_path}" + (f" | plots: {plots['png']} {plots['html']}" if plots else ""))


def _print_rule_slices(console, report: dict) -> None:
    from rich.table import Table

    slices = report.get("by_rule") or {}
    if slices:
        table = Table(title="micro-F1 per rule slice (cases tagged with the rule)", title_justify="left")
        own = report.get("by_rule_model_answer") or {}
        for column in ("rule", "cases", "overall", *report["systems"], *(["model's own"] if own else [])):
            table.add_column(column, justify="left" if column == "rule" else "right")
        for rule, scores in slices.items():
            cells = [scores["overall"]["micro_f1"], *[scores[s]["micro_f1"] for s in report["systems"]]]
            cells += [own.get(rule, {}).get("overall")] if own else []
            table.add_row(rule, str(scores["overall"]["n_cases"]), *["-" if v is None else f"{v:.3f}" for v in cells])
        console.print(table)
    edits = report.get("rules")
    if edits:
        console.print("rule edits (helpful/neutral/harmful): " + ", ".join(
            f"{rule} {c['helpful']}/{c['neutral']}/{c['harmful']}" for rule, c in sorted(edits.items())))
    em = report.get("em_level")
    if em:
        console.print(f"E/M exact level {_pct(em['exact'])} of {em['n_cases']} visits ({em['missing']} with no E/M)")


def _coverage(report: dict) -> str:
    """"N cases", or "only P of N cases predicted (the rest scored as empty)" when predictions are missing."""
    n_cases, missing = report["dataset"]["n_cases"], (report.get("counts") or {}).get("n_missing", 0)
    if not missing:
        return f"{n_cases} cases"
    return f"[bold yellow]only {n_cases - missing} of {n_cases} cases predicted; the rest scored as empty[/]"


def _check_options(model: str | None, baseline: str | None, constrain: str, no_model: bool, train: str | None) -> None:
    """Refuse options that do not apply to the chosen source, before any data or model is loaded."""
    if not model:
        if constrain != "valid":
            _fail("--constrain applies only to --model runs (constrained decoding of the language model)")
        if no_model:
            _fail("--no-model applies only to --model runs (the ablation without the language model)")
    else:
        from core.constraints import CONSTRAIN_MODES

        if constrain not in CONSTRAIN_MODES:
            _fail(f"--constrain must be one of {', '.join(CONSTRAIN_MODES)}, not {constrain!r}")
    if train and not baseline:
        _fail("--train applies only to --baseline runs (the learning baselines' training data)")


def _print_warnings(report: dict) -> None:
    for warning in report.get("warnings") or []:
        typer.echo(f"warning: {warning}", err=True)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def _secs(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}s"


def command(
    dataset: Annotated[str, typer.Option(help="FILE.jsonl | codiesp:PATH | synthetic:N[:SEED]")],
    report: Annotated[Path, typer.Option(help="Where to write the report JSON (PNG and HTML go next to it).")],
    model: Annotated[str | None, typer.Option(help="Model dir or hub id to run ('default' = shipped model).")] = None,
    baseline: Annotated[str | None, typer.Option(help="majority_code | frequency_topk | bm25 | tfidf_lr")] = None,
    predictions: Annotated[Path | None, typer.Option(help="Score an existing predictions JSONL.")] = None,
    train: Annotated[str | None, typer.Option(help="Train spec for learning baselines (default: sibling split).")] = None,
    limit: Annotated[int | None, typer.Option(help="Evaluate only the first N cases.")] = None,
    systems: Annotated[list[str] | None, typer.Option(help="Systems to score, e.g. icd10cm,cpt (default: those with gold).")] = None,
    resamples: Annotated[int, typer.Option(min=0, help="Bootstrap resamples for the 95% CIs (0: no CIs).")] = 1000,
    seed: Annotated[int, typer.Option(help="Bootstrap seed.")] = 0,
    constrain: Annotated[str, typer.Option(help="With --model: none | valid | candidates.")] = "valid",
    rules: Annotated[bool | None, typer.Option("--rules/--no-rules", help="The coding rules (core.rules): a --model "
                                                "run applies them as the pipeline does unless --no-rules (the "
                                                "ablation); --rules also edits baseline/--predictions rows.")] = None,
    plots: Annotated[bool, typer.Option("--plots/--no-plots", help="Write the PNG and HTML plots.")] = True,
    no_model: Annotated[bool, typer.Option("--no-model", help="With --model: the ablation without the language "
                                           "model (the model folder's retriever and decision rule alone).")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report's metrics as JSON.")] = False,
) -> None:
    """Evaluate a model, a baseline or a predictions file on gold cases and write a report."""
    from core.evaluation import run_eval
    from core.evaluation.predictions import PredictionError
    from core.inference import ModelNotAvailableError

    _check_options(model, baseline, constrain, no_model, train)
    bar = None if as_json else _progress_bar()
    error = None
    try:
        result = run_eval(
            dataset, model=model, baseline=baseline, predictions=predictions, report_path=report, train=train,
            limit=limit, systems=_split_systems(systems), n_resamples=resamples, seed=seed, plots=plots,
            constrain=constrain, progress=bar.update if bar is not None else None, use_model=not no_model,
            rules=rules,
        )
    except (ValueError, PredictionError, ModelNotAvailableError, FileNotFoundError, OSError) as exc:
        error = str(exc)
    finally:
        if bar is not None:
            bar.close()
    if error is not None:  # after the bar is closed, so the error is the last line
        _fail(error)
    _print_warnings(result)
    if as_json:
        keys = ("schema", "model_id", "baseline", "dataset", "systems", "metrics", "ci", "validity", "format",
                "latency", "counts", "warnings", "timings", "plots", "by_rule", "em_level", "rules", "config")
        typer.echo(json.dumps({k: result.get(k) for k in keys}, indent=2))
        return
    _print_summary(result, report)
