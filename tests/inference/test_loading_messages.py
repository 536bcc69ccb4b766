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
