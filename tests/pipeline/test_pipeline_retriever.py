"""Which retriever a pipeline codes with (core.pipeline.retriever_for): a model folder's own, else, for a hub
or base model id, the shipped default model's, said in a warning and in every result's model_id."""

from __future__ import annotations

import logging

from core.paths import DEFAULT_MODEL_DIR
from core.pipeline import BorrowedRetrieverPipeline, _pipeline, retriever_for
from core.retrieval import default_retriever


def test_a_model_folder_uses_its_own_retriever(tmp_path):
    retriever, note = retriever_for(str(tmp_path))
    assert note is None
    assert retriever is default_retriever(tmp_path) and not retriever.fitted  # a folder without one: bm25-only
    own, note = retriever_for(str(DEFAULT_MODEL_DIR))
    assert note is None and own is default_retriever(DEFAULT_MODEL_DIR)


def test_a_hub_model_borrows_the_default_retriever_and_says_so(caplog):
    retriever, note = retriever_for("someone/some-model")
    assert retriever is default_retriever(DEFAULT_MODEL_DIR)
    assert note == f"retriever of {DEFAULT_MODEL_DIR.name}"
    _pipeline.cache_clear()
    with caplog.at_level(logging.WARNING, logger="core.pipeline"):
        pipe = _pipeline("someone/some-model", "valid", False, use_model=False)
    assert isinstance(pipe, BorrowedRetrieverPipeline) and pipe.retriever is retriever
    assert pipe.model_id.endswith(f" + retriever of {DEFAULT_MODEL_DIR.name}")
    assert pipe.model_id.startswith("someone/some-model")
    assert "someone/some-model has no retriever of its own" in caplog.text
    result = pipe.code("Type 2 diabetes with hyperglycemia, office visit.")
    assert result.model_id == pipe.model_id
    _pipeline.cache_clear()
