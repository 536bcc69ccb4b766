"""The project installs anywhere: a lock without machine paths, torch wheels for every supported platform,
and no absolute paths of a development machine in model cards or docs."""

from __future__ import annotations

import re
import tomllib

import pytest

from core.paths import REPO_ROOT
from training.model_card import portable_paths

LOCK = tomllib.loads((REPO_ROOT / "uv.lock").read_text(encoding="utf-8"))
PYTHONS = ("cp311", "cp312", "cp313")
# platform tag fragment of a torch wheel file name, per supported platform
PLATFORMS = {"linux x86_64": "manylinux", "linux aarch64": "aarch64", "macOS arm64": "macosx",
             "windows x86_64": "win_amd64"}
MACHINE_PATH = re.compile(r"(?<![\w.~])/(?:work|home|root|Users|opt)/[\w.-]")


def _package(name: str) -> dict:
    found = [p for p in LOCK["package"] if p["name"] == name]
    assert len(found) == 1, f"{name} locked {len(found)} times"
    return found[0]


def test_lock_has_no_local_paths():
    text = (REPO_ROOT / "uv.lock").read_text(encoding="utf-8")
    assert "file://" not in text and not MACHINE_PATH.search(text)
    for package in LOCK["package"]:
        source = package["source"]
        if package["name"] == "thce":
            assert source in ({"editable": "."}, {"virtual": "."}), source
        else:
            assert set(source) == {"registry"} and source["registry"].startswith("https://"), (package["name"], source)


def test_lock_covers_every_supported_platform():
    markers = " | ".join(LOCK["supported-markers"])
    for fragment in ("'x86_64' and sys_platform == 'linux'", "'aarch64' and sys_platform == 'linux'",
                     "'arm64' and sys_platform == 'darwin'", "'AMD64' and sys_platform == 'win32'"):
        assert fragment in markers
    assert LOCK["requires-python"].replace(" ", "") == ">=3.11,<3.14"


@pytest.mark.parametrize("platform", sorted(PLATFORMS))
def test_lock_holds_torch_wheels_from_pypi_for(platform):
    torch = _package("torch")
    assert torch["source"] == {"registry": "https://pypi.org/simple"}
    assert "+" not in torch["version"], "a local build (+cpu) cannot be installed from PyPI"
    names = [wheel["url"].rsplit("/", 1)[1] for wheel in torch["wheels"]]
    for python in PYTHONS:
        fitting = [n for n in names if f"-{python}-" in n and PLATFORMS[platform] in n]
        if platform == "linux x86_64":
            fitting = [n for n in fitting if n.endswith("x86_64.whl")]
        assert fitting, f"no torch wheel for {platform}, {python}"


def test_pyproject_names_no_local_wheel_folder():
    text = (REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert "find-links" not in text and not MACHINE_PATH.search(text)
    assert "llm ; sys_platform == 'never'" in text and "llama-cpp-python ; sys_platform == 'never'" in text


def _shipped_text_files():
    yield REPO_ROOT / "README.md"
    yield from (REPO_ROOT / "data" / "models").glob("*/README.md")
    yield from (REPO_ROOT / "data" / "models").glob("*/training/*.json")
    yield from (REPO_ROOT / "docs").rglob("*.md")


def test_cards_and_docs_hold_no_machine_paths():
    files = list(_shipped_text_files())
    assert any(f.parent.parent.name == "models" for f in files) and any(f.parent.name == "docs" for f in files)
    found = [f"{f.relative_to(REPO_ROOT)}:{n}: {line.strip()[:120]}"
             for f in files for n, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1)
             if MACHINE_PATH.search(line)]
    assert not found, "absolute machine paths (write them relative to the repository):\n" + "\n".join(found)


def test_portable_paths_makes_commands_relative_to_the_repository(tmp_path):
    root = tmp_path / "repo"
    command = f"python -m training.pipeline --output-dir {root}/data/models/x --codiesp {tmp_path}/shared/codiesp"
    assert portable_paths(command, root) == (
        "python -m training.pipeline --output-dir data/models/x --codiesp ../shared/codiesp")
    assert portable_paths(f'"cwd": "{root}"', root) == '"cwd": "."'
    assert portable_paths(f"{root}-other/x", root) == "../repo-other/x"


def _variables_read() -> set[str]:
    """Environment variables the project's code reads (os.environ.get, getenv, *_ENV constants, envvar=)."""
    pattern = re.compile(r"(?:environ\.get|getenv|environ\.setdefault)\(\s*[\"']([A-Z][A-Z0-9_]+)[\"']"
                         r"|_ENV\s*=\s*[\"']([A-Z][A-Z0-9_]+)[\"']|envvar=[\"']([A-Z][A-Z0-9_]+)[\"']"
                         r"|_env_flag\(\s*[\"']([A-Z][A-Z0-9_]+)[\"']")
    names = set()
    for package in ("core", "webapp", "training", "benchmarks"):
        for path in (REPO_ROOT / package).rglob("*.py"):
            for match in pattern.finditer(path.read_text(encoding="utf-8")):
                names.add(next(group for group in match.groups() if group))
    return names


def test_env_example_lists_every_variable_the_code_reads():
    lines = (REPO_ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
    listed = set(re.findall(r"\b[A-Z][A-Z0-9_]{2,}\b", "\n".join(lines)))
    read = _variables_read()
    assert {"HF_TOKEN", "THCE_MODEL", "DATABASE_URL", "THCE_CACHE_DIR"} <= read
    assert not read - listed, f"add to .env.example (one line of meaning each): {sorted(read - listed)}"
    settings = [n for n, line in enumerate(lines) if "=" in line and not line.startswith("#")]
    assert all(lines[n - 1].startswith("#") or "=" in lines[n - 1] for n in settings)  # each has its meaning
