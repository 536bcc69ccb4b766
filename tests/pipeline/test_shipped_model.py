"""The shipped default model (data/models/, as `thce serve` loads it) codes a narrative end to end.

This loads the real default model: for thce-smol, SmolLM2-135M-Instruct from the packaged GGUF
(converted once into THCE_CACHE_DIR, ~30-60 s on 2 cores) plus the LoRA adapter and the retriever."""

from __future__ import annotations

import pytest

from core.paths import DEFAULT_MODEL_DIR, REPO_ROOT

NARRATIVE = ("58-year-old established patient with type 2 diabetes with hyperglycemia on metformin, "
             "HbA1c 9.1% today. Denies chest pain. Level of MDM: moderate.")


@pytest.fixture(scope="module")
def shipped_pipeline():
    from core.pipeline import get_pipeline

    if not DEFAULT_MODEL_DIR.is_dir():
        pytest.fail(f"the shipped default model {DEFAULT_MODEL_DIR.relative_to(REPO_ROOT)} is missing")
    return get_pipeline(None)


def test_the_shipped_default_model_codes_a_narrative(shipped_pipeline):
    from core.codes import get_codeset

    result = shipped_pipeline.code(NARRATIVE)
    assert result.error is None and result.raw.strip()
    assert result.model_id == DEFAULT_MODEL_DIR.name  # the model's name, never a server path
    assert "E11.65" in result.codes["icd10cm"]
    shown = [item for item in result.items if item.selected]
    assert shown and all(get_codeset().is_valid(item.code, item.system) for item in shown)
    assert result.latency_s > 0
