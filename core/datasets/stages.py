"""Stage record builders (DESIGN.md formats).

stage_1 / stage_2: {"id", "messages": [system, user, assistant], "codes", "source", "meta"}
stage_3:           {"id", "prompt": [system, user], "chosen": [assistant], "rejected": [assistant], "source", "meta"}

Every user message is `build_user_prompt(text, candidates_for(text, retriever))`.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator

from core.codes import get_codeset
from core.datasets.candidates import candidates_for
from core.datasets.cases import CodedCase
from core.datasets.code_knowledge import KnowledgeGenerator, KnowledgeItem
from core.datasets.mistakes import make_mistakes
from core.datasets.reasoning import case_reasoning, render_reasoning
from core.prompts import SYSTEMS, build_messages, format_answer

STAGES = ("stage_1", "stage_2", "stage_3")


def _assistant(content: str) -> dict:
    return {"role": "assistant", "content": content}


def _full(codes: dict) -> dict[str, list[str]]:
    return {system: list(codes.get(system, [])) for system in SYSTEMS}


def stage_2_record(case: CodedCase, retriever) -> dict:
    """Narrative -> <think> evidence reasoning -> JSON answer."""
    messages = build_messages(case.narrative, candidates_for(case.narrative, retriever))
    messages.append(_assistant(format_answer(case_reasoning(case), case.codes)))
    return {"id": case.id, "messages": messages, "codes": _full(case.codes), "source": case.source, "meta": case.meta}


def stage_3_records(case: CodedCase, rng: random.Random, codeset, retriever, pairs: int = 1) -> list[dict]:
    """DPO pairs: chosen = gold answer with reasoning, rejected = the same case with a realistic error."""
    errors = make_mistakes(case, rng, codeset, pairs + 2 if case.rationale else pairs)
    rejected_texts = [(e, _rejected_reasoning(case, e)) for e in errors]
    rejected_texts = [(e, text) for e, text in rejected_texts if text][:pairs]
    if not rejected_texts:
        return []
    prompt = build_messages(case.narrative, candidates_for(case.narrative, retriever))
    chosen = format_answer(case_reasoning(case), case.codes)
    records = []
    for i, (error, reasoning) in enumerate(rejected_texts):
        rejected = format_answer(reasoning, error.codes)
        meta = {"case_id": case.id, "error": error.kind, "detail": error.detail, "codes": _full(case.codes),
                "rejected_codes": _full(error.codes), "case_meta": case.meta}
        records.append({"id": f"{case.id}-pair{i}", "prompt": prompt, "chosen": [_assistant(chosen)],
                        "rejected": [_assistant(rejected)], "source": case.source, "meta": meta})
    return records


def _rejected_reasoning(case: CodedCase, error) -> str | None:
    """A given rationale is edited like the error; otherwise the reasoning is rendered from the wrong evidence."""
    if case.rationale:
        return error.apply_to_rationale(case.rationale)
    return render_reasoning(error.evidence, error.exclusions)


def stage_1_record(item: KnowledgeItem, record_id: str, source: str, retriever) -> dict:
    messages = build_messages(item.question, candidates_for(item.question, retriever))
    content = format_answer(item.answer, item.codes) if item.json_answer else item.answer
    messages.append(_assistant(content))
    meta = {"task": item.task, "answer_format": "json" if item.json_answer else "text"}
    return {"id": record_id, "messages": messages, "codes": _full(item.codes), "source": source, "meta": meta}


def focus_codes(cases: Iterable[CodedCase]) -> list[tuple[str, str]]:
    """Distinct (code, system) pairs of the cases, in first-seen order."""
    seen: dict[tuple[str, str], None] = {}
    for case in cases:
        for system in SYSTEMS:
            for code in case.codes.get(system, []):
                seen.setdefault((code, system), None)
    return list(seen)


def stage_1_records(focus: list[tuple[str, str]], count: int, seed: int, source: str, retriever,
                    drugs: list | None = None) -> Iterator[dict]:
    """`count` distinct code-knowledge items: half about the focus codes, half about any code."""
    generator = KnowledgeGenerator(get_codeset(), focus, drugs or [])
    rng, seen, made = random.Random(f"thce-stage1:{seed}"), set(), 0
    for _ in range(count * 20):
        if made >= count:
            return
        item = generator.item(rng)
        if item.question in seen:
            continue
        seen.add(item.question)
        yield stage_1_record(item, f"s1-{source}-{seed}-{made:06d}", source, retriever)
        made += 1
