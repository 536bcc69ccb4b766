"""Regression: a Space folder built with `--model thce-tiny` codes with thce-tiny. The app reads its model from
THCE_MODEL only and the Space front matter cannot set it, so the folder's launcher (app_file: app.py) does."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import yaml
from typer.testing import CliRunner

import core.space
from core.cli import app
from core.paths import MODELS_DIR

needs_tiny = pytest.mark.skipif(not (MODELS_DIR / "thce-tiny" / "config.json").is_file(),
                                reason="needs the shipped data/models/thce-tiny")
CODE = """
import json, os
import app  # the Space's app_file, as the Space runs it
from core.pipeline import get_pipeline
result = get_pipeline(os.environ["THCE_MODEL"]).code("Follow-up of essential hypertension; BP 150/95.")
print(json.dumps({"app": app.__file__, "model": os.environ["THCE_MODEL"], "model_id": result.model_id,
                  "demo": type(app.demo).__name__}))
"""


@pytest.fixture(scope="module")
def tiny_space(tmp_path_factory):
    out = tmp_path_factory.mktemp("space") / "tiny"
    with pytest.MonkeyPatch.context() as patch:  # requirements.txt needs uv and the lock: not under test here
        patch.setattr(core.space, "export_requirements", lambda lock, path, space: path.write_text("gradio\n"))
        result = CliRunner().invoke(app, ["deploy", "space", "--output", str(out), "--model", "thce-tiny"])
    assert result.exit_code == 0, result.output
    return out


@needs_tiny
def test_the_space_runs_the_launcher_and_it_names_the_built_model(tiny_space):
    front = yaml.safe_load((tiny_space / "README.md").read_text(encoding="utf-8").split("---")[1])
    assert front["app_file"] == "app.py"
    assert (tiny_space / "app.py").is_file() and (tiny_space / "webapp" / "app.py").is_file()
    assert not (tiny_space / "data" / "models" / "thce-smol").exists()
    assert "thce-tiny" in (tiny_space / "app.py").read_text(encoding="utf-8")


@needs_tiny
def test_the_first_coding_call_uses_the_built_model(tiny_space, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("THCE_MODEL", "PYTHONPATH")}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'thce.db'}", GRADIO_ANALYTICS_ENABLED="False",
               HF_HUB_OFFLINE="1", THCE_CACHE_DIR=str(tmp_path / "cache"))
    done = subprocess.run([sys.executable, "-c", CODE], cwd=tiny_space, env=env, capture_output=True, text=True,
                          timeout=900)  # ~30 s normally; far more on a saturated machine
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["app"] == str(tiny_space / "app.py") and found["demo"] == "Blocks"
    assert found["model"] == str(tiny_space / "data" / "models" / "thce-tiny")
    assert found["model_id"] == "thce-tiny"


@needs_tiny
def test_a_space_variable_still_wins(tiny_space, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(THCE_MODEL="/elsewhere/model")
    code = "import runpy, os, sys; sys.modules['webapp.app'] = type(sys)('stub'); " \
           "sys.modules['webapp.app'].demo = sys.modules['webapp.app'].main = None; " \
           "runpy.run_path('app.py'); print(os.environ['THCE_MODEL'])"
    done = subprocess.run([sys.executable, "-c", code], cwd=tiny_space, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == "/elsewhere/model"
