"""What the server offers its clients: the models they may choose (by name, never a server path) and the
example narratives.

    available_models()                 # ["thce-smol", "thce-tiny", "runs/...", "HuggingFaceTB/SmolLM2-135M-Instruct"]
    check_model("thce-tiny", None)      # -> the folder it is loaded from; ValueError for anything not offered
"""

from __future__ import annotations

import json
from pathlib import Path

from core.paths import DEFAULT_MODEL_DIR, EXAMPLES_DIR, MODELS_DIR, TARGET_HUB_MODEL, display_name


def _model_folders() -> dict[str, str]:
    """Offered models by name (what users see: a folder's name under data/models, `runs/...` for trained
    stages, the hub id), each with where it is loaded from. Adapter folders count as models."""
    def is_model(folder: Path) -> bool:
        return (folder / "config.json").is_file() or (folder / "adapter_config.json").is_file()

    found: dict[str, str] = {}
    if DEFAULT_MODEL_DIR.is_dir():
        found[DEFAULT_MODEL_DIR.name] = str(DEFAULT_MODEL_DIR)
    if MODELS_DIR.is_dir():
        found.update({d.name: str(d) for d in sorted(MODELS_DIR.iterdir()) if d.is_dir() and is_model(d)})
    runs = MODELS_DIR.parent / "runs"
    if runs.is_dir():
        for marker in sorted([*runs.glob("**/config.json"), *runs.glob("**/adapter_config.json")]):
            if "checkpoint-" not in str(marker) and "/ref/" not in marker.as_posix():
                found.setdefault(f"runs/{marker.parent.relative_to(runs).as_posix()}", str(marker.parent))
    found[TARGET_HUB_MODEL] = TARGET_HUB_MODEL
    return found


def available_models() -> list[str]:
    """The names of the local models (shipped first, then trained) and the target hub model: never a path."""
    return list(_model_folders())


def check_model(model: str | None, configured: str | None = None) -> str | None:
    """A model choice from a browser or API client: None (the default), a listed model, or the app's
    configured model; anything else (an arbitrary path or hub id) is refused with ValueError."""
    model = (model or "").strip()
    if not model:
        return configured or None
    if configured and model in (configured, display_name(configured)):  # offered by its name, never its path
        return configured
    offered = _model_folders()
    if model in offered:
        return offered[model]
    raise ValueError(f"model {model!r} is not offered by this server; choose one of the listed models")


def example_narratives(path: Path | None = None) -> list[str]:
    """Example narratives for the UI, from data/examples/narratives.jsonl."""
    path = path or EXAMPLES_DIR / "narratives.jsonl"
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            out.append(json.loads(line)["narrative"])
    return out
