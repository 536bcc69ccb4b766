"""Primary care and urgent care illness cases: integral symptoms, Excludes1 pairs, combination codes,
'use additional code' notes and E/M levels."""

from __future__ import annotations

import random
from dataclasses import replace

from core.datasets.us_outpatient.common import VIEW_COUNT_CODES, ed_em, family, fields, office_em, patient
from core.rules.bmi import adult_bmi_code

# (diagnosis code, how the assessment names it, symptoms the note lists, (test sentence, CPT) or None)
ACUTE = (
    (
        "J20.9",
        ("acute bronchitis", "acute bronchitis, likely viral"),
        ("a productive cough for six days", "cough and chest congestion for a week"),
        ("Chest x-ray, two views, shows no infiltrate.", "71046"),
    ),
    (
        "A08.4",
        ("viral gastroenteritis", "acute viral gastroenteritis"),
        ("nausea and vomiting since yesterday", "vomiting and watery diarrhea for two days"),
        None,
    ),
    (
        "J02.0",
        ("streptococcal pharyngitis", "strep throat"),
        ("a sore throat and fever", "throat pain and a fever of 101.8 F"),
        ("Rapid strep antigen test is positive.", "87880"),
    ),
    (
        "J10.1",
        ("influenza A", "influenza A infection"),
        ("fever, cough and body aches", "a cough with fever since Tuesday"),
        ("Rapid influenza antigen test is positive for influenza A.", "87804"),
    ),
    (
        "U07.1",
        ("COVID-19", "COVID-19 infection, mild"),
        ("fever, cough and body aches", "a cough and fever for three days"),
        ("SARS-CoV-2 PCR is positive.", "87635"),
    ),
    (
        "N39.0",
        ("urinary tract infection", "acute UTI"),
        ("burning with urination and urinary frequency", "dysuria and frequency for three days"),
        ("Automated urinalysis without microscopy shows leukocyte esterase and nitrites.", "81003"),
    ),
    (
        "J01.90",
        ("acute sinusitis", "acute bacterial sinusitis"),
        ("facial pressure and nasal congestion for twelve days", "nasal congestion and facial pressure"),
        None,
    ),
    (
        "G43.909",
        ("migraine", "migraine without mention of aura, not intractable"),
        ("a throbbing headache with nausea", "a pounding headache and nausea"),
        None,
    ),
)
IDENTIFIED = ("J02.0", "J10.1")  # the organism or virus named: the specific code of its category
CHRONIC = (  # (assessment text, ICD codes, labs (text, CPT), rules)
    (
        "type 2 diabetes with diabetic chronic kidney disease stage 3a; continues metformin",
        ("E11.22", "N18.31", "Z79.84"),
        ("Hemoglobin A1c drawn.", "83036"),
        ("combination_code", "use_additional_code", "documented_specificity"),
    ),
    (
        "type 2 diabetes with hyperglycemia, on insulin glargine",
        ("E11.65", "Z79.4"),
        ("Hemoglobin A1c drawn today.", "83036"),
        ("use_additional_code",),
    ),
    (
        "type 2 diabetes without complications, on metformin and insulin",
        ("E11.9", "Z79.4", "Z79.84"),
        ("Point-of-care A1c done today.", "83036"),
        ("use_additional_code",),
    ),
    (
        "hypertension with chronic kidney disease stage 4",
        ("I12.9", "N18.4"),
        ("Comprehensive metabolic panel drawn.", "80053"),
        ("combination_code",),
    ),
    (
        "hypertension and chronic systolic heart failure",
        ("I11.0", "I50.22"),
        ("Comprehensive metabolic panel drawn.", "80053"),
        ("combination_code",),
    ),
    ("COPD; smokes a pack a day", ("J44.9", "F17.210"), None, ("use_additional_code",)),
    ("essential hypertension, stable", ("I10",), None, ()),
    ("hyperlipidemia", ("E78.5",), ("Lipid panel drawn.", "80061"), ()),
    ("generalized anxiety disorder", ("F41.1",), None, ("documented_specificity",)),
    ("depression, unspecified", ("F32.A",), ("PHQ-9 administered and scored.", "96127"), ("documented_specificity",)),
)
EXCLUDES = (  # (narrative middle, ICD codes, extra CPT and HCPCS, rules)
    (
        "type 1 diabetes with hyperglycemia; fingerstick glucose 318 and {they} reports thirst",
        ("E10.65",),
        ("82962",),  # the fingerstick glucose is a point-of-care test done at the visit
        ("excludes1_conflict", "diabetes_type"),
    ),
    (
        "an asthma exacerbation with wheezing and shortness of breath; albuterol nebulizer treatment given in clinic",
        ("J45.901",),
        ("94640", "J7613"),  # the treatment and the albuterol inhalation solution the office supplied
        ("excludes1_conflict", "integral_symptom", "drug_administration"),
    ),
    (
        "infectious gastroenteritis with diarrhea after a daycare outbreak",
        ("A09",),
        (),
        ("excludes1_conflict", "integral_symptom"),
    ),
)


@family
def acute_cases(rng: random.Random, i: int) -> dict:
    code, names, symptoms, test = ACUTE[i % len(ACUTE)]
    p, setting = patient(rng), rng.choice(["primary_care", "urgent_care"])
    status, level = rng.choice(["new", "established"]), rng.choice([1, 1, 2])
    em_text, em = office_em(rng, status, level, p, setting)
    test_text = test[0] if test else ""
    text = (
        f"{p.intro().capitalize()} with {rng.choice(symptoms)}. {em_text} Exam and history reviewed. "
        f"{test_text} Assessment: {rng.choice(names)}. Supportive care discussed."
    )
    rules = ["integral_symptom", "em_level"] + (["documented_specificity"] if code in IDENTIFIED else [])
    rules += ["radiology_views"] if test and test[1] in VIEW_COUNT_CODES and "views" in test[0] else []
    # a careless 'pain in throat' R07.0 for a sore throat: R07.0's Excludes1 note sends it to J02.9 (I.A.12.a)
    rules += ["excludes1_coded_elsewhere"] if "sore throat" in text else []
    return fields(text, setting, rules, icd=[code], cpt=[em] + ([test[1]] if test else []))


@family
def chronic_cases(rng: random.Random, i: int) -> dict:
    assessment, codes, lab, rules = CHRONIC[i % len(CHRONIC)]
    p = patient(rng, 40, 84)
    em_text, em = office_em(rng, "established", rng.choice([1, 2, 2, 3]), p, "primary_care")
    text = (
        f"{p.intro().capitalize()} returns for a chronic care visit. {em_text} "
        f"Assessment and plan: {assessment}. {lab[0] if lab else ''} Medications refilled."
    )
    return fields(text, "primary_care", ["em_level", *rules], icd=codes, cpt=[em] + ([lab[1]] if lab else []))


@family
def excludes_cases(rng: random.Random, i: int) -> dict:
    middle, codes, cpt, rules = EXCLUDES[i % len(EXCLUDES)]
    p = patient(rng, 19, 60)
    em_text, em = office_em(rng, "established", 2, p, "urgent_care")
    text = (
        f"{p.intro().capitalize()} seen at urgent care for {middle.format(they=p.they)}. {em_text} "
        f"Plan reviewed with the patient."
    )
    return fields(text, "urgent_care", ["em_level", *rules], icd=codes, cpt=[em, *(c for c in cpt if c.isdigit())],
                  hcpcs=[c for c in cpt if not c.isdigit()])


# (sex, complaint, assessment, gold codes): lower urinary tract symptoms, which a careless coder codes as
# BPH with LUTS (N40.1) whatever the patient's sex (sex_conflict drops it for a woman; a man's BPH stays)
SEXED = (
    ("F", "lower urinary tract symptoms: frequency and urgency for 3 months", "urinary frequency", ("R35.0",)),
    ("F", "lower urinary tract symptoms with nocturia, up three times a night", "nocturia", ("R35.1",)),
    ("F", "lower urinary tract symptoms and leakage when the urge comes", "urge incontinence", ("N39.41",)),
    ("M", "lower urinary tract symptoms: weak stream and nocturia; enlarged, smooth prostate on exam",
     "benign prostatic hyperplasia with lower urinary tract symptoms", ("N40.1",)),
)


@family
def sex_specific_cases(rng: random.Random, i: int) -> dict:
    sex, complaint, assessment, codes = SEXED[i % len(SEXED)]
    p = replace(patient(rng, 45, 82), sex=sex)
    em_text, em = office_em(rng, "established", rng.choice([1, 2]), p, "primary_care")
    text = (f"{p.intro().capitalize()} with {complaint}. {em_text} Exam and history reviewed. "
            f"Assessment: {assessment}.")
    # a man's BPH with LUTS: careless coders add its 'without LUTS' code too (with_without)
    rules = ["sex_conflict", "em_level"] + (["with_without"] if codes == ("N40.1",) else [])
    return fields(text, "primary_care", rules, icd=codes, cpt=[em])


# (complaint, denied findings, assessment, gold codes): a symptom the note denies, which a careless coder codes
# anyway (denied_symptom drops it)
DENIED = (
    ("a cough for five days", "Denies fever or shortness of breath.", "acute bronchitis", ("J20.9",)),
    ("a sore throat and a runny nose", "No fever. Denies ear pain.", "acute upper respiratory infection", ("J06.9",)),
    ("burning with urination", "Denies fever, flank pain or blood in the urine.", "acute cystitis", ("N30.00",)),
    ("a headache behind the eyes for two days", "No nausea or vomiting. No vision changes.", "tension-type headache",
     ("G44.209",)),
)


@family
def denied_cases(rng: random.Random, i: int) -> dict:
    complaint, denials, assessment, codes = DENIED[i % len(DENIED)]
    p = patient(rng, 19, 70)
    em_text, em = office_em(rng, rng.choice(["new", "established"]), 1, p, "urgent_care")
    text = (f"{p.intro().capitalize()} with {complaint}. {denials} {em_text} Exam and history reviewed. "
            f"Assessment: {assessment}.")
    return fields(text, "urgent_care", ["denied_symptom", "em_level"], icd=codes, cpt=[em])


# (setting, complaint, work-up, assessment, gold ICD-10-CM, procedures done here): a diagnosis the note only
# suspects or rules out, which a careless coder codes anyway; the outpatient coder codes the sign or symptom
# (uncertain_diagnosis, Guidelines IV.H)
UNCERTAIN = (
    ("ed", "chest pain for two hours", "ECG: normal sinus rhythm. Troponin negative.",
     "chest pain, r/o acute coronary syndrome; cardiology follow-up arranged", ("R07.9",), ("93010",)),
    ("urgent_care", "cough and fever for three days", "Lungs with scattered rhonchi.",
     "cough and fever, likely viral upper respiratory infection versus early pneumonia", ("R05.9", "R50.9"), ()),
    ("ed", "right lower quadrant abdominal pain since this morning", "Tender at McBurney's point.",
     "RLQ pain, suspected appendicitis; surgery consulted and CT ordered", ("R10.31",), ()),
    ("primary_care", "burning with urination for two days", "Urine culture sent.",
     "dysuria, probable urinary tract infection; await the culture", ("R30.0",), ()),
    ("urgent_care", "right knee pain for two days, no injury", "Knee x-ray, two views: no fracture.",
     "right knee pain, rule out gout versus septic arthritis; referred to orthopedics", ("M25.561",), ("73560",)),
    ("ed", "pleuritic chest pain after a long flight", "CT angiography of the chest: no pulmonary embolism.",
     "pleuritic chest pain; pulmonary embolism ruled out by CTA", ("R07.81",), ("71275",)),
    ("primary_care", "headaches for three weeks, worse in the morning", "Neurologic exam normal.",
     "headache, possible migraine versus tension-type headache; headache diary", ("R51.9",), ()),
    ("urgent_care", "left ear pain since last night", "Left tympanic membrane slightly dull, not bulging.",
     "left ear pain, questionable early otitis media; watchful waiting", ("H92.02",), ()),
)


@family
def uncertain_cases(rng: random.Random, i: int) -> dict:
    setting, complaint, workup, assessment, codes, cpt = UNCERTAIN[i % len(UNCERTAIN)]
    p = patient(rng, 19, 70)
    if setting == "ed":
        em_text, em = ed_em(rng, rng.choice([1, 2]))
        opening = f"{p.intro().capitalize()} seen in the emergency department with {complaint}."
    else:
        em_text, em = office_em(rng, rng.choice(["new", "established"]), rng.choice([1, 2]), p, setting)
        opening = f"{p.intro().capitalize()} with {complaint}."
    text = f"{opening} {em_text} {workup} Assessment: {assessment}."
    rules = ["uncertain_diagnosis", "em_level"] + (["radiology_views"] if "73560" in cpt else [])
    return fields(text, setting, rules, icd=codes, cpt=[em, *cpt])


# (sex or None, history sentence, visit, assessment, gold ICD-10-CM, procedures done here): a condition of the
# patient's past, coded by a careless coder as current; its personal-history code is what is coded (history_of,
# Guidelines I.C.21.c.4, I.C.2.d, I.C.9.e.4)
HISTORY = (
    (None, "Past history: hypertension and hyperlipidemia, h/o MI in 2019.", "Here for blood pressure follow-up.",
     "essential hypertension, controlled; hyperlipidemia", ("I10", "E78.5", "I25.2"), ()),
    ("F", "History of breast cancer, treated in 2015, no evidence of recurrence.",
     "Here for right shoulder pain for two weeks.", "right shoulder pain", ("M25.511", "Z85.3"), ()),
    (None, "Former smoker, quit 10 years ago.", "Here for a cough for five days.", "acute bronchitis",
     ("J20.9", "Z87.891"), ()),
    (None, "Hx of kidney stones.", "Here for burning with urination for two days.", "acute cystitis",
     ("N30.00", "Z87.442"), ()),
    (None, "Prior DVT of the left leg in 2018, off anticoagulation.",
     "Here for a sore throat for three days. Rapid strep test negative.", "viral pharyngitis",
     ("J02.9", "Z86.718"), ("87880",)),
    (None, "History of colon cancer s/p resection in 2016.", "Here for fatigue for a month; labs ordered.",
     "fatigue", ("R53.83", "Z85.038"), ()),
    (None, "History of stroke in 2020 without residual deficits.", "Here for hypertension follow-up.",
     "essential hypertension", ("I10", "Z86.73"), ()),
    ("M", "Prostate cancer treated in 2014, PSA undetectable since.", "Here for left knee pain for a week.",
     "left knee pain", ("M25.562", "Z85.46"), ()),
)


@family
def history_cases(rng: random.Random, i: int) -> dict:
    sex, history, visit, assessment, codes, cpt = HISTORY[i % len(HISTORY)]
    p = patient(rng, 45, 84)
    p = replace(p, sex=sex or p.sex)
    em_text, em = office_em(rng, "established", rng.choice([1, 2]), p, "primary_care")
    text = f"{p.intro().capitalize()}. {history} {visit} {em_text} Assessment: {assessment}."
    return fields(text, "primary_care", ["history_of", "em_level"], icd=codes, cpt=[em, *cpt])


# (complaint, past history line, assessment, gold ICD-10-CM, procedures done here): conditions only in the past
# medical history of a visit about something else, coded by a careless coder (not_addressed, Guidelines IV.J)
UNADDRESSED = (
    ("nasal congestion and facial pressure for 12 days", "PMH: type 2 diabetes on metformin, hypertension, GERD.",
     "acute maxillary sinusitis", ("J01.00",), ()),
    ("a sore throat and fever for two days", "PMH: hypothyroidism, osteoarthritis of both knees.",
     "streptococcal pharyngitis, rapid strep test positive", ("J02.0",), ("87880",)),
    ("burning with urination for two days", "Past medical history: asthma, hyperlipidemia, depression.",
     "acute cystitis", ("N30.00",), ()),
    ("a cough for five days", "PMH: atrial fibrillation on apixaban, hypertension.", "acute bronchitis",
     ("J20.9",), ()),
)


@family
def unaddressed_cases(rng: random.Random, i: int) -> dict:
    complaint, history, assessment, codes, cpt = UNADDRESSED[i % len(UNADDRESSED)]
    p = patient(rng, 30, 80)
    em_text, em = office_em(rng, "established", 1, p, "urgent_care")
    text = f"HPI: {p.intro()} with {complaint}. {history} {em_text} Assessment: {assessment}."
    return fields(text, "urgent_care", ["not_addressed", "em_level"], icd=codes, cpt=[em, *cpt])


# (assessment, gold ICD-10-CM, test done here (sentence, CPT) or None, test not done here): a test ordered for
# later, done before or sent out, billed by a careless coder (not_performed)
LABS_LATER = (
    ("type 2 diabetes with hyperglycemia", ("E11.65",), ("Point-of-care A1c today: 8.6%.", "83036"),
     "BMP and lipid panel ordered for the next visit."),
    ("essential hypertension, controlled", ("I10",), None, "BMP ordered for next week."),
    ("hypothyroidism, stable on levothyroxine", ("E03.9",), None, "TSH drawn last month was normal."),
    ("acute cystitis", ("N30.00",), ("Urine dipstick in clinic: nitrite positive.", "81002"),
     "Urine culture sent to the reference lab."),
)


@family
def labs_later_cases(rng: random.Random, i: int) -> dict:
    assessment, codes, here, later = LABS_LATER[i % len(LABS_LATER)]
    p = patient(rng, 30, 80)
    em_text, em = office_em(rng, "established", 1, p, "primary_care")
    text = f"{p.intro().capitalize()} for follow-up. {em_text} {here[0] if here else ''} {later} Assessment: {assessment}."
    return fields(text, "primary_care", ["not_performed", "em_level"], icd=codes, cpt=[em] + ([here[1]] if here else []))


# (complaint, assessment, the specific code, procedures done here): the unspecified code a careless coder adds
# beside the documented specific one (redundant_unspecified)
REDUNDANT = (
    ("facial pressure and congestion for ten days", "acute maxillary sinusitis", ("J01.00",), ()),
    ("right knee pain for two weeks, no injury", "pain in the right knee", ("M25.561",), ()),
    ("chest pain at rest that resolved, no exertional component", "other chest pain, atypical", ("R07.89",), ()),
    ("left shoulder pain for a month", "pain in the left shoulder", ("M25.512",), ()),
)


@family
def redundant_cases(rng: random.Random, i: int) -> dict:
    complaint, assessment, codes, cpt = REDUNDANT[i % len(REDUNDANT)]
    p = patient(rng, 25, 80)
    em_text, em = office_em(rng, "established", 1, p, "primary_care")
    text = f"{p.intro().capitalize()} with {complaint}. {em_text} Assessment: {assessment}."
    return fields(text, "primary_care", ["redundant_unspecified", "em_level"], icd=codes, cpt=[em, *cpt])


# (the complaint, the weight diagnosis as the assessment words it, its code, BMI range; None for a child's percentile):
# a weight condition with the BMI the note states, and the obesity class it documents (body_mass_index)
WEIGHT = (
    ("a follow-up of blood pressure and weight", "class 2 obesity", "E66.812", (35.0, 39.9)),
    ("weight gain over the past year", "obesity, class 1", "E66.811", (30.0, 34.9)),
    ("a weight-loss follow-up", "obesity, class 3", "E66.813", (40.0, 48.9)),
    ("a weight check after a diet change", "overweight", "E66.3", (25.0, 29.9)),
)


@family
def weight_cases(rng: random.Random, i: int) -> dict:
    complaint, assessment, code, (low, high) = WEIGHT[i % len(WEIGHT)]
    p = patient(rng, 24, 78)
    bmi = round(rng.uniform(low, high), 1)
    em_text, em = office_em(rng, "established", 1, p, "primary_care")
    text = (f"{p.intro().capitalize()} here for {complaint}. {em_text} Weight measured today, BMI {bmi}. "
            f"Assessment: {assessment}, BMI {bmi}; diet and activity plan discussed.")
    return fields(text, "primary_care", ["body_mass_index", "em_level"], icd=[code, adult_bmi_code(bmi)], cpt=[em])
