"""Build a ready Hugging Face Space folder from this repository, and push it.

The folder holds the app's packages (core, webapp, training), the code databases and examples, the shipped
model folder(s) under data/models, a `requirements.txt` exported from uv.lock for the Space's Python (CPU
torch), a README whose front matter configures the Space (Gradio SDK version from the lock, OAuth login on,
persistent storage suggested: the app keeps its SQLite store in /data when that folder is writable), and a
`.gitattributes` that sends every weights/array file and every file over 10 MB through Git LFS (a Space
refuses larger plain files).

The Space runs `app.py` at the folder's root (`app_file`): webapp/space_app.py copied there. The app reads its
model from THCE_MODEL only, and a Space's front matter cannot set variables, so the launcher sets THCE_MODEL to the
first model the folder was built with (`--model`, default thce-smol) unless a Space variable sets it, then
runs webapp/app.py. Without it a folder built with `--model thce-tiny` would look for data/models/thce-smol.

    uv run thce deploy space --output dist/space [--push user/thce]
"""

from __future__ import annotations

import fnmatch
import logging
import shutil
import tomllib
from dataclasses import dataclass
from pathlib import Path

from core.deploy import SPACE_PYTHON, DeployError, export_requirements
from core.hub import Upload, folder_files
from core.paths import DEFAULT_MODEL_DIR, MODELS_DIR, REPO_ROOT, TARGET_HUB_MODEL

logger = logging.getLogger(__name__)

LFS_LIMIT_BYTES = 10 * 1000 * 1000  # the Hub's limit for files outside LFS (10 MB)
LFS_PATTERNS = ("*.safetensors", "*.bin", "*.gguf", "*.pt", "*.pth", "*.ckpt", "*.npz", "*.npy", "*.onnx",
                "*.h5", "*.pkl", "*.pickle", "*.joblib", "*.msgpack", "*.parquet", "*.arrow", "*.model",
                "*.zip", "*.gz", "*.tar", "*.zst", "*.xz")
LFS_ATTRS = "filter=lfs diff=lfs merge=lfs -text"
PACKAGES = ("core", "webapp", "training")
DATA_FOLDERS = ("code_databases", "examples")
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache", "checkpoint-*", "*.db", "*.db-*")
APP_FILE = "webapp/app.py"  # the app itself
LAUNCHER_FILE = "app.py"  # the Space's app_file: sets THCE_MODEL to the folder's model, then runs APP_FILE
LAUNCHER_SOURCE = REPO_ROOT / "webapp" / "space_app.py"  # the launcher, copied to LAUNCHER_FILE
MODEL_LINE = 'MODEL = "thce-smol"'  # its line naming the model, set to the folder's


def launcher_text(model: str) -> str:
    """The Space's app.py: webapp/space_app.py with MODEL set to `model`."""
    text = LAUNCHER_SOURCE.read_text(encoding="utf-8")
    if MODEL_LINE not in text:
        raise DeployError(f"{LAUNCHER_SOURCE} has no line {MODEL_LINE!r} to set the Space's model")
    return text.replace(MODEL_LINE, f"MODEL = {model!r}", 1)


@dataclass
class SpaceBuild:
    folder: Path
    models: list[str]
    lfs_files: list[str]
    size_mb: float


def locked_version(package: str, lock_dir: Path = REPO_ROOT) -> str:
    lock = tomllib.loads((lock_dir / "uv.lock").read_text(encoding="utf-8"))
    for entry in lock["package"]:
        if entry["name"] == package:
            return entry["version"]
    raise DeployError(f"{package} is not in {lock_dir / 'uv.lock'}")


def space_readme(gradio_version: str, models: list[str]) -> str:
    front = ["---", "title: THCE — Tiny Health Coding Extractor", "emoji: 🩺", "colorFrom: blue", "colorTo: green",
             "sdk: gradio", f"sdk_version: {gradio_version}", f"app_file: {LAUNCHER_FILE}",
             f'python_version: "{SPACE_PYTHON}"', "hf_oauth: true", "suggested_storage: small",
             "short_description: Clinical narrative to ICD-10-CM, CPT and HCPCS codes", "pinned: false",
             "license: apache-2.0", "preload_from_hub:", f"  - {TARGET_HUB_MODEL}", "---"]
    body = [
        "", "# THCE — Tiny Health Coding Extractor", "",
        "Clinical narrative → ICD-10-CM, CPT and HCPCS codes with visible `<think>` reasoning; every code "
        "shown is validated against the code sets. Built by `thce deploy space` from the THCE repository.", "",
        f"- Model(s): {', '.join(f'`data/models/{m}`' for m in models)}; the app codes with "
        f"`data/models/{models[0]}` (`{LAUNCHER_FILE}` sets `THCE_MODEL` to it unless a Space variable "
        f"does). The base model `{TARGET_HUB_MODEL}` is downloaded when the Space is built "
        "(`preload_from_hub`), so nothing is fetched while coding.",
        "- Sign in with Hugging Face (OAuth, `hf_oauth: true`): reviews are stored under your user name.",
        "- Storage: with persistent storage on (Settings → Persistent storage), the review database is "
        "`/data/thce.db` and job logs go to `/data/jobs`; without it they live in the container and are "
        "lost on restart (or set `DATABASE_URL` to an external database).",
        "- Variables (Settings → Variables): `THCE_ADMINS` (HF user names allowed to launch jobs), "
        "`THCE_MODEL`, `THCE_GENERATION_CONCURRENCY`; see the repository's docs/DEPLOYMENT.md.", "",
    ]
    return "\n".join(front + body)


def _by_pattern(name: str) -> bool:
    return any(fnmatch.fnmatch(name, pattern) for pattern in LFS_PATTERNS)


def lfs_files(folder: Path) -> list[str]:
    """Files that must go through LFS: weights/arrays by pattern and anything over the 10 MB limit."""
    return sorted(path.relative_to(folder).as_posix() for path in folder.rglob("*")
                  if path.is_file() and (path.stat().st_size > LFS_LIMIT_BYTES or _by_pattern(path.name)))


def gitattributes(folder: Path) -> str:
    """LFS rules: the weight/array patterns, plus the path of each big file no pattern covers."""
    extra = [rel.replace(" ", "[[:space:]]") for rel in lfs_files(folder) if not _by_pattern(Path(rel).name)]
    lines = ["# Git LFS: weights, arrays and every file over 10 MB (written by thce deploy space)"]
    return "\n".join([*lines, *(f"{p} {LFS_ATTRS}" for p in [*LFS_PATTERNS, *extra])]) + "\n"


def _model_dirs(models: list[str] | None) -> list[Path]:
    dirs = [Path(m) if Path(m).is_dir() else MODELS_DIR / m for m in (models or [])] or [DEFAULT_MODEL_DIR]
    missing = [str(d) for d in dirs if not (d / "config.json").is_file() and not (d / "adapter_config.json").is_file()]
    if missing:
        raise DeployError(f"not a model folder (no config.json or adapter_config.json): {', '.join(missing)}")
    return dirs


def build_space(output: str | Path, models: list[str] | None = None, overwrite: bool = False) -> SpaceBuild:
    """Write the Space folder at `output` (refuses a non-empty folder unless `overwrite`)."""
    output, dirs = Path(output), _model_dirs(models)
    if output.resolve() == REPO_ROOT or REPO_ROOT.is_relative_to(output.resolve()):
        raise DeployError(f"--output {output} would overwrite the repository; choose a new folder")
    sources = [REPO_ROOT / p for p in PACKAGES] + [REPO_ROOT / "data" / n for n in DATA_FOLDERS] + dirs
    for source in sources:  # replacing or writing into what the build copies would destroy it (or recurse)
        source, target = source.resolve(), output.resolve()
        if target.is_relative_to(source) or source.is_relative_to(target):
            raise DeployError(f"--output {output} overlaps {source}, which the build copies; choose a new folder "
                              "(e.g. dist/space)")
    if output.exists() and any(output.iterdir()):
        if not overwrite:
            raise DeployError(f"--output {output} is not empty (use --overwrite to replace it)")
        shutil.rmtree(output)
    output.mkdir(parents=True, exist_ok=True)
    for package in PACKAGES:
        shutil.copytree(REPO_ROOT / package, output / package, ignore=IGNORED)
    for name in DATA_FOLDERS:
        shutil.copytree(REPO_ROOT / "data" / name, output / "data" / name, ignore=IGNORED)
    for model_dir in dirs:
        shutil.copytree(model_dir, output / "data" / "models" / model_dir.name, ignore=IGNORED)
    export_requirements(REPO_ROOT, output / "requirements.txt", space=True)
    names = [d.name for d in dirs]
    (output / "README.md").write_text(space_readme(locked_version("gradio"), names), encoding="utf-8")
    (output / LAUNCHER_FILE).write_text(launcher_text(names[0]), encoding="utf-8")
    (output / ".gitattributes").write_text(gitattributes(output), encoding="utf-8")
    size = sum(p.stat().st_size for p in output.rglob("*") if p.is_file()) / 1e6
    logger.info("built Space folder %s (%.1f MB, models: %s)", output, size, ", ".join(names))
    return SpaceBuild(output, names, lfs_files(output), round(size, 2))


def space_upload(folder: str | Path, repo_id: str, private: bool = False) -> Upload:
    """The built folder as a Gradio Space upload (every file; LFS follows its .gitattributes)."""
    folder = Path(folder)
    if not all((folder / name).is_file() for name in ("README.md", LAUNCHER_FILE, APP_FILE)):
        raise DeployError(f"{folder} is not a built Space folder (run `thce deploy space --output {folder}`)")
    return Upload(repo_id, "space", private, dict(folder_files(folder)), space_sdk="gradio")
