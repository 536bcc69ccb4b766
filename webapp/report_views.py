"""How the Train & Evaluate tab words evaluation reports (core.reports finds and reads them as data): a
summary line, a metrics table, and the comparison of two reports."""

from __future__ import annotations

from pathlib import Path

from core.reports import compare_listed_reports, open_report

METRIC_COLUMNS = ["micro_precision", "micro_recall", "micro_f1", "macro_f1", "map", "exact_match", "category_f1"]
METRICS_HEADERS = ["scope", "P", "R", "F1", "macro F1", "MAP", "exact", "cat. F1", "F1 95% CI"]
COMPARE_HEADERS = ["scope", "metric", "A", "B", "B - A", "CIs overlap"]


def _fmt(value) -> str | float:
    return "" if value is None else round(float(value), 3)


def metrics_rows(report: dict) -> list[list]:
    """One row per scope (overall, then each system): METRICS_HEADERS."""
    rows = []
    for scope in ["overall", *report.get("systems", [])]:
        metrics = report["metrics"].get(scope) or {}
        ci = (report.get("ci", {}).get(scope) or {}).get("micro_f1")
        rows.append([scope, *[_fmt(metrics.get(m)) for m in METRIC_COLUMNS],
                     f"{ci[0]:.2f}-{ci[1]:.2f}" if ci else ""])
    return rows


def report_summary(report: dict) -> str:
    """One markdown paragraph: what was evaluated on what, and validity/format/latency."""
    subject = report.get("model_id") or report.get("baseline") or report.get("predictions_file") or "predictions"
    data = report.get("dataset", {})
    validity, fmt, latency = report.get("validity", {}), report.get("format", {}), report.get("latency", {})
    parts = [f"**{subject}** on `{data.get('spec', '?')}` ({data.get('n_cases', '?')} cases), "
             f"{report.get('created_at', '')}"]
    if validity.get("rate") is not None:
        parts.append(f"validity {100 * validity['rate']:.1f}% of {validity.get('n_codes', 0)} codes")
    if fmt.get("rate") is not None:
        parts.append(f"think format {100 * fmt['rate']:.1f}%")
    if latency.get("p50_s") is not None:
        parts.append(f"latency p50 {latency['p50_s']:.3f} s")
    return " · ".join(parts)


def load_report_view(path: str, dirs: list[Path] | None = None) -> tuple[str, list[list], Path | None]:
    """(summary markdown, metrics rows, PNG path) of one listed report; ValueError when unusable."""
    report, png = open_report(path, dirs)
    return report_summary(report), metrics_rows(report), png


def comparison_header(compared: dict) -> str:
    """Markdown naming A and B, with a warning when their datasets or code systems differ."""
    text = f"**A:** {compared['a']} · **B:** {compared['b']}"
    if not compared["same_dataset"]:
        text += "\n\n⚠ The reports were made on different datasets: the deltas are not comparable."
    if not compared["same_systems"]:
        text += "\n\n⚠ The reports score different code systems."
    return text


def comparison_rows(compared: dict) -> list[list]:
    """Rows of COMPARE_HEADERS, one per scope and metric."""
    return [[r["scope"], r["metric"], _fmt(r["a"]), _fmt(r["b"]), _fmt(r["delta"]),
             "" if r["ci_overlap"] is None else ("yes" if r["ci_overlap"] else "no")] for r in compared["rows"]]


def comparison_view(path_a: str, path_b: str, dirs: list[Path] | None = None) -> tuple[str, list[list]]:
    """(markdown header with warnings, rows COMPARE_HEADERS) of B against A."""
    compared = compare_listed_reports(path_a, path_b, dirs)
    return comparison_header(compared), comparison_rows(compared)
