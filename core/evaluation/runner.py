"""`run_eval`: dataset spec + (model | baseline | predictions file) -> report JSON, PNG and HTML.

    from core.evaluation import run_eval
    report = run_eval("codiesp:../shared/datasets/codiesp/dev", baseline="tfidf_lr",
                      report_path="reports/tfidf_dev.json")
"""

from __future__ import annotations

import hashlib
import json
import logging
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from core.constants import SYSTEMS
from core.evaluation.analysis import report_problem
from core.evaluation.evaluate import evaluate_predictions, systems_with_gold
from core.evaluation.predictions import load_predictions

logger = logging.getLogger(__name__)

REPORT_SCHEMA = 1
DEFAULT_MODEL_NAME = "default"  # `model="default"` runs the shipped default model
SYNTHETIC_TRAIN_FACTOR, SYNTHETIC_TRAIN_SEED_OFFSET = 4, 1000


def dataset_sha256(cases: Sequence[dict]) -> str:
    """Fingerprint of the evaluated cases (id, narrative, gold codes), independent of the spec's path."""
    digest = hashlib.sha256()
    for case in cases:
        record = {"id": str(case.get("id")), "narrative": case.get("narrative", ""), "codes": case.get("codes")}
        digest.update(json.dumps(record, sort_keys=True, ensure_ascii=False).encode("utf-8") + b"\n")
    return digest.hexdigest()


def default_train_spec(dataset: str) -> str | None:
    """The train split that goes with a dataset spec, or None when there is no natural one.

    codiesp:.../dev -> codiesp:.../train (the sibling directory); synthetic:N[:SEED] ->
    synthetic:4N:SEED+1000 (same generator, other seed); a JSONL file has none.
    """
    kind, _, rest = dataset.partition(":")
    if kind == "codiesp" and rest:
        path = Path(rest.rstrip("/"))
        sibling = path.parent / "train"
        return f"codiesp:{sibling}" if path.name != "train" and sibling.is_dir() else None
    if kind == "synthetic" and rest:
        parts = rest.split(":")
        try:
            n, seed = int(parts[0]), int(parts[1]) if len(parts) > 1 and parts[1] else 0
        except ValueError:
            return None
        return f"synthetic:{SYNTHETIC_TRAIN_FACTOR * n}:{seed + SYNTHETIC_TRAIN_SEED_OFFSET}"
    return None


def load_gold_cases(spec: str, limit: int | None = None) -> list[dict]:
    from core.datasets import load_cases

    cases = list(load_cases(spec))
    if limit is not None:
        if limit <= 0:
            raise ValueError(f"--limit must be positive, got {limit}")
        cases = cases[:limit]
    if not cases:
        raise ValueError(f"dataset {spec!r} holds no cases")
    return cases


def _cumulative(progress: Callable[[int], None] | None) -> Callable[[int, int], None] | None:
    """Adapt an increment callback to predict_file's (done, total) callback."""
    if progress is None:
        return None
    seen = [0]

    def report(done: int, total: int) -> None:
        progress(done - seen[0])
        seen[0] = done

    return report


def predict_with_model(
    cases: Sequence[dict], model: str, output_path: Path, constrain: str = "valid",
    progress: Callable[[int], None] | None = None, use_model: bool = True, rules: bool = True,
) -> tuple[list[dict], str]:
    """Run the coding pipeline over the cases (core.pipeline.predict_file), with or without its coding rules;
    (rows, model id)."""
    from core.pipeline import get_pipeline, predict_file

    # A fresh run: never reuse rows of an earlier model; an earlier run's file is replaced only once this one is done.
    partial = output_path.with_name(output_path.name + ".partial")
    partial.unlink(missing_ok=True)
    name = None if model == DEFAULT_MODEL_NAME else model
    with tempfile.TemporaryDirectory(prefix="thce-eval-") as tmp:
        input_path = Path(tmp) / "cases.jsonl"
        with input_path.open("w", encoding="utf-8") as handle:
            for case in cases:
                handle.write(json.dumps({"id": str(case["id"]), "narrative": case.get("narrative", "")}) + "\n")
        try:
            predict_file(input_path, partial, model=name, progress=_cumulative(progress), constrain=constrain,
                         use_model=use_model, rules=rules)
            partial.replace(output_path)
        finally:
            partial.unlink(missing_ok=True)
    model_id = getattr(get_pipeline(name, constrain, use_model=use_model, rules=rules), "model_id", None)  # cached
    return load_predictions(output_path), str(model_id or model)


def predict_with_baseline(
    cases: Sequence[dict], name: str, train: str | None, systems: Sequence[str],
    progress: Callable[[int], None] | None = None,
) -> tuple[list[dict], dict]:
    """Fit (on `train` when given) and run a baseline; (rows, config about its training)."""
    from core.evaluation.baselines import needs_training, run_baseline

    needs_training(name)  # an unknown name fails before any data is loaded
    train_cases = load_gold_cases(train) if train else None
    overlap = len({str(c["id"]) for c in train_cases or []} & {str(c["id"]) for c in cases})
    if overlap:
        logger.warning("%d evaluated case ids also occur in the train set %s", overlap, train)
    rows = run_baseline(name, cases, train_cases, systems, progress=progress)
    return rows, {"train": train, "n_train_cases": len(train_cases or []), "n_train_overlap": overlap}


def _write_jsonl(rows: Sequence[dict], path: Path) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")


def _check_sources(model, baseline, predictions) -> None:
    given = [name for name, value in (("model", model), ("baseline", baseline), ("predictions", predictions)) if value]
    if len(given) != 1:
        raise ValueError(f"give exactly one of model, baseline or predictions (got {given or 'none'})")


def _check_systems(systems: Sequence[str] | None) -> list[str] | None:
    if not systems:
        return None
    unknown = [s for s in systems if s not in SYSTEMS]
    if unknown:
        raise ValueError(f"unknown system(s) {unknown}; choose from {list(SYSTEMS)}")
    return list(systems)


def predictions_path_for(report_path: Path) -> Path:
    return report_path.with_name(report_path.stem + ".predictions.jsonl")


def _predict(
    cases: list[dict], dataset: str, model: str | None, baseline: str | None, predictions: str | Path | None,
    train: str | None, systems: Sequence[str], report_path: Path | None, constrain: str,
    progress: Callable[[int], None] | None, use_model: bool = True, rules: bool = True,
) -> tuple[list[dict], dict, dict]:
    """(prediction rows, report source fields, extra config) for whichever source was given."""
    source: dict = {"model_id": None, "baseline": None, "predictions_file": None}
    if predictions:
        return load_predictions(predictions), {**source, "predictions_file": str(predictions)}, {}
    if report_path:
        report_path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="thce-eval-") as tmp:
        rows_path = predictions_path_for(report_path) if report_path else Path(tmp) / "predictions.jsonl"
        if model:
            rows, source["model_id"] = predict_with_model(cases, model, rows_path, constrain, progress, use_model,
                                                          rules)
            extra = {"constrain": constrain, "use_model": use_model}
        else:
            rows, extra = predict_with_baseline(cases, baseline, train or default_train_spec(dataset), systems, progress)
            source["baseline"] = baseline
            _write_jsonl(rows, rows_path)
    source["predictions_file"] = str(rows_path) if report_path else None
    return rows, source, extra


def run_eval(
    dataset: str, model: str | None = None, baseline: str | None = None, predictions: str | Path | None = None,
    report_path: str | Path | None = None, train: str | None = None, limit: int | None = None,
    systems: Sequence[str] | None = None, n_resamples: int = 1000, seed: int = 0, plots: bool = True,
    constrain: str = "valid", progress: Callable[[int], None] | None = None, use_model: bool = True,
    rules: bool | None = None,
) -> dict:
    """Evaluate one source of predictions on a dataset spec; writes the report (and plots) when a path is given.

    Systems default to those with gold codes in the dataset. Model and baseline runs also write their
    prediction rows next to the report (`<report>.predictions.jsonl`). The coding rules (core.rules): a model
    run uses them as the pipeline does (on unless `rules=False`, the ablation); baseline and predictions-file
    rows are edited by them only with `rules=True` (rows the pipeline already edited are kept). The report's
    "rules" section judges the edits against gold.
    """
    _check_sources(model, baseline, predictions)
    if n_resamples < 0:
        raise ValueError(f"--resamples must be 0 (no confidence intervals) or more, not {n_resamples}")
    report_path = Path(report_path) if report_path else None
    if report_path is not None and report_path.is_dir():  # before any prediction is made
        raise ValueError(f"--report {report_path} is a directory; give a file path such as "
                         f"{report_path / 'report.json'}")
    started = time.perf_counter()
    cases = load_gold_cases(dataset, limit)
    systems = _check_systems(systems) or systems_with_gold(cases)
    loaded = time.perf_counter()
    rows, source, extra = _predict(
        cases, dataset, model, baseline, predictions, train, systems, report_path, constrain, progress, use_model,
        rules is not False,
    )
    rows, rules_summary = _rules_on_rows(cases, rows, rules)
    predicted = time.perf_counter()
    scored = evaluate_predictions(cases, rows, systems=systems, n_resamples=n_resamples, seed=seed)
    done = time.perf_counter()
    report = {
        "schema": REPORT_SCHEMA,
        **source,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "dataset": {"spec": dataset, "sha256": dataset_sha256(cases), "n_cases": len(cases)},
        "config": {"limit": limit, "systems": systems, **extra, "rules": rules_summary is not None or bool(model and rules is not False),
                   "bootstrap": scored.pop("bootstrap")},
        "rules": rules_summary,
        "timings": {"load_s": loaded - started, "predict_s": predicted - loaded, "score_s": done - predicted,
                    "total_s": done - started},
        **scored,
    }
    report["warnings"] = coverage_warnings(report["counts"])
    if report_path:
        write_report(report, report_path, plots=plots)
    return report


def coverage_warnings(counts: dict) -> list[str]:
    """Plain warnings about predictions that do not cover the dataset one to one: cases without a prediction
    (scored as an empty answer, so the metrics stay comparable but are low), predictions for no case, and
    repeated ids (the first row counts)."""
    warnings = []
    n_cases, missing = counts.get("n_cases", 0), counts.get("n_missing", 0)
    if missing:
        warnings.append(f"{missing} of {n_cases} cases have no prediction and are scored as empty answers "
                        f"(only {n_cases - missing} predicted)")
    if counts.get("n_unmatched"):
        warnings.append(f"{counts['n_unmatched']} prediction ids match no case of the dataset and are ignored")
    if counts.get("n_duplicate_ids"):
        warnings.append(f"{counts['n_duplicate_ids']} prediction rows repeat an earlier id and are ignored "
                        "(the first row of each id is scored)")
    return warnings


def _rules_on_rows(cases: list[dict], rows: list[dict], rules: bool | None) -> tuple[list[dict], dict | None]:
    """(rows, judged rule edits or None when no rule was applied): `rules=True` edits the rows the pipeline did
    not; otherwise rows are scored as they are, and judged when the pipeline applied its rules to them."""
    from core.evaluation.rules_applied import apply_rules_to_rows, judge_rule_edits

    if rules:
        return apply_rules_to_rows(cases, rows)
    if any(row.get("rules_applied") for row in rows):
        if rules is False:
            logger.warning("some prediction rows were made with the coding rules on: they are scored as they are")
        return rows, judge_rule_edits(cases, rows)
    return rows, None


def write_report(report: dict, report_path: Path, plots: bool = True) -> None:
    """Write the report JSON, and its PNG and HTML next to it (paths recorded under "plots")."""
    report_path.parent.mkdir(parents=True, exist_ok=True)
    if plots:
        from core.evaluation.plots import write_plots

        report["plots"] = {k: str(v) for k, v in write_plots(report, report_path).items()}
    report_path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    logger.info("wrote evaluation report %s", report_path)


def read_report(path: str | Path) -> dict:
    """Load a report written by run_eval; ValueError naming the file and the reason when it is not one (or a
    field the analysis reads is damaged)."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"report not found: {path}")
    try:
        report = json.loads(path.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: not valid UTF-8 (byte 0x{exc.object[exc.start]:02x} at byte {exc.start + 1})") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not valid JSON ({exc.msg}, line {exc.lineno})") from None
    if not isinstance(report, dict) or report.get("schema") != REPORT_SCHEMA or "metrics" not in report:
        raise ValueError(f"{path}: not a THCE evaluation report (schema {REPORT_SCHEMA})")
    problem = report_problem(report)
    if problem:
        raise ValueError(f"{path}: damaged evaluation report: {problem}")
    return report
