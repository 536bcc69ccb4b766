"""Model loads run one at a time in a process (core.inference.base.MODEL_LOAD_LOCK).

Regression: two first requests of a web server (a cancelled one still loading, then a new one) loaded the default
model in two threads at once. transformers' from_pretrained swaps process-wide state while it loads (its
no_tie_weights context): the interleaved swaps left weight tying off for good, so both requests and every later
one failed with "Cannot copy out of meta tensor" (an untied lm_head) until the server restarted."""

from __future__ import annotations

import threading
import time

import torch

from core.inference import loading


def _slow_loads(monkeypatch, seconds: float = 0.3):
    """Replace the real from_pretrained with a slow fake that records how many loads ran at once."""
    state = {"active": 0, "most": 0, "calls": []}
    guard = threading.Lock()

    def fake(ref, dtype):
        with guard:
            state["active"] += 1
            state["most"] = max(state["most"], state["active"])
            state["calls"].append(ref)
        time.sleep(seconds)
        with guard:
            state["active"] -= 1
        return object(), torch.nn.Linear(2, 2), ""

    monkeypatch.setattr(loading, "_from_pretrained", fake)
    loading._load_cached.cache_clear()
    return state


def _in_threads(*calls):
    results = [None] * len(calls)

    def run(i, call):
        results[i] = call()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_two_threads_asking_for_one_model_share_one_load(monkeypatch, tmp_path):
    state = _slow_loads(monkeypatch)
    try:
        first, second = _in_threads(lambda: loading.load_model(tmp_path, device="cpu", dtype="float32"),
                                    lambda: loading.load_model(tmp_path, device="cpu", dtype="float32"))
        assert state["calls"] == [str(tmp_path.resolve())]  # loaded once; the second thread waited for it
        assert first is second
    finally:
        loading._load_cached.cache_clear()


def test_loads_of_different_models_never_overlap(monkeypatch, tmp_path):
    state = _slow_loads(monkeypatch)
    folders = [tmp_path / name for name in ("a", "b", "c")]
    for folder in folders:
        folder.mkdir()
    try:
        _in_threads(*[lambda f=f: loading.load_model(f, device="cpu", dtype="float32") for f in folders])
        assert len(state["calls"]) == 3 and state["most"] == 1
    finally:
        loading._load_cached.cache_clear()


def test_a_merged_adapter_load_and_a_base_load_take_the_same_lock():
    """The training entry points load through load_base_model / load_adapter_model directly: the same lock
    (re-entrant: an adapter load holds it while it loads its base)."""
    from core.inference import base

    assert base.MODEL_LOAD_LOCK is loading.MODEL_LOAD_LOCK
    with base.MODEL_LOAD_LOCK, base.MODEL_LOAD_LOCK:  # re-entrant
        pass
