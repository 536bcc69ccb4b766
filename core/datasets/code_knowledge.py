"""Stage-1 code-knowledge items drawn from all three code sets: description -> code, code -> description,
"which code is more specific", billable vs header, 7th-character choice and HCPCS drug units.

Items whose answer is a code use the `<think>` + JSON answer format; items whose answer is a fact
(a description, yes/no, a number of units) answer in one short line of text.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from core.codes.models import SYSTEM_LABELS
from core.datasets.reasoning import shorten
from core.prompts import empty_codes

TASK_WEIGHTS = (("description_to_code", 0.3), ("code_to_description", 0.2), ("more_specific", 0.15),
                ("billable_or_header", 0.15), ("seventh_character", 0.1), ("drug_units", 0.1))
QUESTION_BY_SYSTEM = {"icd10cm": ("Assessment: {d}.", "Diagnosis: {d}.", "Code this diagnosis: {d}."),
                      "cpt": ("Procedure performed: {d}.", "Service: {d}.", "Code this service: {d}."),
                      "hcpcs": ("Supply or drug provided: {d}.", "HCPCS item: {d}.", "Code this item: {d}.")}


@dataclass
class KnowledgeItem:
    task: str
    question: str
    answer: str  # the reasoning (JSON tasks) or the whole text answer
    codes: dict[str, list[str]] = field(default_factory=empty_codes)
    json_answer: bool = True


class KnowledgeGenerator:
    def __init__(self, codeset, focus: list[tuple[str, str]], drugs: list):
        self.codeset, self.focus, self.drugs = codeset, focus, drugs
        self.pools = {system: codeset.codes(system) for system in SYSTEM_LABELS}
        self.pools = {system: pool for system, pool in self.pools.items() if pool}

    def _code(self, rng: random.Random, system: str | None = None) -> tuple[str, str]:
        focus = [f for f in self.focus if system in (None, f[1])]
        if focus and rng.random() < 0.5:
            return rng.choice(focus)
        system = system or rng.choice(sorted(self.pools))
        return rng.choice(self.pools[system]), system

    def _describe(self, code: str) -> str:
        return self.codeset.describe(code)

    def _one(self, code: str, system: str) -> dict[str, list[str]]:
        return {**empty_codes(), system: [code]}

    def description_to_code(self, rng):
        code, system = self._code(rng)
        desc = self._describe(code)
        question = rng.choice(QUESTION_BY_SYSTEM[system]).format(d=desc)
        return KnowledgeItem("description_to_code", question, f'"{shorten(desc, 12)}" -> {code}.',
                             self._one(code, system))

    def code_to_description(self, rng):
        code, system = self._code(rng)
        question = f"What does {SYSTEM_LABELS[system]} code {code} describe?"
        return KnowledgeItem("code_to_description", question, f"{code}: {self._describe(code)}.", json_answer=False)

    def _header_and_child(self, rng) -> tuple[str, str] | None:
        for _ in range(30):
            code, _system = self._code(rng, "icd10cm")
            parent = self.codeset.parent(code)
            info = self.codeset.lookup(parent) if parent else None
            if info and info.kind in ("category", "subcategory") and not info.billable:
                return parent, code
        return None

    def more_specific(self, rng):
        pair = self._header_and_child(rng)
        if pair is None:
            return None
        header, child = pair
        first, second = (header, child) if rng.random() < 0.5 else (child, header)
        question = f"Which ICD-10-CM code is more specific: {first} or {second}?"
        reasoning = (f"{header} ({shorten(self._describe(header), 10)}) is a header, not billable; "
                     f"{child} ({shorten(self._describe(child), 12)}) is billable and more specific.")
        return KnowledgeItem("more_specific", question, reasoning, self._one(child, "icd10cm"))

    def billable_or_header(self, rng):
        pair = self._header_and_child(rng) if rng.random() < 0.5 else None
        if pair is None:
            code, system = self._code(rng)
            text = f"Yes. {code} ({self._describe(code)}) is a billable {SYSTEM_LABELS[system]} code."
        else:
            code, child = pair
            text = f"No. {code} ({self._describe(code)}) is a header; code a billable child such as {child}."
        return KnowledgeItem("billable_or_header", f"Is {code} a billable code?", text, json_answer=False)

    def seventh_character(self, rng):
        for _ in range(60):
            code, _system = self._code(rng, "icd10cm")
            info = self.codeset.lookup(code)
            base = info.parent if info else None
            base_desc = self._describe(base) if base else ""
            if info and info.kind == "extension" and base_desc and info.description.startswith(base_desc):
                encounter = info.description[len(base_desc):].strip(" ,")
                question = f"{base} ({base_desc}): which code for the {encounter}?"
                reasoning = f"{base} needs a 7th character; {encounter} -> {code[-1]}: {code}."
                return KnowledgeItem("seventh_character", question, reasoning, self._one(code, "icd10cm"))
        return None

    def drug_units(self, rng):
        if not self.drugs:
            return None
        drug = rng.choice(self.drugs)
        dose = rng.choice(drug.doses)
        units = max(1, math.ceil(dose / drug.unit_amount - 1e-9))
        unit = f"{drug.unit_amount:g} {drug.unit_measure}"
        question = f"{rng.choice(drug.names)} {dose:g} {drug.unit_measure} {rng.choice(drug.routes)} was given. How many units of {drug.code}?"
        text = f"{units} unit{'s' if units > 1 else ''}: {drug.code} is billed per {unit}; {dose:g} {drug.unit_measure} / {unit} = {units} (rounded up)."
        return KnowledgeItem("drug_units", question, text, json_answer=False)

    def item(self, rng: random.Random) -> KnowledgeItem:
        for _ in range(10):
            task = rng.choices([t for t, _ in TASK_WEIGHTS], weights=[w for _, w in TASK_WEIGHTS])[0]
            made = getattr(self, task)(rng)
            if made is not None:
                return made
        return self.description_to_code(rng)
