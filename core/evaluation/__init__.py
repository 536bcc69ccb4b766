"""Evaluation: metrics (micro/macro P/R/F1, exact match, CodiEsp MAP, category credit), bootstrap CIs,
validity, think-format compliance, latency; baselines; reports with plots; error analysis.

    from core.evaluation import evaluate_predictions, run_eval
    scores = evaluate_predictions(cases, prediction_rows)          # no I/O
    report = run_eval("synthetic:200:7", baseline="bm25", report_path="reports/bm25.json")

Heavy modules (scikit-learn, matplotlib) are imported only where used.
"""

from __future__ import annotations

from core.evaluation.analysis import compare_reports, confusions, failing_cases, worst_codes
from core.evaluation.evaluate import evaluate_predictions
from core.evaluation.runner import REPORT_SCHEMA, default_train_spec, read_report, run_eval

__all__ = [
    "REPORT_SCHEMA",
    "compare_reports",
    "confusions",
    "default_train_spec",
    "evaluate_predictions",
    "failing_cases",
    "read_report",
    "run_eval",
    "worst_codes",
]
