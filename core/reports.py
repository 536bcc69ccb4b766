"""Evaluation reports a client may open: find them, read one (with its plot image), compare two.

Reports are the JSON files `thce eval --report` writes (schema in core.evaluation.runner), with a sibling
PNG of plots. They are looked for in the evaluation jobs' report dir (core.launcher.reports_dir()) and
under data/runs/ (the training pipeline's runs); only a listed report is read (a path from a browser or an
API client that is not on the list is refused). How they are shown is the web app's (webapp/report_views.py).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from core.evaluation import compare_reports, read_report
from core.evaluation.runner import REPORT_SCHEMA
from core.paths import DATA_DIR

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


def report_png(report: dict, path: Path) -> Path | None:
    """The report's plot image: the path recorded in the report, else the sibling .png."""
    recorded = (report.get("plots") or {}).get("png")
    for candidate in ([Path(recorded)] if recorded else []) + [path.with_suffix(".png")]:
        if candidate.is_file():
            return candidate
    return None


def open_report(path: str, dirs: list[Path] | None = None) -> tuple[dict, Path | None]:
    """(report, its PNG path or None) of one listed report; ValueError when it is not listed or unusable."""
    checked = _check_listed(path, dirs)
    report = read_report(checked)
    return report, report_png(report, checked)


def compare_listed_reports(path_a: str, path_b: str, dirs: list[Path] | None = None) -> dict:
    """B against A (core.evaluation.compare_reports: names, same_dataset, same_systems, rows) of two listed
    reports; ValueError when one is not listed or unusable."""
    return compare_reports(read_report(_check_listed(path_a, dirs)), read_report(_check_listed(path_b, dirs)))
