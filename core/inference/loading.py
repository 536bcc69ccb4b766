"""Load a causal LM and its tokenizer from a local directory or a hub id, once per process.

Offline-safe: with HF_HUB_OFFLINE=1 (or no network) a hub id is looked up in the local cache only, and a
missing one raises `ModelNotAvailableError` with a sentence the CLI can print as it is.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from core.inference.base import (
    MODEL_LOAD_LOCK,
    BaseModelError,
    adapter_base_name,
    base_dir,
    is_base_model_id,
    load_adapter_model,
    prepare_base,
)
from core.paths import DEFAULT_MODEL_DIR, REPO_ROOT, display_name

logger = logging.getLogger(__name__)

DTYPES = ("auto", "float32", "bfloat16", "float16")
THREADS_ENV = "THCE_NUM_THREADS"
INT8_ENV = "THCE_INT8"  # "1": int8 dynamic quantization of Linear layers on CPU by default
SMALL_MODEL_PARAMS = 30_000_000  # below this, one CPU thread decodes faster (no cross-core waits)


class ModelNotAvailableError(RuntimeError):
    """The named model cannot be loaded here (missing directory, not cached offline, broken files)."""


@dataclass(frozen=True)
class LoadedModel:
    model: object  # transformers PreTrainedModel, in eval mode
    tokenizer: object  # transformers tokenizer with a chat template
    model_id: str  # the model's name for people: a folder's name or a hub id, never a server path
    device: str
    dtype: str
    quantized: bool = False
    base: str = ""  # the base model of an adapter folder (hub id), else ""

    @property
    def context_length(self) -> int:
        return int(getattr(self.model.config, "max_position_embeddings", 2048) or 2048)


def resolve_device(device: str | None = "auto") -> str:
    """'auto' -> cuda when available, else mps, else cpu; THCE_DEVICE overrides 'auto'."""
    import torch

    device = (device or "auto").lower()
    if device == "auto":
        device = os.environ.get("THCE_DEVICE", "auto").lower()
    if device != "auto":
        return device
    if torch.cuda.is_available():
        return "cuda"
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        return "mps"
    return "cpu"


def resolve_dtype(device: str, dtype: str | None = "auto") -> str:
    """bf16 on cuda (when supported), fp32 elsewhere (CPU matmuls in bf16 are not faster on most machines)."""
    import torch

    dtype = (dtype or "auto").lower()
    if dtype not in DTYPES:
        raise ValueError(f"dtype must be one of {', '.join(DTYPES)}, not {dtype!r}")
    if dtype != "auto":
        return dtype
    if device.startswith("cuda") and torch.cuda.is_bf16_supported():
        return "bfloat16"
    return "float32"


def resolve_model_ref(model: str | Path | None) -> str:
    """A local directory (absolute path) or a hub id; None -> the shipped default model."""
    if model is None or str(model).strip() == "":
        if not DEFAULT_MODEL_DIR.is_dir():
            raise ModelNotAvailableError(
                f"the default model {DEFAULT_MODEL_DIR.relative_to(REPO_ROOT)} is not there; "
                "train it (see docs/TRAINING.md) or pass a model directory or hub id")
        return str(DEFAULT_MODEL_DIR)
    text = str(model).strip()
    path = Path(text).expanduser()
    if path.is_dir():
        return str(path.resolve())
    looks_local = text.startswith((".", "/", "~")) or text.count("/") != 1 or path.suffix == ".json"
    if path.exists() or looks_local:
        raise ModelNotAvailableError(f"model directory {text} does not exist (or is not a directory)")
    return text


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def is_offline() -> bool:
    return _env_flag("HF_HUB_OFFLINE")


def default_quantize() -> bool:
    return _env_flag(INT8_ENV)


def resolve_load_args(model: str | Path | None, device: str, dtype: str,
                      quantize: bool | None) -> tuple[str, str, str, bool]:
    """(model ref, device, dtype, quantize) as the caches key them: auto values resolved, int8 on CPU only."""
    ref = resolve_model_ref(model)
    resolved_device = resolve_device(device)
    quantize = default_quantize() if quantize is None else quantize
    return ref, resolved_device, resolve_dtype(resolved_device, dtype), bool(quantize and resolved_device == "cpu")


def load_model(model: str | Path | None = None, device: str = "auto", dtype: str = "auto",
               quantize: bool | None = None) -> LoadedModel:
    """The cached (model, tokenizer) for a directory or hub id. `quantize` applies int8 dynamic
    quantization to the Linear layers (CPU only; None: THCE_INT8). One load at a time (MODEL_LOAD_LOCK): a second
    thread asking for a model being loaded waits for it and gets the same object."""
    args = resolve_load_args(model, device, dtype, quantize)
    with MODEL_LOAD_LOCK:
        return _load_cached(*args)


@lru_cache(maxsize=4)
def _load_cached(ref: str, device: str, dtype: str, quantize: bool) -> LoadedModel:
    import torch

    _initial_threads()  # remember torch's default before any change
    tokenizer, model, base = _from_pretrained(ref, getattr(torch, dtype))
    model.to(device).eval()
    if device == "cpu":
        configure_cpu_threads(sum(p.numel() for p in model.parameters()))
    if quantize:
        model = quantize_linear_int8(model)
    logger.info("loaded model %s on %s (%s%s)", display_name(ref), device, dtype, ", int8" if quantize else "")
    return LoadedModel(model=model, tokenizer=tokenizer, model_id=display_name(ref), device=device, dtype=dtype,
                       quantized=quantize, base=base)


def _load_tokenizer(auto_tokenizer, ref: str, source: str, base: str | None, local_only: bool):
    """The model folder's tokenizer; an adapter exported without tokenizer.json (it is its base's, byte for
    byte) takes the base's tokenizer with the folder's own chat template."""
    folder = Path(ref)
    if base is None or (folder / "tokenizer.json").is_file():
        return auto_tokenizer.from_pretrained(source, local_files_only=local_only or source != ref)
    tokenizer = auto_tokenizer.from_pretrained(str(base_dir(base)), local_files_only=True)
    if (folder / "chat_template.jinja").is_file():
        tokenizer.chat_template = (folder / "chat_template.jinja").read_text(encoding="utf-8")
    return tokenizer


MODEL_FILES = ("config.json", "adapter_config.json")  # a model folder holds one of them


def _from_pretrained(ref: str, torch_dtype):
    """(tokenizer, model, base id). A LoRA adapter folder is merged into its base (offline: the packaged
    SmolLM2 copy); the SmolLM2 hub id resolves to the local cache or the packaged copy."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    local_only = is_offline() or Path(ref).is_dir()
    if Path(ref).is_dir() and not any((Path(ref) / name).is_file() for name in MODEL_FILES):
        raise ModelNotAvailableError(f"model directory {ref} holds no model: no {' or '.join(MODEL_FILES)} "
                                     "(a trained stage's output_dir, an exported model, or data/models/<name>)")
    try:
        base = adapter_base_name(Path(ref)) if Path(ref).is_dir() else None
        source = str(prepare_base(ref).path) if is_base_model_id(ref) else ref
        tokenizer = _load_tokenizer(AutoTokenizer, ref, source, base, local_only)
        if base is not None:
            model = load_adapter_model(ref, torch_dtype)
        else:
            model = AutoModelForCausalLM.from_pretrained(source, dtype=torch_dtype,
                                                         local_files_only=local_only or source != ref)
    except BaseModelError as exc:
        raise ModelNotAvailableError(str(exc)) from None
    except (OSError, ValueError) as exc:
        if Path(ref).is_dir():  # one line: transformers' messages span several
            raise ModelNotAvailableError(f"model directory {ref} cannot be loaded: {' '.join(str(exc).split())}") \
                from exc
        if local_only:
            raise ModelNotAvailableError(
                f"model {ref} is not available offline; pass a local directory") from exc
        raise ModelNotAvailableError(f"model {ref} cannot be loaded ({type(exc).__name__}); "
                                     "pass a local directory") from exc
    if not getattr(tokenizer, "chat_template", None):
        raise ModelNotAvailableError(f"the tokenizer of {ref} has no chat template")
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer, model, base or ""


def configure_cpu_threads(num_params: int) -> int:
    """THCE_NUM_THREADS when set; else 1 thread for small models, whose per-token matmuls are too small to
    gain from a second thread and lose a lot waiting for it on a busy machine; else torch's default."""
    import torch

    wanted = os.environ.get(THREADS_ENV, "").strip()
    if wanted:
        if not wanted.isdigit() or int(wanted) < 1:
            raise ValueError(f"{THREADS_ENV} must be a positive integer, not {wanted!r}")
        torch.set_num_threads(int(wanted))
    else:
        torch.set_num_threads(1 if num_params < SMALL_MODEL_PARAMS else _initial_threads())
    logger.info("torch uses %d CPU threads", torch.get_num_threads())
    return torch.get_num_threads()


@lru_cache(maxsize=1)
def _initial_threads() -> int:
    import torch

    return torch.get_num_threads()


def quantize_linear_int8(model):
    """int8 dynamic quantization of every nn.Linear (weights int8, activations quantized per call)."""
    import warnings

    import torch

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
