"""Turn a parsed answer into validated `CodedItem`s with evidence, and build the ranked lists for MAP."""

from __future__ import annotations

from core.evidence import code_terms, find_evidence
from core.pipeline.result import CodedItem
from core.prompts import SYSTEMS, Candidate, ParsedOutput

SUGGESTIONS_PER_SYSTEM = 2


def support_scores(rank: dict[str, list[tuple[str, float]]]) -> dict[tuple[str, str], float]:
    """Retrieval scores scaled to [0, 1] per system (best = 1)."""
    scores = {}
    for system, hits in rank.items():
        top = max((float(s) for _, s in hits), default=0.0)
        for code, score in hits:
            scores[(system, code)] = round(float(score) / top, 4) if top > 0 else 0.0
    return scores


def make_item(codeset, system: str, code: str, narrative: str, reasoning: str, source: str,
              support: dict[tuple[str, str], float], selected: bool = True) -> CodedItem:
    check = codeset.validate(code, system)
    normalized = check.normalized or code
    info = codeset.lookup(normalized, system)
    description = info.description if info else ""
    evidence = find_evidence(narrative, code_terms(codeset, normalized, system), reasoning, normalized, codeset)
    return CodedItem(system=system, code=normalized, description=description,
                     billable=bool(info and info.billable), valid=check.ok, status=check.status,
                     evidence=evidence.quote, span=list(evidence.span) if evidence.span else None,
                     source=source, score=support.get((system, normalized), 0.0), message=check.message,
                     selected=selected and check.ok)


def build_items(codeset, parsed: ParsedOutput, narrative: str, candidates: list[Candidate],
                support: dict[tuple[str, str], float], decision=None,
                rank: dict[str, list[tuple[str, float]]] | None = None) -> list[CodedItem]:
    """The model's codes, validated; with a decision rule (core.retrieval.decision) also the codes the
    retriever is confident of, and the model's codes it does not support are left out of the answer.
    When the answer has no valid code, the top candidates are added as suggestions (not selected)."""
    items = [make_item(codeset, system, code, narrative, parsed.reasoning, "model", support)
             for system in SYSTEMS for code in parsed.codes.get(system, [])]
    if decision is not None:
        items = apply_decision(codeset, decision, items, rank or {}, narrative, parsed.reasoning, support)
    if any(item.valid and item.selected for item in items):
        return items
    for system in SYSTEMS:
        chosen = [c for c in candidates if c.system == system][:SUGGESTIONS_PER_SYSTEM]
        items += [make_item(codeset, system, c.code, narrative, "", "candidate", support, selected=False)
                  for c in chosen]
    return items


def apply_decision(codeset, decision, items: list[CodedItem], rank: dict[str, list[tuple[str, float]]],
                   narrative: str, reasoning: str, support: dict[tuple[str, str], float]) -> list[CodedItem]:
    from core.retrieval.decision import billable_ranking, decide
    from core.retrieval.retriever import billable_form

    model_codes = {s: [i.code for i in items if i.system == s and i.valid] for s in SYSTEMS}
    ranking = billable_ranking(decision.top(rank), model_codes, lambda code, system: billable_form(codeset, code, system))
    answer = decide(decision, ranking, model_codes)
    for item in items:
        item.selected = item.valid and item.code in answer[item.system]
    for system in SYSTEMS:
        for code in answer[system]:
            billable = billable_form(codeset, code, system)
            if code not in model_codes[system] and billable and billable not in model_codes[system]:
                model_codes[system].append(billable)
                items.append(make_item(codeset, system, billable, narrative, reasoning, "retriever", support))
    return items


def final_codes(items: list[CodedItem]) -> dict[str, list[str]]:
    """The answer shown as good: the selected valid, billable codes (the model's, then the retriever's)."""
    codes: dict[str, list[str]] = {system: [] for system in SYSTEMS}
    for item in items:
        if item.selected and item.valid and item.code not in codes[item.system]:
            codes[item.system].append(item.code)
    return codes


def ranked_lists(codes: dict[str, list[str]], rank: dict[str, list[tuple[str, float]]],
                 support: dict[tuple[str, str], float]) -> dict[str, list[list]]:
    """Per system: the model's codes first (score 1 + support), then the retriever's list (score =
    support in [0, 1]), without duplicates."""
    ranked: dict[str, list[list]] = {}
    for system in SYSTEMS:
        chosen = sorted(codes.get(system, []), key=lambda c: -support.get((system, c), 0.0))
        rows = [[code, round(1.0 + support.get((system, code), 0.0), 4)] for code in chosen]
        seen = set(chosen)
        for code, _ in rank.get(system, []):
            if code not in seen:
                seen.add(code)
                rows.append([code, support.get((system, code), 0.0)])
        ranked[system] = rows
    return ranked
