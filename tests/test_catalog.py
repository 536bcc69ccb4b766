"""core.catalog: the models a client may choose (names, never server paths) and the example narratives."""

from __future__ import annotations

import pytest

from core import catalog
from core.paths import TARGET_HUB_MODEL


def test_check_model_accepts_default_listed_and_configured_models_only(tmp_path):
    assert catalog.check_model("", None) is None
    assert catalog.check_model(None, "/models/mine") == "/models/mine"
    assert catalog.check_model("/models/mine", "/models/mine") == "/models/mine"
    assert catalog.check_model("mine", "/models/mine") == "/models/mine"  # the name the page shows for it
    assert catalog.display_name("/models/mine") == "mine" and catalog.display_name("org/model") == "org/model"
    assert catalog.check_model(TARGET_HUB_MODEL, None) == TARGET_HUB_MODEL
    for bad in ("/etc", str(tmp_path), "someone/other-model", "../data"):
        with pytest.raises(ValueError, match="not offered"):
            catalog.check_model(bad, "/models/mine")


def test_offered_models_are_names_not_server_paths():
    from core.paths import DEFAULT_MODEL_DIR

    names = catalog.available_models()
    assert names[0] == DEFAULT_MODEL_DIR.name and TARGET_HUB_MODEL in names
    assert not any(name.startswith("/") for name in names)
    assert catalog.check_model(DEFAULT_MODEL_DIR.name, None) == str(DEFAULT_MODEL_DIR)


def test_example_narratives_read_the_shipped_file_and_a_missing_one_gives_none(tmp_path):
    assert catalog.example_narratives() and all(isinstance(text, str) and text for text in catalog.example_narratives())
    assert catalog.example_narratives(tmp_path / "missing.jsonl") == []
