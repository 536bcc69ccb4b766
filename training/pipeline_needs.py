"""What each pipeline step needs before it starts, and which step makes it.

`--steps` is checked as a whole before anything runs: an input is either there already (in --work-dir /
--output-dir) or made by an earlier step of the same command. A step that cannot run is refused in a second
with a one-line error naming what is missing and the step that makes it, instead of failing after minutes of
measuring or training (or, worse, succeeding on nothing).

    from training.pipeline_needs import check_steps
    problem = check_steps(pipeline, ["stage_3", "export"])   # None, or the error line
"""

from __future__ import annotations

import json
from pathlib import Path

STAGES = ("stage_1", "stage_2", "stage_3")


def _is_model(folder: Path) -> bool:
    return (folder / "config.json").is_file() or (folder / "adapter_config.json").is_file()


def _finished(folder: Path) -> bool:
    """A stage that finished leaves training_summary.json (runlog.SUMMARY_FILE; read here without importing
    runlog, which imports transformers: this check takes a second, not ten)."""
    summary = folder / "training_summary.json"
    return summary.is_file() and bool(json.loads(summary.read_text(encoding="utf-8")))


def _retriever(folder: Path) -> bool:
    from core.retrieval.storage import is_saved

    return is_saved(folder)


def step_needs(pipeline, step: str) -> list[tuple[str, tuple[str, ...], bool]]:
    """(what, the step(s) that make it, whether it is there now) for each input of `step`."""
    work, output, state = pipeline.work, pipeline.output, pipeline.state
    base = pipeline.preset.base_model

    def data(*stages: str) -> list:
        return [(str(pipeline.stage_file(s)), ("data",), pipeline.stage_file(s).is_file()) for s in stages]

    exported = (f"the exported model in {output}", ("export",), _is_model(output))
    if step == "tokenizer":
        return [] if base else data(*STAGES)
    if step in STAGES:
        needs = data(step)
        if not base:
            needs.append((f"the tokenizer in {work / 'tokenizer'}", ("tokenizer",),
                          (work / "tokenizer" / "tokenizer_config.json").is_file()))
        previous = {"stage_2": "stage_1", "stage_3": "stage_2"}.get(step)
        if previous:
            needs.append((f"{previous}'s trained model in {work / previous}", (previous,), _finished(work / previous)))
        return needs
    if step == "export":
        stages = (pipeline.args.export_stage,) if getattr(pipeline.args, "export_stage", None) else STAGES
        return [(f"a trained stage ({', '.join(stages)}) in {work}", stages, any(_finished(work / s) for s in stages)),
                (f"the fitted retriever in {work / 'retriever'}", ("data",), _retriever(work))]
    if step == "calibrate":
        return [exported, (f"the exported retriever in {output / 'retriever'}", ("export",), _retriever(output))]
    if step == "eval":
        return [exported]
    if step == "ablation":
        return [exported, (f"the evaluation results in {pipeline.state_path}", ("eval",), bool(state.get("evaluation")))]
    if step == "card":
        return [(f"the data step's record (sources, stage files) in {pipeline.state_path}", ("data",),
                 bool(state.get("data"))), exported]
    return []


def check_steps(pipeline, steps: list[str]) -> str | None:
    """The first input that a step of `steps` lacks and no earlier step of `steps` makes, as a one-line error;
    None when every step has what it needs."""
    planned: set[str] = set()
    for step in steps:
        for what, makers, present in step_needs(pipeline, step):
            if not present and not planned & set(makers):
                made_by = " or ".join(makers)
                return (f"step {step} needs {what}, which the {made_by} step makes: run it first (earlier in "
                        "--steps), or give the --work-dir/--output-dir of a run that did")
        planned.add(step)
    return None
