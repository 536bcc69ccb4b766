"""Helpers shared by the store tests: CodingResult-like predictions and cases that have one."""

from __future__ import annotations

from sqlmodel import func, select

from core.prompts import build_messages, format_answer
from core.store import PreferencePair, Review, add_case, get_session, next_case, save_prediction, save_review

MODEL_REASONING = "Patient has type 2 diabetes with hyperglycemia."
MODEL_CODES = {"icd10cm": ["E11.65"], "cpt": ["99213"], "hcpcs": []}


def model_result(narrative: str = "Type 2 diabetes, glucose 320.", model_id: str = "test-model") -> dict:
    """A CodingResult.to_dict()-like prediction."""
    return {
        "codes": MODEL_CODES,
        "reasoning": MODEL_REASONING,
        "raw": format_answer(MODEL_REASONING, MODEL_CODES),
        "latency_s": 0.25,
        "model_id": model_id,
        "prompt": build_messages(narrative),
    }


def case_with_prediction(narrative: str = "Type 2 diabetes, glucose 320.", external_id: str | None = None):
    """(case_id, prediction_id) of a new case that has one model prediction."""
    case_id = add_case(narrative, source="test", external_id=external_id)
    return case_id, save_prediction(case_id, model_result(narrative))


def count_rows() -> tuple[int, int]:
    """(reviews, preference pairs) stored."""
    with get_session() as session:
        reviews = session.exec(select(func.count()).select_from(Review)).one()
        pairs = session.exec(select(func.count()).select_from(PreferencePair)).one()
    return reviews, pairs


def write_cases_file(path, n: int) -> None:
    """A JSONL file of n cases, each with a model prediction (for queue-driven tests and benchmarks)."""
    import json

    with open(path, "w", encoding="utf-8") as handle:
        for i in range(n):
            narrative = f"Case {i}: type 2 diabetes with hyperglycemia, office visit."
            handle.write(json.dumps({"id": f"case-{i}", "narrative": narrative,
                                     "prediction": model_result(narrative)}) + "\n")


def review_worker(url: str | None, annotator: str, count: int) -> list[int]:
    """Take `count` cases from the queue and review them (every other one a correction); returns case ids."""
    from core.store import init_db

    if url is not None:  # a separate process opens the store itself
        init_db(url)
    done = []
    for i in range(count):
        item = next_case(annotator)
        assert item is not None, f"{annotator}: queue empty after {i}"
        if i % 2:
            save_review(item.case_id, annotator, "correct", corrected_codes={"icd10cm": ["E11.9"], "cpt": ["99214"]})
        else:
            save_review(item.case_id, annotator, "accept", time_spent_s=1.0)
        done.append(item.case_id)
    return done
