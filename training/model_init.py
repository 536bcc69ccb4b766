"""Model creation: a Llama of SmolLM2's shape (full size or scaled down), random init, or a pretrained load.

    from training.model_init import ModelShape, llama_config, init_model
    config = llama_config(ModelShape(), tokenizer)          # the tiny preset shape, vocab from the tokenizer
    model = init_model(config, seed=0)

`resolve_model_source` says where a name points to (a local directory, the local hub cache, or nothing
available offline) without touching the network, so dry runs never hang or print tracebacks.
"""

from __future__ import annotations

import logging
import os
from dataclasses import asdict, dataclass
from pathlib import Path

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ModelShape:
    """Llama hyper-parameters; the defaults are the tiny CPU preset (SmolLM2's shape scaled down)."""

    hidden_size: int = 256
    num_hidden_layers: int = 6
    num_attention_heads: int = 4
    num_key_value_heads: int = 2
    intermediate_size: int = 768
    max_position_embeddings: int = 1024
    rope_theta: float = 10000.0
    tie_word_embeddings: bool = True


# HuggingFaceTB/SmolLM2-135M(-Instruct) config.json, for random-init benchmarks without a download.
SMOLLM2_135M_SHAPE = ModelShape(
    hidden_size=576, num_hidden_layers=30, num_attention_heads=9, num_key_value_heads=3,
    intermediate_size=1536, max_position_embeddings=8192, rope_theta=100000.0, tie_word_embeddings=True,
)
SMOLLM2_VOCAB_SIZE = 49152


@dataclass(frozen=True)
class ModelSource:
    """Where a model name resolves: kind in {"local", "hub_cache", "hub", "packaged", "missing"}."""

    name: str
    kind: str
    path: str | None
    message: str

    @property
    def available(self) -> bool:
        return self.kind in ("local", "hub_cache", "hub", "packaged")


def llama_config(shape: ModelShape, tokenizer=None, vocab_size: int | None = None):
    """A LlamaConfig of the given shape; vocab and special token ids come from the tokenizer when given."""
    from transformers import LlamaConfig

    fields = asdict(shape)
    rope_theta = fields.pop("rope_theta")
    ids = {}
    if tokenizer is not None:
        vocab_size = len(tokenizer)
        ids = {"bos_token_id": tokenizer.bos_token_id, "eos_token_id": tokenizer.eos_token_id,
               "pad_token_id": tokenizer.pad_token_id}
    if not vocab_size:
        raise ValueError("llama_config needs a tokenizer or a vocab_size")
    return LlamaConfig(
        vocab_size=vocab_size,
        rope_parameters={"rope_type": "default", "rope_theta": rope_theta},
        hidden_act="silu",
        rms_norm_eps=1e-5,
        initializer_range=0.02,
        use_cache=True,
        **fields,
        **ids,
    )


def init_model(config, seed: int = 0, dtype=None):
    """Randomly initialised causal LM from a config, reproducible for a given seed."""
    import torch
    from transformers import AutoModelForCausalLM, set_seed

    set_seed(seed)
    model = AutoModelForCausalLM.from_config(config, dtype=dtype or torch.float32)
    logger.info("initialised %s with %.2fM parameters", type(model).__name__, count_parameters(model) / 1e6)
    return model


def count_parameters(model) -> int:
    """Unique parameters (tied embeddings counted once)."""
    return sum(p.numel() for p in {id(p): p for p in model.parameters()}.values())


def count_parameters_from_config(config) -> int:
    """Parameter count without allocating weights (meta device)."""
    import torch
    from transformers import AutoModelForCausalLM

    with torch.device("meta"):
        model = AutoModelForCausalLM.from_config(config)
    return count_parameters(model)


def _hub_offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "0").lower() in ("1", "true", "yes")


def resolve_model_source(name: str, probe_network: bool = False, marker: str = "config.json") -> ModelSource:
    """Locate a model by local path or hub id, network-free unless `probe_network` (and not HF_HUB_OFFLINE).

    `marker` is the file that makes a directory usable ("tokenizer_config.json" for a tokenizer)."""
    path = Path(name).expanduser()
    if path.is_dir():
        if (path / marker).is_file() or (marker == "config.json" and (path / "adapter_config.json").is_file()):
            return ModelSource(name, "local", str(path), f"local directory {path}")
        return ModelSource(name, "missing", None, f"{path} exists but holds no {marker}")
    looks_like_path = name.startswith((".", "/", "~")) or name.count("/") != 1 or path.suffix != ""
    if looks_like_path:
        return ModelSource(name, "missing", None,
                           f"model directory {path} not found (an earlier stage produces it; run that stage first)")
    from huggingface_hub import try_to_load_from_cache

    from core.inference.base import BaseModelError, is_base_model_id, prepare_base

    if is_base_model_id(name):  # SmolLM2-135M-Instruct: the HF cache's original, else the packaged copy
        try:
            base = prepare_base(name, progress=True)
        except BaseModelError as exc:
            return ModelSource(name, "missing", None, str(exc))
        return ModelSource(name, base.kind, str(base.path), base.note)
    cached = try_to_load_from_cache(name, marker)
    if isinstance(cached, str):
        return ModelSource(name, "hub_cache", str(Path(cached).parent), f"hub model {name} (local cache)")
    if probe_network and not _hub_offline() and _hub_reachable(name):
        return ModelSource(name, "hub", None, f"hub model {name} (will download)")
    return ModelSource(name, "missing", None,
                       f"{name!r} is not a local directory, and as a hub id it is not in the local cache "
                       "(the hub is unavailable offline): run where a network exists, or point "
                       "model_name_or_path to a local model directory")


def _hub_reachable(name: str) -> bool:
    try:
        from huggingface_hub import model_info

        model_info(name, timeout=5)
        return True
    except Exception as exc:  # any network/auth failure means "not available here"
        logger.info("hub probe for %s failed: %s", name, type(exc).__name__)
        return False


def load_pretrained(source: ModelSource, dtype: str = "auto", attn_implementation: str | None = None):
    """Weights of a located model; a LoRA adapter folder comes back as a trainable PeftModel on its base."""
    import torch

    from core.inference.base import adapter_base_name, load_adapter_model, load_base_model, record_base_name

    torch_dtype = dtype if dtype == "auto" else getattr(torch, dtype)
    path = source.path or source.name
    if source.path and adapter_base_name(Path(source.path)):
        return load_adapter_model(source.path, torch_dtype, trainable=True, attn_implementation=attn_implementation)
    model = load_base_model(path, torch_dtype, attn_implementation)
    if source.kind in ("packaged", "hub_cache"):
        record_base_name(model, source.name)
    return model
