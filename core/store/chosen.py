"""The `chosen` answer of a preference pair, honest to the correction.

When an annotator corrects the codes, the model's reasoning still argues for the codes it chose, including
the ones removed. So `chosen` keeps the annotator's own edited reasoning when there is one, and otherwise
rebuilds the think block from the corrected codes alone, in the training data's line style: for each code,
the narrative text that supports it (core.evidence.find_evidence, reading only the model's lines that name
that kept code).
The narrative is the stored case's, never one recovered from a prompt.

A correction that changes no code (same code sets per system, order and spelling aside) and no reasoning is
not a correction: it is refused.
"""

from __future__ import annotations

from core.datasets.reasoning import render_reasoning
from core.evidence import Evidence, code_terms, find_evidence
from core.prompts import SYSTEMS, format_answer
from core.store.errors import FieldError


def code_sets(codes: dict | None, codeset) -> dict[str, set[str]]:
    """Per system, the set of normalized codes (so 'e11.9' and 'E11.9', or a new order, compare equal)."""
    out = {}
    for system in SYSTEMS:
        found = set()
        for code in (codes or {}).get(system, []):
            check = codeset.validate(code, system)
            found.add(check.normalized or code.strip().upper())
        out[system] = found
    return out


def rebuild_reasoning(narrative: str, codes: dict[str, list[str]], model_reasoning: str, codeset) -> str:
    """A think block for `codes` only, in the training data's style (core.datasets.reasoning, the lines the
    model learns and the decoding style keeps): `"evidence" -> CODE.` with codes of one quote on one line, or
    `CODE: no single sentence, inferred from the whole case.` when no narrative text supports it on its own."""
    evidence = [Evidence(code=code, system=system,
                         quote=find_evidence(narrative, code_terms(codeset, code, system), model_reasoning, code,
                                             codeset).quote)
                for system in SYSTEMS for code in codes.get(system, [])]
    return render_reasoning(evidence, exclusions=None)


def chosen_answer(narrative: str, model_codes: dict, model_reasoning: str, codes: dict[str, list[str]],
                  edited_reasoning: str | None, codeset) -> str:
    """The assistant answer an annotator's correction stands for (FieldError when it corrects nothing)."""
    edited = (edited_reasoning or "").strip()
    if code_sets(codes, codeset) == code_sets(model_codes, codeset):
        if not edited or edited == (model_reasoning or "").strip():
            raise FieldError("corrected_codes: the correction has the same codes as the model output and the "
                             "same reasoning; use decision 'accept'", "corrected_codes")
        return format_answer(edited, codes)
    return format_answer(edited or rebuild_reasoning(narrative, codes, model_reasoning or "", codeset), codes)
