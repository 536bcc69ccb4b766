"""Answer quality beyond correctness: code validity, think-format compliance, latency."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

import numpy as np

from core.evaluation.metrics import canonical_code, micro_counts, prf
from core.prompts import parse_output, think_format_ok, think_tags_balanced  # noqa: F401 - re-exported


def validity_rate(codes: Iterable[tuple[str, str]], is_valid: Callable[[str, str], bool]) -> dict:
    """Share of predicted (system, code) pairs that are valid and billable."""
    pairs = list(codes)
    n_valid = sum(bool(is_valid(code, system)) for system, code in pairs)
    return {"n_codes": len(pairs), "n_valid": n_valid, "rate": n_valid / len(pairs) if pairs else None}


def format_compliance(raws: Iterable[str | None]) -> dict:
    """Think-format compliance over rows that carry a raw model answer (baselines have none)."""
    present = [raw for raw in raws if isinstance(raw, str) and raw.strip()]
    n_ok = sum(think_format_ok(raw) for raw in present)
    return {"n_raw": len(present), "n_ok": n_ok, "rate": n_ok / len(present) if present else None}


def model_answer_sets(systems, raws: list[str | None], is_valid: Callable[[str, str], bool]) -> dict[str, list[set]] | None:
    """Per system, per row: the language model's own answer (the valid codes of its raw output, before the
    pipeline's decision rule adds or drops codes); None when no row carries a raw answer."""
    if not any(isinstance(raw, str) and raw.strip() for raw in raws):
        return None
    parsed = [parse_output(raw).codes if isinstance(raw, str) else {} for raw in raws]
    return {system: [{canonical_code(c) for c in codes.get(system, []) if is_valid(c, system)} for codes in parsed]
            for system in systems}


def model_answer_f1(golds: dict[str, list[set]], raws: list[str | None], is_valid: Callable[[str, str], bool],
                    answers: dict[str, list[set]] | None = None) -> dict:
    """Micro-F1 per system of the language model's own answer (model_answer_sets; `answers` when already
    parsed); None when no row carries a raw answer."""
    answers = answers if answers is not None else model_answer_sets(list(golds), raws, is_valid)
    if answers is None:
        return {"n_raw": 0, "micro_f1": None}
    scores = {system: prf(*micro_counts(gold, answers[system]))[2] for system, gold in golds.items()}
    return {"n_raw": sum(bool(r) for r in raws), "micro_f1": scores}


_QUOTE_RE = re.compile(r'"([^"\n]{2,})"')
_SPACES_RE = re.compile(r"\s+")


def _normalized(text: str) -> str:
    return _SPACES_RE.sub(" ", text.lower()).strip()


_WORD_RE = re.compile(r"[a-z0-9]{3,}")


def _quote_in(quote: str, narrative: str) -> bool:
    """The quoted words occur in the narrative as written (a quote shortened with '...' counts by its start)
    and hold a word of three letters or digits at least (a quote of 'R ' shows nothing)."""
    quote = _normalized(quote.rstrip(". ").removesuffix("...").rstrip(" ."))
    return bool(_WORD_RE.search(quote)) and quote in narrative


def reasoning_grounding(narratives: list[str], raws: list[str | None], codeset=None) -> dict:
    """Is the reasoning real? Per answer code of the model: does a reasoning line that names it quote words
    that occur in the narrative (grounded); with `codeset`, also: is that quote the code's evidence
    (supported, core.evidence.quoted_evidence: not denied in the narrative, not words of another code the
    reasoning names); per answer: the most times one reasoning line is repeated."""
    from core.evidence import code_terms, quoted_evidence

    n_codes = n_grounded = n_supported = n_answers = n_repeating = 0
    worst = 0
    for narrative, raw in zip(narratives, raws, strict=True):
        if not isinstance(raw, str) or not raw.strip():
            continue
        parsed, text = parse_output(raw), _normalized(narrative)
        lines = [line.strip() for line in parsed.reasoning.splitlines() if line.strip()]
        for code in (c for codes in parsed.codes.values() for c in codes):
            n_codes += 1
            naming = [line for line in lines if code in line]
            n_grounded += any(_quote_in(q, text) for line in naming for q in _QUOTE_RE.findall(line))
            if codeset is not None:
                n_supported += quoted_evidence(narrative, code_terms(codeset, code), parsed.reasoning, code,
                                               codeset) is not None
        repeats = max((lines.count(line) for line in lines), default=0)
        n_answers += 1
        n_repeating += repeats > 2
        worst = max(worst, repeats)
    return {"n_answers": n_answers, "n_codes": n_codes, "grounded_codes": n_grounded,
            "grounded_rate": n_grounded / n_codes if n_codes else None,
            **({"supported_codes": n_supported, "supported_rate": n_supported / n_codes if n_codes else None}
               if codeset is not None else {}),
            "answers_with_a_line_repeated_more_than_twice": n_repeating, "max_line_repeats": worst}


def latency_summary(latencies: Iterable[object]) -> dict:
    """Mean, median and 95th percentile of per-case latency in seconds (None when none measured)."""
    values = np.array([float(v) for v in latencies if isinstance(v, int | float) and not isinstance(v, bool)])
    if values.size == 0:
        return {"n": 0, "mean_s": None, "p50_s": None, "p95_s": None, "max_s": None, "total_s": None}
    return {
        "n": int(values.size),
        "mean_s": float(values.mean()),
        "p50_s": float(np.percentile(values, 50)),
        "p95_s": float(np.percentile(values, 95)),
        "max_s": float(values.max()),
        "total_s": float(values.sum()),
    }
