"""Mentions that must NOT be coded: family history, resolved past history and unconfirmed "rule out" diagnoses.

Policy (documented in docs/DATA.md): family history is not coded; resolved past conditions are not coded;
in outpatient and ED notes an uncertain diagnosis ("rule out", "possible", "suspected") is not coded, its
documented symptoms are. Each entry keeps the code a careless coder would assign (for stage_3 errors).
"""

from __future__ import annotations

RELATIVES = (("mother", "female"), ("father", "male"), ("sister", "female"), ("brother", "male"),
             ("maternal grandmother", "female"), ("paternal grandfather", "male"))

# (condition phrase, code a careless coder would assign, sex of relatives it fits or None)
FAMILY_HISTORY = (
    ("breast cancer", "C50.919", "female"),
    ("colon cancer", "C18.9", None),
    ("coronary artery disease", "I25.10", None),
    ("type 2 diabetes", "E11.9", None),
    ("stroke", "I63.9", None),
    ("prostate cancer", "C61", "male"),
    ("Alzheimer disease", "G30.9", None),
    ("hypertension", "I10", None),
    ("ovarian cancer", "C56.9", "female"),
    ("an MI at age 52", "I21.9", None),
)

# (phrase, code a careless coder would assign)
PAST_HISTORY = (
    ("kidney stones, passed spontaneously years ago", "N20.0"),
    ("pneumonia two years ago, resolved", "J18.9"),
    ("childhood asthma, resolved", "J45.909"),
    ("H. pylori infection, treated", "B96.81"),
    ("gestational diabetes in a prior pregnancy", "O24.419"),
    ("DVT five years ago, anticoagulation completed", "I82.409"),
    ("Bell's palsy, fully recovered", "G51.0"),
    ("shingles last year, resolved", "B02.9"),
    ("wrist fracture as a teenager, healed", "S62.109A"),
    ("acute cholecystitis, s/p cholecystectomy", "K81.0"),
)

PAST_HISTORY_PREFIXES = ("history of", "h/o", "remote history of", "past history of")

UNCERTAINTY_WORDS = ("rule out", "r/o", "possible", "suspected", "probable", "concern for")

# suspected diagnosis key -> symptom keys that are coded instead (outpatient/ED rule)
RULE_OUTS = {
    "pneumonia": ("cough", "fever"),
    "appendicitis": ("rlq_pain",),
    "pe": ("sob", "chest_pain"),
    "uti": ("dysuria",),
    "strep": ("sore_throat", "fever"),
    "kidney_stone": ("hematuria", "abdominal_pain"),
    "dvt": ("leg_swelling",),
    "nstemi": ("chest_pain",),
    "tia": ("dizziness",),
    "influenza": ("fever", "cough"),
    "cholecystitis": ("epigastric_pain", "nausea_vomiting"),
    "covid": ("cough", "fever"),
}

# symptom keys that make good negated review-of-systems findings
NEGATABLE_SYMPTOMS = (
    "chest_pain", "sob", "fever", "cough", "headache", "nausea_vomiting", "abdominal_pain", "dizziness",
    "dysuria", "diarrhea", "palpitations", "syncope", "rash", "leg_swelling", "weight_loss", "hematuria",
)

NEGATION_TEMPLATES = ("denies {x}", "no {x}", "negative for {x}", "{x} denied", "without {x}")
