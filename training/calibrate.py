"""Calibrate how much the final answer trusts the trained model's own codes (pipeline step `calibrate`).

The retriever's decision rule (core.retrieval.decision) keeps the codes it is confident of; this step runs
the exported pipeline on calibration narratives the model and the retriever never trained on, and fits the
lower bar a code the model chose must clear. A model whose answers do not help keeps the retriever's bar.

    uv run python -m training.calibrate --model data/models/thce-tiny --cases synthetic:80:4241
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

logger = logging.getLogger(__name__)

BATCH = 8
RANK_DEPTH = 20


def model_answers(pipeline, narratives: list[str]) -> list[dict[str, list[str]]]:
    """The model's own valid codes per narrative (before the decision rule)."""
    from core.prompts import empty_codes

    answers = []
    for start in range(0, len(narratives), BATCH):
        for result in pipeline.code_batch(narratives[start:start + BATCH]):
            codes = empty_codes()
            if not isinstance(result, ValueError):
                for item in result.items:
                    if item.source == "model" and item.valid:
                        codes[item.system].append(item.code)
            answers.append(codes)
    return answers


def calibration_pipeline(model_dir: Path, retriever):
    """The model with a retriever of its own: calibration never changes the process-wide cached retriever
    (what get_pipeline serves); the cached generator is shared, it is only read."""
    from core.inference import get_generator
    from core.pipeline import Pipeline

    return Pipeline(get_generator(str(model_dir)), retriever, name=model_dir.name)


def calibrate_model_dir(model_dir: Path, cases_spec: str) -> dict:
    """Fit the model's bar on `cases_spec` and store it in <model_dir>/retriever/manifest.json. Pipelines
    loaded after this read the calibrated rule; one this process already holds keeps the rule it loaded.
    FileNotFoundError when model_dir holds no fitted retriever."""
    from core.datasets import load_cases
    from core.retrieval import Retriever
    from core.retrieval.decision import fit_model_thresholds
    from core.retrieval.storage import is_saved, update_manifest

    if not is_saved(model_dir):
        raise FileNotFoundError(f"no fitted retriever in {Path(model_dir) / 'retriever'}: calibration needs an "
                                "exported model with its retriever (the pipeline's export step makes one)")
    retriever = Retriever.load(model_dir)
    if retriever.decision is None:
        return {"skipped": "the retriever has no decision rule (not fitted)"}
    cases = load_cases(cases_spec)
    narratives = [case["narrative"] for case in cases]
    answers = model_answers(calibration_pipeline(model_dir, retriever), narratives)
    rankings = [retriever.rank(text, k=RANK_DEPTH) for text in narratives]
    rule = fit_model_thresholds(retriever.decision, cases, rankings, answers)
    rule.info["model_calibration"]["spec"] = cases_spec
    update_manifest(model_dir, "decision", rule.to_dict())
    logger.info("decision rule: thresholds %s, model bars %s", rule.threshold, rule.model_threshold)
    return rule.to_dict()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.calibrate", description=__doc__.splitlines()[0],
                                     allow_abbrev=False)
    parser.add_argument("--model", type=Path, required=True, help="Exported model folder with retriever/.")
    parser.add_argument("--cases", required=True, help="Gold case spec the model never trained on.")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        print(json.dumps(calibrate_model_dir(args.model, args.cases), indent=2))
    except (ValueError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
