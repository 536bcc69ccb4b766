"""Drugs given in the office or ED, vaccines, Medicare wellness and screening services, ambulance runs."""

from __future__ import annotations

import random
from dataclasses import replace

from core.datasets.us_outpatient.common import ed_em, family, fields, office_em, patient

# (assessment, ICD codes, drug sentence, HCPCS, administration CPT, setting, E/M billed)
DRUGS = (
    (
        "acute low back pain",
        ("M54.50",),
        "Ketorolac 60 mg given IM in the right gluteus.",
        "J1885",
        "96372",
        "urgent_care",
        True,
    ),
    (
        "uncomplicated gonococcal urethritis",
        ("A54.01",),
        "Ceftriaxone 500 mg given as an intramuscular injection.",
        "J0696",
        "96372",
        "primary_care",
        True,
    ),
    (
        "vitamin B12 deficiency anemia",
        ("D51.9",),
        "Cyanocobalamin 1000 mcg given IM in the deltoid by the nurse.",
        "J3420",
        "96372",
        "primary_care",
        False,
    ),
    (
        "contraceptive management, Depo-Provera",
        ("Z30.42",),
        "Medroxyprogesterone 150 mg given as an intramuscular injection.",
        "J1050",
        "96372",
        "primary_care",
        False,
    ),
    (
        "poison ivy dermatitis",
        ("L23.7",),
        "Dexamethasone 10 mg given IM.",
        "J1100",
        "96372",
        "urgent_care",
        True,
    ),
    (
        "testicular hypofunction",
        ("E29.1",),
        "Testosterone cypionate 200 mg injected IM by the nurse.",
        "J1071",
        "96372",
        "primary_care",
        False,
    ),
    (
        "viral gastroenteritis with vomiting",
        ("A08.4",),
        "Ondansetron 4 mg given by IV push.",
        "J2405",
        "96374",
        "ed",
        True,
    ),
    (
        "allergic urticaria",
        ("L50.0",),
        "Methylprednisolone 125 mg given by IV push.",
        "J2930",
        "96374",
        "ed",
        True,
    ),
)
VACCINES = (  # (what was given, CPT products, Medicare?, administration codes (CPT, HCPCS))
    ("an influenza vaccine (quadrivalent, preservative free)", ("90686",), False, (("90471",), ())),
    ("a high-dose influenza vaccine", ("90662",), True, ((), ("G0008",))),
    ("a pneumococcal conjugate vaccine (PCV20)", ("90677",), True, ((), ("G0009",))),
    ("a Tdap booster", ("90715",), False, (("90471",), ())),
    ("an influenza vaccine and a Tdap booster", ("90686", "90715"), False, (("90471", "90472"), ())),
    ("the recombinant zoster vaccine, first dose", ("90750",), False, (("90471",), ())),
    (
        "a high-dose influenza vaccine and the PCV20 pneumococcal vaccine",
        ("90662", "90677"),
        True,
        ((), ("G0008", "G0009")),
    ),
)
WELLNESS = (  # (text, ICD, CPT, HCPCS)
    (
        "initial Medicare annual wellness visit with a personalized prevention plan; no new problems found",
        ("Z00.00",),
        (),
        ("G0438",),
    ),
    (
        "subsequent Medicare annual wellness visit; elevated blood pressure noted on exam",
        ("Z00.01",),
        (),
        ("G0439",),
    ),
    (
        "annual depression screening, 15 minutes, with a standardized tool; screen negative",
        ("Z13.31",),
        (),
        ("G0444",),
    ),
    ("annual alcohol misuse screening, 15 minutes; screen negative", ("Z13.39",), (), ("G0442",)),
    ("screening mammogram of both breasts, no symptoms", ("Z12.31",), ("77067",), ()),
    ("screening colonoscopy for an average-risk Medicare beneficiary", ("Z12.11",), (), ("G0121",)),
)
AMBULANCE = (  # (reason, ICD, base code, level text)
    ("chest pain", ("R07.9",), "A0427", "advanced life support emergency transport with cardiac monitoring"),
    ("a syncopal episode", ("R55",), "A0429", "basic life support emergency transport"),
    (  # a fracture the crew only suspects is not coded (Guidelines IV.H): the hip pain is
        "a fall at home with left hip pain, a hip fracture suspected",
        ("M25.552", "W19.XXXA"),
        "A0429",
        "basic life support emergency transport",
    ),
)


# conditions of one sex: the patient drawn is that sex (no other draw, so the other cases stay as they were);
# "59-year-old woman seen for testicular hypofunction" was written until the sex_conflict rule caught it
SEX_OF_ASSESSMENT = {"testicular hypofunction": "M", "contraceptive management, Depo-Provera": "F"}


@family
def drug_cases(rng: random.Random, i: int) -> dict:
    assessment, icd, sentence, drug, admin, setting, with_em = DRUGS[i % len(DRUGS)]
    p = patient(rng, 19, 70)
    p = replace(p, sex=SEX_OF_ASSESSMENT.get(assessment, p.sex))
    if setting == "ed":
        em_text, em = ed_em(rng, 2)
        opening = f"{p.intro().capitalize()} seen in the emergency department for {assessment}."
    else:
        em_text, em = office_em(rng, "established", rng.choice([1, 2]), p, setting)
        opening = f"{p.intro().capitalize()} seen for {assessment}."
    text = f"{opening} {em_text if with_em else 'Nurse visit for the injection.'} {sentence} Tolerated well."
    rules = ["drug_administration"] + (["em_level"] if with_em else [])
    if setting == "ed":  # the hospital bills the drug and its administration, not the ED physician's claim
        return fields(text, setting, rules, icd=icd, cpt=[em])
    return fields(text, setting, rules, icd=icd, cpt=([em] if with_em else []) + [admin], hcpcs=[drug])


@family
def vaccine_cases(rng: random.Random, i: int) -> dict:
    given, products, medicare, (admin_cpt, admin_hcpcs) = VACCINES[i % len(VACCINES)]
    p = patient(rng, 66, 88) if medicare else patient(rng, 19, 64)
    coverage = "Medicare beneficiary" if medicare else "commercially insured"
    text = (
        f"{p.intro().capitalize()}, {coverage}, comes in for a nurse visit to receive {given}. "
        f"Screening questions reviewed, no contraindications. Vaccine given in the {rng.choice(['left', 'right'])} "
        f"deltoid; lot number and VIS documented."
    )
    return fields(
        text,
        "primary_care",
        ["vaccine_administration"],
        icd=["Z23"],
        cpt=[*products, *admin_cpt],
        hcpcs=admin_hcpcs,
    )


@family
def wellness_cases(rng: random.Random, i: int) -> dict:
    text_, icd, cpt, hcpcs = WELLNESS[i % len(WELLNESS)]
    p = patient(rng, 66, 85)
    text = f"{p.intro().capitalize()}, Medicare beneficiary. Visit for {text_}. Preventive services reviewed."
    return fields(text, "primary_care", ["preventive_services"], icd=icd, cpt=cpt, hcpcs=hcpcs)


@family
def ambulance_cases(rng: random.Random, i: int) -> dict:
    reason, icd, base, level = AMBULANCE[i % len(AMBULANCE)]
    p, miles = patient(rng, 55, 92), rng.randint(3, 24)
    text = (
        f"Ambulance run report: {p.intro()} transported to the emergency department for {reason}. "
        f"Service: {level}. Loaded mileage {miles} statute miles."
    )
    rules = ["ambulance_transport"] + (["external_cause", "uncertain_diagnosis"] if len(icd) > 1 else [])
    return fields(text, "ed", rules, icd=icd, hcpcs=[base, "A0425"])


ED_FINDINGS = (
    ("chest pain; troponin and ECG normal, cause not determined", ("R07.9",), ("93010",)),
    ("headache without a determined cause; neurologic exam normal", ("R51.9",), ()),
    (
        "abdominal pain, cause not determined; CT of the abdomen and pelvis with contrast normal",
        ("R10.9",),
        ("74177",),
    ),
    ("syncope; ECG unremarkable", ("R55",), ("93010",)),
)


@family
def ed_visit_cases(rng: random.Random, i: int) -> dict:
    """ED visits where the symptom is the diagnosis (no definitive cause found: nothing else is documented) and
    the level comes from MDM."""
    text_, icd, cpt = ED_FINDINGS[i % len(ED_FINDINGS)]
    p = patient(rng, 19, 80)
    em_text, em = ed_em(rng, rng.choice([1, 2, 3]))
    text = f"{p.intro().capitalize()} evaluated in the ED for {text_}. {em_text} Discharged home."
    return fields(text, "ed", ["em_level", "unsupported_diagnosis", "reason_for_visit"], icd=icd, cpt=[em, *cpt])


# (complaint, work-up sentence, assessment, gold ICD-10-CM, gold CPT besides the visit): the ED physician's claim
# holds the professional work only (ed_professional): no hospital lab test, no imaging radiology read, the ECG as
# its interpretation 93010
ED_PROFESSIONAL = (
    ("palpitations since this morning", "ECG (my interpretation): sinus rhythm 88, no ST changes. CBC and BMP normal.",
     "palpitations, resolved", ("R00.2",), ("93010",)),
    ("right lower quadrant pain for a day", "WBC 9.1, lipase normal, urinalysis negative. CT abdomen and pelvis with "
     "contrast (radiology): normal appendix.", "right lower quadrant abdominal pain", ("R10.31",), ()),
    ("fever and cough for three days", "Chest x-ray per radiology: left lower lobe infiltrate. Rapid flu and COVID "
     "swabs negative.", "pneumonia of the left lower lobe", ("J18.9",), ()),
    ("a fall onto the left wrist", "Wrist x-ray, three views (read by radiology): no fracture. Hemoglobin 13.",
     "sprain of the left wrist", ("S63.502A", "W19.XXXA"), ()),
    ("chest pain at rest, now resolved", "EKG interpreted by me: normal sinus rhythm, no ischemic changes. Troponin "
     "x2 negative. Chest x-ray per radiology: clear.", "chest pain, unspecified", ("R07.9",), ("93010",)),
    ("burning with urination and left flank pain", "Urinalysis: nitrite positive, many WBC. Urine culture sent. CT "
     "of the abdomen and pelvis without contrast, radiology read: no stone.", "acute pyelonephritis",
     ("N10",), ()),
    ("headache and vomiting since yesterday", "CT head without contrast per the radiologist: no bleed. BMP normal. "
     "Pregnancy test negative.", "migraine without aura, not intractable", ("G43.009",), ()),
    ("lightheadedness on standing", "ECG: sinus bradycardia 54, no acute changes (my read). Glucose 96, CBC normal.",
     "orthostatic hypotension", ("I95.1",), ("93010",)),
)


@family
def ed_professional_cases(rng: random.Random, i: int) -> dict:
    """ED notes whose work-up the hospital bills: labs, imaging radiology read; the ECG the physician read."""
    complaint, workup, assessment, icd, cpt = ED_PROFESSIONAL[i % len(ED_PROFESSIONAL)]
    p = patient(rng, 19, 84)
    em_text, em = ed_em(rng, rng.choice([1, 2]))
    text = f"ED Provider Note. {p.intro().capitalize()} with {complaint}. {workup} {em_text} Assessment: {assessment}."
    return fields(text, "ed", ["ed_professional", "em_level"], icd=icd, cpt=[em, *cpt])


# (patient's age in years, new patient?, findings sentence, gold ICD-10-CM): well visits (preventive_visit)
WELL_VISITS = (  # ((youngest, oldest), new patient?, findings, gold ICD-10-CM)
    ((2, 4), False, "Growth and development on track; exam normal.", ("Z00.129",)),
    ((12, 16), False, "Sports and school counseling; exam normal.", ("Z00.129",)),
    ((22, 38), True, "Exam normal; diet and exercise counseling.", ("Z00.00",)),
    ((41, 63), False, "Exam normal; screening labs reviewed, all normal.", ("Z00.00",)),
)


@family
def well_visit_cases(rng: random.Random, i: int) -> dict:
    (low, high), new, findings, icd = WELL_VISITS[i % len(WELL_VISITS)]
    p = patient(rng, low, high)
    age = p.age
    status = "New patient establishing care" if new else "Established patient"
    text = f"Annual physical. {p.intro().capitalize()}. {status}. {findings} Assessment: well visit, healthy."
    band = next(b for b in ((65, "99387", "99397"), (40, "99386", "99396"), (18, "99385", "99395"),
                            (12, "99384", "99394"), (5, "99383", "99393"), (1, "99382", "99392")) if age >= b[0])
    return fields(text, "primary_care", ["preventive_visit"], icd=icd, cpt=[band[1] if new else band[2]])


# (how the physician states the longitudinal relationship, the chronic condition, its code, the same-day injection
# that puts modifier 25 on the visit, or None): Medicare visits of longitudinal care (visit_complexity)
LONGITUDINAL_VISITS = (
    ("I am {their} primary care physician", "hypertension, controlled on amlodipine", "I10", None),
    ("I have been {their} PCP for many years", "hypothyroidism, stable; continue levothyroxine", "E03.9", None),
    ("I manage {their} heart failure", "chronic diastolic heart failure, compensated", "I50.32", None),
    ("I am {their} PCP", "vitamin B12 deficiency; cyanocobalamin 1000 mcg IM given today", "E53.8", ("96372", "J3420")),
)


@family
def longitudinal_cases(rng: random.Random, i: int) -> dict:
    relation, assessment, icd, injection = LONGITUDINAL_VISITS[i % len(LONGITUDINAL_VISITS)]
    p = patient(rng, 66, 90)
    em_text, em = office_em(rng, "established", 1, p, "primary_care")
    text = f"{p.intro().capitalize()}, a Medicare beneficiary, for a chronic care visit; {relation.format(their=p.their)}. {em_text} Assessment: {assessment}."
    cpt, hcpcs = ([em, injection[0]], [injection[1]]) if injection else ([em], ["G2211"])
    return fields(text, "primary_care", ["visit_complexity", "em_level"] + (["drug_administration"] if injection else []),
                  icd=[icd], cpt=cpt, hcpcs=hcpcs)


# procedures the note documents (seventeenth session): (setting, the note's words after the intro, rules, ICD-10-CM,
# CPT, E/M status and level or None for a procedure's own visit)
PROCEDURE_VISITS = (
    ("primary_care", "here for a skin check. Exam: 7 gritty scaly papules of the scalp and forearms. Procedure: "
     "cryodestruction of 7 actinic keratoses with liquid nitrogen, 2 freeze-thaw cycles each. Assessment: actinic "
     "keratoses x7, destroyed.", ["lesion_destruction"], ["L57.0"], ["17000", "17003"], None),
    ("primary_care", "with warts of the right hand. Procedure: cryotherapy with liquid nitrogen to 3 common warts of "
     "the right hand. Assessment: common warts, destroyed.", ["lesion_destruction"], ["B07.8"], ["17110"], None),
    ("urgent_care", "cut the left forearm with a kitchen knife an hour ago. Exam: 4.5 cm laceration of the left "
     "forearm, no foreign body. Procedure: irrigated and closed with simple interrupted 4-0 nylon sutures, single "
     "layer. Assessment: laceration of the left forearm.", ["wound_repair", "external_cause"],
     ["S51.812A", "W26.0XXA"], ["12002"], None),
    ("urgent_care", "tripped on a rug and fell an hour ago, striking the forehead on the floor. Exam: 3.2 cm laceration of the forehead. "
     "Procedure: closed with tissue adhesive (Dermabond). Assessment: laceration of the forehead.",
     ["wound_repair", "external_cause"], ["S01.81XA", "W01.0XXA"], ["12013"], None),
    ("orthopedics", "fell stepping off a sidewalk curb two days ago, twisting the right foot. X-ray reviewed from the urgent care. "
     "Assessment: closed nondisplaced fracture of the fifth metatarsal bone, right foot. Plan: closed treatment "
     "without manipulation, which I will manage; walking boot from the urgent care, continue it.",
     ["fracture_care", "external_cause", "em_level"], ["S92.354A", "W10.1XXA"], ["28470"], ("new", 1)),
    ("primary_care", "with the left ear plugged for two weeks. Exam: left canal occluded by hard cerumen. Procedure: "
     "left ear cerumen removed with curette under direct visualization. Assessment: impacted cerumen, left ear.",
     ["office_procedure"], ["H61.22"], ["69210"], None),
    ("urgent_care", "felt metal fly into the right eye while grinding. Slit lamp: superficial metallic corneal foreign "
     "body. Procedure: foreign body removed at the slit lamp with a 25G needle. Assessment: foreign body in the cornea "
     "of the right eye.", ["office_procedure"], ["T15.01XA"], ["65222"], None),
    ("urgent_care", "with a nosebleed from the left nostril for an hour. Procedure: silver nitrate cautery of the "
     "bleeding vessel on the left anterior septum, bleeding stopped. Assessment: epistaxis.", ["office_procedure"],
     ["R04.0"], ["30901"], None),
)


@family
def procedure_cases(rng: random.Random, i: int) -> dict:
    setting, words, rules, icd, cpt, em = PROCEDURE_VISITS[i % len(PROCEDURE_VISITS)]
    p = patient(rng)
    text = f"{p.intro().capitalize()} {words}"
    if em:
        em_text, code = office_em(rng, em[0], em[1], p, setting)
        text, cpt = f"{text} {em_text}", [*cpt, code]
    return fields(text, setting, rules, icd=icd, cpt=cpt)


# time-based counseling (eighteenth session): (the note's words after the intro, ICD-10-CM, the counseling's CPT)
COUNSELING_VISITS = (
    ("for a hypertension follow-up; blood pressure is at goal on lisinopril. Smokes a pack of cigarettes a day. "
     "Counseled 8 minutes today on quitting: quit date set, nicotine patch started. Assessment: essential "
     "hypertension; nicotine dependence, cigarettes.", ["I10", "F17.210"], "99406"),
    ("for a hypertension follow-up; blood pressure is at goal on lisinopril. Advance care planning (voluntary): 20 "
     "minutes face to face on goals of care and naming a health care agent. Assessment: essential hypertension.",
     ["I10"], "99497"),
)


@family
def counseling_cases(rng: random.Random, i: int) -> dict:
    words, icd, code = COUNSELING_VISITS[i % len(COUNSELING_VISITS)]
    p = patient(rng)
    em_text, em = office_em(rng, "established", 1, p, "primary_care")
    return fields(f"{p.intro().capitalize()} {words} {em_text}", "primary_care", ["timed_counseling", "em_level"],
                  icd=icd, cpt=[code, em])
