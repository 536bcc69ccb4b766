"""What the web app may launch as background jobs, and who may launch them.

Only fixed choices reach `core.jobs.start_job`: stage configs that live in TRAINING_CONFIG_DIR, evaluation
datasets from a safe list (synthetic specs, the CodiEsp train/dev splits under THCE_CODIESP_DIR, the
sample stage files), models from `core.catalog.available_models()` or a named baseline, and report paths
generated here. A value from a browser or an API client that is not on its list is refused.

    allowed, why = jobs_allowed(username, is_admin)  # admin and (THCE_ALLOW_JOBS=1 or in THCE_ADMINS)
    job_id = launch_training("stage_1_tiny.yaml")
    job_id = launch_eval("synthetic:50:7", "bm25", limit=20)
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import yaml

from core.jobs import jobs_dir, start_job
from core.paths import EXAMPLES_DIR, TARGET_HUB_MODEL, TRAINING_CONFIG_DIR
from core.store.db import runtime_data_dir
from core.store.errors import FieldError

SYNTHETIC_DATASETS = ("synthetic:50:7", "synthetic:200:7")
SAMPLE_FILES = ("sample_stage_1.jsonl", "sample_stage_2.jsonl")
CODIESP_SPLITS = ("dev", "train")  # the test split is held out: never offered
BASELINE_PREFIX = "baseline:"
DPO_STAGES = ("stage_3",)
_PROGRESS_RE = re.compile(r"(\d{1,3})%\|")  # tqdm bars
_STEP_RE = re.compile(r"\b(?:step|Step)\s+(\d+)\s*/\s*(\d+)")


def jobs_allowed(username: str | None, is_admin: bool) -> tuple[bool, str]:
    """(allowed, reason). Jobs need the admin role (core.access), and THCE_ALLOW_JOBS=1 or the user named in
    THCE_ADMINS (the local user of an open app is an admin, but launches jobs only with --allow-jobs)."""
    if not is_admin:
        return False, "only administrators (THCE_ADMINS) may launch jobs: sign in as one of them"
    if os.environ.get("THCE_ALLOW_JOBS", "").strip() == "1":
        return True, "administrators may launch jobs on this server (THCE_ALLOW_JOBS=1)"
    admins = {a.strip().lower() for a in os.environ.get("THCE_ADMINS", "").split(",") if a.strip()}
    if username and username.lower() in admins:
        return True, f"{username} is an administrator (THCE_ADMINS)"
    return False, "start the app with THCE_ALLOW_JOBS=1 (`thce serve --allow-jobs`) to launch jobs"


def stage_configs() -> list[str]:
    """Names of the stage YAML files in TRAINING_CONFIG_DIR (not its sub-folders)."""
    return sorted(p.name for p in TRAINING_CONFIG_DIR.glob("*.yaml") if p.is_file())


def config_stage(name: str) -> str:
    """The `stage:` of a config, e.g. 'stage_3' (from the YAML, else the file name)."""
    path = _config_path(name)
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    stage = data.get("stage") if isinstance(data, dict) else None
    return str(stage or path.stem.removesuffix("_tiny"))


def _config_path(name: str) -> Path:
    if name not in stage_configs():
        raise FieldError(f"config must be one of {', '.join(stage_configs())}, got {name!r}", "config")
    return TRAINING_CONFIG_DIR / name


def training_args(name: str, train_file: Path | None = None) -> tuple[str, list[str]]:
    """(job kind, args after `thce`) for a stage config: `train sft|dpo --config PATH [--train_file F]`."""
    path = _config_path(name)
    kind = "dpo" if config_stage(name) in DPO_STAGES else "sft"
    if train_file is not None and kind != "dpo":
        raise FieldError("review pairs train only a DPO stage (stage_3)", "train_file")
    extra = ["--train_file", str(train_file)] if train_file is not None else []
    return kind, ["train", kind, "--config", str(path), *extra]


def export_review_pairs() -> Path:
    """Export the current preference pairs for a DPO job (next to the job logs); FieldError when none."""
    from core.store import export_preference_pairs

    path = jobs_dir() / "inputs" / f"review-pairs-{time.strftime('%Y%m%d-%H%M%S')}.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    if export_preference_pairs(path, format="dpo") == 0:
        path.unlink(missing_ok=True)
        raise FieldError("there are no reviewed preference pairs yet (corrections make them)", "train_file")
    return path


def launch_training(name: str, use_review_pairs: bool = False) -> int:
    """Start `thce train sft|dpo --config ...` in the background; the job id."""
    kind, args = training_args(name, export_review_pairs() if use_review_pairs else None)
    return start_job(kind, args)


def eval_datasets() -> list[str]:
    """The dataset specs an evaluation job may use."""
    found = list(SYNTHETIC_DATASETS)
    codiesp = os.environ.get("THCE_CODIESP_DIR", "").strip()
    if codiesp:
        found += [f"codiesp:{Path(codiesp) / s}" for s in CODIESP_SPLITS if (Path(codiesp) / s).is_dir()]
    found += [str(EXAMPLES_DIR / name) for name in SAMPLE_FILES if (EXAMPLES_DIR / name).is_file()]
    return found


def eval_subjects() -> list[str]:
    """What can be evaluated: local models, the baselines (`baseline:NAME`), then the hub target model."""
    from core.catalog import available_models
    from core.evaluation.baselines import BASELINES

    models = available_models()
    local = [m for m in models if m != TARGET_HUB_MODEL]
    return local + [BASELINE_PREFIX + name for name in BASELINES] + [m for m in models if m == TARGET_HUB_MODEL]


def reports_dir() -> Path:
    """Where evaluation jobs write reports (THCE_REPORTS_DIR, else reports/ in the runtime data dir)."""
    path = Path(os.environ.get("THCE_REPORTS_DIR") or runtime_data_dir() / "reports")
    path.mkdir(parents=True, exist_ok=True)
    return path


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", Path(text.rstrip("/")).name or text).strip("-")[:40] or "run"


def eval_args(dataset: str, subject: str, limit: int | None = None) -> list[str]:
    """Args after `thce` for `eval --dataset D (--model M | --baseline B) --report <generated> [--limit N]`."""
    if dataset not in eval_datasets():
        raise FieldError(f"dataset must be one of {', '.join(eval_datasets())}, got {dataset!r}", "dataset")
    if subject not in eval_subjects():
        raise FieldError(f"model must be one of {', '.join(eval_subjects())}, got {subject!r}", "model")
    if limit is not None and (isinstance(limit, bool) or int(limit) < 1):
        raise FieldError("limit must be a positive number of cases", "limit")
    source = (["--baseline", subject.removeprefix(BASELINE_PREFIX)] if subject.startswith(BASELINE_PREFIX)
              else ["--model", subject])
    name = f"{time.strftime('%Y%m%d-%H%M%S')}-{_slug(subject)}-{_slug(dataset)}.json"
    args = ["eval", "--dataset", dataset, *source, "--report", str(reports_dir() / name)]
    return args + (["--limit", str(int(limit))] if limit else [])


def launch_eval(dataset: str, subject: str, limit: int | None = None) -> int:
    return start_job("eval", eval_args(dataset, subject, limit))


def log_progress(log: str) -> float | None:
    """The last progress fraction a log shows (a tqdm percentage or 'step N/M'), None when none."""
    best: tuple[int, float] | None = None
    for match in _PROGRESS_RE.finditer(log or ""):
        best = (match.start(), min(int(match.group(1)), 100) / 100)
    for match in _STEP_RE.finditer(log or ""):
        total = int(match.group(2))
        if total and (best is None or match.start() > best[0]):
            best = (match.start(), min(int(match.group(1)) / total, 1.0))
    return None if best is None else best[1]


def job_state(job_id: int, lines: int = 200) -> dict:
    """One job as data: {"job": core.jobs.job_status(...), "log": the last `lines` of its log, "progress": the
    log's last progress fraction or None, "finished": whether it has ended}."""
    from core.jobs import FINISHED, job_status, tail_log

    job = job_status(int(job_id))
    log = tail_log(job["id"], lines)
    return {"job": job, "log": log, "progress": log_progress(log), "finished": job["status"] in FINISHED}
