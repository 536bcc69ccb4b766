"""Render a `CasePlan` as a clinical note and record, for every code, the exact quote that supports it
and, for every distractor, what was deliberately not coded."""

from __future__ import annotations

import random

from core.datasets import note_text as nt
from core.datasets.cases import CodedCase, Evidence, Exclusion, codes_from_evidence, units_why
from core.datasets.concepts import DiagnosisVariant
from core.datasets.concepts import distractors as dis
from core.datasets.concepts.drugs import ADDITIONAL_IV_PUSH, ADMIN_CODE_BY_ROUTE, ROUTE_WORDS
from core.datasets.concepts.evaluation_management import MDM_PHRASES, MDM_SUPPORT, TIME_PHRASES
from core.datasets.concepts.links import IMMUNIZATION_DIAGNOSIS, VACCINE_ADMIN_CODE
from core.datasets.synthetic_plan import CasePlan

# what the ED physician bills for a test coded globally in an office (the hospital bills the tracing)
ED_ECG = {"93000": "93010"}
ROUTE_ADMIN_WHY = {"IV": "IV push", "IM": "IM/SC injection", "SC": "IM/SC injection", "IVF": "IV hydration",
                   "neb": "nebulizer treatment"}


class NoteWriter:
    def __init__(self, plan: CasePlan, rng: random.Random, valid_cpt):
        self.plan, self.rng, self.valid_cpt = plan, rng, valid_cpt
        self.sections: list[tuple[str, list[str]]] = []
        self.dx_evidence: list[Evidence] = []
        self.late_dx_evidence: list[Evidence] = []  # status and Z23 codes follow the problems
        self.other_evidence: list[Evidence] = []
        self.exclusions: list[Exclusion] = []
        self.side = next((p.side for p in plan.problems if p.side in ("right", "left")), rng.choice(("right", "left")))

    # ---- building blocks ------------------------------------------------------------------------
    def add(self, section: str, *sentences: str) -> None:
        self.sections.append((section, [s for s in sentences if s]))

    def code(self, quote: str, code: str, system: str, why: str = "", late: bool = False) -> str:
        target = self.other_evidence if system != "icd10cm" else self.late_dx_evidence if late else self.dx_evidence
        target.append(Evidence(code, system, quote, why))
        return quote

    def exclude(self, quote: str, reason: str, code: str) -> str:
        self.exclusions.append(Exclusion(quote, reason, code))
        return quote

    def fill(self, phrase: str, cm: float | None = None) -> str:
        return phrase.replace("{side}", self.side).replace("{cm}", f"{cm:g}" if cm is not None else "")

    # ---- sections -------------------------------------------------------------------------------
    def problem_text(self, variant: DiagnosisVariant) -> str:
        phrase = self.rng.choice(variant.phrases)
        why = variant.detail
        if variant.encounter == "D":
            suffix = self.rng.choice((", follow-up visit, healing as expected", ", subsequent care, routine healing"))
            why = "follow-up visit with routine healing -> 7th character D"
        elif variant.encounter == "A":
            suffix = f", injured {self.rng.choice(nt.WHEN)}"
            why = "active treatment -> 7th character A (initial encounter)"
        else:
            suffix = ""
        return self.code(phrase, variant.code, "icd10cm", why) + suffix

    def assessment(self) -> None:
        items = []
        rule_out_symptoms = self.plan.problems if self.plan.rule_out else []
        if rule_out_symptoms:
            symptoms = " and ".join(self.problem_text(p) for p in rule_out_symptoms)
            suspected, code = self.plan.rule_out
            items.append(f"{symptoms}, {self.exclude(suspected, 'rule_out', code)}")
        for variant in self.plan.problems:
            if variant not in rule_out_symptoms:
                plan_text = nt.plan_for(self.rng, variant.key, variant.group)
                items.append(f"{self.problem_text(variant)} - {plan_text}")
        numbered = self.rng.random() < 0.6
        lines = [f"{i}. {item}" if numbered else f"- {item}" for i, item in enumerate(items, 1)]
        self.add("ap", *lines)

    def history(self) -> None:
        for phrase, code in self.plan.past:
            prefix = self.rng.choice(dis.PAST_HISTORY_PREFIXES)
            self.add("pmh", self.exclude(f"{prefix} {phrase}", "past", code) + ".")
        for relative, condition, code in self.plan.family:
            quote = f"{relative} with {condition}" if self.rng.random() < 0.6 else f"{condition} in {relative}"
            self.add("fh", self.exclude(quote, "family", code) + ".")
        if self.plan.statuses or self.rng.random() < 0.5:
            meds = [self.code(self.rng.choice(s.phrases), s.code, "icd10cm", "long-term drug therapy status", late=True)
                    for s in self.plan.statuses]
            meds += self.rng.sample(nt.ORAL_MEDS, self.rng.randint(0, 2))
            self.add("meds", "; ".join(meds) + "." if meds else "")
        if self.plan.negated:
            fragments = [self.exclude(self.rng.choice(dis.NEGATION_TEMPLATES).format(x=self.rng.choice(v.phrases)),
                                      "negated", v.code) for v in self.plan.negated]
            self.add("ros", ", ".join(fragments) + ".")

    def services(self) -> None:
        labs, imaging, other = [], [], []
        ed = self.plan.setting == "ed"
        for proc in self.plan.services:
            phrase = self.fill(self.rng.choice(proc.phrases))
            if ed and proc.kind == "lab":  # the hospital laboratory's test: not on the ED physician's claim
                quote = self.exclude(phrase, "facility", proc.code)
            else:  # the ED physician bills an ECG's interpretation and report only (core.rules.facility)
                code = ED_ECG.get(proc.code, proc.code) if ed else proc.code
                quote = self.code(phrase, code, "cpt", "interpretation and report" if code != proc.code else "")
            if proc.kind == "imaging":
                imaging.append(f"{quote}: {self.rng.choice(nt.FINDINGS)}")
            elif proc.kind in ("lab", "test"):
                labs.append(quote)
            else:
                other.append(f"{quote} provided")
        where = "obtained in the ED" if self.plan.setting == "ed" else "performed in clinic"
        self.add("results", f"{', '.join(labs)} {where}." if labs else "", *(f"{i}." for i in imaging + other))

    def treatments(self) -> None:
        given, iv_pushes, routes_billed = [], 0, set()
        for item in self.plan.drugs:
            route_word = self.rng.choice(ROUTE_WORDS[item.route])
            quote = f"{self.rng.choice(item.drug.names)} {nt.dose_text(self.rng, item)} {route_word}"
            if self.plan.setting == "ed":  # the hospital supplies and bills the ED's drugs and their administration
                given.append(self.exclude(quote, "facility", item.drug.code))
                continue
            why = units_why(item.units, nt.unit_basis(item))
            given.append(self.code(quote, item.drug.code, "hcpcs", why))
            admin = ADMIN_CODE_BY_ROUTE.get(item.route)
            if item.route == "IV":
                admin = ADMIN_CODE_BY_ROUTE["IV"] if iv_pushes == 0 else ADDITIONAL_IV_PUSH
                iv_pushes += 1
            if admin and self.valid_cpt(admin) and (admin not in routes_billed or item.route == "IV"):
                routes_billed.add(admin)
                self.code(quote, admin, "cpt", f"{ROUTE_ADMIN_WHY[item.route]} administration")
        supplies = [self.code(self.rng.choice(s.phrases), s.code, "hcpcs", "supply dispensed") for s in self.plan.supplies]
        if self.plan.vaccine is not None:
            quote = self.code(self.rng.choice(self.plan.vaccine.phrases), self.plan.vaccine.code, "cpt", "vaccine product")
            self.code(quote, VACCINE_ADMIN_CODE, "cpt", "first vaccine administration")
            self.code(quote, IMMUNIZATION_DIAGNOSIS, "icd10cm", "encounter for immunization", late=True)
            given.append(quote)
        if given:
            self.add("treatment", "Given " + "; ".join(given) + ".")
        if supplies:
            self.add("supplies", "; ".join(supplies) + ".")

    def evaluation_management(self) -> None:
        em = self.plan.em
        if em is None:
            return
        if em.basis == "time":
            sentence = self.rng.choice(TIME_PHRASES).format(minutes=em.minutes)
            why = f"{em.patient_status} patient, {em.minutes} minutes total time"
        else:
            sentence = self.rng.choice(MDM_PHRASES).format(level=em.level, Level=em.level.capitalize())
            why = f"{em.patient_status} patient, {em.level} MDM" if em.patient_status != "ed" else f"ED visit, {em.level} MDM"
            sentence += " " + self.rng.choice(MDM_SUPPORT[em.level])
        quote = sentence.split(".")[0] if em.basis == "mdm" else sentence.rstrip(".")
        self.other_evidence.insert(0, Evidence(em.code, "cpt", quote, why))  # the visit code leads the CPT list
        self.add("em", sentence)

    def case(self, case_id: str, narrative: str, meta: dict) -> CodedCase:
        evidence = self.dx_evidence + self.late_dx_evidence + self.other_evidence
        meta = {**meta, "units": {given.drug.code: given.units for given in self.plan.drugs}}
        return CodedCase(case_id, narrative, codes_from_evidence(evidence), "synthetic", meta, evidence, self.exclusions)
