"""Small wording helpers for synthetic notes: patient descriptions, doses, plans, section labels."""

from __future__ import annotations

import random

from core.datasets.synthetic_plan import DrugGiven, Patient

SECTION_LABELS = {
    "cc": ("CC:", "Chief complaint:", "Reason for visit:"),
    "hpi": ("HPI:", "History of present illness:", "Subjective:"),
    "pmh": ("PMH:", "Past medical history:", "PMHx:"),
    "fh": ("FH:", "Family history:", "FHx:"),
    "meds": ("Meds:", "Medications:", "Current meds:"),
    "ros": ("ROS:", "Review of systems:"),
    "results": ("Results:", "Labs/imaging:", "Studies:", "Workup:"),
    "treatment": ("Treatment:", "Administered:", "Interventions:"),
    "supplies": ("Supplies:", "DME:"),
    "ap": ("Assessment/Plan:", "A/P:", "Assessment and plan:", "Impression:"),
}

ORAL_MEDS = ("lisinopril 10 mg daily", "amlodipine 5 mg daily", "metoprolol 25 mg BID", "atorvastatin 40 mg nightly",
             "omeprazole 20 mg daily", "sertraline 50 mg daily", "levothyroxine 75 mcg daily", "albuterol inhaler PRN",
             "gabapentin 300 mg TID", "tamsulosin 0.4 mg nightly")
PLANS_BY_GROUP = {
    "chronic": ("continue current regimen", "stable, recheck in 3 months", "counseled on diet and exercise",
                "refilled meds", "labs reviewed with patient", "dose adjusted", "well controlled"),
    "infection": ("supportive care", "fluids and rest", "return if worse", "recheck in 1 week"),
    "injury": ("RICE, activity as tolerated", "Rx ibuprofen 600 mg PRN", "ortho follow-up in 1 week",
               "Rx naproxen 500 mg BID", "ice and elevation"),
    "allergy": ("avoid trigger", "Rx cetirizine 10 mg daily", "epinephrine auto-injector prescribed"),
    "symptom": ("workup as above", "return precautions given", "Rx ondansetron ODT 4 mg PRN", "follow up in 2 days",
                "monitor"),
    "acute": ("Rx prednisone 40 mg x5 days", "supportive care", "follow up in 2 weeks", "discussed warning signs",
              "Rx cyclobenzaprine 10 mg at bedtime"),
}
FINDINGS = ("no acute findings", "unremarkable", "results reviewed", "pending final read", "within normal limits")
WHEN = ("today", "yesterday", "this morning", "2 days ago", "last night")
INJURY_MECHANISMS = ("after a fall", "after a twisting injury", "after a bicycle accident", "while playing soccer",
                     "after slipping on ice", "at work")
ED_OPENERS = ("presents to the ED", "presents to the emergency department", "arrives by EMS", "walks into the ED")
DISPOSITIONS = ("Disposition: discharged home.", "Dispo: home with follow-up.", "Discharged in stable condition.")
ADMISSIONS = ("Admitted to medicine.", "Admitted for further management.")
PLANS_BY_KEY = {
    "strep": "Rx amoxicillin 500 mg BID x10 days", "otitis_media": "Rx amoxicillin 875 mg BID x10 days",
    "sinusitis": "Rx amoxicillin-clavulanate 875 mg BID", "uti": "Rx nitrofurantoin 100 mg BID x5 days",
    "cystitis": "Rx nitrofurantoin 100 mg BID x5 days", "pneumonia": "Rx azithromycin Z-pak",
    "cellulitis_leg": "Rx cephalexin 500 mg QID", "viral_gastroenteritis": "Rx ondansetron ODT 4 mg PRN",
    "nausea_vomiting": "Rx ondansetron ODT 4 mg PRN", "forearm_laceration": "wound care instructions given",
    "hand_laceration": "wound care instructions given", "scalp_laceration": "suture removal in 7 days",
}


def label(rng: random.Random, section: str) -> str:
    return rng.choice(SECTION_LABELS[section])


def describe_patient(rng: random.Random, patient: Patient) -> str:
    child = patient.age < 13
    noun = ("girl" if child else "woman") if patient.sex == "female" else ("boy" if child else "man")
    letter = "F" if patient.sex == "female" else "M"
    forms = (f"{patient.age}-year-old {noun}", f"{patient.age} y/o {letter}", f"{patient.age}yo {patient.sex}",
             f"{patient.age}{letter}", f"{patient.age} year old {patient.sex}")
    return rng.choice(forms)


def pronoun(patient: Patient) -> str:
    return "She" if patient.sex == "female" else "He"


def _number(value: float) -> str:
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return text


def dose_text(rng: random.Random, given: DrugGiven) -> str:
    """'4 mg', '1 g', '1 L', '2,400,000 units' - the amount as a clinician would write it."""
    amount, measure = given.dose, given.drug.unit_measure
    if measure == "mg" and amount >= 1000 and amount % 1000 == 0 and rng.random() < 0.5:
        return f"{_number(amount / 1000)} g"
    if measure == "mg" and amount < 1 and rng.random() < 0.5:
        return f"{_number(amount * 1000)} mcg"
    if measure == "ml":
        return f"{_number(amount / 1000)} L" if rng.random() < 0.5 else f"{_number(amount)} mL"
    return f"{_number(amount)} {measure}"


def unit_basis(given: DrugGiven) -> str:
    """'1 mg/unit' - the billing unit of the HCPCS code."""
    return f"{_number(given.drug.unit_amount)} {given.drug.unit_measure}/unit"


def plan_for(rng: random.Random, key: str, group: str) -> str:
    """A plan phrase that fits the problem (prescriptions are never coded)."""
    if key in PLANS_BY_KEY and rng.random() < 0.6:
        return PLANS_BY_KEY[key]
    kind = group if group in PLANS_BY_GROUP else ("chronic" if group not in ("respiratory", "digestive") else "acute")
    return rng.choice(PLANS_BY_GROUP[kind])
