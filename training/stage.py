"""What SFT and DPO share before the trainer starts: data, tokenizer, model and the plan.

Each `get_*` helper raises StageError with a one-line reason; the entry points print it and exit 1.
Offline, a hub model that is not cached is reported as unavailable (dry run) instead of failing deep
inside transformers.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field

from training.budget import TimeLimitCallback
from training.config import TrainSettings
from training.data import DataError, quality_report, read_stage_records, to_dataset
from training.model_init import (
    SMOLLM2_135M_SHAPE,
    SMOLLM2_VOCAB_SIZE,
    ModelSource,
    count_parameters,
    count_parameters_from_config,
    init_model,
    llama_config,
    load_pretrained,
    resolve_model_source,
)
from training.plan import TrainingPlan, build_plan, dpo_lengths, format_plan, kto_lengths, sft_lengths
from training.runlog import MetricsLogCallback

logger = logging.getLogger(__name__)

CHARS_PER_TOKEN = 3.6  # English BPE average, for dry-run plans without a tokenizer


class StageError(RuntimeError):
    """A stage cannot run; the message says why and what to do."""


@dataclass
class StageInputs:
    records: list[dict]
    eval_records: list[dict] | None
    tokenizer: object | None
    model: object | None
    n_params: int | None
    plan: TrainingPlan | None = None
    checks: list[tuple[str, str, str]] = field(default_factory=list)  # (what, status ok/unavailable, detail)

    def train_dataset(self):
        return to_dataset(self.records)

    def eval_dataset(self):
        return to_dataset(self.eval_records) if self.eval_records else None


def get_records(settings: TrainSettings, kind: str) -> tuple[list[dict], list[dict] | None]:
    data = settings.data
    try:
        records = read_stage_records(data.train_file, kind, data.max_train_records)
        evals = read_stage_records(data.eval_file, kind, data.max_eval_records) if data.eval_file else None
    except DataError as exc:
        raise StageError(str(exc)) from None
    return records, evals


def run_quality_gates(settings: TrainSettings, kind: str) -> str:
    """The `thce data check` gates on the train file; StageError (first problems, with lines) when one fails."""
    if kind == "kto":
        return "no stage gates for KTO rows (each record's shape was checked)"
    stage = settings.data.stage or ("stage_3" if kind == "dpo" else "stage_2")
    report = quality_report(settings.data.train_file, stage)
    if not report.ok:
        shown = "; ".join(f"line {line}: {message}" for line, message in report.errors[:5])
        raise StageError(f"data quality check ({stage}) failed for {settings.data.train_file}: "
                         f"{len(report.errors)} problem(s): {shown} (run `thce data check` for all; "
                         "or set check_data false)")
    return f"{stage} gates passed ({report.records} records, {len(report.warnings)} warnings)"


def get_tokenizer(settings: TrainSettings):
    from training.tokenizer import load_tokenizer

    source = settings.tokenizer_source
    located = resolve_model_source(source, marker="tokenizer_config.json")
    if not located.available:
        return None, located.message
    try:
        path = located.path or source
        if located.path:  # an adapter exported without its base's tokenizer (thce-smol): the base's
            from core.inference.base import tokenizer_dir

            path = str(tokenizer_dir(located.path))
        tokenizer = load_tokenizer(path, settings.model.chat_template_file, local_files_only=located.kind != "hub")
    except (OSError, ValueError) as exc:
        raise StageError(f"cannot load tokenizer {source}: {exc}") from None
    if not tokenizer.chat_template:
        raise StageError(f"tokenizer {source} has no chat template; set chat_template_file")
    return tokenizer, f"{source} ({len(tokenizer)} tokens)"


def check_chat_template(tokenizer, records: list[dict], kind: str) -> str:
    """Render one record; assistant-only loss needs {% generation %} markers that cover the answer."""
    from trl.chat_template_utils import has_generation_markers, is_chat_template_stop_token_trained

    record = records[0]
    answer = record.get("completion") if kind == "kto" else record.get("chosen")
    messages = record["messages"] if kind == "sft" else record["prompt"] + answer
    try:
        out = tokenizer.apply_chat_template(messages, tokenize=True, return_dict=True, return_assistant_tokens_mask=True)
    except Exception as exc:  # jinja errors of a user-supplied template
        raise StageError(f"chat template fails on the first record: {exc}") from None
    if not has_generation_markers(tokenizer.chat_template):
        return "renders (no {% generation %} markers: assistant_only_loss unavailable)"
    if not any(out["assistant_masks"]):
        raise StageError("chat template marks no assistant tokens on the first record")
    stop = "trains <|im_end|>" if is_chat_template_stop_token_trained(tokenizer) else "does NOT train the stop token"
    return f"renders, assistant mask {sum(out['assistant_masks'])}/{len(out['input_ids'])} tokens, {stop}"


def _known_hub_params(name: str) -> int | None:
    """Parameter count of the target SmolLM2-135M models when their files are unavailable offline."""
    if not name.startswith("HuggingFaceTB/SmolLM2-135M"):
        return None
    return count_parameters_from_config(llama_config(SMOLLM2_135M_SHAPE, vocab_size=SMOLLM2_VOCAB_SIZE))


def get_model(settings: TrainSettings, tokenizer, load_weights: bool) -> tuple[object | None, int | None, str, str]:
    """(model or None, parameter count or None, status ok/unavailable, detail); weights only when load_weights."""
    import torch

    if settings.model.init_from_scratch:
        detail = "random init (Llama, from the shape fields)"
        if tokenizer is None:
            if not load_weights:
                return None, None, "unavailable", "random init needs the tokenizer (see above) for its vocabulary"
            raise StageError("init_from_scratch needs a tokenizer (tokenizer_name_or_path)")
        config = llama_config(settings.shape, tokenizer)
        if not load_weights:
            return None, count_parameters_from_config(config), "ok", detail
        dtype = None if settings.model.model_dtype == "auto" else getattr(torch, settings.model.model_dtype)
        model = init_model(config, seed=settings.train.seed, dtype=dtype)
        return model, count_parameters(model), "ok", detail
    source: ModelSource = resolve_model_source(settings.model.model_name_or_path, probe_network=load_weights)
    if not source.available:
        if load_weights:
            raise StageError(source.message)
        n_params = _known_hub_params(source.name)
        note = " [parameter count from the known SmolLM2-135M shape]" if n_params else ""
        return None, n_params, "unavailable", source.message + note
    if not load_weights:
        from transformers import AutoConfig

        from core.inference.base import model_config_dir

        config = AutoConfig.from_pretrained(str(model_config_dir(source.path)) if source.path else source.name)
        return None, count_parameters_from_config(config), "ok", source.message
    model = load_pretrained(source, settings.model.model_dtype, settings.model.attn_implementation)
    return model, count_parameters(model), "ok", source.message


def _check_data(settings: TrainSettings, kind: str, inputs: StageInputs) -> None:
    from pathlib import Path

    if settings.run.dry_run and not Path(settings.data.train_file).is_file():
        inputs.checks.append(("data", "unavailable", f"{settings.data.train_file} does not exist yet (build it with "
                              "`thce train pipeline --preset tiny --steps data` or `thce data build`)"))
        return
    inputs.records, inputs.eval_records = get_records(settings, kind)
    detail = f"{len(inputs.records)} train / {len(inputs.eval_records or [])} eval records"
    inputs.checks.append(("data", "ok", detail))
    if settings.data.check_data:
        inputs.checks.append(("quality gates", "ok", run_quality_gates(settings, kind)))


def _plan(settings: TrainSettings, kind: str, inputs: StageInputs) -> TrainingPlan | None:
    if not inputs.records:
        return None
    if inputs.tokenizer is not None:
        lengths = {"sft": sft_lengths, "kto": kto_lengths}.get(kind, dpo_lengths)(inputs.records, inputs.tokenizer)
    else:
        lengths = approximate_lengths(inputs.records, kind)
    plan = build_plan(kind, lengths, settings.train, inputs.n_params, world_size=world_size(),
                      measured_throughput=settings.run.throughput_tokens_per_s, n_threads=_threads())
    if inputs.tokenizer is None:
        plan.notes.append(f"token counts approximated as characters / {CHARS_PER_TOKEN} (tokenizer unavailable)")
    return plan


def get_peft_config(settings: TrainSettings, model):
    """The LoRA config the trainer wraps the model with (None: full fine-tune, or the model already is a
    PeftModel continued from an earlier stage's adapter)."""
    if not settings.model.use_peft or hasattr(model, "peft_config"):
        return None
    from peft import LoraConfig

    targets = settings.model.lora_target_modules
    return LoraConfig(r=settings.model.lora_r, lora_alpha=settings.model.lora_alpha,
                      lora_dropout=settings.model.lora_dropout, task_type="CAUSAL_LM",
                      target_modules="all-linear" if targets == ["all-linear"] else targets)


def get_callbacks(settings: TrainSettings, wall_before_s: float = 0.0) -> tuple[MetricsLogCallback, list]:
    """The metrics-log callback (the run's wall time, recorded in each checkpoint) and the time-limit guard."""
    callback = MetricsLogCallback(wall_before_s)
    callbacks = [callback]
    if settings.run.max_train_minutes:
        callbacks.append(TimeLimitCallback(settings.run.max_train_minutes * 60))
    return callback, callbacks


def prepare_stage(settings: TrainSettings, kind: str) -> StageInputs:
    """Load and check everything a stage needs. A dry run loads no weights and reports inputs that do not
    exist here (hub model offline, an earlier stage's output, unbuilt data) as unavailable."""
    dry = settings.run.dry_run
    inputs = StageInputs([], None, None, None, None)
    _check_data(settings, kind, inputs)
    tokenizer, detail = get_tokenizer(settings)
    if tokenizer is None and not dry:
        raise StageError(detail)
    inputs.checks.append(("tokenizer", "ok" if tokenizer else "unavailable", detail))
    if tokenizer is not None and inputs.records:
        inputs.checks.append(("chat template", "ok", check_chat_template(tokenizer, inputs.records, kind)))
    model, n_params, status, detail = get_model(settings, tokenizer, load_weights=not dry)
    inputs.checks.append(("model", status, detail))
    inputs.tokenizer, inputs.model, inputs.n_params = tokenizer, model, n_params
    inputs.plan = _plan(settings, kind, inputs)
    return inputs


def approximate_lengths(records: list[dict], kind: str) -> list[int]:
    from training.tokenizer import record_texts

    per_record = [sum(len(t) for t in record_texts(r)) for r in records]
    return [int(n / CHARS_PER_TOKEN) for n in per_record]


def world_size() -> int:
    return int(os.environ.get("WORLD_SIZE", "1"))


def _threads() -> int:
    import torch

    return torch.get_num_threads()


def is_ready(inputs: StageInputs) -> bool:
    """True when every check passed (a dry run that finds a problem exits 1)."""
    return all(status == "ok" for _, status, _ in inputs.checks)


def not_ready_reason(inputs: StageInputs) -> str:
    """e.g. "data, model unavailable; output_dir: error"."""
    missing = [what for what, status, _ in inputs.checks if status == "unavailable"]
    errors = [f"{what}: {status}" for what, status, _ in inputs.checks if status not in ("ok", "unavailable")]
    return "; ".join(([f"{', '.join(missing)} unavailable"] if missing else []) + errors)


def format_report(settings: TrainSettings, inputs: StageInputs) -> str:
    """The checks and the plan, for the entry points to print."""
    lines = [f"note: {note}" for note in settings.notes]
    lines += [f"[{status:^11}] {what}: {detail}" for what, status, detail in inputs.checks]
    if not is_ready(inputs):
        lines.append(f"not ready to train here: {not_ready_reason(inputs)} (see above)")
    if inputs.plan is not None:
        lines.append(format_plan(inputs.plan))
    return "\n".join(lines)


def save_stage(trainer, settings: TrainSettings, inputs: StageInputs, result, wall_s: float, kind: str,
               resumed: dict | None = None, extra: dict | None = None) -> dict:
    """Save model + tokenizer (with the chat template) and training_summary.json; the summary is returned.
    It covers the whole run: the trainer's log history holds a resumed run's earlier steps (it starts from the
    checkpoint's trainer_state.json), and `resumed` (runlog.resume_point) says where this segment began."""
    from training.runlog import run_totals, write_summary

    trainer.model.config.use_cache = True  # training turns the KV cache off; generation wants it
    trainer.save_model(settings.train.output_dir)
    history = trainer.state.log_history
    summary = {
        "stage": kind, "data_stage": settings.data.stage, "train_file": settings.data.train_file,
        "n_records": len(inputs.records), "n_params": inputs.n_params, "global_step": result.global_step,
        **run_totals(result, history, wall_s, resumed), "seed": settings.train.seed,
        "learning_rate": settings.train.learning_rate, "max_length": settings.train.max_length,
        "world_size": trainer.args.world_size,
        "metrics": result.metrics, "log_history": history, "plan": inputs.plan.to_dict() if inputs.plan else None,
        **(extra or {}),
    }
    if trainer.is_world_process_zero():
        inputs.tokenizer.save_pretrained(settings.train.output_dir)
        write_summary(settings.train.output_dir, summary)
    return summary
