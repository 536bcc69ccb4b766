"""What the web app may launch as background jobs, and who may launch them.

Only fixed choices reach `core.jobs.start_job`: stage configs that live in TRAINING_CONFIG_DIR (each run by
its trainer: `thce train sft|dpo|kto`), evaluation datasets from a safe list (synthetic specs, the CodiEsp
train/dev splits under THCE_CODIESP_DIR, the sample stage files), models from
`core.catalog.available_models()` or a named baseline, and report paths generated here. A value from a browser
or an API client that is not on its list is refused.

Choices are names, never server paths (every user's page holds them): `codiesp:dev`, `thce-smol`,
`data/examples/sample_stage_1.jsonl`. The commands map them to what `thce` takes; jobs run in the repository
root, so paths under it are given relative to it (`--model data/models/thce-smol`), others as they are.

    allowed, why = jobs_allowed(username, is_admin)  # admin and (THCE_ALLOW_JOBS=1 or in THCE_ADMINS)
    job_id = launch_training(default_config())       # stage_1_tiny.yaml -> thce train sft --config ...
    job_id = launch_eval("synthetic:50:7", "baseline:bm25", limit=20)
"""

from __future__ import annotations

import logging
import os
import re
import time
from pathlib import Path

import yaml

from core.jobs import jobs_dir, start_job
from core.paths import EXAMPLES_DIR, REPO_ROOT, TARGET_HUB_MODEL, TRAINING_CONFIG_DIR
from core.store.db import runtime_data_dir
from core.store.errors import FieldError

SYNTHETIC_DATASETS = ("synthetic:50:7", "synthetic:200:7")
SAMPLE_FILES = ("sample_stage_1.jsonl", "sample_stage_2.jsonl")
CODIESP_SPLITS = ("dev", "train")  # the test split is held out: never offered
BASELINE_PREFIX = "baseline:"
DPO_STAGES = ("stage_3",)
logger = logging.getLogger(__name__)
KTO_KEYS = frozenset({"desirable_weight", "undesirable_weight"})  # trl.KTOConfig's own: a KTO config
REVIEW_EXPORTS = {"dpo": "dpo", "kto": "kto"}  # trainer -> the review store export it trains on
DEFAULT_CONFIG = "stage_1_tiny.yaml"  # the first stage, on CPU
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


def default_config() -> str | None:
    """The config preselected in the UI: DEFAULT_CONFIG (the first stage), else the first one listed."""
    configs = stage_configs()
    return DEFAULT_CONFIG if DEFAULT_CONFIG in configs else (configs[0] if configs else None)


def repo_relative(path: str | Path) -> str:
    """A file's path relative to the repository root (jobs run there) when it lies under it, else absolute;
    a relative `path` is taken from the working directory."""
    path = Path(path).expanduser().absolute()
    for candidate in (path, path.resolve()):
        if candidate.is_relative_to(REPO_ROOT):
            return candidate.relative_to(REPO_ROOT).as_posix()
    return str(path)


def _config_data(name: str) -> dict:
    data = yaml.safe_load(_config_path(name).read_text(encoding="utf-8")) or {}
    return data if isinstance(data, dict) else {}


def config_stage(name: str) -> str:
    """The `stage:` of a config, e.g. 'stage_3' (from the YAML, else the file name)."""
    return str(_config_data(name).get("stage") or _config_path(name).stem.removesuffix("_tiny"))


def config_trainer(name: str) -> str:
    """The `thce train` command of a config: 'kto' when it sets KTO's own keys (desirable_weight, ...),
    'dpo' for a DPO stage (stage_3), else 'sft' (as training/sft.py, dpo.py and kto.py accept them)."""
    if KTO_KEYS & set(_config_data(name)):
        return "kto"
    return "dpo" if config_stage(name) in DPO_STAGES else "sft"


def _config_path(name: str) -> Path:
    if name not in stage_configs():
        raise FieldError(f"config must be one of {', '.join(stage_configs())}, got {name!r}", "config")
    return TRAINING_CONFIG_DIR / name


def _review_export(name: str) -> str:
    """The review store export a config trains on ("dpo" pairs, "kto" rows); FieldError for an SFT config."""
    kind = config_trainer(name)
    if kind not in REVIEW_EXPORTS:
        raise FieldError("the review store trains only a DPO stage (stage_3) or a KTO config", "train_file")
    return REVIEW_EXPORTS[kind]


def training_args(name: str, train_file: Path | None = None) -> tuple[str, list[str]]:
    """(trainer, args after `thce`) for a stage config: `train sft|dpo|kto --config training/configs/NAME
    [--train_file F]` (a train file, the review store's export, only for DPO and KTO)."""
    path = _config_path(name)
    if train_file is not None:
        _review_export(name)
    kind = config_trainer(name)
    extra = ["--train_file", repo_relative(train_file)] if train_file is not None else []
    return kind, ["train", kind, "--config", repo_relative(path), *extra]


def export_review_pairs(format: str = "dpo") -> Path:
    """Export the review store's preference pairs ("dpo") or KTO rows ("kto") for a job (next to the job
    logs); FieldError when there are none."""
    from core.store import export_preference_pairs

    path = jobs_dir() / "inputs" / f"review-{format}-{time.strftime('%Y%m%d-%H%M%S')}.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    if export_preference_pairs(path, format=format) == 0:
        path.unlink(missing_ok=True)
        what = "reviewed preference pairs (corrections make them)" if format == "dpo" else \
            "review signals (accepted, rejected or corrected answers make them)"
        raise FieldError(f"there are no {what} yet", "train_file")
    return path


def keep_previous_run(name: str, root: Path = REPO_ROOT) -> Path | None:
    """Move an earlier run out of the way of a new launch of config `name`: its `output_dir` (under `root`,
    where jobs run), when it holds anything, is renamed to `<output_dir>.previous-<time>` (kept, never deleted:
    `thce train` refuses to start afresh over an earlier run). The configured path stays free, so the next
    stage's config (which reads this stage's output_dir) still finds the new run. Returns the new name, or None."""
    output = _config_data(name).get("output_dir")
    if not output:
        return None
    folder = Path(output) if Path(output).is_absolute() else root / output
    if not folder.is_dir() or not any(folder.iterdir()):
        return None
    kept = folder.with_name(f"{folder.name}.previous-{time.strftime('%Y%m%d-%H%M%S')}")
    folder.rename(kept)
    return kept


def launch_training(name: str, use_review_pairs: bool = False) -> int:
    """Start `thce train sft|dpo|kto --config ...` in the background (DPO and KTO optionally on the review
    store's export); the job id. An earlier run in the config's output_dir is kept under another name first."""
    train_file = export_review_pairs(_review_export(name)) if use_review_pairs else None
    kind, args = training_args(name, train_file)
    kept = keep_previous_run(name)
    if kept is not None:
        logger.info("launch of %s: the earlier run was kept as %s", name, repo_relative(kept))
    return start_job(kind, args)


def _dataset_specs() -> dict[str, str]:
    """The datasets an evaluation job may use: {choice shown to users: the job's `--dataset` spec}."""
    found = {spec: spec for spec in SYNTHETIC_DATASETS}
    codiesp = os.environ.get("THCE_CODIESP_DIR", "").strip()
    if codiesp:
        root = Path(codiesp).expanduser().absolute()
        found |= {f"codiesp:{s}": f"codiesp:{repo_relative(root / s)}" for s in CODIESP_SPLITS if (root / s).is_dir()}
    samples = [repo_relative(EXAMPLES_DIR / name) for name in SAMPLE_FILES if (EXAMPLES_DIR / name).is_file()]
    return found | {sample: sample for sample in samples}


def eval_datasets() -> list[str]:
    """The dataset choices of an evaluation job (names and repo-relative files, never a server path)."""
    return list(_dataset_specs())


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


def _model_arg(subject: str) -> str:
    """What `thce eval --model` takes for a listed model: its folder relative to the repository root (jobs
    run there), the hub id as it is."""
    from core.catalog import check_model

    folder = check_model(subject) or subject
    return repo_relative(folder) if Path(folder).is_absolute() else folder


def eval_args(dataset: str, subject: str, limit: int | None = None) -> list[str]:
    """Args after `thce` for `eval --dataset D (--model M | --baseline B) --report <generated> [--limit N]`."""
    specs = _dataset_specs()
    if dataset not in specs:
        raise FieldError(f"dataset must be one of {', '.join(specs)}, got {dataset!r}", "dataset")
    if subject not in eval_subjects():
        raise FieldError(f"model must be one of {', '.join(eval_subjects())}, got {subject!r}", "model")
    if limit is not None and (isinstance(limit, bool) or int(limit) < 1):
        raise FieldError("limit must be a positive number of cases", "limit")
    source = (["--baseline", subject.removeprefix(BASELINE_PREFIX)] if subject.startswith(BASELINE_PREFIX)
              else ["--model", _model_arg(subject)])
    name = f"{time.strftime('%Y%m%d-%H%M%S')}-{_slug(subject)}-{_slug(dataset)}.json"
    args = ["eval", "--dataset", specs[dataset], *source, "--report", repo_relative(reports_dir() / name)]
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
