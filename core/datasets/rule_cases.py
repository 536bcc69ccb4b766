"""Training cases that exercise each coding rule (core.rules), with the rule cited in the reasoning.

Each case is written from THCE's own SOAP-style templates (worded unlike the US outpatient evaluation set,
which is never trained on), with a careless answer a coder could give (a symptom coded with its diagnosis,
the unspecified side, no external cause, the wrong 7th character or E/M level, no administration code).
`core.rules.apply_rules` turns the careless answer into the gold one, and each edit's reason becomes a
"Rule: ..." line of the `<think>` reasoning (e.g. "cough is integral to acute bronchitis (J20.9): not coded").

    for case in generate_rule_cases(200, seed=1): ...       # also: load_cases("rules:200:1")
"""

from __future__ import annotations

import logging
import random
from collections.abc import Iterator

from core.codes import get_codeset
from core.constants import SYSTEMS
from core.datasets.cases import CodedCase, Evidence, Exclusion, codes_from_evidence
from core.datasets.rule_templates import FAMILIES, Draft
from core.rules import apply_rules

logger = logging.getLogger(__name__)
MAX_REDRAWS = 10


def _as_sets(codes: dict[str, list[str]]) -> dict[str, set[str]]:
    return {system: set(codes.get(system, [])) for system in SYSTEMS}


def rule_case(draft: Draft, case_id: str, codeset) -> CodedCase | None:
    """The draft as a CodedCase whose rule notes explain careless -> gold, or None when the draft is out of step
    with the rules: the rules do not turn its careless answer (less the over-coded mentions of a negative
    variant, which no rule removes) into its gold answer, the gold answer is not a fixed point of the rules
    (applying them to it would still edit it), a negative variant's rule fires, or nothing is taught."""
    evidence = [Evidence(code, system, quote, why) for quote, system, code, why in draft.evidence]
    gold = codes_from_evidence(evidence)
    fixable = {s: [c for c in draft.careless.get(s, []) if c not in draft.overcoded.get(s, [])] for s in SYSTEMS}
    # the gold codes stand for the prompt's ranked candidate list (the rules that add a code choose from it)
    outcome = apply_rules(fixable, draft.narrative, codeset, candidates=gold)
    fired = sorted({edit.rule for edit in outcome.edits})
    if (_as_sets(outcome.codes) != _as_sets(gold) or not (outcome.edits or draft.exclusions)
            or apply_rules(gold, draft.narrative, codeset, candidates=gold).edits or draft.negative in fired):
        logger.debug("rule case %s: rules gave %s, gold %s", case_id, outcome.codes, gold)
        return None
    meta = {"rules": fired, "setting": draft.setting, "generator": "rule-templates-v1",
            "careless_codes": draft.careless, **draft.meta}
    if draft.negative:
        meta["not_applied"] = draft.negative
    exclusions = [Exclusion(quote, reason) for quote, reason in draft.exclusions]
    return CodedCase(case_id, draft.narrative, gold, "rules", meta, evidence, exclusions=exclusions,
                     rule_notes=list(dict.fromkeys(edit.reason for edit in outcome.edits)))


def generate_rule_cases(count: int, seed: int = 0, codeset=None) -> Iterator[CodedCase]:
    """`count` cases cycling over the rule families, deterministic for a seed."""
    if codeset is None:
        codeset = get_codeset()
    seen: set[str] = set()
    for index in range(count):
        family = FAMILIES[index % len(FAMILIES)]
        for attempt in range(MAX_REDRAWS):
            rng = random.Random(f"thce-rules:{seed}:{index}:{attempt}")
            case = rule_case(family(rng), f"rule-{seed}-{index:06d}", codeset)
            if case is not None and case.narrative not in seen:
                seen.add(case.narrative)
                yield case
                break
        else:
            logger.warning("rule case %d (%s): no usable draft after %d draws", index, family.__name__, MAX_REDRAWS)
