"""Deployment helpers: requirements.txt for a Hugging Face Space, exported from uv.lock.

A Space installs `requirements.txt` with pip, so the export is adapted: the project itself (`-e .`) is
dropped (the app imports it from the repository), torch's local CPU build `torch==X+cpu` (resolved from a
wheel folder here) becomes `torch==X` from the PyTorch CPU index, and gradio gets its `oauth` extra (the
Hugging Face login of the Review tab).

    uv run python -m core.deploy            # rewrites requirements.txt next to uv.lock
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
from pathlib import Path

logger = logging.getLogger(__name__)

TORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu"
UV_EXPORT = ["export", "--frozen", "--no-hashes", "--no-dev", "--format", "requirements-txt"]
HEADER = "# Adapted for Hugging Face Spaces by core.deploy.export_requirements (see docs/DEPLOYMENT.md).\n"
_LOCAL_BUILD = re.compile(r"^(torch|torchvision|torchaudio)==([^\s;+]+)\+cpu\b")
_GRADIO = re.compile(r"^gradio==")


class DeployError(RuntimeError):
    """The export could not be made (no uv, no lock, uv failed)."""


def adapt_requirements(text: str) -> str:
    """Make `uv export` output installable by pip on a Space (see the module docstring)."""
    lines, uses_cpu_index = [], False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith(("-e ", "--editable", "--find-links", "-f ")) or stripped == ".":
            continue
        if _LOCAL_BUILD.match(stripped):
            line, uses_cpu_index = _LOCAL_BUILD.sub(r"\1==\2", stripped), True
        elif _GRADIO.match(stripped):
            line = _GRADIO.sub("gradio[oauth]==", stripped)
        lines.append(line)
    comments = 0
    while comments < len(lines) and lines[comments].startswith("#"):
        comments += 1
    extra = [f"--extra-index-url {TORCH_CPU_INDEX}"] if uses_cpu_index else []
    return "\n".join([*lines[:comments], HEADER.rstrip("\n"), *extra, *lines[comments:]]) + "\n"


def export_requirements(lock_dir: str | Path, out_path: str | Path) -> Path:
    """Run `uv export` on the project in `lock_dir` (its uv.lock, unchanged) and write the adapted file."""
    lock_dir, out_path = Path(lock_dir), Path(out_path)
    if not (lock_dir / "uv.lock").is_file():
        raise DeployError(f"no uv.lock in {lock_dir}")
    uv = shutil.which("uv")
    if uv is None:
        raise DeployError("the `uv` command is not on PATH (https://docs.astral.sh/uv/)")
    done = subprocess.run([uv, *UV_EXPORT], cwd=lock_dir, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise DeployError(f"uv export failed: {done.stderr.strip()[-2000:]}")
    out_path.write_text(adapt_requirements(done.stdout), encoding="utf-8")
    logger.info("wrote %s from %s", out_path, lock_dir / "uv.lock")
    return out_path


def main() -> None:
    from core.paths import REPO_ROOT

    path = export_requirements(REPO_ROOT, REPO_ROOT / "requirements.txt")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
