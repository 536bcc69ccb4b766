"""Coding rules applied after the model: each rule is small, named, cites the guideline it implements and
proposes edits (add, drop or replace a code, with the reason); `apply_rules` applies them in order and keeps
only edits whose new codes are valid, so an edit never turns a valid answer invalid.

    from core.codes import get_codeset
    from core.rules import apply_rules, find_conflicts
    outcome = apply_rules({"icd10cm": ["J20.9", "R05.9"], "cpt": [], "hcpcs": []},
                          "Acute bronchitis with cough.", get_codeset())
    outcome.codes   # {'icd10cm': ['J20.9'], ...}; outcome.edits[0].reason: 'cough ... is integral to ...'
"""

from __future__ import annotations

import logging
import re

from core.codes import get_codeset
from core.constants import SYSTEMS
from core.rules import (
    addressed,
    ambulance,
    bmi,
    complexity,
    counseling,
    denied,
    documentation,
    em,
    excludes,
    facility,
    fracture_care,
    history,
    imaging,
    injuries,
    lesions,
    notes,
    office_procedures,
    pairing,
    performed,
    preventive,
    redundant,
    repairs,
    sex,
    specificity,
    supplies,
    symptoms,
    uncertain,
    visit,
    wellvisit,
    with_without,
)
from core.rules.excludes import find_conflicts
from core.rules.models import ACTIONS, Context, Edit, Rule, RulesOutcome
from core.rules.narrative import spans_several_encounters

__all__ = ["ACTIONS", "OPT_IN", "RULES", "Edit", "Rule", "RulesOutcome", "apply_rules", "find_conflicts", "rule_names"]

logger = logging.getLogger(__name__)

# order matters: specificity first, then drops, then additions that depend on the final diagnoses.
# documented_specificity runs before unsupported_diagnosis: a code claiming words the note never says is first
# moved to the sibling the note does say (a laceration code for a dog bite becomes the bite code) and only a code
# no sibling rescues is dropped. Both read "documented" as words of the code's description, a synonym table and
# the clinical shorthand of core.rules.documentation.SHORTHAND (GAD, PE, hep C, broken nose ...); see docs/RULES.md.
OPT_IN: tuple[Rule, ...] = ()  # rules written but not run by default (none at present)
RULES: tuple[Rule, ...] = (
    specificity.SIDE_RULE, specificity.TYPE_RULE, excludes.ELSEWHERE_RULE, specificity.SPECIFICITY_RULE, documentation.RULE,
    denied.RULE, uncertain.RULE, history.RULE, redundant.RULE,
    specificity.COMBINATION_RULE, with_without.RULE, injuries.SEVENTH_RULE, sex.RULE, symptoms.RULE, addressed.RULE, excludes.RULE, injuries.CAUSE_RULE, notes.RULE, bmi.RULE,
    visit.RULE, wellvisit.RULE, lesions.RULE, repairs.RULE, fracture_care.RULE, office_procedures.RULE, counseling.RULE, em.RULE, pairing.DRUG_RULE, pairing.VACCINE_RULE, preventive.RULE, ambulance.RULE, supplies.RULE, imaging.RULE, performed.RULE,
    facility.RULE, complexity.RULE,
)


_WITHOUT_RE = re.compile(r"\bw/o\b", re.I)
_WITH_RE = re.compile(r"\bw/(?=\s|[a-z]{2,})", re.I)


def expand_with_without(narrative: str) -> str:
    """A note's 'w/o' and 'w/' read as 'without' and 'with' ('migraine w/o aura', 'DM2 w/ CKD'), so the rules that
    read a feature the classification codes with or without see it."""
    return _WITH_RE.sub("with ", _WITHOUT_RE.sub("without", narrative))


def rule_names() -> list[str]:
    return [rule.name for rule in RULES]


def apply_rules(codes: dict[str, list[str]], narrative: str, codeset=None,
                rules: tuple[Rule, ...] | None = None, candidates: dict[str, list[str]] | None = None) -> RulesOutcome:
    """Edit an answer by the coding rules. `codes` is not changed; the outcome holds the edited codes (same
    systems and order, new codes appended) and the edits that were made, in the order they were made. On a
    narrative that spans several encounters (a case history, a hospital course) the rules that read the note
    as one encounter's report abstain (`outcome.skipped`): which encounter a code belongs to is unknown there
    (a symptom coded before the diagnosis was made, a side or a drug of another episode). `candidates` (ranked
    codes per system, best first: the pipeline's candidate list) let a rule add a code the answer lacks
    (reason_for_visit); without them such a rule abstains."""
    if codeset is None:
        codeset = get_codeset()
    narrative = expand_with_without(narrative or "")
    current = {system: list(codes.get(system, [])) for system in SYSTEMS}
    outcome = RulesOutcome(current)
    several = spans_several_encounters(narrative or "")
    for rule in rules if rules is not None else RULES:
        if several and rule.one_encounter:
            outcome.skipped.append(rule.name)
            continue
        for edit in rule.propose(Context(current, narrative or "", codeset, dict(candidates or {}))):
            if not _make(edit, outcome, current, codeset):
                outcome.rejected.append(edit)
                logger.debug("rule %s: rejected edit %s", rule.name, edit)
    if rules is None and not several:
        _recheck(outcome, current, narrative, codeset, candidates)
    return outcome


# Rules run again at the end: a diagnosis a later rule added (reason_for_visit's 'acute otitis media' from the
# assessment) explains symptoms of the model's answer that were kept because nothing explained them then.
RECHECK: tuple[Rule, ...] = (redundant.RULE, symptoms.RULE, addressed.RULE)


def _recheck(outcome: RulesOutcome, current: dict[str, list[str]], narrative: str, codeset, candidates) -> None:
    """RECHECK's drops of the model's own codes (as the rules refined them), once the other rules are done; a code
    a rule added stays (it was added for a reason the first pass did not see)."""
    added = {edit.code for edit in outcome.edits if edit.action == "add"}
    for rule in RECHECK:
        for edit in rule.propose(Context(current, narrative, codeset, dict(candidates or {}))):
            if edit.action == "drop" and edit.code not in added:
                _make(edit, outcome, current, codeset)


def _make(edit: Edit, outcome: RulesOutcome, current: dict[str, list[str]], codeset) -> bool:
    """Apply `edit` to `current` and record it in `outcome` when it is acceptable; whether it was."""
    if not _acceptable(edit, current, codeset):
        return False
    _apply(edit, current)
    outcome.edits.append(edit)
    return True


def _acceptable(edit: Edit, codes: dict[str, list[str]], codeset) -> bool:
    present = codes[edit.system]
    if edit.action == "add":
        return edit.code not in present and codeset.is_valid(edit.code, edit.system)
    if edit.action == "drop":
        return edit.code in present
    return (edit.action == "replace" and edit.code in present and edit.replacement is not None
            and codeset.is_valid(edit.replacement, edit.system))


def _apply(edit: Edit, codes: dict[str, list[str]]) -> None:
    present = codes[edit.system]
    if edit.action == "add":
        present.append(edit.code)
    elif edit.action == "drop":
        present.remove(edit.code)
    elif edit.replacement in present:
        present.remove(edit.code)
    else:
        present[present.index(edit.code)] = edit.replacement
