"""Model loading: references, devices, dtypes, caching and clear offline errors."""

import pytest

from core.inference import (
    ModelNotAvailableError,
    get_generator,
    load_model,
    resolve_device,
    resolve_dtype,
    resolve_model_ref,
)


def test_device_and_dtype_defaults(monkeypatch):
    monkeypatch.delenv("THCE_DEVICE", raising=False)
    assert resolve_device("cpu") == "cpu"
    assert resolve_device("auto") in ("cpu", "cuda", "mps")
    monkeypatch.setenv("THCE_DEVICE", "cpu")
    assert resolve_device("auto") == "cpu"
    assert resolve_dtype("cpu") == "float32"
    assert resolve_dtype("cpu", "bfloat16") == "bfloat16"
    with pytest.raises(ValueError, match="dtype"):
        resolve_dtype("cpu", "int3")


def test_model_references(tmp_path):
    assert resolve_model_ref(str(tmp_path)) == str(tmp_path.resolve())
    assert resolve_model_ref("HuggingFaceTB/SmolLM2-135M-Instruct") == "HuggingFaceTB/SmolLM2-135M-Instruct"
    with pytest.raises(ModelNotAvailableError, match="does not exist"):
        resolve_model_ref(str(tmp_path / "missing"))
    with pytest.raises(ModelNotAvailableError, match="does not exist"):
        resolve_model_ref("./models/nothing")


def test_missing_default_model_is_a_clear_error(monkeypatch, tmp_path):
    import core.inference.loading as loading

    monkeypatch.setattr(loading, "DEFAULT_MODEL_DIR", tmp_path / "thce-tiny")
    monkeypatch.setattr(loading, "REPO_ROOT", tmp_path)
    with pytest.raises(ModelNotAvailableError, match="default model thce-tiny is not there"):
        resolve_model_ref(None)


def test_uncached_hub_id_offline_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path))
    with pytest.raises(ModelNotAvailableError, match="not available offline; pass a local directory"):
        load_model("thce-tests/no-such-model", device="cpu")


def test_directory_without_a_model_is_a_clear_error(tmp_path):
    with pytest.raises(ModelNotAvailableError, match="holds no model"):
        load_model(str(tmp_path), device="cpu")


def test_loading_is_cached(tiny_model_dir):
    first = load_model(str(tiny_model_dir), device="cpu")
    assert load_model(str(tiny_model_dir), device="cpu", dtype="float32") is first
    assert first.dtype == "float32" and first.device == "cpu"
    assert get_generator(str(tiny_model_dir), device="cpu") is get_generator(str(tiny_model_dir), device="cpu")


def test_int8_quantized_model_generates(tiny_model_dir):
    import torch

    loaded = load_model(str(tiny_model_dir), device="cpu", quantize=True)
    assert loaded.quantized
    assert any(isinstance(m, torch.ao.nn.quantized.dynamic.Linear) for m in loaded.model.modules())
    generator = get_generator(str(tiny_model_dir), device="cpu", quantize=True)
    from core.prompts import build_messages

    tokens = list(generator.stream(generator.prompt_ids(build_messages("chest pain")), max_new_tokens=5))
    assert len(tokens) == 5


def test_cpu_thread_policy(monkeypatch):
    import torch

    from core.inference.loading import SMALL_MODEL_PARAMS, _initial_threads, configure_cpu_threads

    before = torch.get_num_threads()
    try:
        monkeypatch.delenv("THCE_NUM_THREADS", raising=False)
        assert configure_cpu_threads(1_000_000) == 1
        assert configure_cpu_threads(SMALL_MODEL_PARAMS * 5) == _initial_threads()
        monkeypatch.setenv("THCE_NUM_THREADS", "2")
        assert configure_cpu_threads(1_000_000) == 2
        monkeypatch.setenv("THCE_NUM_THREADS", "many")
        with pytest.raises(ValueError, match="THCE_NUM_THREADS"):
            configure_cpu_threads(1_000_000)
    finally:
        torch.set_num_threads(before)


def test_int8_follows_the_environment(monkeypatch):
    from core.inference import default_quantize

    monkeypatch.setenv("THCE_INT8", "1")
    assert default_quantize()
    monkeypatch.setenv("THCE_INT8", "0")
    assert not default_quantize()
