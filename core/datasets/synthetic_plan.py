"""Sampling what a synthetic encounter contains (`CasePlan`): setting, patient, problems, distractors,
services, drugs and the E/M level. `note_writer` turns a plan into text with evidence."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from core.datasets.concepts import ConceptTable, DiagnosisVariant, Drug, Procedure, Supply, links
from core.datasets.concepts import distractors as dis
from core.datasets.concepts.diagnoses_acute import ACUTE_DIAGNOSES, INJURIES, SYMPTOMS
from core.datasets.concepts.diagnoses_chronic import CHRONIC_DIAGNOSES
from core.datasets.concepts.evaluation_management import MDM_LEVELS, EMChoice, em_code, time_range

CHRONIC_KEYS = tuple(d.key for d in CHRONIC_DIAGNOSES if d.group != "status")
ACUTE_KEYS = tuple(d.key for d in ACUTE_DIAGNOSES)
INJURY_KEYS = tuple(d.key for d in INJURIES)
SYMPTOM_KEYS = tuple(d.key for d in SYMPTOMS)
SEX_ONLY = {"prostate_cancer": "male", "bph": "male", "bph_luts": "male", "testosterone": "male",
            "pcos": "female", "menopause": "female", "bacterial_vaginosis": "female", "breast_cancer": "female",
            "medroxyprogesterone": "female"}
CHILD_KEYS = {"croup", "bronchiolitis", "otitis_media", "strep", "pharyngitis", "uri", "viral_gastroenteritis",
              "asthma", "asthma_exacerbation", "atopic_dermatitis", "adhd", "conjunctivitis", "influenza", "fever",
              "cough", "forehead_laceration", "scalp_laceration", "knee_contusion", "distal_radius_fracture",
              "ankle_sprain", "nausea_vomiting", "rash", "sore_throat", "concussion", "covid"}
CHILD_ONLY = {"croup", "bronchiolitis"}
SETTING_WEIGHTS = (("office", 0.5), ("ed", 0.35), ("procedure", 0.15))


@dataclass(frozen=True)
class Patient:
    age: int
    sex: str  # female | male


@dataclass(frozen=True)
class DrugGiven:
    drug: Drug
    dose: float
    route: str

    @property
    def units(self) -> int:
        return max(1, math.ceil(self.dose / self.drug.unit_amount - 1e-9))


@dataclass
class CasePlan:
    setting: str
    patient: Patient
    patient_status: str = "established"  # new | established | ed
    problems: list[DiagnosisVariant] = field(default_factory=list)
    statuses: list[DiagnosisVariant] = field(default_factory=list)
    rule_out: tuple[str, str] | None = None  # (uncertainty words + suspected phrase, careless code)
    negated: list[DiagnosisVariant] = field(default_factory=list)
    family: list[tuple[str, str, str]] = field(default_factory=list)  # (relative, condition, code)
    past: list[tuple[str, str]] = field(default_factory=list)  # (phrase, code)
    services: list[Procedure] = field(default_factory=list)
    drugs: list[DrugGiven] = field(default_factory=list)
    supplies: list[Supply] = field(default_factory=list)
    vaccine: Procedure | None = None
    procedure: Procedure | None = None
    em: EMChoice | None = None


def _weighted(rng: random.Random, pairs):
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def _fits(key: str, patient: Patient) -> bool:
    if SEX_ONLY.get(key, patient.sex) != patient.sex:
        return False
    return key in CHILD_KEYS if patient.age < 13 else key not in CHILD_ONLY


class PlanSampler:
    """Draws `CasePlan`s from a filtered `ConceptTable` with a caller-supplied RNG."""

    def __init__(self, table: ConceptTable):
        self.table = table

    def sample(self, rng: random.Random) -> CasePlan:
        setting = _weighted(rng, SETTING_WEIGHTS)
        plan = CasePlan(setting, self._patient(rng, setting))
        if setting == "procedure" and self._add_procedure(rng, plan):
            self._add_distractors(rng, plan, n_negated=rng.randint(0, 1))
            return plan
        if plan.setting == "procedure":
            plan.setting = "office"
        self._add_problems(rng, plan)
        self._add_statuses(rng, plan)
        self._add_distractors(rng, plan, n_negated=rng.randint(0, 3))
        self._add_services(rng, plan)
        self._add_drugs(rng, plan)
        self._add_supplies(rng, plan)
        if plan.setting == "office" and rng.random() < 0.15 and plan.patient.age >= 13:
            self._add_vaccine(rng, plan)
        plan.em = self._em(rng, plan)
        return plan

    # ---- who and what --------------------------------------------------------------------------
    def _patient(self, rng: random.Random, setting: str) -> Patient:
        child = setting != "procedure" and rng.random() < 0.1
        age = rng.randint(1, 12) if child else rng.randint(18, 92)
        return Patient(age, rng.choice(("female", "male")))

    def _variant(self, rng: random.Random, key: str, plan: CasePlan | None = None) -> DiagnosisVariant:
        variants = self.table.diagnoses[key]
        if plan is not None and plan.setting != "office":  # ED visits and procedures: initial encounters
            variants = [v for v in variants if v.encounter != "D"] or variants
        return rng.choice(variants)

    def _pick_keys(self, rng: random.Random, pool, n: int, plan: CasePlan) -> list[str]:
        taken = {p.code[:3] for p in plan.problems}
        keys = [k for k in pool if k in self.table.diagnoses and _fits(k, plan.patient)]
        rng.shuffle(keys)
        chosen = []
        for key in keys:
            category = self.table.diagnoses[key][0].code[:3]
            if category not in taken and len(chosen) < n:
                chosen.append(key)
                taken.add(category)
        return chosen

    def _add_problems(self, rng: random.Random, plan: CasePlan) -> None:
        ed = plan.setting == "ed"
        first = _weighted(rng, (("acute", 0.35), ("injury", 0.35 if ed else 0.1), ("symptom", 0.3 if ed else 0.15),
                                ("chronic", 0.0 if ed else 0.4)))
        pool = {"acute": ACUTE_KEYS, "injury": INJURY_KEYS, "symptom": SYMPTOM_KEYS, "chronic": CHRONIC_KEYS}[first]
        if not (first == "symptom" and rng.random() < 0.6 and self._add_rule_out(rng, plan)):
            plan.problems += [self._variant(rng, k, plan) for k in self._pick_keys(rng, pool, 1, plan)]
        weights = (0.8, 0.2, 0, 0) if plan.patient.age < 13 else (0.5, 0.35, 0.15, 0) if ed else (0.4, 0.35, 0.15, 0.1)
        extra = rng.choices((0, 1, 2, 3), weights=weights)[0]
        plan.problems += [self._variant(rng, k) for k in self._pick_keys(rng, CHRONIC_KEYS, extra, plan)]
        if ed or plan.setting == "office":
            plan.patient_status = "ed" if ed else ("new" if rng.random() < 0.3 else "established")
        if not plan.problems:  # every note codes at least one diagnosis
            plan.problems += [self._variant(rng, k) for k in self._pick_keys(rng, CHRONIC_KEYS, 1, plan)]

    def _add_rule_out(self, rng: random.Random, plan: CasePlan) -> bool:
        options = [(s, sym) for s, sym in dis.RULE_OUTS.items()
                   if s in self.table.diagnoses and all(k in self.table.diagnoses for k in sym) and _fits(s, plan.patient)]
        if not options:
            return False
        suspected, symptom_keys = rng.choice(options)
        variant = self._variant(rng, suspected)
        plan.problems += [self._variant(rng, k) for k in symptom_keys]
        plan.rule_out = (f"{rng.choice(dis.UNCERTAINTY_WORDS)} {rng.choice(variant.phrases)}", variant.code)
        return True

    def _add_statuses(self, rng: random.Random, plan: CasePlan) -> None:
        for problem in list(plan.problems):
            options = [k for k in links.STATUS_LINKS.get(problem.key, ()) if k in self.table.diagnoses]
            if options and rng.random() < 0.6:
                status = self._variant(rng, rng.choice(options))
                if status.code not in {s.code for s in plan.statuses}:
                    plan.statuses.append(status)

    def _add_distractors(self, rng: random.Random, plan: CasePlan, n_negated: int) -> None:
        coded = {p.key for p in plan.problems}
        coded |= {k for p in plan.problems for k in dis.RULE_OUTS.get(p.key, ())}  # no "denies cough" with pneumonia
        negatable = [k for k in dis.NEGATABLE_SYMPTOMS if k in self.table.diagnoses and k not in coded]
        plan.negated = [self._variant(rng, k) for k in rng.sample(negatable, min(n_negated, len(negatable)))]
        if rng.random() < 0.45:
            condition, code, sex = rng.choice(dis.FAMILY_HISTORY)
            relative = rng.choice([name for name, rel_sex in dis.RELATIVES if sex in (None, rel_sex)])
            plan.family.append((relative, condition, code))
        past = [item for item in dis.PAST_HISTORY if item[1] not in {p.code for p in plan.problems}]
        if rng.random() < 0.35 and plan.patient.age >= 18:
            plan.past.append(rng.choice(past))

    # ---- services --------------------------------------------------------------------------------
    def _add_services(self, rng: random.Random, plan: CasePlan) -> None:
        n = rng.choices((0, 1, 2, 3), weights=(0.3, 0.3, 0.25, 0.15))[0] if plan.setting == "office" else rng.randint(1, 4)
        pool: list[str] = []
        for problem in plan.problems:
            pool += links.SERVICES_BY_DIAGNOSIS.get(problem.key, links.SERVICES_BY_GROUP.get(problem.group, ()))
            if rng.random() < 0.5:
                pool += links.COUNSELING_BY_DIAGNOSIS.get(problem.key, ())
        keys = list(dict.fromkeys(k for k in pool if self.table.has_procedure(k)))
        rng.shuffle(keys)
        plan.services = [self.table.procedures[k] for k in keys[:n]]

    def _add_drugs(self, rng: random.Random, plan: CasePlan) -> None:
        chance = 0.65 if plan.setting == "ed" else 0.25
        keys = [k for p in plan.problems for k in links.DRUGS_BY_DIAGNOSIS.get(p.key, ()) if k in self.table.drugs]
        keys = [k for k in dict.fromkeys(keys) if _fits(k, plan.patient)]
        if not keys or rng.random() > chance:
            return
        for key in rng.sample(keys, min(len(keys), rng.choice((1, 1, 2)))):
            drug = self.table.drugs[key]
            routes = [r for r in drug.routes if r != "IA"] or list(drug.routes)
            if plan.setting == "office" and any(r in ("IM", "SC", "neb") for r in routes):
                routes = [r for r in routes if r in ("IM", "SC", "neb")]
            plan.drugs.append(DrugGiven(drug, rng.choice(drug.doses), rng.choice(routes)))

    def _add_supplies(self, rng: random.Random, plan: CasePlan) -> None:
        keys = {p.key for p in plan.problems}
        options = [s for s in self.table.supplies.values() if keys & set(s.indications)]
        if options and rng.random() < 0.4:
            plan.supplies.append(rng.choice(options))

    def _add_vaccine(self, rng: random.Random, plan: CasePlan) -> None:
        options = [k for k in links.VACCINES if self.table.has_procedure(k)]
        if options and self.table.has_procedure(links.VACCINE_ADMIN):
            plan.vaccine = self.table.procedures[rng.choice(options)]

    def _add_procedure(self, rng: random.Random, plan: CasePlan) -> bool:
        options = [p for p in self.table.procedures.values() if p.kind in ("procedure", "therapy")
                   and any(k in self.table.diagnoses and _fits(k, plan.patient) for k in p.indications)]
        if not options:
            return False
        plan.procedure = rng.choice(options)
        key = rng.choice([k for k in plan.procedure.indications if k in self.table.diagnoses and _fits(k, plan.patient)])
        plan.problems.append(self._variant(rng, key, plan))
        plan.patient_status = "procedure"
        drug_keys = [k for k in links.DRUGS_BY_DIAGNOSIS.get(key, ()) if k in self.table.drugs
                     and "IA" in self.table.drugs[k].routes]
        if drug_keys and plan.procedure.key == "knee_injection":
            drug = self.table.drugs[rng.choice(drug_keys)]
            plan.drugs.append(DrugGiven(drug, rng.choice(drug.doses), "IA"))
        self._add_supplies(rng, plan)
        return True

    def _em(self, rng: random.Random, plan: CasePlan) -> EMChoice | None:
        if plan.setting == "ed":
            level = rng.choices(("minimal", *MDM_LEVELS), weights=(0.05, 0.15, 0.3, 0.35, 0.15))[0]
            return EMChoice(em_code("ed", "ed", level), "ed", level, "mdm")
        n = len(plan.problems)
        weights = (0.2, 0.45, 0.3, 0.05) if n == 1 else (0.05, 0.35, 0.45, 0.15) if n == 2 else (0.0, 0.2, 0.55, 0.25)
        level = rng.choices(MDM_LEVELS, weights=weights)[0]
        code = em_code("office", plan.patient_status, level)
        if rng.random() < 0.3:
            low, high = time_range(plan.patient_status, level)
            return EMChoice(code, plan.patient_status, level, "time", rng.randint(low, high))
        return EMChoice(code, plan.patient_status, level, "mdm")
