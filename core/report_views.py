"""Evaluation reports for the web app: find them, show their metrics as a table, compare two.

Reports are the JSON files `thce eval --report` writes (schema in core.evaluation.runner), with a sibling
PNG of plots. They are looked for in the evaluation jobs' report dir (core.launcher.reports_dir()) and
under data/runs/ (the training pipeline's runs).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from core.evaluation import compare_reports, read_report
from core.evaluation.runner import REPORT_SCHEMA
from core.paths import DATA_DIR

METRIC_COLUMNS = ["micro_precision", "micro_recall", "micro_f1", "macro_f1", "map", "exact_match", "category_f1"]
METRICS_HEADERS = ["scope", "P", "R", "F1", "macro F1", "MAP", "exact", "cat. F1", "F1 95% CI"]
COMPARE_HEADERS = ["scope", "metric", "A", "B", "B - A", "CIs overlap"]
MAX_REPORTS = 200
_HEAD_BYTES = 256
_SCHEMA_RE = re.compile(rf'^\s*\{{\s*"schema"\s*:\s*{REPORT_SCHEMA}\s*[,}}]')


def _looks_like_report(path: Path) -> bool:
    """Cheap check on the first bytes (reports start with their schema key), so model files are not parsed."""
    try:
        with path.open("rb") as handle:
            head = handle.read(_HEAD_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return False
    return _SCHEMA_RE.search(head) is not None


def report_dirs() -> list[Path]:
    from core.launcher import reports_dir

    runs = Path(os.environ.get("THCE_RUNS_DIR", DATA_DIR / "runs"))
    return [reports_dir(), runs]


def list_reports(dirs: list[Path] | None = None) -> list[str]:
    """Paths of evaluation reports, newest first (at most MAX_REPORTS)."""
    found: dict[str, float] = {}
    for folder in dirs if dirs is not None else report_dirs():
        if not folder.is_dir():
            continue
        for path in folder.rglob("*.json"):
            if path.is_file() and _looks_like_report(path):
                found[str(path)] = path.stat().st_mtime
    return sorted(found, key=lambda p: found[p], reverse=True)[:MAX_REPORTS]


def _check_listed(path: str, dirs: list[Path] | None) -> Path:
    if path not in list_reports(dirs):
        raise ValueError(f"report must be one of the listed reports, got {path!r}")
    return Path(path)


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


def report_png(report: dict, path: Path) -> Path | None:
    """The report's plot image: the path recorded in the report, else the sibling .png."""
    recorded = (report.get("plots") or {}).get("png")
    for candidate in ([Path(recorded)] if recorded else []) + [path.with_suffix(".png")]:
        if candidate.is_file():
            return candidate
    return None


def load_report_view(path: str, dirs: list[Path] | None = None) -> tuple[str, list[list], Path | None]:
    """(summary markdown, metrics rows, PNG path) of one listed report; ValueError when unusable."""
    checked = _check_listed(path, dirs)
    report = read_report(checked)
    return report_summary(report), metrics_rows(report), report_png(report, checked)


def comparison_view(path_a: str, path_b: str, dirs: list[Path] | None = None) -> tuple[str, list[list]]:
    """(markdown header with warnings, rows COMPARE_HEADERS) of B against A."""
    compared = compare_reports(read_report(_check_listed(path_a, dirs)), read_report(_check_listed(path_b, dirs)))
    text = f"**A:** {compared['a']} · **B:** {compared['b']}"
    if not compared["same_dataset"]:
        text += "\n\n⚠ The reports were made on different datasets: the deltas are not comparable."
    if not compared["same_systems"]:
        text += "\n\n⚠ The reports score different code systems."
    rows = [[r["scope"], r["metric"], _fmt(r["a"]), _fmt(r["b"]), _fmt(r["delta"]),
             "" if r["ci_overlap"] is None else ("yes" if r["ci_overlap"] else "no")] for r in compared["rows"]]
    return text, rows
