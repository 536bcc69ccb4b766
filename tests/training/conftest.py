"""Fixtures for the training tests: the shipped sample stage files and a small BPE tokenizer trained on
them with the project's chat template."""

from __future__ import annotations

import pytest

from core.paths import EXAMPLES_DIR

SAMPLES = {stage: EXAMPLES_DIR / f"sample_{stage}.jsonl" for stage in ("stage_1", "stage_2", "stage_3")}


@pytest.fixture(scope="session")
def sample_files():
    missing = [str(p) for p in SAMPLES.values() if not p.is_file()]
    if missing:
        pytest.fail(f"sample stage files are missing: {missing}")
    return SAMPLES


@pytest.fixture(scope="session")
def tokenizer_dir(tmp_path_factory, sample_files):
    from training.tokenizer import stage_file_texts, train_tokenizer

    tokenizer = train_tokenizer(stage_file_texts(sample_files.values()), vocab_size=1200)
    out = tmp_path_factory.mktemp("tokenizer")
    tokenizer.save_pretrained(out)
    return out
