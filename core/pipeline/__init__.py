"""Narrative -> candidate codes -> model -> parse -> validate -> `CodingResult`.

    from core.pipeline import get_pipeline
    pipe = get_pipeline()                      # the shipped default model, constrain="valid"
    result = pipe.code("58-year-old with type 2 diabetes ...")  # result.rule_edits: the coding rules' edits
    get_pipeline(rules=False)                  # the same without the coding rules (core.rules)
    for chunk in pipe.stream(text): ...        # str chunks, then the CodingResult

The retriever (candidate codes and the final-answer decision rule) is the model folder's own `retriever/`
(bm25-only when the folder has none). A hub or base model id has no folder to hold one: it borrows the
shipped default model's retriever, says so in a warning and in every result's `model_id`
("HuggingFaceTB/SmolLM2-135M-Instruct + retriever of thce-smol").
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

from core.paths import DEFAULT_MODEL_DIR
from core.pipeline.batch import predict_file
from core.pipeline.engine import MAX_NARRATIVE_CHARS, Pipeline, check_narrative
from core.pipeline.result import CodedItem, CodingResult, error_prediction

logger = logging.getLogger(__name__)

__all__ = ["MAX_NARRATIVE_CHARS", "BorrowedRetrieverPipeline", "CodedItem", "CodingResult", "Pipeline",
           "check_narrative", "error_prediction", "get_pipeline", "predict_file", "retriever_for"]


def get_pipeline(model: str | Path | None = None, constrain: str = "valid", quantize: bool | None = None,
                 use_model: bool = True, rules: bool = True) -> Pipeline:
    """The process-wide pipeline for a model (None: the shipped default) and a constraint mode;
    `quantize` (int8 Linear layers on CPU) defaults to THCE_INT8. `use_model=False` is the ablation: the
    model folder's retriever and decision rule alone, no language model loaded. `rules=False`: the answer
    without the coding rules' edits (core.rules); on by default."""
    from core.inference import default_quantize, resolve_model_ref

    return _pipeline(resolve_model_ref(model), constrain, default_quantize() if quantize is None else quantize,
                     use_model, rules)


class BorrowedRetrieverPipeline(Pipeline):
    """A pipeline whose retriever belongs to another model: its `model_id` (on every result) says whose."""

    def __init__(self, *args, retriever_note: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.retriever_note = retriever_note

    @property
    def model_id(self) -> str:
        return f"{super().model_id} + {self.retriever_note}"


def retriever_for(ref: str):
    """(retriever, note): a model folder's own retriever (bm25-only without one) and no note; for a hub or
    base model id, the shipped default model's retriever and a note naming it."""
    from core.retrieval import default_retriever  # loads scipy: only when a pipeline is made

    if Path(ref).is_dir():
        return default_retriever(ref), None
    return default_retriever(DEFAULT_MODEL_DIR), f"retriever of {DEFAULT_MODEL_DIR.name}"


@lru_cache(maxsize=8)
def _pipeline(ref: str, constrain: str, quantize: bool, use_model: bool = True, rules: bool = True) -> Pipeline:
    from core.inference import get_generator
    from core.inference.loading import display_name

    retriever, note = retriever_for(ref)
    generator = get_generator(ref, quantize=quantize) if use_model else None
    if note is None:
        return Pipeline(generator, retriever, constrain=constrain, name=display_name(ref), rules=rules)
    logger.warning("%s has no retriever of its own: its candidate codes and final-answer thresholds come from "
                   "the %s", display_name(ref), note)
    return BorrowedRetrieverPipeline(generator, retriever, constrain=constrain, name=display_name(ref), rules=rules,
                                     retriever_note=note)
