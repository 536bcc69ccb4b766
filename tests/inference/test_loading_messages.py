"""Regression: the missing-default-model error points to the training guide by its real file name."""

from __future__ import annotations

import re

import pytest

from core.inference import ModelNotAvailableError, resolve_model_ref
from core.paths import REPO_ROOT


def test_missing_default_model_points_to_an_existing_guide(monkeypatch):
    import core.inference.loading as loading

    monkeypatch.setattr(loading, "DEFAULT_MODEL_DIR", REPO_ROOT / "data" / "models" / "no-such-model")
    with pytest.raises(ModelNotAvailableError) as caught:
        resolve_model_ref(None)
    guides = re.findall(r"docs/\S+\.md", str(caught.value))
    assert guides == ["docs/TRAINING.md"] and all((REPO_ROOT / guide).is_file() for guide in guides)


def test_a_folder_that_holds_no_model_is_named_in_one_line(tmp_path):
    """Regression: a folder without a model gave transformers' several-line tokenizer message ("Couldn't
    instantiate the backend tokenizer ... sentencepiece or tiktoken"), which says nothing of the real problem."""
    from core.inference import load_model

    (tmp_path / "notes.txt").write_text("not a model")
    with pytest.raises(ModelNotAvailableError) as caught:
        load_model(tmp_path, device="cpu", dtype="float32")
    message = str(caught.value)
    assert "holds no model: no config.json or adapter_config.json" in message and "\n" not in message


def test_a_broken_model_folder_is_one_line(tmp_path):
    from core.inference import load_model

    (tmp_path / "config.json").write_text("{}")  # a model folder in name only
    with pytest.raises(ModelNotAvailableError) as caught:
        load_model(tmp_path, device="cpu", dtype="float32")
    assert "cannot be loaded" in str(caught.value) and "\n" not in str(caught.value)
