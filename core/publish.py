"""What `thce push` sends: a model folder with its card, or exported annotation JSONL with a generated card.

Both are private by default. Review exports hold clinical narratives: treat them as clinical data.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from core.hub import HubError, Upload, folder_files
from core.jsonl import read_objects

# keys of a record -> format name (stage_3 DPO pairs from `thce annotations export`, KTO, stage_1/2 SFT)
FORMATS = (({"prompt", "chosen", "rejected"}, "dpo"), ({"prompt", "completion", "label"}, "kto"),
           ({"messages"}, "sft"))
FORMAT_NOTES = {
    "dpo": "preference pairs (`prompt`, `chosen`, `rejected` in TRL's conversational format) for DPO: "
           "`thce train dpo --train_file FILE`",
    "kto": "unpaired feedback (`prompt`, `completion`, `label`) for KTO",
    "sft": "conversations (`messages`) for SFT: `thce train sft --train_file FILE`",
}


def model_upload(folder: str | Path, repo_id: str, private: bool = True) -> Upload:
    """A model folder (weights or adapter, tokenizer, retriever, README.md card) as one upload."""
    folder = Path(folder)
    if not (folder / "config.json").is_file() and not (folder / "adapter_config.json").is_file():
        raise HubError(f"{folder} is not a model folder (no config.json or adapter_config.json)")
    if not (folder / "README.md").is_file():
        raise HubError(f"{folder} has no model card (README.md); the training pipeline writes one")
    files = {name: path for name, path in folder_files(folder).items()
             if not name.startswith("checkpoint-") and "/checkpoint-" not in name}
    return Upload(repo_id, "model", private, dict(files))


def jsonl_summary(path: Path) -> tuple[str, int]:
    """(format, rows) of an exported JSONL file; a bad line is an error naming file and line."""
    formats: Counter[str] = Counter()
    for where, record in read_objects(path, HubError):
        name = next((fmt for needed, fmt in FORMATS if needed <= set(record)), None)
        if name is None:
            raise HubError(f"{where}: not a DPO, KTO or SFT record (keys: {sorted(record)})")
        formats[name] += 1
    if not formats:
        raise HubError(f"{path.name} has no records")
    if len(formats) > 1:
        raise HubError(f"{path.name} mixes formats: {dict(formats)}")
    return next(iter(formats)), formats.total()


def dataset_card(summaries: dict[str, tuple[str, int]], repo_id: str) -> str:
    """README.md of a dataset repository: front matter with one config per file, then what each holds."""
    configs = [f"- config_name: {Path(name).stem}\n  data_files:\n  - split: train\n    path: {name}"
               for name in summaries]
    formats = sorted({fmt for fmt, _ in summaries.values()})
    lines = ["---", "tags: [medical-coding, icd-10-cm, cpt, hcpcs, thce, " + ", ".join(formats) + "]",
             "task_categories: [text-generation]", "language: [en]", "configs:", *configs, "---", "",
             f"# {repo_id.split('/')[-1]}", "",
             "Annotation data exported from THCE (Tiny Health Coding Extractor): reviewers' corrections of the "
             "model's coding of clinical narratives, written by `thce annotations export` and pushed with "
             "`thce push dataset`.", "", "| file | format | rows |", "|---|---|---|",
             *(f"| `{name}` | {fmt} | {rows} |" for name, (fmt, rows) in summaries.items()), "",
             *(f"- **{fmt}**: {FORMAT_NOTES[fmt]}." for fmt in formats), "",
             "Each record's `meta` names the review, annotator, model and case it came from.", "",
             "**Privacy**: the prompts hold clinical narratives. Keep this repository private unless every "
             "narrative is synthetic or properly de-identified.", ""]
    return "\n".join(lines)


def dataset_upload(source: str | Path, repo_id: str, private: bool = True) -> Upload:
    """Exported JSONL file(s) (a file, or every *.jsonl in a folder) plus a generated dataset card."""
    source = Path(source)
    if source.is_dir():
        files = {p.relative_to(source).as_posix(): p for p in sorted(source.rglob("*.jsonl"))}
    elif source.is_file():
        files = {source.name: source}
    else:
        raise HubError(f"{source} does not exist")
    if not files:
        raise HubError(f"{source} holds no .jsonl files (export them with `thce annotations export`)")
    summaries = {name: jsonl_summary(path) for name, path in files.items()}
    card = dataset_card(summaries, repo_id)
    return Upload(repo_id, "dataset", private, {**files, "README.md": card})
