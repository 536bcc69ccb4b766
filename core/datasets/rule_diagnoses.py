"""Rule training templates for the diagnosis rules the base families do not reach (core.datasets.rule_templates):
the side of a non-injury condition (laterality), the code that says what the note documents
(documented_specificity), a diagnosis the note never names (unsupported_diagnosis), two codes an Excludes1
note forbids together (excludes1_conflict), and a condition an Excludes1 note codes elsewhere
(excludes1_coded_elsewhere). Each returns a `Draft` whose careless answer the rules correct."""

from __future__ import annotations

import random

from core.datasets.rule_draft import ED, LEVELS, Draft, em_sentence, who
from core.rules.bmi import adult_bmi_code

# (unspecified-side code, right, left, complaint phrasings, assessment phrasings); {side} is the side
SIDED = (
    ("M25.519", "M25.511", "M25.512", ("pain in the {side} shoulder for 3 weeks", "{side} shoulder pain since lifting boxes"),
     ("{side} shoulder pain", "pain in {side} shoulder")),
    ("M17.10", "M17.11", "M17.12", ("{side} knee aching with stairs", "stiffness of the {side} knee"),
     ("{side} knee osteoarthritis", "primary osteoarthritis of the {side} knee")),
    ("H66.90", "H66.91", "H66.92", ("{side} ear pain and fever", "tugging at the {side} ear"),
     ("acute otitis media of the {side} ear", "otitis media, {side} ear")),
    ("G56.00", "G56.01", "G56.02", ("numb fingers of the {side} hand at night", "tingling in the {side} hand"),
     ("carpal tunnel syndrome, {side} wrist", "{side} carpal tunnel syndrome")),
    ("H61.20", "H61.21", "H61.22", ("muffled hearing in the {side} ear", "{side} ear fullness"),
     ("impacted cerumen, {side} ear", "{side} ear cerumen impaction")),
    ("M54.30", "M54.31", "M54.32", ("pain shooting down the {side} leg", "{side} buttock pain radiating to the calf"),
     ("sciatica, {side} side", "{side}-sided sciatica")),
)


def laterality(rng: random.Random) -> Draft:
    unspecified, right, left, complaints, assessments = rng.choice(SIDED)
    side = rng.choice(["right", "left"])
    draft = Draft("primary_care").say(f"S: {who(rng)} with {rng.choice(complaints).format(side=side)}.")
    draft.say(f"A: {rng.choice(assessments).format(side=side)}.", ("icd10cm", right if side == "right" else left),
              careless=False)
    draft.careless["icd10cm"].append(unspecified)
    em_sentence(rng, draft, wrong=False)
    return draft


# (careless code, gold code, complaint phrasings, assessment phrasings): the gold is what the note documents
SPECIFIC = (
    ("J02.9", "J02.0", ("sore throat, rapid strep positive", "throat pain and fever; strep test positive"),
     ("streptococcal pharyngitis", "streptococcal pharyngitis, rapid antigen positive")),
    ("L50.9", "L50.0", ("hives after eating shrimp", "itchy welts after a new detergent", "hives after peanuts"),
     ("allergic urticaria", "acute allergic urticaria")),
    ("N18.30", "N18.31", ("kidney function follow-up, eGFR 52", "CKD follow-up, eGFR 48"),
     ("CKD stage 3a", "chronic kidney disease stage 3a")),
    ("N18.30", "N18.32", ("kidney function follow-up, eGFR 38", "CKD follow-up, eGFR 33"),
     ("CKD stage 3b", "chronic kidney disease stage 3b")),
    ("N18.9", "N18.4", ("nephrology follow-up, eGFR 22", "CKD check, eGFR 25"),
     ("CKD stage 4", "chronic kidney disease, stage 4")),
    ("J11.1", "J10.1", ("fever and cough, rapid flu test positive for influenza A", "body aches, flu swab positive, type B"),
     ("influenza A", "influenza B, confirmed by rapid test")),
    ("F32.9", "F32.A", ("low mood and poor sleep", "feeling down for weeks"), ("depression", "depression, stable on sertraline")),
)


def documented_specificity(rng: random.Random) -> Draft:
    careless, gold, complaints, assessments = rng.choice(SPECIFIC)
    draft = Draft("primary_care").say(f"S: {who(rng)}, {rng.choice(complaints)}.")
    if gold == "J10.1":  # the virus type stated in the assessment must agree with the test
        assessment = "influenza A" if "influenza A" in draft.sentences[-1] else "influenza B, confirmed by rapid test"
    else:
        assessment = rng.choice(assessments)
    draft.say(f"A: {assessment}.", ("icd10cm", gold), careless=False)
    draft.careless["icd10cm"].append(careless)
    em_sentence(rng, draft, "established" if "follow-up" in draft.narrative else None, wrong=False)
    return draft


def dog_bite(rng: random.Random) -> Draft:
    """A bite coded as a laceration: the sibling that names the bite (documented_specificity)."""
    side = rng.choice(["right", "left"])
    part, laceration, bite_right, bite_left = rng.choice((("forearm", "S51.81", "S51.851A", "S51.852A"),
                                                          ("hand", "S61.41", "S61.451A", "S61.452A")))
    bite = bite_right if side == "right" else bite_left
    draft = Draft("urgent_care").say(f"S: {who(rng, 5, 70)} bitten by a dog on the {side} {part} an hour ago.",
                                     ("icd10cm", "W54.0XXA"))
    draft.say(f"A: dog bite of {side} {part}.", ("icd10cm", bite), careless=False)
    draft.careless["icd10cm"].append(f"{laceration}{'1' if side == 'right' else '2'}A")
    return draft


# (documented code, assessment phrasings, complaint, undocumented code a careless coder adds beside it)
UNSUPPORTED = (
    ("J20.9", ("acute bronchitis", "bronchitis, acute"), "cough x 5 days", "J03.90"),
    ("N39.0", ("UTI", "urinary tract infection"), "burning with urination", "J02.9"),
    ("H66.91", ("acute otitis media, right", "right AOM, acute otitis media"), "right ear pain", "H60.91"),
    ("H66.92", ("acute otitis media, left", "otitis media of the left ear"), "left ear pain", "H60.92"),
    ("S80.01XA", ("right knee contusion", "contusion of the right knee"), "right knee pain and bruising", "S60.221A"),
    ("S80.02XA", ("left knee contusion", "contusion of the left knee"), "left knee pain and bruising", "S60.222A"),
)


def unsupported_diagnosis(rng: random.Random) -> Draft:
    code, assessments, complaint, extra = rng.choice(UNSUPPORTED)
    draft = Draft("primary_care").say(f"S: {who(rng)}, {complaint}.")
    draft.say(f"A: {rng.choice(assessments)}.", ("icd10cm", code))
    draft.careless["icd10cm"].append(extra)
    em_sentence(rng, draft, wrong=False)
    return draft


# (kept code, complaint, assessment phrasings, the code its Excludes1 note forbids beside it)
EXCLUDES1 = (
    ("J03.90", "sore throat and swollen tonsils", ("acute tonsillitis", "tonsillitis, acute"), "J02.9"),
    ("J01.90", "facial pressure and congestion", ("acute sinusitis", "sinusitis, acute"), "J32.9"),
    ("G44.209", "tension headaches most afternoons", ("tension-type headache", "tension headache"), "R51.9"),
    ("E11.9", "type 2 diabetes follow-up", ("type 2 diabetes; blood sugar elevated today",
                                             "type 2 diabetes, blood sugar elevated at this visit"), "R73.9"),
)


def excludes1(rng: random.Random) -> Draft:
    code, complaint, assessments, excluded = rng.choice(EXCLUDES1)
    draft = Draft("primary_care").say(f"S: {who(rng)}, {complaint}.")
    draft.say(f"A: {rng.choice(assessments)}.", ("icd10cm", code))
    draft.careless["icd10cm"].append(excluded)
    em_sentence(rng, draft, "established" if "follow-up" in draft.narrative else None, wrong=False)
    return draft


# (symptom code, ways the note states the complaint, the work-up that found nothing with the CPT codes it holds:
# the ED physician's own ECG reading is 93010 and a documented x-ray with its views is coded, as in the US set)
NO_DIAGNOSIS = (
    ("R55", ("syncope", "a fainting episode", "a syncopal episode"),
     (("ECG unremarkable", ("93010",)), ("orthostatics and ECG normal", ("93010",)))),
    ("R07.9", ("chest pain", "chest pain since this morning"),
     (("troponin and ECG normal", ("93010",)), ("ECG and chest x-ray, two views, read as normal", ("93010", "71046")))),
    ("R10.9", ("abdominal pain", "abdominal pain since last night"),
     (("labs and lipase normal", ()), ("exam and labs unremarkable", ()))),
    ("R51.9", ("headache", "a headache since noon"), (("neuro exam normal", ()), ("exam nonfocal, vitals normal", ()))),
    ("R42", ("dizziness", "dizziness on standing"), (("orthostatics normal", ()), ("exam and glucose normal", ()))),
)


# (first problem with its code, second problem as the assessment names it, its code): the careless answer codes the
# first and forgets the second (IV.J: every condition the visit addresses is coded)
ASSESSED = (
    (("Essential hypertension - at goal, continue lisinopril", "I10"), "Prediabetes", "R73.03"),
    (("Hyperlipidemia - continue atorvastatin", "E78.5"), "Vitamin D deficiency", "E55.9"),
    (("GERD - continue omeprazole", "K21.9"), "Insomnia", "G47.00"),
    (("Essential hypertension - stable", "I10"), "Hypothyroidism", "E03.9"),
)


def assessed_problem(rng: random.Random) -> Draft:
    """A follow-up whose assessment names two problems; the careless answer codes one: the other is coded."""
    (first, first_code), second, code = rng.choice(ASSESSED)
    draft = Draft("primary_care").say(f"S: {who(rng, 35, 80)}, est pt, here for follow-up of chronic problems.")
    draft.say("A/P:")
    draft.say(f"1. {first}.", ("icd10cm", first_code))
    draft.say(f"2. {second} - reviewed, plan discussed.", ("icd10cm", code), careless=False)
    em_sentence(rng, draft, "established", wrong=False)
    return draft


def reason_for_visit(rng: random.Random) -> Draft:
    """An ED visit whose work-up found no cause: the careless answer has no diagnosis code; the symptom is coded."""
    code, complaints, workups = rng.choice(NO_DIAGNOSIS)
    draft = Draft("ed").say(f"S: {who(rng)} evaluated in the ED for {rng.choice(complaints)}.", ("icd10cm", code))
    draft.careless["icd10cm"].remove(code)
    workup, tests = rng.choice(workups)
    draft.say(f"O: {workup}; cause not determined.", *(("cpt", test) for test in tests))
    level = rng.choice([1, 2, 3])
    draft.say(f"ED course, MDM {LEVELS[level]}. Discharged home.", ("cpt", ED[level]))
    return draft


# (careless code, the code its Excludes1 note names for the condition, complaint, assessment phrasings)
ELSEWHERE = (
    ("R10.9", "N23", "flank pain radiating to the groin", ("renal colic", "renal colic, likely a stone")),
    ("I10", "I27.0", "short of breath on exertion for months", ("primary pulmonary hypertension",
                                                                 "primary pulmonary hypertension, per echo")),
    ("J18.9", "J84.9", "dry cough and breathlessness", ("interstitial pneumonia", "interstitial pneumonia on CT")),
)


def excludes1_elsewhere(rng: random.Random) -> Draft:
    """The careless code's Excludes1 note names the documented condition with its own code (I.A.12.a)."""
    careless, code, complaint, assessments = rng.choice(ELSEWHERE)
    draft = Draft("primary_care").say(f"S: {who(rng)}, {complaint}.")
    draft.say(f"A: {rng.choice(assessments)}.", ("icd10cm", code), careless=False)
    draft.careless["icd10cm"].append(careless)
    em_sentence(rng, draft, wrong=False)
    return draft


# (complaint phrasings, assessment phrasings, gold code): a woman's lower urinary tract symptoms, which a careless
# coder codes as BPH with LUTS (N40.1), a code for male patients (sex_conflict)
LUTS = (
    (("urinary frequency and urgency, lower urinary tract symptoms for months", "LUTS: going every hour, urgent"),
     ("urinary frequency", "frequency of micturition"), "R35.0"),
    (("nocturia x3, lower urinary tract symptoms", "LUTS, waking at night to void"), ("nocturia",), "R35.1"),
)


def sex_conflict(rng: random.Random) -> Draft:
    """A woman's note with a code for men: her lower urinary tract symptoms, or her cervical cancer screening, coded
    as a man's (the prostate's). The screening code names no condition a note must state, so only the sex tells it
    apart; BPH with LUTS (N40.1) for symptoms the note never calls BPH is also undocumented."""
    age = rng.randint(40, 65)
    if rng.random() < 0.5:
        draft = Draft("primary_care").say(f"S: {age} y/o {rng.choice(['F', 'female'])}, here for cervical cancer "
                                          f"screening; no complaints.")
        draft.say("Pap smear collected today.")
        draft.say("A: encounter for screening for malignant neoplasm of cervix.", ("icd10cm", "Z12.4"))
        draft.careless["icd10cm"].append("Z12.5")
        return draft
    complaints, assessments, gold = rng.choice(LUTS)
    draft = Draft("primary_care").say(f"S: {age} y/o {rng.choice(['F', 'female'])}, {rng.choice(complaints)}.")
    draft.say(f"A: {rng.choice(assessments)}.", ("icd10cm", gold))
    draft.careless["icd10cm"].append("N40.1")
    em_sentence(rng, draft, "established", wrong=False)
    return draft


# (complaint phrasings, assessment phrasings, 'with' code, 'without' code): a condition a careless coder codes
# both with and without its feature (with_without drops the 'without' code)
WITH_WITHOUT = (
    (("weak stream, nocturia x2, enlarged prostate on DRE", "LUTS with hesitancy; prostate enlarged and smooth"),
     ("BPH with LUTS", "benign prostatic hyperplasia with lower urinary tract symptoms"), "N40.1", "N40.0"),
)


def with_without(rng: random.Random) -> Draft:
    complaints, assessments, with_code, without_code = rng.choice(WITH_WITHOUT)
    draft = Draft("primary_care").say(f"S: {rng.randint(50, 85)} y/o {rng.choice(['M', 'male'])}, "
                                      f"{rng.choice(complaints)}.")
    draft.say(f"A: {rng.choice(assessments)}.", ("icd10cm", with_code))
    draft.careless["icd10cm"].append(without_code)
    em_sentence(rng, draft, "established", wrong=False)
    return draft


# (complaint phrasings, what the note denies, assessment phrasings, gold code, the denied symptom's code): a
# symptom the note denies, coded anyway by a careless coder (denied_symptom drops it)
DENIED = (
    (("cough x5 days", "productive cough since the weekend"), "No fever.", ("acute bronchitis", "bronchitis, acute"),
     "J20.9", "R50.9"),
    (("dysuria and frequency", "burning on urination"), "No hematuria.", ("acute cystitis", "cystitis without hematuria"),
     "N30.00", "R31.9"),
    (("HA x2 days", "headache since yesterday"), "Denies nausea.", ("tension headache", "tension-type headache"),
     "G44.209", "R11.0"),
)


def denied_symptom(rng: random.Random) -> Draft:
    complaints, denial, assessments, gold, symptom = rng.choice(DENIED)
    draft = Draft("urgent_care").say(f"S: {who(rng)}, {rng.choice(complaints)}. {denial}")
    draft.say(f"A: {rng.choice(assessments)}.", ("icd10cm", gold))
    draft.careless["icd10cm"].append(symptom)
    em_sentence(rng, draft, wrong=False)
    return draft


# (complaint phrasings, work-up, assessment phrasings, the symptom's code, the suspected diagnosis' code): a
# diagnosis the note only suspects, coded by a careless coder in place of its symptom (uncertain_diagnosis, IV.H)
UNCERTAIN = (
    (("substernal chest pain x2h", "chest pain since this morning"), "ECG NSR. Troponin neg.",
     ("chest pain, r/o acute MI", "chest pain, rule out acute myocardial infarction"), "R07.9", "I21.9"),
    (("RLQ pain since last night", "right lower quadrant pain x1 day"), "Tender at McBurney's point.",
     ("RLQ pain, suspected appendicitis; CT ordered", "right lower quadrant pain, possible appendicitis"), "R10.31",
     "K35.80"),
    (("cough x4 days", "dry cough since the weekend"), "Lungs with scattered rhonchi.",
     ("cough, possible pneumonia; CXR ordered", "cough, r/o pneumonia"), "R05.9", "J18.9"),
    (("dysuria x2d", "burning with urination"), "Urine culture sent.",
     ("dysuria, probable UTI; await culture", "dysuria, r/o urinary tract infection"), "R30.0", "N39.0"),
)


def uncertain_diagnosis(rng: random.Random) -> Draft:
    complaints, workup, assessments, symptom, suspected = rng.choice(UNCERTAIN)
    draft = Draft(rng.choice(["urgent_care", "primary_care"])).say(f"S: {who(rng)}, {rng.choice(complaints)}. {workup}")
    draft.say(f"A: {rng.choice(assessments)}.", ("icd10cm", symptom))
    draft.careless["icd10cm"].append(suspected)
    em_sentence(rng, draft, wrong=False)
    return draft


# (history phrasings, complaint, assessment, gold code of the visit, the past condition's code, its history code): a
# condition of the past, coded by a careless coder as current (history_of replaces it by its history code)
PAST = (
    (("h/o MI in 2019", "hx of MI 2018, no chest pain since"), "BP check", "HTN, controlled", "I10", "I21.9", "I25.2"),
    (("former smoker, quit 2010", "ex-smoker, quit 8 yrs ago"), "cough x5 days", "acute bronchitis", "J20.9",
     "F17.210", "Z87.891"),
    (("hx of kidney stones", "h/o nephrolithiasis"), "dysuria x2d", "acute cystitis", "N30.00", "N20.0", "Z87.442"),
    (("h/o breast cancer s/p lumpectomy 2015, no recurrence", "history of breast cancer, treated 2016, NED"),
     "R shoulder pain x2 wks", "right shoulder pain", "M25.511", "C50.919", "Z85.3"),
)


def history_of(rng: random.Random) -> Draft:
    histories, complaint, assessment, gold, current, past = rng.choice(PAST)
    sex = "F" if past == "Z85.3" else rng.choice(["F", "M"])
    draft = Draft("primary_care").say(f"S: {rng.randint(45, 85)} y/o {sex}, {complaint}. PMH: {rng.choice(histories)}.",
                                      ("icd10cm", past), careless=False)
    draft.careless["icd10cm"].append(current)
    draft.say(f"A: {assessment}.", ("icd10cm", gold))
    em_sentence(rng, draft, "established", wrong=False)
    return draft


# (history lines, complaint, assessment, gold code, codes of the history a careless coder adds): conditions named only
# in the past medical history of a visit about something else (not_addressed drops them)
UNADDRESSED = (
    (("PMH: DM2 (metformin), HTN (lisinopril), GERD.", "PMH: type 2 diabetes, hypertension, reflux."),
     "nasal congestion and facial pressure x12 days", "acute maxillary sinusitis", "J01.00", ("E11.9", "I10")),
    (("PMH: hypothyroidism, osteoarthritis of both knees.", "PMH: hypothyroid on levothyroxine; OA knees."),
     "sore throat x2 days, fever", "strep pharyngitis, rapid strep positive", "J02.0", ("E03.9", "M17.0")),
    (("PMH: asthma (mild, no recent use of inhaler), hyperlipidemia.", "PMH: asthma, HLD."),
     "burning with urination x2 days", "acute cystitis", "N30.00", ("J45.909", "E78.5")),
)


def not_addressed(rng: random.Random) -> Draft:
    histories, complaint, assessment, gold, careless = rng.choice(UNADDRESSED)
    draft = Draft("urgent_care").say(f"HPI: {who(rng)}, {complaint}.")
    draft.say(rng.choice(histories))
    draft.say(f"A/P: {assessment}.", ("icd10cm", gold))
    draft.careless["icd10cm"].extend(careless)
    em_sentence(rng, draft, wrong=False)
    return draft


# (complaint, assessment phrasings, the specific code, the unspecified code a careless coder adds beside it)
REDUNDANT = (
    ("facial pressure x10 days", ("acute maxillary sinusitis", "maxillary sinusitis, acute"), "J01.00", "J01.90"),
    ("R knee pain x2 wks, no injury", ("pain in the right knee", "right knee pain"), "M25.561", "M25.569"),
    ("chest pain at rest, resolved", ("other chest pain, atypical", "atypical chest pain, other"), "R07.89", "R07.9"),
)


def redundant_unspecified(rng: random.Random) -> Draft:
    complaint, assessments, specific, unspecified = rng.choice(REDUNDANT)
    draft = Draft("primary_care").say(f"S: {who(rng)}, {complaint}.")
    draft.say(f"A: {rng.choice(assessments)}.", ("icd10cm", specific))
    draft.careless["icd10cm"].append(unspecified)
    em_sentence(rng, draft, wrong=False)
    return draft


# (the class words, its code, BMI range): the obesity class and BMI the note documents, which a careless coder
# codes as obesity, unspecified with no BMI (body_mass_index)
OBESITY = (("class 1 obesity", "E66.811", (30.0, 34.9)), ("obesity, class 2", "E66.812", (35.0, 39.9)),
           ("class 3 obesity", "E66.813", (40.0, 49.9)))


def body_mass_index(rng: random.Random) -> Draft:
    words, code, (low, high) = rng.choice(OBESITY)
    bmi = round(rng.uniform(low, high), 1)
    draft = Draft("primary_care").say(f"S: {who(rng, 25, 75)}, est pt, f/u weight.")
    draft.say(f"O: BMI {bmi}.")
    draft.say(f"A: {words}, BMI {bmi} - diet and activity plan.", ("icd10cm", code), careless=False)
    draft.also(("icd10cm", adult_bmi_code(bmi)))
    draft.careless["icd10cm"].append("E66.9")
    em_sentence(rng, draft, "established", wrong=False)
    return draft


DIAGNOSIS_FAMILIES = (laterality, documented_specificity, dog_bite, unsupported_diagnosis, excludes1,
                      excludes1_elsewhere, reason_for_visit, assessed_problem, sex_conflict, with_without, denied_symptom,
                      uncertain_diagnosis, history_of, not_addressed, redundant_unspecified, body_mass_index)
