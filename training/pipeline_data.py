"""The pipeline's data step: gold training cases, the fitted retriever, and the three stage files.

Training data = synthetic cases (seeded) + the CodiEsp TRAIN split (never dev/test). The retriever is
fitted on those gold cases and saved for the shipped model; the training prompts get cross-fitted
candidates (each case's candidates come from a retriever that did not see it), so the model learns
with candidate lists as imperfect as the ones it will meet at inference.
"""

from __future__ import annotations

import json
import logging
import random
from pathlib import Path

logger = logging.getLogger(__name__)


class PrecomputedCandidates:
    """A retriever that answers known narratives with precomputed (cross-fitted) candidates."""

    def __init__(self, by_narrative: dict[str, list], fallback):
        self.by_narrative, self.fallback = by_narrative, fallback

    def retrieve(self, narrative: str, k: int = 8) -> list:
        found = self.by_narrative.get(narrative)
        if found is None:
            return self.fallback.retrieve(narrative, k=k)
        return _top_k_per_system(found, k)


def _top_k_per_system(candidates: list, k: int) -> list:
    kept, per_system = [], {}
    for candidate in candidates:
        per_system[candidate.system] = per_system.get(candidate.system, 0) + 1
        if per_system[candidate.system] <= k:
            kept.append(candidate)
    return kept


def training_cases(synthetic_count: int, seed: int, codiesp_dir: Path | None) -> tuple[list[dict], dict[str, int]]:
    """Gold cases of the training sources (contract 7) and their counts."""
    from core.datasets import load_cases

    cases = load_cases(f"synthetic:{synthetic_count}:{seed}")
    counts = {"synthetic": len(cases)}
    if codiesp_dir is not None:
        codiesp = load_cases(f"codiesp:{codiesp_dir / 'train'}")
        counts["codiesp_train"] = len(codiesp)
        cases += codiesp
    return cases, counts


def fit_training_retriever(cases: list[dict], out_dir: Path):
    """(retriever for training prompts, description): fitted on the gold cases and saved in out_dir;
    the prompts get cross-fitted candidates."""
    from core.retrieval import cross_fit, cross_fit_candidates, fit_retriever

    fitted = cross_fit(cases)  # the slow part, made once for both
    retriever = fit_retriever(cases, out_dir, fitted=fitted)
    crossed = cross_fit_candidates(cases, fitted=fitted)  # aligned with cases
    by_narrative = {case["narrative"]: candidates for case, candidates in zip(cases, crossed, strict=True)}
    return PrecomputedCandidates(by_narrative, retriever), f"fitted on {len(cases)} cases, cross-fitted prompts"


def _build_parts(stage: str, parts: list[tuple[str, int | None]], out_dir: Path, seed: int, retriever) -> list[Path]:
    from core.datasets import build_dataset

    paths = []
    for i, (source, count) in enumerate(parts):
        path = out_dir / "parts" / f"{stage}.{i}.jsonl"
        stats = build_dataset(stage, source, path, count=count, seed=seed, retriever=retriever)
        logger.info("%s part %d: %d records from %s", stage, i, stats["records"], source.split(":")[0])
        paths.append(path)
    return paths


def _input_key(record: dict) -> str:
    """SFT: one answer per prompt; DPO: one record per (prompt, chosen, rejected)."""
    if "messages" in record:
        return json.dumps(record["messages"][:-1])
    return json.dumps([record["prompt"], record["chosen"], record["rejected"]])


def merge_shuffled(parts: list[Path], output: Path, seed: int) -> dict[str, int]:
    """Concatenate part files without repeated inputs (parts can overlap), in a seeded random order;
    counts per source."""
    lines, seen = [], set()
    for line in (x for path in parts for x in path.read_text(encoding="utf-8").splitlines() if x.strip()):
        key = _input_key(json.loads(line))
        if key not in seen:
            seen.add(key)
            lines.append(line)
    random.Random(seed).shuffle(lines)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text("\n".join(lines) + "\n", encoding="utf-8")
    counts: dict[str, int] = {}
    for line in lines:
        source = str(json.loads(line).get("source", "?"))
        counts[source] = counts.get(source, 0) + 1
    return counts


def build_stage_files(plan: dict[str, list[tuple[str, int | None]]], out_dir: Path, seed: int,
                      retriever) -> dict[str, dict[str, int]]:
    """Write out_dir/stage_N.jsonl for each stage of `plan` ({stage: [(source spec, count), ...]})."""
    stats = {}
    for stage, parts in plan.items():
        part_files = _build_parts(stage, parts, out_dir, seed, retriever)
        stats[stage] = merge_shuffled(part_files, out_dir / f"{stage}.jsonl", seed)
    return stats
