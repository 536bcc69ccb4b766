"""Narrative -> candidate codes -> model -> parse -> validate -> `CodingResult`.

    from core.pipeline import get_pipeline
    pipe = get_pipeline()                      # the shipped default model, constrain="valid"
    result = pipe.code("58-year-old with type 2 diabetes ...")  # result.rule_edits: the coding rules' edits
    get_pipeline(rules=False)                  # the same without the coding rules (core.rules)
    for chunk in pipe.stream(text): ...        # str chunks, then the CodingResult
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from core.pipeline.batch import predict_file
from core.pipeline.engine import MAX_NARRATIVE_CHARS, Pipeline, check_narrative
from core.pipeline.result import CodedItem, CodingResult, error_prediction

__all__ = ["MAX_NARRATIVE_CHARS", "CodedItem", "CodingResult", "Pipeline", "check_narrative",
           "error_prediction", "get_pipeline", "predict_file"]


def get_pipeline(model: str | Path | None = None, constrain: str = "valid", quantize: bool | None = None,
                 use_model: bool = True, rules: bool = True) -> Pipeline:
    """The process-wide pipeline for a model (None: the shipped default) and a constraint mode;
    `quantize` (int8 Linear layers on CPU) defaults to THCE_INT8. `use_model=False` is the ablation: the
    model folder's retriever and decision rule alone, no language model loaded. `rules=False`: the answer
    without the coding rules' edits (core.rules); on by default."""
    from core.inference import default_quantize, resolve_model_ref

    return _pipeline(resolve_model_ref(model), constrain, default_quantize() if quantize is None else quantize,
                     use_model, rules)


@lru_cache(maxsize=8)
def _pipeline(ref: str, constrain: str, quantize: bool, use_model: bool = True, rules: bool = True) -> Pipeline:
    from core.inference import get_generator
    from core.inference.loading import display_name
    from core.retrieval import default_retriever

    model_dir = Path(ref) if Path(ref).is_dir() else None
    generator = get_generator(ref, quantize=quantize) if use_model else None
    return Pipeline(generator, default_retriever(model_dir), constrain=constrain, name=display_name(ref),
                    rules=rules)
