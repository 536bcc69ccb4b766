"""SOAP-style templates for the rule training cases (core.datasets.rule_cases): each family returns a
`Draft` with the narrative, the evidence for every gold code and a careless answer the rules correct."""

from __future__ import annotations

import random

from core.datasets.rule_diagnoses import DIAGNOSIS_FAMILIES
from core.datasets.rule_draft import ED, LEVELS, OFFICE, Draft, em_sentence, who
from core.datasets.rule_services import SERVICE_FAMILIES

__all__ = ["ED", "FAMILIES", "LEVELS", "OFFICE", "Draft"]
_who, _em = who, em_sentence

SYMPTOMS = (  # (diagnosis code, assessment, symptom text, symptom code)
    ("J20.9", "acute bronchitis", "cough x 5 days", "R05.9"), ("A08.4", "viral gastroenteritis", "N/V since last night", "R11.2"),
    ("N39.0", "UTI", "dysuria", "R30.0"), ("J02.0", "strep pharyngitis", "throat pain", "R07.0"),
    ("J10.1", "influenza A", "fever to 102", "R50.9"), ("G43.909", "migraine", "headache", "R51.9"),
    ("J01.90", "acute sinusitis", "nasal congestion", "R09.81"),
)


def integral_symptom(rng: random.Random) -> Draft:
    code, name, symptom, symptom_code = rng.choice(SYMPTOMS)
    draft = Draft("primary_care").say(f"S: {_who(rng)} c/o {symptom}.")
    draft.careless["icd10cm"].append(symptom_code)
    draft.say(f"A: {name}.", ("icd10cm", code))
    _em(rng, draft, wrong=False)
    return draft.say("P: supportive care, return precautions.")


INJURIES = (  # (text, unspecified code, right, left)
    ("ankle sprain", "S93.409A", "S93.401A", "S93.402A"), ("distal radius fx", "S52.509A", "S52.501A", "S52.502A"),
    ("knee contusion", "S80.00XA", "S80.01XA", "S80.02XA"), ("clavicle fx", "S42.009A", "S42.001A", "S42.002A"),
)
# the injured region and its pain (right, left), which a careless answer codes beside the injury (I.B.5: not coded)
INJURY_PAIN = {"S93": ("ankle", "M25.571", "M25.572"), "S52": ("wrist", "M25.531", "M25.532"),
               "S80": ("knee", "M25.561", "M25.562"), "S42": ("shoulder", "M25.511", "M25.512")}
HOW = (("slipped on ice in the parking lot", "W00.0XXA"), ("fell on the basement stairs", "W10.9XXA"),
       ("fell off a ladder at work", "W11.XXXA"), ("tripped on a curb", "W01.0XXA"), ("had a fall at home", "W19.XXXA"))


def injury(rng: random.Random) -> Draft:
    text, unspecified, right, left = rng.choice(INJURIES)
    side = rng.choice(["right", "left"])
    how, cause = rng.choice(HOW)
    region, *pain = INJURY_PAIN[right[:3]]
    draft = Draft("ed").say(f"S: {_who(rng, 10, 90)}, {how}; pain in the {side} {region}.", ("icd10cm", cause),
                            careless=False)
    draft.say(f"A: {side} {text}.", ("icd10cm", right if side == "right" else left), careless=False)
    draft.careless["icd10cm"] += [unspecified, pain[side == "left"]]
    level = rng.choice([1, 2, 3])
    draft.say(f"ED course, MDM {LEVELS[level]}.", ("cpt", ED[level]))
    return draft


def followup(rng: random.Random) -> Draft:
    text, _, right, left = rng.choice(INJURIES)
    side, (how, cause) = rng.choice(["right", "left"]), rng.choice(HOW)
    sided = right if side == "right" else left
    draft = Draft("orthopedics").say(f"S: here for recheck of {side} {text}; {how} {rng.randint(2, 8)} weeks ago.",
                                     ("icd10cm", sided[:-1] + "D"), ("icd10cm", cause[:-1] + "D"), careless=False)
    draft.careless["icd10cm"] += [sided, cause]
    draft.say("O: healing as expected.")
    _em(rng, draft, "established", wrong=False)
    return draft


def em_level(rng: random.Random) -> Draft:
    name, code = rng.choice((("HTN, stable", "I10"), ("hyperlipidemia", "E78.5"), ("GAD", "F41.1"), ("GERD", "K21.9")))
    draft = Draft("primary_care").say(f"S: {_who(rng)} for {name.split(',')[0]}.")
    draft.say(f"A: {name}.", ("icd10cm", code))
    _em(rng, draft)
    return draft


DRUGS = (("ketorolac 60 mg IM", "J1885", "96372"), ("ceftriaxone 500 mg IM", "J0696", "96372"),
         ("dexamethasone 10 mg IM", "J1100", "96372"), ("ondansetron 4 mg IV push", "J2405", "96374"))


def drug(rng: random.Random) -> Draft:
    text, code, admin = rng.choice(DRUGS)
    draft = Draft("urgent_care").say(f"S: {_who(rng)}, back pain after yard work.")
    draft.say("A: low back pain.", ("icd10cm", "M54.50"))
    return draft.say(f"P: {text} given.", ("hcpcs", code)).also(("cpt", admin))


VACCINES = (("flu shot (IIV4)", "90686"), ("Tdap", "90715"), ("Shingrix dose 1", "90750"))


def vaccine(rng: random.Random) -> Draft:
    text, code = rng.choice(VACCINES)
    draft = Draft("primary_care").say(f"Nurse visit, {_who(rng, 20, 64)}: {text} given IM, VIS reviewed.",
                                      ("cpt", code))
    return draft.also(("cpt", "90471"), ("icd10cm", "Z23"))


def combination(rng: random.Random) -> Draft:
    stage, ckd = rng.choice((("3a", "N18.31"), ("3b", "N18.32"), ("4", "N18.4")))
    draft = Draft("primary_care").say(f"S: {_who(rng, 45, 85)}, DM2 and CKD {stage} follow-up; takes metformin.")
    draft.say(f"A: DM2 with CKD stage {stage}.", ("icd10cm", "E11.22"), ("icd10cm", ckd), careless=False)
    draft.careless["icd10cm"] += ["E11.9", ckd]
    draft.say("Meds: metformin.", ("icd10cm", "Z79.84"))
    _em(rng, draft, "established", wrong=False)
    return draft


def use_additional(rng: random.Random) -> Draft:
    drug_text, code = rng.choice((("insulin glargine nightly", "Z79.4"), ("metformin 1000 mg BID", "Z79.84")))
    draft = Draft("primary_care").say(f"S: {_who(rng, 35, 85)}, DM2 check.")
    draft.say("A: DM2 without complications.", ("icd10cm", "E11.9"))
    draft.say(f"Meds: {drug_text}.", ("icd10cm", code), careless=False)
    _em(rng, draft, "established", wrong=False)
    return draft


def diabetes_type(rng: random.Random) -> Draft:
    suffix, text = rng.choice(((".65", "with hyperglycemia, glucose 300s"), (".9", "without complications")))
    draft = Draft("primary_care").say(f"S: {_who(rng, 18, 60)} with type 1 diabetes on an insulin pump.")
    draft.say(f"A: type 1 diabetes {text}.", ("icd10cm", "E10" + suffix), careless=False)
    draft.careless["icd10cm"].append("E11" + suffix)
    _em(rng, draft, "established", wrong=False)
    return draft


BASE_FAMILIES = (diabetes_type, integral_symptom, injury, followup, em_level, drug, vaccine, combination, use_additional)
# the base families first: rules:N:SEED keeps their drafts; every rule of core.rules.RULES has a family
# (tests/datasets/test_data_rule_cases.py::test_every_rule_is_taught)
FAMILIES = BASE_FAMILIES + DIAGNOSIS_FAMILIES + SERVICE_FAMILIES
