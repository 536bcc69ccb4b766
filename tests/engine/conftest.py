"""Engine fixtures: a Generator over the tiny random model and a retriever (the real default retriever
when core.retrieval is there, else a bm25 search over the code sets)."""

from __future__ import annotations

import pytest

from core.prompts import SYSTEMS, Candidate


class SearchRetriever:
    """Retriever contract (core.retrieval) over CodeSet.search, for tests."""

    def __init__(self):
        from core.codes import get_codeset

        self.codeset = get_codeset()

    def retrieve(self, narrative: str, k: int = 8) -> list[Candidate]:
        return [Candidate(h.code, h.system, h.description, h.score)
                for system in SYSTEMS for h in self.codeset.search(narrative, system, k)]

    def rank(self, narrative: str, k: int = 50) -> dict[str, list[tuple[str, float]]]:
        return {system: [(h.code, h.score) for h in self.codeset.search(narrative, system, k)] for system in SYSTEMS}

    def candidates(self, ranked: dict[str, list[tuple[str, float]]], k: int = 8) -> list[Candidate]:
        return [Candidate(code, system, self.codeset.describe(code), score)
                for system in SYSTEMS for code, score in ranked.get(system, [])[:k]]


@pytest.fixture(scope="session")
def retriever(tmp_path_factory):
    try:
        from core.retrieval import default_retriever
    except ImportError:
        return SearchRetriever()
    return default_retriever(tmp_path_factory.mktemp("no-fitted-retriever"))


@pytest.fixture(scope="session")
def generator(tiny_model_dir):
    from core.inference import get_generator

    return get_generator(str(tiny_model_dir), device="cpu")


@pytest.fixture
def make_pipeline(generator, retriever):
    from core.pipeline import Pipeline

    def make(constrain: str = "valid", **kwargs):
        kwargs.setdefault("max_new_tokens", 96)
        kwargs.setdefault("think_budget", 24)
        return Pipeline(generator, retriever, constrain=constrain, **kwargs)

    return make
