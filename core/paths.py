"""Well-known locations: repository data, the shipped default model, caches."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = REPO_ROOT / "data"
CODE_DB_DIR = DATA_DIR / "code_databases"
EXAMPLES_DIR = DATA_DIR / "examples"
MODELS_DIR = DATA_DIR / "models"
DEFAULT_MODEL_DIR = MODELS_DIR / "thce-smol"  # SmolLM2-135M-Instruct + LoRA; thce-tiny is the fast fixture
TRAINING_CONFIG_DIR = REPO_ROOT / "training" / "configs"
TARGET_HUB_MODEL = "HuggingFaceTB/SmolLM2-135M-Instruct"


def cache_dir() -> Path:
    """Writable cache (search indexes, compiled tables); THCE_CACHE_DIR overrides."""
    path = Path(os.environ.get("THCE_CACHE_DIR", Path.home() / ".cache" / "thce"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def display_name(ref: str) -> str:
    """A model's name as users see it: a folder's name (no server path), or the hub id."""
    path = Path(ref)
    return path.name if path.is_absolute() or path.is_dir() else ref
