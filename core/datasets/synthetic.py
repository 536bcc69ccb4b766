"""Seeded, offline synthetic generator of coded outpatient, ED and procedure notes.

    for case in generate_cases(1000, seed=1): ...

Each case is drawn from its own RNG seeded with (seed, index), so a (seed, count) pair always yields the
same cases in the same order, and narratives are distinct (a duplicate is redrawn with a new sub-seed).
"""

from __future__ import annotations

import hashlib
import logging
import random
from collections.abc import Iterator

from core.codes import get_codeset
from core.datasets import note_text as nt
from core.datasets.cases import CodedCase
from core.datasets.concepts import ConceptTable, concept_table
from core.datasets.note_writer import NoteWriter
from core.datasets.synthetic_plan import CasePlan, PlanSampler

logger = logging.getLogger(__name__)

GENERATOR_VERSION = "templates-v1"
MAX_REDRAWS = 20
HPI_FILLERS = ("Compliant with medications.", "No recent hospitalizations.", "Feels well overall.",
               "Symptoms started {n} days ago.", "Here with {family_member}.", "Tolerating diet.",
               "Sleeping poorly.", "Works as a {job}.")
STATUS_PHRASES = {"new": ("new patient visit", "new patient, establishing care", "new pt, first visit"),
                  "established": ("established patient, seen for follow-up", "established pt here for f/u",
                                  "returning established patient")}


def _filler(rng: random.Random) -> str:
    return rng.choice(HPI_FILLERS).format(n=rng.randint(1, 14), family_member=rng.choice(("daughter", "spouse", "son")),
                                          job=rng.choice(("teacher", "driver", "nurse", "carpenter", "cashier")))


def _opening(writer: NoteWriter, rng: random.Random) -> list[str]:
    plan = writer.plan
    who = nt.describe_patient(rng, plan.patient)
    if plan.setting == "ed":
        injured = any(p.group == "injury" for p in plan.problems)
        reason = rng.choice(nt.INJURY_MECHANISMS) if injured else f"with {rng.randint(1, 7)} days of symptoms"
        return [f"{who} {rng.choice(nt.ED_OPENERS)} {reason}.", _filler(rng)]
    status = rng.choice(STATUS_PHRASES[plan.patient_status])
    return [f"{who}, {status}.", _filler(rng)]


def _procedure_body(writer: NoteWriter, rng: random.Random) -> None:
    plan, proc = writer.plan, writer.plan.procedure
    cm = round(rng.uniform(*proc.size_cm), 1) if proc.size_cm else None
    phrase = writer.fill(rng.choice(proc.phrases), cm)
    why = f"{cm:g} cm, within its size range" if cm is not None else ""
    writer.add("header", rng.choice(("PROCEDURE NOTE", "Procedure note", "Office procedure")),
               f"Patient: {nt.describe_patient(rng, plan.patient)}.")
    writer.add("indication", f"Indication: {writer.problem_text(plan.problems[0])}.")
    writer.add("procedure", f"Procedure: {writer.code(phrase, proc.code, 'cpt', why)}.", "Consent obtained.")


def render(writer: NoteWriter, rng: random.Random) -> str:
    """Fill the writer's sections for the plan's setting and lay them out as text."""
    if writer.plan.setting == "procedure":
        _procedure_body(writer, rng)
        writer.history()
        writer.treatments()
        writer.add("end", rng.choice(("Tolerated well, no complications.", "No complications. EBL minimal.")))
    else:
        writer.add("hpi", *_opening(writer, rng))
        writer.history()
        writer.services()
        writer.treatments()
        writer.assessment()
        writer.evaluation_management()
        if writer.plan.setting == "ed":
            admitted = writer.plan.em is not None and writer.plan.em.level == "high" and rng.random() < 0.5
            writer.add("end", rng.choice(nt.ADMISSIONS if admitted else nt.DISPOSITIONS))
    return _layout(writer.sections, rng)


def _layout(sections: list[tuple[str, list[str]]], rng: random.Random) -> str:
    one_paragraph = rng.random() < 0.25
    lines = []
    for name, sentences in sections:
        if not sentences:
            continue
        if name in nt.SECTION_LABELS and not (name == "hpi" and rng.random() < 0.7):
            sentences = [f"{nt.label(rng, name)} {sentences[0]}", *sentences[1:]]
        lines.extend(sentences)
    return " ".join(lines) if one_paragraph else "\n".join(lines)


class SyntheticGenerator:
    def __init__(self, table: ConceptTable | None = None):
        self.table = table or concept_table()
        self.sampler = PlanSampler(self.table)
        codeset = get_codeset()
        self._valid_cpt = lambda code: codeset.is_valid(code, "cpt")

    def case(self, seed: int, index: int, attempt: int = 0) -> CodedCase:
        rng = random.Random(f"thce:{seed}:{index}:{attempt}")
        plan: CasePlan = self.sampler.sample(rng)
        writer = NoteWriter(plan, rng, self._valid_cpt)
        narrative = render(writer, rng)
        meta = {"setting": plan.setting, "age": plan.patient.age, "sex": plan.patient.sex,
                "generator": GENERATOR_VERSION, "seed": seed}
        if plan.em is not None:
            meta["em"] = {"code": plan.em.code, "patient": plan.em.patient_status, "level": plan.em.level,
                          "basis": plan.em.basis}
        return writer.case(f"syn-{seed}-{index:06d}", narrative, meta)

    def cases(self, count: int, seed: int = 0) -> Iterator[CodedCase]:
        seen: set[str] = set()
        for index in range(count):
            for attempt in range(MAX_REDRAWS):
                case = self.case(seed, index, attempt)
                digest = hashlib.blake2b(case.narrative.lower().encode(), digest_size=12).digest()
                if digest not in seen:
                    seen.add(digest)
                    yield case
                    break
            else:
                logger.warning("case %d: no distinct narrative after %d draws", index, MAX_REDRAWS)


def generate_cases(count: int, seed: int = 0) -> Iterator[CodedCase]:
    """`count` distinct synthetic cases, deterministic for a seed."""
    return SyntheticGenerator().cases(count, seed)
