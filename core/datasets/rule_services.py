"""Rule training templates for the procedure and HCPCS rules (core.datasets.rule_templates): a drug given here
billed as its J-code in units with its administration (drug_administration), Medicare's vaccine administration
G-codes and the vaccines a note names (vaccine_administration), preventive services (preventive_services), ground
ambulance runs (ambulance_transport), DME and orthoses handed over (dme_supplied) and x-ray codes by the number
of views (radiology_views). Several families have negative variants: a mention the rule must leave uncoded
(a drug prescribed, not given; a brace recommended; a colonoscopy only ordered; an ED note's "arrived by
ambulance"), noted in the reasoning's 'Not coded' line, with what a careless coder would code for it."""

from __future__ import annotations

import math
import random

from core.datasets.cases import units_why
from core.datasets.rule_draft import ED, LEVELS, Draft, em_sentence, who

# (names a note uses, doses, amount one unit stands for, unit, "up to" unit, J-code, diagnosis phrasings, ICD code)
DRUG_SUPPLIES = (
    (("ketorolac", "Toradol"), (15, 30, 60), 15, "mg", False, "J1885", ("low back pain", "acute low back pain"),
     "M54.50"),
    (("ceftriaxone", "Rocephin"), (250, 500), 250, "mg", False, "J0696",
     ("acute otitis media of the left ear", "otitis media, left ear"), "H66.92"),
    (("ondansetron", "Zofran"), (4, 8), 1, "mg", False, "J2405", ("viral gastroenteritis", "acute viral gastroenteritis"),
     "A08.4"),
    (("dexamethasone", "Decadron"), (4, 8, 10), 1, "mg", False, "J1100", ("asthma exacerbation",
                                                                          "acute asthma exacerbation"), "J45.901"),
    (("promethazine", "Phenergan"), (12.5, 25), 50, "mg", True, "J2550", ("migraine", "migraine headache"), "G43.909"),
    (("triamcinolone", "Kenalog"), (40, 60, 80), 10, "mg", False, "J3301", ("low back pain",), "M54.50"),
    (("medroxyprogesterone", "Depo-Provera"), (150,), 1, "mg", False, "J1050", ("contraception management",),
     "Z30.42"),
)
IM_PHRASES = ("P: {drug} {dose} IM given.", "P: {drug} {dose} administered intramuscularly in clinic.",
              "P: gave {drug} {dose} IM x1.", "P: {drug} {dose} injected IM in the deltoid.")
PUSH_PHRASES = ("P: {drug} {dose} IV push given.", "P: {drug} {dose} given by slow IV push.")
ROUTE_CODES = {"IM": "96372", "push": "96374"}


def _amount(dose: float, unit: str) -> str:
    return f"{dose:g} {unit}"


def drug_supply(rng: random.Random) -> Draft:
    """A drug the note says was given: its J-code in units of the descriptor's dose, and the administration."""
    names, doses, per, unit, up_to, code, assessments, icd = rng.choice(DRUG_SUPPLIES)
    drug, dose = rng.choice(names), rng.choice(doses)
    route = "push" if code in ("J2405", "J1100") and rng.random() < 0.5 else "IM"
    units = 1 if up_to else max(1, math.ceil(dose / per - 1e-9))
    draft = Draft("urgent_care").say(f"S: {who(rng)}, seen today.")
    draft.say(f"A: {rng.choice(assessments)}.", ("icd10cm", icd))
    basis = f"up to {per:g} {unit}" if up_to else f"{_amount(dose, unit)}, {per:g} {unit}/unit"
    draft.say(rng.choice(PUSH_PHRASES if route == "push" else IM_PHRASES).format(drug=drug, dose=_amount(dose, unit)),
              ("hcpcs", code), why=units_why(units, basis), careless=False)
    draft.also(("cpt", ROUTE_CODES[route]))
    if rng.random() < 0.3:
        draft.careless["cpt"].append(ROUTE_CODES[route])  # the administration coded, the drug supply forgotten
    draft.meta["units"] = {code: units}
    return draft


NOT_GIVEN = (  # (sentence, why not coded, what a careless coder adds)
    ("P: Rx ketorolac 10 mg PO q6h prn pain.", "prescribed by mouth, not given here: no J-code",
     (("hcpcs", "J1885"), ("cpt", "96372"))),
    ("P: ondansetron 4 mg ODT given in clinic.", "an oral dissolving tablet, not the injection J2405: no J-code",
     (("hcpcs", "J2405"), ("cpt", "96374"))),
    ("P: dexamethasone 10 mg PO given once.", "given by mouth: the injection J1100 and its administration are not "
     "coded", (("hcpcs", "J1100"), ("cpt", "96372"))),
    ("P: continue ceftriaxone at the infusion center tomorrow.", "a plan for another day, not given here: no J-code",
     (("hcpcs", "J0696"),)),
)


def drug_not_given(rng: random.Random) -> Draft:
    """Negative variant: a drug prescribed, oral or planned gets no J-code and no administration code."""
    sentence, why, careless = rng.choice(NOT_GIVEN)
    draft = Draft("urgent_care").say(f"S: {who(rng)}, follow-up visit.")
    draft.say(f"A: {rng.choice(('hypertension', 'essential hypertension'))}.", ("icd10cm", "I10"))
    draft.skip(sentence, why, *careless, rule="drug_administration")
    em_sentence(rng, draft, "established", wrong=False)
    return draft


MEDICARE_WORDS = ("Medicare", "Medicare Part B", "insurance: Medicare", "Medicare beneficiary")
# (kind, how a note names it, CPT product)
VACCINE_PRODUCTS = (
    ("flu", "flu shot (IIV4, quadrivalent preservative-free)", "90686"), ("flu", "Fluzone High-Dose influenza vaccine", "90662"),
    ("pneumococcal", "Prevnar 20 (PCV20)", "90677"), ("pneumococcal", "Pneumovax 23 pneumococcal vaccine", "90732"),
    ("hepatitis_b", "Heplisav-B hepatitis B vaccine, dose 1", "90739"),
)
OTHER_VACCINES = (("Tdap", "90715"), ("Shingrix dose 2", "90750"))
G_CODES = {"flu": "G0008", "pneumococcal": "G0009", "hepatitis_b": "G0010"}


def medicare_vaccine(rng: random.Random) -> Draft:
    """Medicare pays flu, pneumococcal and hepatitis B administration by G0008/G0009/G0010, not 90471/90472."""
    first = rng.choice(VACCINE_PRODUCTS)
    given = [first]
    second = rng.choice([p for p in VACCINE_PRODUCTS if p[0] != first[0]] + [None])
    if second and rng.random() < 0.5:
        given.append(second)
    other = rng.choice(OTHER_VACCINES) if rng.random() < 0.3 else None
    names = [text for _, text, _ in given] + ([other[0]] if other else [])
    draft = Draft("primary_care").say(f"Nurse visit, {who(rng, 65, 90)}, {rng.choice(MEDICARE_WORDS)}.")
    draft.say(f"{' and '.join(names)} given IM, VIS reviewed.", *(("cpt", code) for _, _, code in given))
    if other:
        draft.evidence.append((draft.sentences[-1].rstrip("."), "cpt", other[1], ""))
        draft.careless["cpt"].append(other[1])
    draft.also(("icd10cm", "Z23"), *(("hcpcs", G_CODES[kind]) for kind, _, _ in given))
    if other:
        draft.also(("cpt", "90471"))
    if rng.random() < 0.6:  # the careless coder bills the CPT administration codes
        draft.careless["icd10cm"].append("Z23")
        draft.careless["cpt"] += ["90471", "90472"][:len(names)]
    return draft


def vaccine_documented(rng: random.Random) -> Draft:
    """The product codes and diagnoses of the vaccines the note names: a product of a vaccine never named, a
    second product of a named one, or the disease a vaccine prevents, is dropped; Z23 without a vaccine too."""
    variant = rng.choice(("unnamed", "neighbour", "disease", "no_vaccine"))
    if variant == "no_vaccine":
        draft = Draft("primary_care").say(f"S: {who(rng)}, blood pressure check.")
        draft.say(f"A: {rng.choice(('hypertension', 'essential hypertension, controlled'))}.", ("icd10cm", "I10"))
        draft.careless["icd10cm"].append("Z23")
        em_sentence(rng, draft, "established", wrong=False)
        return draft
    draft = Draft("primary_care")
    if variant == "neighbour":
        draft.say(f"Nurse visit, {who(rng, 50, 64)}: Fluzone High-Dose influenza vaccine given IM.", ("cpt", "90662"))
        draft.careless["cpt"].append("90686")
    else:
        draft.say(f"Nurse visit, {who(rng, 20, 64)}: {rng.choice(('flu shot', 'influenza vaccine', 'flu vaccine'))} "
                  "(IIV4, quadrivalent preservative-free) given IM.", ("cpt", "90686"))
        draft.careless["cpt"].append("90715" if variant == "unnamed" else "90750")
        if variant == "disease":
            draft.careless["cpt"].remove("90750")
            draft.careless["icd10cm"].append("J11.1")
    draft.also(("cpt", "90471"), ("icd10cm", "Z23"))
    draft.careless["cpt"].append("90471")
    draft.careless["icd10cm"].append("Z23")
    return draft


def vaccine_declined(rng: random.Random) -> Draft:
    """Negative variant: a vaccine offered and declined is not coded (no product, administration or Z23)."""
    draft = Draft("primary_care").say(f"S: {who(rng, 30, 80)}, follow-up of hyperlipidemia.")
    draft.say("A: hyperlipidemia.", ("icd10cm", "E78.5"))
    vaccine, code = rng.choice((("Flu vaccine", "90686"), ("Tdap booster", "90715"), ("Shingrix", "90750")))
    draft.skip(f"{vaccine} offered; patient declined.", "declined: nothing was given, no vaccine codes",
               ("cpt", code), ("cpt", "90471"), ("icd10cm", "Z23"), rule="vaccine_administration")
    em_sentence(rng, draft, "established", wrong=False)
    return draft


def preventive(rng: random.Random) -> Draft:
    """Medicare's preventive G-codes, the encounter's screening Z code, a negative screen's condition dropped."""
    variant = rng.choice(("awv", "awv", "ippe", "colonoscopy", "sigmoidoscopy", "mammogram", "depression",
                          "alcohol", "no_instrument"))
    medicare = rng.choice(MEDICARE_WORDS)
    if variant == "awv":
        initial = rng.random() < 0.5
        draft = Draft("primary_care").say(f"{who(rng, 66, 90)}, {medicare}, here for the "
                                          f"{'initial' if initial else 'subsequent'} annual wellness visit.",
                                          ("hcpcs", "G0438" if initial else "G0439"), careless=False)
        draft.also(("icd10cm", "Z00.00"))
        if rng.random() < 0.5:
            draft.say(f"Depression screening done, {rng.choice(('PHQ-9 score 2', 'PHQ-2 score 0'))}, negative.",
                      ("hcpcs", "G0444"), careless=False).also(("icd10cm", "Z13.31"))
            draft.careless["cpt"].append("96127")
            draft.careless["icd10cm"].append("F32.A")
        return draft
    if variant == "ippe":
        draft = Draft("primary_care").say(f"{who(rng, 65, 66)}, {medicare}: "
                                          f"{rng.choice(('Welcome to Medicare visit (IPPE)', 'initial preventive physical exam'))} completed.",
                                          ("hcpcs", "G0402"), careless=False)
        return draft.also(("icd10cm", "Z00.00"))
    if variant in ("colonoscopy", "sigmoidoscopy"):
        high = variant == "colonoscopy" and rng.random() < 0.4
        draft = Draft("gastroenterology").say(f"{who(rng, 60, 80)}, {medicare}.")
        if high:
            draft.say("High risk: family history of colon cancer (father, age 58).", ("icd10cm", "Z80.0"))
        name = "screening colonoscopy" if variant == "colonoscopy" else "screening flexible sigmoidoscopy"
        code = "G0105" if high else "G0121" if variant == "colonoscopy" else "G0104"
        draft.say(f"Procedure: {name}; no polyps seen.", ("hcpcs", code), careless=False).also(("icd10cm", "Z12.11"))
        draft.careless["cpt"].append("45378" if variant == "colonoscopy" else "45330")
        return draft
    if variant == "mammogram":
        draft = Draft("radiology").say(f"{who(rng, 40, 74)}, {rng.choice(('commercial insurance', medicare, 'Medicaid'))}.")
        draft.say(f"{rng.choice(('Bilateral screening mammogram', 'Screening mammography', 'Mammogram for routine screening'))}: "
                  "BI-RADS 1.", ("cpt", "77067"), careless=False).also(("icd10cm", "Z12.31"))
        return draft
    if variant == "depression":
        draft = Draft("primary_care").say(f"{who(rng, 18, 64)}, commercial insurance.")
        draft.say(f"Depression screening done, {rng.choice(('PHQ-9 score 3', 'PHQ-2 score 1'))}, negative.",
                  ("cpt", "96127"), careless=True).also(("icd10cm", "Z13.31"))
        draft.careless["icd10cm"].append("F32.A")
        return draft
    if variant == "alcohol":
        draft = Draft("primary_care").say(f"{who(rng, 65, 85)}, {medicare}.")
        draft.say("Alcohol misuse screening done, AUDIT-C negative.", ("hcpcs", "G0442"), careless=False)
        draft.also(("icd10cm", "Z13.39"))
        draft.careless["icd10cm"].append("F10.10")
        return draft
    draft = Draft("primary_care").say(f"S: {who(rng)}, blood pressure recheck.")
    draft.say("A: hypertension.", ("icd10cm", "I10"))
    em_sentence(rng, draft, "established", wrong=False)
    draft.careless["cpt"].append("96127")
    return draft


def screening_not_done(rng: random.Random) -> Draft:
    """Negative variant: a screening that is due, ordered or declined is not billed."""
    draft = Draft("primary_care").say(f"S: {who(rng, 66, 80)}, {rng.choice(MEDICARE_WORDS)}, diabetes visit.")
    draft.say("A: type 2 diabetes without complications.", ("icd10cm", "E11.9"))
    sentence, code, z = rng.choice((("Screening colonoscopy is due; referral placed.", "G0121", "Z12.11"),
                                    ("Screening mammogram ordered for next month.", "77067", "Z12.31"),
                                    ("Annual wellness visit declined today.", "G0439", "Z00.00")))
    draft.skip(sentence, "due, ordered or declined, not done at this visit: not billed",
               ("cpt" if code[0].isdigit() else "hcpcs", code), ("icd10cm", z), rule="preventive_services")
    em_sentence(rng, draft, "established", wrong=False)
    return draft


# (level text, base code, diagnosis sentence, ICD code)
AMBULANCE_LEVELS = (
    ("BLS emergency response (911)", "A0429"), ("basic life support, emergency transport", "A0429"),
    ("ALS emergency, lights and sirens", "A0427"), ("advanced life support, emergency response", "A0427"),
    ("non-emergency BLS transport", "A0428"), ("ALS non-emergency transfer", "A0426"),
    ("ALS level 2: intubation and manual defibrillation", "A0433"), ("specialty care transport between hospitals", "A0434"),
)
AMBULANCE_REASONS = (("chest pain", "R07.9"), ("syncope", "R55"), ("shortness of breath", "R06.02"))
AMBULANCE_HEADERS = ("Ambulance run report", "EMS patient care report", "Ground ambulance transport record")


def ambulance(rng: random.Random) -> Draft:
    """A ground run: the base code of the documented level and the loaded mileage A0425; no CPT codes."""
    level, base = rng.choice(AMBULANCE_LEVELS)
    reason, icd = rng.choice(AMBULANCE_REASONS)
    miles = rng.randint(3, 40)
    draft = Draft("ambulance").say(f"{rng.choice(AMBULANCE_HEADERS)}: {level}.", ("hcpcs", base), careless=False)
    draft.say(f"{who(rng, 30, 95)} with {reason}; monitored en route.", ("icd10cm", icd))
    draft.say(rng.choice((f"Loaded mileage {miles} statute miles.", f"{miles} loaded miles.", f"Patient miles: {miles}.")),
              ("hcpcs", "A0425"), why=units_why(miles, "1 per loaded mile"), careless=False)
    wrong = rng.random()
    if wrong < 0.35:
        draft.careless["hcpcs"].append(rng.choice([c for _, c in AMBULANCE_LEVELS if c != base]))
    elif wrong < 0.7:
        draft.careless["cpt"].append(rng.choice(("93000", "99283", "36000")))
    draft.meta["units"] = {"A0425": miles}
    return draft


def arrived_by_ambulance(rng: random.Random) -> Draft:
    """Negative variant: the ED's note of a patient who came by ambulance is no transport record."""
    draft = Draft("ed").say(f"S: {who(rng, 40, 90)} arrived by ambulance with chest pain.")
    draft.say("A: chest pain, unspecified.", ("icd10cm", "R07.9"))
    level = rng.choice([1, 2, 3])
    draft.say(f"ED course, MDM {LEVELS[level]}.", ("cpt", ED[level]), careless=False)
    draft.careless["cpt"].append(ED[level - 1])
    draft.skip("EMS brought her in from home.", "the ambulance supplier bills the transport, not the ED: no A-codes",
               ("hcpcs", "A0429"), rule="ambulance_transport")
    return draft


# (complaint by side, condition by side, ICD by side, item phrasings, item codes)
DME = (
    ("{side} ankle pain and swelling after a twist", "{side} ankle sprain", ("S93.401A", "S93.402A"), ("crutches", "an ankle brace", "an Aircast stirrup brace",
                                                        "a walking boot"), ("E0114", "L1906", "L4350", "L4387")),
    ("{side} knee pain and swelling", "{side} knee sprain", ("S83.91XA", "S83.92XA"), ("a knee immobilizer", "crutches", "forearm crutches"),
     ("L1830", "E0114", "E0110")),
    ("{side} collarbone pain", "{side} clavicle fx", ("S42.001A", "S42.002A"), ("a figure-of-eight clavicle brace", "an arm sling"),
     ("L3650", "A4565")),
    ("{side} knee pain with walking", "{side} knee osteoarthritis", ("M17.11", "M17.12"), ("a cane", "a quad cane", "a rolling walker", "a walker"),
     ("E0100", "E0105", "E0143", "E0135")),
    ("numb fingers of the {side} hand at night", "carpal tunnel syndrome, {side} wrist", ("G56.01", "G56.02"), ("a cock-up wrist splint",), ("L3908",)),
)
GIVE_PHRASES = ("P: {item} dispensed.", "P: fitted with {item}.", "P: {item} provided and fitted.",
                "P: patient sent home with {item}.", "P: {item} issued in clinic.")


def dme(rng: random.Random) -> Draft:
    """DME and orthoses the note says were handed over are billed by their HCPCS codes."""
    complaint, condition, codes, items, item_codes = rng.choice(DME)
    side = rng.choice(["right", "left"])
    index = rng.randrange(len(items))
    draft = Draft("urgent_care").say(f"S: {who(rng, 15, 85)}, {complaint.format(side=side)}.")
    draft.say(f"A: {condition.format(side=side)}.", ("icd10cm", codes[0 if side == "right" else 1]))
    draft.say(rng.choice(GIVE_PHRASES).format(item=items[index]), ("hcpcs", item_codes[index]), careless=False)
    return draft


NOT_SUPPLIED = (
    ("P: crutches recommended; patient declined.", (("hcpcs", "E0114"),)),
    ("P: will order a rolling walker through the DME supplier.", (("hcpcs", "E0143"),)),
    ("P: knee brace recommended if pain persists.", (("hcpcs", "L1830"),)),
)


def dme_not_supplied(rng: random.Random) -> Draft:
    """Negative variant: an item recommended, ordered or declined is not billed here."""
    side = rng.choice(["right", "left"])
    draft = Draft("primary_care").say(f"S: {who(rng, 50, 85)}, {side} knee pain with walking.")
    draft.say(f"A: {side} knee osteoarthritis.", ("icd10cm", "M17.11" if side == "right" else "M17.12"))
    sentence, careless = rng.choice(NOT_SUPPLIED)
    draft.skip(sentence, "not handed over at this visit (recommended, ordered or declined): not billed", *careless,
               rule="dme_supplied")
    em_sentence(rng, draft, "established", wrong=False)
    return draft


# (part word, how notes name it, ((code, fewest, most views), ...), diagnosis by side or None, ICD by side)
XRAY = (
    ("knee", "knee", (("73560", 1, 2), ("73562", 3, 3), ("73564", 4, 4)), "{side} knee sprain", ("S83.91XA", "S83.92XA")),
    ("chest", "chest", (("71045", 1, 1), ("71046", 2, 2), ("71047", 3, 3), ("71048", 4, 4)), "cough", ("R05.9", "R05.9")),
    ("ankle", "ankle", (("73600", 2, 2), ("73610", 3, 4)), "{side} ankle sprain", ("S93.401A", "S93.402A")),
    ("wrist", "wrist", (("73100", 2, 2), ("73110", 3, 4)), "{side} wrist pain", ("M25.531", "M25.532")),
    ("foot", "foot", (("73620", 2, 2), ("73630", 3, 4)), "{side} foot pain", ("M79.671", "M79.672")),
    ("elbow", "elbow", (("73070", 2, 2), ("73080", 3, 4)), "{side} elbow pain", ("M25.521", "M25.522")),
    ("lumbar", "lumbar spine", (("72100", 2, 3), ("72110", 4, 4)), "low back pain", ("M54.50", "M54.50")),
)
NUMBER_WORDS = {1: "one", 2: "two", 3: "three", 4: "four"}
LISTS = {("knee", 3): "AP, lateral and sunrise views", ("chest", 2): "PA and lateral views", ("chest", 1): "portable AP film",
         ("knee", 2): "AP and lateral views", ("ankle", 3): "AP, lateral and mortise views"}


def _views(rng: random.Random, part: str, name: str, side: str, count: int) -> str:
    where = f"{side} {name}" if part not in ("chest", "lumbar") else name
    phrasings = [f"{where.capitalize()} x-ray, {count} view{'s' if count > 1 else ''}",
                 f"{NUMBER_WORDS[count].capitalize()} view{'s' if count > 1 else ''} of the {where}",
                 f"XR {where}, {count}-view"]
    if (part, count) in LISTS:
        phrasings.append(f"{where.capitalize()} x-ray, {LISTS[part, count]}")
    return rng.choice(phrasings)


def radiology(rng: random.Random) -> Draft:
    """An x-ray code follows the number of views the note documents for its body part (a second part with its
    own count moves nothing of the first)."""
    part, name, members, condition, icd = rng.choice(XRAY)
    side = rng.choice(["right", "left"])
    code, low, high = rng.choice(members)
    count = rng.randint(low, high)
    draft = Draft("urgent_care").say(f"S: {who(rng)}, {condition.format(side=side)} for 2 days.")
    draft.say(f"A: {condition.format(side=side)}.", ("icd10cm", icd[0 if side == "right" else 1]))
    draft.say(f"{_views(rng, part, name, side, count)}: no acute findings.", ("cpt", code), careless=False)
    draft.careless["cpt"].append(rng.choice([c for c, _, _ in members if c != code]))
    if part == "knee" and rng.random() < 0.4:  # the ankle's own count is no count of the knee
        ankle = rng.choice((2, 3))
        draft.say(f"{_views(rng, 'ankle', 'ankle', side, ankle)}: negative.", ("cpt", "73600" if ankle == 2 else "73610"))
    return draft


# (chronic condition phrasing, its code, the lab done here today (sentence, CPT), the lab for later (sentence, CPT)):
# a test ordered for later or sent out, billed anyway by a careless coder (not_performed drops it)
LABS = (
    (("DM2, poorly controlled, A1c worse", "type 2 diabetes with hyperglycemia"), "E11.65", ("POC A1c today 8.4%.", "83036"),
     ("BMP and lipid panel ordered for next visit.", "80048")),
    (("HTN, at goal", "hypertension, controlled"), "I10", None, ("BMP ordered for next week.", "80048")),
    (("hypothyroidism, stable", "hypothyroid, on levothyroxine"), "E03.9", None,
     ("TSH drawn last month: 2.1.", "84443")),
    (("acute cystitis", "cystitis, acute"), "N30.00", ("Urine dipstick in clinic: LE 2+, nitrite +.", "81002"),
     ("Urine culture sent to reference lab.", "87086")),
)


def lab_not_performed(rng: random.Random) -> Draft:
    """A lab test ordered for later, done before or sent to another laboratory is not billed by the office; one
    done here today is."""
    assessments, icd, here, later = rng.choice(LABS)
    draft = Draft("primary_care").say(f"S: {who(rng)}, est pt, f/u.")
    draft.say(f"A: {rng.choice(assessments)}.", ("icd10cm", icd))
    if here:
        draft.say(here[0], ("cpt", here[1]))
    draft.say(later[0])
    draft.careless["cpt"].append(later[1])
    em_sentence(rng, draft, "established", wrong=False)
    return draft


# (complaint, assessment, its code, the work-up: (sentence, the codes a careless coder bills for it, the ECG
# interpretation the physician bills or None)): on the ED's note the hospital bills its lab tests, the
# radiologist the imaging they read, and the physician the ECG's interpretation only (ed_professional)
ED_WORKUPS = (
    ("chest pain at rest", "chest pain, unspecified", "R07.9",
     ("ECG (my read): NSR, no ST changes. Troponin x2 negative.", ("93000", "84484"), "93010")),
    ("palpitations", "palpitations", "R00.2",
     ("EKG interpreted by me: sinus rhythm 90, normal intervals. BMP normal.", ("93000", "80048"), "93010")),
    ("RLQ pain since last night", "RLQ abdominal pain", "R10.31",
     ("CBC, lipase normal. CT A/P with contrast (radiology): normal appendix.", ("85025", "83690", "74177"), None)),
    ("cough and fever", "pneumonia, unspecified organism", "J18.9",
     ("CXR per radiology: RLL infiltrate. COVID PCR negative.", ("71046", "87635"), None)),
    ("headache and vomiting", "migraine, not intractable", "G43.909",
     ("CT head w/o contrast, radiology read: negative. BMP normal.", ("70450", "80048"), None)),
)


def ed_professional_claim(rng: random.Random) -> Draft:
    """The ED physician's claim: no hospital lab test, no imaging radiology read, the ECG as 93010."""
    complaint, assessment, icd, (workup, billed, ecg) = rng.choice(ED_WORKUPS)
    draft = Draft("ed").say(f"ED Provider Note. S: {who(rng)} with {complaint}.")
    if ecg:
        draft.say(workup, ("cpt", ecg), why="interpretation and report", careless=False)
    else:
        draft.sentences.append(workup)
    draft.exclusions.append((workup.rstrip("."), "the hospital bills its lab tests and the images; the radiologist "
                             "the reads"))
    draft.careless["cpt"].extend(billed)
    draft.say(f"A: {assessment}.", ("icd10cm", icd))
    level = rng.choice([1, 2])
    draft.say(f"ED course, MDM {LEVELS[level]}. Discharged home.", ("cpt", ED[level]))
    return draft


# (the longitudinal relationship as the physician writes it, chronic condition, its code): a Medicare patient's
# visit with the practitioner of their longitudinal care, whose complexity add-on a careless coder leaves off
LONGITUDINAL = (("I am his PCP", "HTN, at goal on lisinopril", "I10"),
                ("I have been her PCP for 12 yrs", "hypothyroidism, stable on levothyroxine", "E03.9"),
                ("I manage his diabetes", "DM2, A1c 6.9, continue metformin", "E11.9"))


def visit_complexity(rng: random.Random) -> Draft:
    """A Medicare office visit of longitudinal care gets G2211."""
    relation, assessment, icd = rng.choice(LONGITUDINAL)
    draft = Draft("primary_care").say(f"S: {who(rng, 66, 88)}, Medicare, est pt ({relation}), chronic care f/u.")
    draft.say(f"A/P: {assessment}.", ("icd10cm", icd))
    em_sentence(rng, draft, "established", wrong=False)
    draft.say("Longitudinal care continues with me.", ("hcpcs", "G2211"), why="visit complexity add-on", careless=False)
    if icd == "E11.9":
        draft.also(("icd10cm", "Z79.84"))
    return draft


# (age, well-visit phrasing, gold preventive code (established), the problem E/M a careless coder bills instead)
WELL = (
    (3, "Well child check", "99392", "99213"), (14, "Well adolescent visit", "99394", "99213"),
    (34, "Annual physical", "99395", "99214"), (58, "Annual preventive exam", "99396", "99214"),
)


def preventive_visit(rng: random.Random) -> Draft:
    """A well visit is billed by the preventive code of the patient's age, with its Z00 code."""
    age, phrase, code, careless = rng.choice(WELL)
    draft = Draft("primary_care").say(f"{phrase}. {age} y/o {rng.choice(['F', 'M'])}, est pt.")
    draft.say("Exam normal. Counseling on diet, exercise and safety.", ("cpt", code), careless=False)
    draft.say("A: healthy, well visit.", ("icd10cm", "Z00.129" if age < 18 else "Z00.00"), careless=False)
    draft.careless["cpt"].append(careless)
    return draft


# procedures the note documents (seventeenth session): (complaint, assessment, ICD-10-CM, procedure sentence, CPT codes)
LESIONS = (
    ("skin check", "actinic keratoses x{n}", "L57.0", "Procedure: cryodestruction of {n} actinic keratoses with liquid "
     "nitrogen, 2 freeze-thaw cycles each.", "premalignant"),
    ("warts on the hand", "common warts x{n}, R hand", "B07.8", "Procedure: cryotherapy with liquid nitrogen to {n} "
     "warts, 2 freeze-thaw cycles.", "benign"),
)


def lesion_destruction(rng: random.Random) -> Draft:
    """Skin lesions destroyed at the visit are coded by kind and count (17000/17003/17004, 17110/17111)."""
    from core.rules.lesions import destruction_codes

    complaint, assessment, icd, procedure, kind = rng.choice(LESIONS)
    n = rng.choice([1, 3, 6, 16]) if kind == "premalignant" else rng.choice([2, 4, 18])
    codes = destruction_codes(kind, n)
    if kind == "premalignant" and n == 1:
        assessment, procedure = "actinic keratosis of the scalp", procedure.replace("{n} actinic keratoses", "one actinic keratosis")
    draft = Draft("dermatology").say(f"Derm procedure visit, est pt, {who(rng, 45, 85)}, here for {complaint}.")
    draft.say(f"A: {assessment.format(n=n)}.", ("icd10cm", icd))
    draft.say(procedure.format(n=n), *(("cpt", code) for code in codes), careless=False)
    return draft


WOUNDS = (  # (where, group of the repair tables, ICD-10-CM, external cause)
    ("L forearm", "body", "S51.812A", "W26.0XXA", "cut with a kitchen knife"),
    ("chin", "face", "S01.81XA", "W01.0XXA", "fell and struck the chin"),
    ("R index finger", "body", "S61.210A", "W26.0XXA", "cut with a kitchen knife"),
    ("forehead", "face", "S01.81XA", "W01.0XXA", "fell and struck the forehead"),
)


def wound_repair(rng: random.Random) -> Draft:
    """A laceration closed here is coded by repair kind, anatomic group and total length (12001-12057)."""
    from core.rules.repairs import repair_code

    where, group, icd, cause, how = rng.choice(WOUNDS)
    length = rng.choice([1.5, 2.0, 3.5, 4.5, 6.0])
    layered = rng.random() < 0.3 and group == "body" and "finger" not in where
    code = repair_code("intermediate" if layered else "simple", group, length)
    draft = Draft("urgent_care").say(f"UC visit, {who(rng, 18, 70)}, {how} 1 hr ago.", ("icd10cm", cause))
    draft.say(f"Exam: {length:g} cm laceration, {where}, clean edges, no FB.", ("icd10cm", icd))
    closure = ("layered closure, deep 4-0 Vicryl sutures and 5-0 nylon to the skin" if layered
               else "simple interrupted 5-0 nylon sutures, single layer")
    draft.say(f"Procedure: irrigated, closed with {closure}.", ("cpt", code), careless=False)
    draft.say("P: suture removal in 10 days; wound care reviewed.")
    return draft


FRACTURES = (  # (what the note says, ICD-10-CM, without manipulation, with manipulation)
    ("closed nondisplaced fracture of the fifth metatarsal bone, right foot", "S92.354A", "28470", None),
    ("closed Colles' fracture of the left radius", "S52.532A", "25600", "25605"),
    ("closed nondisplaced fracture of the lateral malleolus of the right fibula", "S82.64XA", "27786", None),
)


def fracture_care(rng: random.Random) -> Draft:
    """A fracture treated closed here gets its treatment code; the first splint is in its package."""
    said, icd, plain, reduced = rng.choice(FRACTURES)
    manipulated = reduced is not None and rng.random() < 0.5
    draft = Draft("orthopedics").say(f"Ortho clinic, {who(rng, 20, 70)}, injured 2 days ago.")
    draft.say(f"A: {said}.", ("icd10cm", icd))
    if manipulated:
        draft.say("Procedure: closed reduction under hematoma block, manipulation achieved; sugar-tong splint applied.",
                  ("cpt", reduced), careless=False)
        draft.careless["cpt"].append("29125")
    else:
        draft.say("P: closed treatment without manipulation; I will manage the fracture care.", ("cpt", plain),
                  careless=False)
    em_sentence(rng, draft, "new", wrong=False)
    return draft


OFFICE_PROCEDURES = (  # (complaint, assessment, ICD-10-CM, procedure sentence, CPT)
    ("L ear plugged", "impacted cerumen, L ear", "H61.22", "Procedure: L ear cerumen removed with curette under direct "
     "visualization.", "69210"),
    ("metal in the R eye", "corneal foreign body, R eye", "T15.01XA", "Procedure: FB removed at the slit lamp with a "
     "25G needle.", "65222"),
    ("nosebleed", "anterior epistaxis", "R04.0", "Procedure: silver nitrate cautery of the bleeding vessel, L anterior "
     "septum.", "30901"),
)


def office_procedure(rng: random.Random) -> Draft:
    """A procedure done in the office is coded (cerumen removal, eye foreign body, nosebleed control)."""
    complaint, assessment, icd, procedure, code = rng.choice(OFFICE_PROCEDURES)
    draft = Draft("urgent_care").say(f"UC procedure visit, {who(rng, 20, 80)}, here for {complaint}.")
    draft.say(f"A: {assessment}.", ("icd10cm", icd))
    draft.say(procedure, ("cpt", code), careless=False)
    return draft


def timed_counseling(rng: random.Random) -> Draft:
    """Tobacco cessation counseling (99406/99407) and advance care planning (99497) are billed by their minutes."""
    draft = Draft("primary_care").say(f"Office visit, {who(rng, 45, 80)}, f/u hypertension; BP at goal.")
    draft.say("A: essential hypertension, controlled - continue lisinopril.", ("icd10cm", "I10"))
    if rng.random() < 0.5:
        minutes = rng.choice([5, 8, 12, 15])
        draft.say("Smokes 1 ppd cigarettes.", ("icd10cm", "F17.210"))
        draft.say(f"Tobacco: counseled ~{minutes} min today on quitting, quit date set, nicotine patch started.",
                  ("cpt", "99407" if minutes > 10 else "99406"), careless=False)
    else:
        minutes = rng.choice([18, 20, 25, 30])
        draft.say(f"Advance care planning (voluntary, pt agreed): {minutes} minutes face to face on goals of care and "
                  "naming her daughter as health care agent.", ("cpt", "99497"), careless=False)
    em_sentence(rng, draft, "established", wrong=False)
    return draft


SERVICE_FAMILIES = (drug_supply, medicare_vaccine, vaccine_documented, preventive, ambulance, dme, radiology,
                    drug_not_given, vaccine_declined, screening_not_done, arrived_by_ambulance, dme_not_supplied,
                    lab_not_performed, preventive_visit, ed_professional_claim,
                    visit_complexity, lesion_destruction, wound_repair, fracture_care, office_procedure,
                    timed_counseling)
