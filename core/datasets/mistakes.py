"""Realistic coding mistakes (synthetic) for stage_3 rejected answers.

Each maker takes a case and returns a `CodingMistake` (wrong evidence, exclusions and codes, so the rejected
reasoning reads like a coder who made that mistake) or None when the error does not apply to the case.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, replace

from core.datasets.cases import CodedCase, Evidence, Exclusion, codes_from_evidence, units_basis, units_why
from core.datasets.concepts.evaluation_management import (
    ED_VISIT,
    OFFICE_ESTABLISHED,
    OFFICE_NEW,
    neighbour_levels,
)
from core.prompts import SYSTEMS


@dataclass
class CodingMistake:
    kind: str
    detail: str
    evidence: list[Evidence]
    exclusions: list[Exclusion] | None
    codes: dict[str, list[str]]
    original: str = ""  # the gold code the error replaces or omits
    replacement: str = ""  # the wrong code ("" when omitted)

    def apply_to_rationale(self, rationale: str) -> str | None:
        """The rejected version of a given (human) rationale, or None when the error cannot be expressed."""
        if not self.original or self.original not in rationale:
            return None
        if self.replacement:
            return re.sub(rf"(?<![\w.]){re.escape(self.original)}(?!\w|\.\w)", self.replacement, rationale)
        kept = [line for line in rationale.splitlines() if self.original not in line]
        return "\n".join(kept) if kept else None


def _with(case: CodedCase, kind: str, detail: str, evidence: list[Evidence],
          exclusions: list[Exclusion] | None = None, change: tuple[str, str] = ("", "")) -> CodingMistake:
    return CodingMistake(kind, detail, evidence, case.exclusions if exclusions is None else exclusions,
                       codes_from_evidence(evidence), *change)


def missed_code(case: CodedCase, rng: random.Random, codeset) -> CodingMistake | None:
    if len(case.evidence) < 2 or len(case.all_codes()) < 2:
        return None
    target = rng.choice(case.all_codes())
    evidence = [e for e in case.evidence if e.code != target]
    return _with(case, "missed_code", f"omitted {target}", evidence, change=(target, ""))


def _alternatives(codeset, code: str) -> list[str]:
    """Billable codes a coder could confuse with `code`: siblings; for 7th-character codes the same
    character on the parent's siblings (e.g. the other side) and the other A/D/S encounter characters."""
    info = codeset.lookup(code)
    if info is None or info.parent is None:
        return []
    if info.kind != "extension":
        return [c for c in codeset.children(info.parent) if c != code and codeset.is_valid(c)]
    seventh, grandparent = code[-1], codeset.parent(info.parent)
    cousins = [e for p in (codeset.children(grandparent) if grandparent else []) if p != info.parent
               for e in codeset.children(p) if e.endswith(seventh)]
    encounters = [c for c in codeset.children(info.parent) if c != code and c[-1] in "ADS"]
    return [c for c in cousins + encounters if codeset.is_valid(c)]


def _sibling(codeset, code: str, rng: random.Random) -> str | None:
    options = _alternatives(codeset, code)
    if not options:
        return None
    description = codeset.describe(code).lower()
    side = "right" if "right" in description else "left" if "left" in description else None
    other = {"right": "left", "left": "right"}.get(side)
    lateral = [c for c in options if other and other in codeset.describe(c).lower()
               and side not in codeset.describe(c).lower()]
    vague = [c for c in options if "unspecified" in codeset.describe(c).lower()]
    return rng.choice(lateral or vague or options)


def wrong_specificity(case: CodedCase, rng: random.Random, codeset) -> CodingMistake | None:
    options = [e for e in case.evidence if e.system == "icd10cm" and _sibling(codeset, e.code, rng)]
    if not options:
        return None
    target = rng.choice(options)
    wrong = _sibling(codeset, target.code, rng)
    evidence = [replace(e, code=wrong, why="") if e == target else e for e in case.evidence]
    return _with(case, "wrong_specificity", f"{target.code} -> {wrong}", evidence, change=(target.code, wrong))


def non_billable_header(case: CodedCase, rng: random.Random, codeset) -> CodingMistake | None:
    options = [e for e in case.evidence if e.system == "icd10cm" and codeset.parent(e.code)
               and codeset.lookup(codeset.parent(e.code)) and codeset.lookup(codeset.parent(e.code)).kind
               in ("category", "subcategory") and not codeset.is_valid(codeset.parent(e.code))]
    if not options:
        return None
    target = rng.choice(options)
    header = codeset.parent(target.code)
    evidence = [replace(e, code=header, why="") if e == target else e for e in case.evidence]
    return _with(case, "non_billable_header", f"{target.code} -> header {header}", evidence,
                 change=(target.code, header))


def _invented(codeset, code: str, rng: random.Random) -> str | None:
    for _ in range(20):
        position = rng.randrange(len(code) - 2, len(code))
        char = code[position]
        if not char.isdigit():
            continue
        candidate = code[:position] + str((int(char) + rng.randint(1, 9)) % 10) + code[position + 1:]
        if codeset.validate(candidate).status == "unknown":
            return candidate
    return None


def invalid_code(case: CodedCase, rng: random.Random, codeset) -> CodingMistake | None:
    options = [(e, _invented(codeset, e.code, rng)) for e in case.evidence]
    options = [(e, bad) for e, bad in options if bad]
    if not options:
        return None
    target, bad = rng.choice(options)
    evidence = [replace(e, code=bad, why="") if e == target else e for e in case.evidence]
    return _with(case, "invalid_code", f"{target.code} -> invented {bad}", evidence, change=(target.code, bad))


def excluded_finding_coded(case: CodedCase, rng: random.Random, codeset) -> CodingMistake | None:
    coded = set(case.all_codes())
    options = [x for x in case.exclusions or [] if x.code and x.code not in coded and codeset.is_valid(x.code)]
    if not options:
        return None
    target = rng.choice(options)
    evidence = case.evidence + [Evidence(target.code, codeset.detect_system(target.code) or "icd10cm", target.quote, "")]
    exclusions = [x for x in case.exclusions if x != target]
    return _with(case, f"{target.reason}_coded", f"coded excluded {target.code}", evidence, exclusions)


def em_level_error(case: CodedCase, rng: random.Random, codeset) -> CodingMistake | None:
    em = case.meta.get("em")
    if not em:
        return None
    table = ED_VISIT if em["patient"] == "ed" else OFFICE_NEW if em["patient"] == "new" else OFFICE_ESTABLISHED
    levels = [level for level in neighbour_levels("ed" if em["patient"] == "ed" else "office", em["level"])
              if codeset.is_valid(table[level], "cpt")]
    if not levels:
        return None
    level = rng.choice(levels)
    wrong = table[level]
    direction = "over" if int(wrong) > int(em["code"]) else "under"
    evidence = [replace(e, code=wrong, why=e.why.replace(em["level"], level)) if e.code == em["code"] else e
                for e in case.evidence]
    return _with(case, f"em_{direction}coded", f"{em['code']} -> {wrong}", evidence, change=(em["code"], wrong))


def wrong_units(case: CodedCase, rng: random.Random, codeset) -> CodingMistake | None:
    units = case.meta.get("units") or {}
    options = [e for e in case.evidence if e.code in units and e.why.startswith("x")]
    if not options:
        return None
    target = rng.choice(options)
    right = units[target.code]
    wrong = rng.choice([n for n in (1, right * 2, right + 1, max(1, right // 2)) if n != right] or [right + 1])
    why = units_why(wrong, units_basis(target.why))
    evidence = [replace(e, why=why) if e == target else e for e in case.evidence]
    return _with(case, "wrong_units", f"{target.code} x{right} -> x{wrong}", evidence)


def rule_violation(case: CodedCase) -> CodingMistake | None:
    """The careless answer of a rule training case (core.datasets.rule_cases): what the coding rules correct."""
    careless = case.meta.get("careless_codes")
    if not careless:
        return None
    gold_codes = set(case.all_codes())
    evidence = [e for e in case.evidence if e.code in careless.get(e.system, [])]
    evidence += [Evidence(code, system, "") for system in SYSTEMS for code in careless.get(system, [])
                 if code not in gold_codes]
    rules = ", ".join(case.meta.get("rules", []) or [case.meta.get("not_applied", "")])  # a negative variant
    return CodingMistake("rule_violation", f"breaks {rules}", evidence, case.exclusions,
                       {system: list(careless.get(system, [])) for system in SYSTEMS})


MISTAKE_MAKERS = (missed_code, wrong_specificity, non_billable_header, invalid_code, excluded_finding_coded,
                em_level_error, wrong_units)


def make_mistakes(case: CodedCase, rng: random.Random, codeset, n: int = 1) -> list[CodingMistake]:
    """Up to `n` distinct applicable errors for the case, in random order of kind."""
    makers = list(MISTAKE_MAKERS)
    rng.shuffle(makers)
    gold = {system: list(case.codes.get(system, [])) for system in SYSTEMS}
    errors = [error for error in [rule_violation(case)] if error is not None]
    for maker in makers:
        if len(errors) >= n:
            break
        error = maker(case, rng, codeset)
        if error is None or (error.codes == gold and error.kind != "wrong_units"):
            continue
        errors.append(error)
        if len(errors) >= n:
            break
    return errors
