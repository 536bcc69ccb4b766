"""A stage whose model is already on this machine trains with HF_HUB_OFFLINE=1 (peft's save would otherwise ask
the hub about the base's config: a network call for nothing); the variable is restored afterwards."""

from __future__ import annotations

import os
from types import SimpleNamespace

import pytest

from training.stage_main import _offline_when_local


def _settings(name: str, scratch: bool = False):
    return SimpleNamespace(model=SimpleNamespace(model_name_or_path=name, init_from_scratch=scratch))


@pytest.mark.parametrize("before", [None, "0"])
def test_local_weights_train_offline_and_the_variable_is_restored(tiny_model_dir, monkeypatch, before):
    if before is None:
        monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    else:
        monkeypatch.setenv("HF_HUB_OFFLINE", before)
    with _offline_when_local(_settings(str(tiny_model_dir))):
        assert os.environ["HF_HUB_OFFLINE"] == "1"
    assert os.environ.get("HF_HUB_OFFLINE") == before
    with _offline_when_local(_settings("no-such-org/no-such-model")):  # to be downloaded: the hub stays reachable
        assert os.environ.get("HF_HUB_OFFLINE") == before
    with _offline_when_local(_settings("unused", scratch=True)):
        assert os.environ["HF_HUB_OFFLINE"] == "1"
