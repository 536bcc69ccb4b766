"""Small hand-made gold cases: a few clinical themes, each with its own wording and codes."""

from __future__ import annotations

import random

import pytest

THEMES = [
    ("Type 2 diabetes mellitus without complications, on metformin.", {"icd10cm": ["E11.9"]}),
    ("Essential hypertension, blood pressure 160/95.", {"icd10cm": ["I10"]}),
    ("Acute cystitis with hematuria and dysuria.", {"icd10cm": ["N30.01"]}),
    ("Pneumonia of the right lower lobe on chest x-ray.", {"icd10cm": ["J18.9"], "cpt": ["71046"]}),
    ("Iron deficiency anemia, hemoglobin 8.1.", {"icd10cm": ["D50.9"]}),
    ("Office visit for an established patient, moderate complexity.", {"cpt": ["99214"]}),
]
FILLERS = ["The patient is a {age} year old {sex}.", "Vital signs were stable.", "Follow-up in two weeks.",
           "No known drug allergies.", "She lives with her family.", "He walks daily."]


def make_cases(count: int, seed: int = 0) -> list[dict]:
    rng = random.Random(seed)
    cases = []
    for i in range(count):
        chosen = rng.sample(range(len(THEMES)), 2)
        sentences = [rng.choice(FILLERS).format(age=rng.randint(20, 90), sex=rng.choice(["man", "woman"]))]
        codes: dict[str, list[str]] = {"icd10cm": [], "cpt": [], "hcpcs": []}
        for index in chosen:
            text, theme_codes = THEMES[index]
            sentences.append(text)
            for system, found in theme_codes.items():
                codes[system] += [c for c in found if c not in codes[system]]
        sentences.append(rng.choice(FILLERS).format(age=rng.randint(20, 90), sex="man"))
        cases.append({"id": f"case-{i}", "narrative": " ".join(sentences), "codes": codes, "meta": {}})
    return cases


@pytest.fixture(name="make_cases")
def make_cases_fixture():
    return make_cases


@pytest.fixture(scope="session")
def small_cases() -> list[dict]:
    return make_cases(40)


@pytest.fixture(scope="session")
def fitted_dir(tmp_path_factory, small_cases):
    from core.retrieval import fit_retriever
    from core.retrieval.fitting import FitConfig

    model_dir = tmp_path_factory.mktemp("model")
    fit_retriever(small_cases, model_dir, FitConfig(folds=3))
    return model_dir
