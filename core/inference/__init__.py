"""Model loading (cached, offline-safe) and generation (streaming, batched, constrained).

    from core.inference import get_generator
    gen = get_generator("data/models/thce-tiny")
    ids = gen.prompt_ids(messages)
    for token_id in gen.stream(ids, gen.tracker(gen.valid_grammar)): ...
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from core.inference.loading import (
    LoadedModel,
    ModelNotAvailableError,
    default_quantize,
    load_model,
    resolve_device,
    resolve_dtype,
    resolve_load_args,
    resolve_model_ref,
)

__all__ = ["LoadedModel", "ModelNotAvailableError", "default_quantize", "get_generator", "load_model", "resolve_device",
           "resolve_dtype", "resolve_model_ref"]


def get_generator(model: str | Path | None = None, device: str = "auto", dtype: str = "auto",
                  quantize: bool | None = None):
    """The process-wide Generator of a model (one per model/device/dtype/quantization; quantize=None
    follows THCE_INT8)."""
    return _generator(*resolve_load_args(model, device, dtype, quantize))


@lru_cache(maxsize=4)
def _generator(ref: str, device: str, dtype: str, quantize: bool):
    from core.inference.generation import Generator

    return Generator(load_model(ref, device, dtype, quantize))
