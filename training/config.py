"""Typed settings of a training stage, read from one YAML file (TRL's `TrlParser`), CLI flags override.

Every YAML key must be a field of one of the dataclasses below or of the trainer config (`SFTConfig` /
`DPOConfig`); an unknown key or flag is an error. Relative paths in the YAML are relative to the
repository root; relative paths given as flags, to the working directory.

    from trl import SFTConfig
    from training.config import make_stage_parser, parse_settings
    settings = parse_settings(make_stage_parser(SFTConfig), ["--config", "training/configs/stage_1_tiny.yaml"])
    settings.train.learning_rate, settings.data.train_file, settings.model.init_from_scratch
"""

from __future__ import annotations

import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.paths import REPO_ROOT, TARGET_HUB_MODEL
from training.model_init import ModelShape


class ConfigError(ValueError):
    """A bad configuration (unknown key, wrong type, missing file); the message says which."""


@dataclass
class ModelArguments:
    model_name_or_path: str = field(
        default=TARGET_HUB_MODEL,
        metadata={"help": "Hub id or local model directory to start from (ignored with init_from_scratch)."},
    )
    tokenizer_name_or_path: str | None = field(
        default=None, metadata={"help": "Tokenizer directory or hub id; defaults to model_name_or_path."}
    )
    chat_template_file: str | None = field(
        default=None, metadata={"help": "Jinja chat template that replaces the tokenizer's (training/chat_template.jinja)."}
    )
    init_from_scratch: bool = field(
        default=False, metadata={"help": "Randomly initialise a Llama of the shape given by the shape fields."}
    )
    model_dtype: str = field(
        default="float32",
        metadata={"help": "Weights dtype when loading/initialising.", "choices": ["float32", "bfloat16", "float16", "auto"]},
    )
    attn_implementation: str = field(default="sdpa", metadata={"help": "eager, sdpa, flash_attention_2 ..."})
    use_peft: bool = field(
        default=False, metadata={"help": "Train a LoRA adapter (peft, through the trainer's peft_config) instead of "
                                         "all weights; a model_name_or_path that is an adapter folder continues it."})
    lora_r: int = field(default=16, metadata={"help": "LoRA rank."})
    lora_alpha: int = field(default=32, metadata={"help": "LoRA alpha (scaling = alpha / r)."})
    lora_dropout: float = field(default=0.0, metadata={"help": "LoRA dropout."})
    lora_target_modules: list[str] = field(
        default_factory=lambda: ["all-linear"], metadata={"help": "Modules that get LoRA ('all-linear' or names)."})


@dataclass
class DataArguments:
    train_file: str = field(metadata={"help": "Stage JSONL (stage_1/2: messages; stage_3: prompt/chosen/rejected)."})
    eval_file: str | None = field(default=None, metadata={"help": "Optional evaluation JSONL of the same format."})
    max_train_records: int | None = field(default=None, metadata={"help": "Use only the first N train records."})
    max_eval_records: int | None = field(default=None, metadata={"help": "Use only the first N eval records."})
    check_data: bool = field(default=True, metadata={"help": "Run the dataset quality gates before training."})
    stage: str | None = field(
        default=None,
        metadata={"help": "Stage of the data for the quality gates (default: stage_2 for SFT, stage_3 for DPO).",
                  "choices": ["stage_1", "stage_2", "stage_3"]},
    )


@dataclass
class RunArguments:
    dry_run: bool = field(
        default=False, metadata={"help": "Check config, data, tokenizer, template and model; print the plan; train nothing."}
    )
    log_file: str | None = field(default=None, metadata={"help": "Also write logs and metrics to this file."})
    max_train_minutes: float | None = field(
        default=None, metadata={"help": "Stop training (and save) once this much wall time has passed."}
    )
    throughput_tokens_per_s: float | None = field(
        default=None, metadata={"help": "Measured training throughput, used for the time estimate of the plan."}
    )
    overwrite_output_dir: bool = field(
        default=False, metadata={"help": "Start afresh in an output_dir that holds an earlier run (its model, summary "
                                         "and checkpoint-N folders), replacing it; without it such a run is refused."}
    )


@dataclass
class TrainSettings:
    model: ModelArguments
    shape: ModelShape
    data: DataArguments
    run: RunArguments
    train: Any  # trl.SFTConfig | trl.DPOConfig
    notes: list[str] = field(default_factory=list)

    @property
    def tokenizer_source(self) -> str:
        return self.model.tokenizer_name_or_path or self.model.model_name_or_path


def make_stage_parser(trainer_config_cls):
    """TrlParser over the stage's dataclasses; `--config FILE` loads a YAML file of defaults."""
    from trl import TrlParser

    # allow_abbrev=False: a typo'd flag (--learning_rat) is an unknown flag, never a prefix of a real one.
    parser = TrlParser([ModelArguments, ModelShape, DataArguments, RunArguments, trainer_config_cls], allow_abbrev=False)
    parser.error = _raise_usage_error  # a one-line ConfigError instead of argparse's usage dump + exit
    return parser


def _raise_usage_error(message: str):
    raise ConfigError(f"invalid command line: {message}")


def _unique_key_loader():
    """yaml.SafeLoader that refuses a key given twice in one mapping (PyYAML keeps the last one silently)."""
    import yaml

    class UniqueKeyLoader(yaml.SafeLoader):
        def construct_mapping(self, node, deep=False):
            seen = {}
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=deep)
                line = key_node.start_mark.line + 1
                if key in seen:
                    raise ConfigError(f"duplicate key {key!r} in {self.name} (lines {seen[key]} and {line}): "
                                      "give each setting once")
                seen[key] = line
            return super().construct_mapping(node, deep)

    return UniqueKeyLoader


def _read_config(config_path: str) -> dict:
    import yaml

    if not Path(config_path).is_file():
        raise ConfigError(f"config file not found: {config_path}")
    try:
        with open(config_path, encoding="utf-8") as handle:
            config = yaml.load(handle, Loader=_unique_key_loader())  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise ConfigError(f"{config_path} is not valid YAML: {' '.join(str(exc).split())}") from None  # one line
    if not isinstance(config, dict):
        raise ConfigError(f"{config_path} must hold a YAML mapping of settings")
    return config


def _check_yaml_keys(parser, config_path: str, argv: list[str]) -> None:
    """Unknown YAML keys are errors, reported before any value is validated: TrlParser's
    `set_defaults_with_config` returns the keys no dataclass field takes (as `--key value` pairs). Then the
    values are converted as argparse would (it converts string defaults only when parsing, and would blame
    the command line), so that a bad one is reported with the file and key."""
    config = _read_config(config_path)
    config.pop("env", None)  # TrlParser's own key: environment variables to set
    unknown = sorted(parser.set_defaults_with_config(**config)[::2])
    if unknown:
        keys = [key.removeprefix("--") for key in unknown]
        raise ConfigError(f"unknown key(s) in {config_path}: {keys} "
                          "(not a field of training/config.py or the trainer config)")
    for action in parser._actions:
        if action.dest in config and not _given_as_flag(action, argv):
            _check_yaml_value(action, config[action.dest], config_path)


def _given_as_flag(action, argv: list[str]) -> bool:
    return any(arg == option or arg.startswith(option + "=") for arg in argv for option in action.option_strings)


def _check_yaml_value(action, value, config_path: str) -> None:
    """The conversion argparse applies to a string default (its `type`), and the field's choices."""
    import argparse

    if not isinstance(value, str) or action.type is None:
        return
    where = f"invalid value for key '{action.dest}' in {config_path}"
    try:
        converted = action.type(value)
    except (TypeError, ValueError, argparse.ArgumentTypeError):
        name = getattr(action.type, "__name__", repr(action.type))
        raise ConfigError(f"{where}: invalid {name} value: {value!r}") from None
    if action.choices is not None and converted not in action.choices:
        raise ConfigError(f"{where}: {value!r} is not one of {list(action.choices)}")


def _wants_dry_run(argv: list[str]) -> bool:
    for i, arg in enumerate(argv):
        if arg == "--dry_run":
            return i + 1 >= len(argv) or argv[i + 1].lower() not in ("false", "0", "no")
    return False


def _cuda_available() -> bool:
    import torch

    return torch.cuda.is_available()


def parse_settings(parser, argv: list[str] | None = None) -> TrainSettings:
    """Parse YAML + flags into TrainSettings; ConfigError (never a traceback) on any bad input."""
    argv = [("--dry_run" if a == "--dry-run" else a) for a in (sys.argv[1:] if argv is None else argv)]
    notes = []
    if _wants_dry_run(argv) and not _cuda_available():
        # A GPU config (bf16) cannot be instantiated without a GPU unless use_cpu; a dry run only checks it.
        argv = [*argv, "--use_cpu", "true"]
        notes.append("no CUDA device here: the config was checked with use_cpu=true")
    warnings.filterwarnings("ignore", message=".*gradient_checkpointing.*deprecated", category=FutureWarning)
    config_path = _config_path(argv)
    if config_path:
        _check_yaml_keys(parser, config_path, argv)
    try:
        *groups, unknown_flags = parser.parse_args_and_config(argv, return_remaining_strings=True)
    except ConfigError:
        raise
    except (ValueError, TypeError, OSError) as exc:
        raise ConfigError(_explain(str(exc), config_path)) from None
    if unknown_flags:
        raise ConfigError(f"unknown command-line flag(s): {unknown_flags}")
    settings = TrainSettings(*groups, notes=notes)
    resolve_paths(settings, {arg[2:].split("=")[0].replace("-", "_") for arg in argv if arg.startswith("--")})
    return settings


def _config_path(argv: list[str]) -> str | None:
    if "--config" in argv:
        index = argv.index("--config")
        if index + 1 >= len(argv):
            raise ConfigError("--config needs a file path")
        return argv[index + 1]
    return None


def _explain(message: str, config_path: str | None) -> str:
    where = f" in {config_path}" if config_path else ""
    if "bf16/gpu" in message:
        message += " (this config targets a GPU; use a *_tiny.yaml config on CPU, or add --bf16 false --use_cpu true)"
    return f"invalid training config{where}: {message}"


def repo_path(value: str | None, base: Path = REPO_ROOT) -> str | None:
    """An absolute path: relative paths are taken from `base` (the repository root for YAML values)."""
    if not value:
        return value
    path = Path(value).expanduser()
    return str(path if path.is_absolute() else base / path)


def _is_local_reference(name: str) -> bool:
    """True when a model/tokenizer name is a path rather than a hub id ("org/name")."""
    return name.startswith((".", "/", "~")) or name.count("/") != 1 or (REPO_ROOT / name).exists()


PATH_FIELDS = {"data": ("train_file", "eval_file"), "run": ("log_file",), "model": ("chat_template_file",),
               "train": ("output_dir",)}


def resolve_paths(settings: TrainSettings, flags: set[str] = frozenset()) -> None:
    """Relative paths from the YAML are taken from the repository root, those given as flags from the
    working directory (where the user typed them)."""
    def base(name: str) -> Path:
        return Path.cwd() if name in flags else REPO_ROOT

    for group, names in PATH_FIELDS.items():
        target = getattr(settings, group)
        for name in names:
            setattr(target, name, repo_path(getattr(target, name), base(name)))
    for name in ("model_name_or_path", "tokenizer_name_or_path"):
        value = getattr(settings.model, name)
        if value and (_is_local_reference(value) or (Path.cwd() / value).exists()):
            setattr(settings.model, name, repo_path(value, base(name)))
    checkpoint = settings.train.resume_from_checkpoint
    if checkpoint and checkpoint.lower() not in ("true", "last"):
        settings.train.resume_from_checkpoint = repo_path(checkpoint, base("resume_from_checkpoint"))
