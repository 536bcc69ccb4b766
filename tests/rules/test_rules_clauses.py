"""Clause scope, 'use additional code' symptoms, vaccine doses of the past and documentation fixes found on the
fifteenth session's new realistic notes (usf): each test has the case that failed and the one that must not move."""

from __future__ import annotations

from core.rules import addressed, documentation, notes, pairing, specificity, symptoms, uncertain
from core.text import affirmed


def test_a_spaced_dash_ends_the_mentions_clause_for_uncertainty(run):
    rule = (uncertain.RULE,)
    note = "Cough x10 days. A: Acute bronchitis - pneumonia excluded by CXR. P: albuterol MDI."
    assert run(note, icd=["J20.9"], rules=rule).edits == []
    # the cue right after the dash is the mention's own
    out = run("Chest pain. A: chest pain, musculoskeletal. PE - ruled out by CTA.", icd=["I26.99", "R07.89"], rules=rule)
    assert [(e.action, e.code) for e in out.edits] == [("drop", "I26.99")]


def test_a_spaced_dash_ends_a_denials_scope():
    assert affirmed("Imm: no prior pneumococcal vaccine - PCV20 0.5 mL IM given.", r"\bPCV20\b")
    assert not affirmed("Imm: no prior PCV20 vaccine.", r"\bPCV20\b")
    assert not affirmed("Denies fever or chills.", r"\bchills\b")


def test_a_symptom_the_diagnosis_asks_to_code_stays(run):
    note = ("68 yo M f/u BPH. On tamsulosin 0.4 mg; still nocturia 3-4x/night and feels he doesn't empty completely.\n"
            "Bladder scan (PVR) in office: 142 mL.\nA/P:\n1. BPH with LUTS (nocturia, incomplete emptying), PVR mildly "
            "elevated - add finasteride 5 mg daily.")
    out = run(note, icd=["N40.1", "R35.1", "R39.14"], rules=(addressed.RULE, symptoms.RULE))
    assert out.edits == [] and out.codes["icd10cm"] == ["N40.1", "R35.1", "R39.14"]
    # a symptom no note of the diagnosis names is still dropped when the assessment explains it
    note = "Cough and fever x3d.\nA/P:\n1. Community-acquired pneumonia - amoxicillin."
    out = run(note, icd=["J18.9", "R50.9"], rules=(addressed.RULE, symptoms.RULE))
    assert [(e.action, e.code) for e in out.edits] == [("drop", "R50.9")]


def test_a_vaccine_given_before_is_no_product_of_this_visit(run):
    note = ("72 yo M, Medicare. Immunization - received PPSV23 at age 66; PCV20 0.5 mL IM R deltoid given today, VIS "
            "given.")
    out = run(note, icd=["Z23"], cpt=["90677"], hcpcs=["G0009"], rules=(pairing.VACCINE_RULE,))
    assert "90732" not in out.codes["cpt"] and "90677" in out.codes["cpt"]
    assert pairing.given_today(note, r"\bPCV20\b") and not pairing.given_today(note, r"\bPPSV23\b")
    assert pairing.given_today("PPSV23 given today in L deltoid.", r"\bPPSV23\b")
    # named as given after a denial of an earlier dose
    note = "Imm: no prior pneumococcal vaccine - PCV20 0.5 mL IM L deltoid given, VIS reviewed."
    out = run(note, icd=["Z23"], cpt=["90677", "90471"], rules=(pairing.VACCINE_RULE,))
    assert {"90677", "90471"} <= set(out.codes["cpt"])


def test_x_with_y_needs_x_in_the_note(run, codeset):
    rule = (documentation.RULE,)
    note = "Mixed hyperlipidemia - start atorvastatin. Essential HTN, uncontrolled - increase lisinopril."
    out = run(note, icd=["E78.2", "I10", "E11.65"], rules=rule)
    assert [(e.action, e.code) for e in out.edits] == [("drop", "E11.65")]
    assert run("T2DM with hyperglycemia, A1c 9.8.", icd=["E11.65"], rules=rule).edits == []
    # a head that names no condition of its own asks for nothing more
    assert not documentation._alternatives(codeset, "R39.198")[0][2]


def test_oral_is_a_route_not_a_site(run):
    note = "Impression: T1DM with DKA without coma, precipitated by underdosing of insulin due to financial hardship."
    assert run(note, icd=["T38.3X6A"], rules=(documentation.RULE,)).edits == []


def test_pvcs_and_hemorrhoid_grades_are_documented(run):
    assert run("Frequent symptomatic PVCs - TTE ordered.", icd=["I49.3"], rules=(documentation.RULE,)).edits == []
    assert documentation.note_words("grade II internal hemorrhoids")[:2] == ["second", "degree"]
    assert documentation.note_words("Grade 2 ankle sprain")[:2] == ["grade", "2"]


def test_advice_to_quit_is_no_former_smoker(run):
    note = "Acute bronchitis. Nicotine dependence, cigarettes: smokes 1/2 ppd. Advised to quit smoking."
    out = run(note, icd=["J20.9", "F17.210"], rules=(notes.RULE,))
    assert "Z87.891" not in out.codes["icd10cm"]
    out = run("COPD exacerbation. Former smoker, quit smoking 2015.", icd=["J44.1"], rules=(notes.RULE,))
    assert "Z87.891" in out.codes["icd10cm"]


def test_no_em_in_a_global_period_or_for_a_nurse_visit(run):
    from core.rules import em

    rule = (em.RULE,)
    note = ("Ortho f/u. 45 y/o M, established, 6 wks s/p closed R distal radius fx treated in a cast in this office - in "
            "global period. Cast removed today. XR R wrist 3 views taken and read in office: healing.")
    out = run(note, icd=["S52.531D"], cpt=["99213", "73110"], rules=rule)
    assert out.codes["cpt"] == ["73110"] and "global period" in out.edits[0].reason
    done = note.replace("in global period", "global period complete")
    assert "99213" in run(done, icd=["S52.531D"], cpt=["99213", "73110"], rules=rule).codes["cpt"]
    nurse = ("NURSE VISIT - 57 y/o F, est pt w/ pernicious anemia, monthly B12 injection per standing order. "
             "Cyanocobalamin 1000 mcg IM L deltoid given.")
    out = run(nurse, icd=["D51.0"], cpt=["96372"], hcpcs=["J3420"], rules=rule)
    assert out.edits == [] and out.codes["cpt"] == ["96372"]
    out = run(nurse, icd=["D51.0"], cpt=["99214", "96372"], hcpcs=["J3420"], rules=rule)
    assert out.codes["cpt"] == ["96372"]
    # a nurse visit planned for later is no nurse visit today
    planned = ("Est pt f/u osteoporosis, BPH, HLD. B12 deficiency: cyanocobalamin 1000 mcg IM given by nurse. "
               "Total time 32 min. RTC 1 mo nurse visit for B12.")
    assert "99214" in run(planned, icd=["E53.8"], cpt=["99214", "96372"], hcpcs=["J3420"], rules=rule).codes["cpt"]


def test_an_office_xray_the_answer_lacks_is_added(run):
    from core.rules import imaging

    rule = (imaging.RULE,)
    note = ("Ortho new pt, 52 y/o F, R shoulder pain x3 mo. XR R shoulder 2 views (AP, axillary) taken and read in "
            "office: no fracture, mild AC arthrosis.\nA/P: R rotator cuff tendinitis - PT referral.")
    out = run(note, icd=["M75.81"], cpt=["99203"], rules=rule)
    assert out.codes["cpt"] == ["99203", "73030"] and "taken and read in the office" in out.edits[0].reason
    # coded already, ordered for later, read by radiology, or an ED note: nothing added
    assert run(note, icd=["M75.81"], cpt=["99203", "73030"], rules=rule).edits == []
    for other in (note.replace("taken and read in office", "ordered"),
                  note.replace("taken and read in office", "at the hospital, radiology read"),
                  "ED note. 52 y/o F fell. XR R shoulder 2 views, my read: no fracture.\nDx: R shoulder contusion."):
        assert "73030" not in run(other, icd=["S40.011A"], cpt=["99283"], rules=rule).codes["cpt"], other
    # two counts for one part (the two knees): never a guess
    two = ("Est pt. XR L knee 3 views, read by me: severe OA. XR R knee 2 views, read by me: well-fixed TKA.\n"
           "A/P: primary OA L knee.")
    assert run(two, icd=["M17.12"], cpt=["99214"], rules=rule).edits == []


def test_a_qualified_chest_pain_takes_its_index_code(run):
    rule = (specificity.SPECIFICITY_RULE,)
    for note, code in [("Dx: Atypical chest pain, ACS ruled out.", "R07.89"),
                       ("A/P: 2) Pleuritic chest pain - CTA neg.", "R07.81"),
                       ("CC: substernal chest pressure x3 h. Dx: chest pressure, troponins neg.", "R07.89"),
                       ("Dx: chest wall pain, likely costochondritis.", "R07.89")]:
        out = run(note, icd=["R07.9"], rules=rule)
        assert out.codes["icd10cm"] == [code], (note, out.edits)
    assert run("CC: chest pain x2 h. Dx: chest pain, cause unclear.", icd=["R07.9"], rules=rule).edits == []
    assert run("Denies chest pressure. Dx: chest pain.", icd=["R07.9"], rules=rule).edits == []


def test_a_fractures_kind_and_the_distal_end_are_documented(run):
    rule = (specificity.SPECIFICITY_RULE,)
    torus = ("7 yo M fell off his scooter onto an outstretched L hand. XR L wrist 3 views, read by me: torus (buckle) "
             "fracture of distal radial metaphysis.\nA/P: Torus fracture, distal L radius, closed, initial.")
    assert run(torus, icd=["S52.502A"], rules=rule).codes["icd10cm"] == ["S52.522A"]
    colles = ("63 yo F returns 14 wks after R distal radius (Colles) fracture from a fall on ice.\n"
              "A/P: healed R distal radius (Colles) fracture - home exercises.")
    assert run(colles, icd=["S52.501D"], rules=rule).codes["icd10cm"] == ["S52.531D"]
    # a note that says no more than 'distal radius fracture' keeps the unspecified fracture of the lower end
    plain = "XR R wrist: distal radius fracture.\nA/P: closed fracture of the R distal radius, initial."
    assert run(plain, icd=["S52.501A"], rules=rule).edits == []
    assert specificity.with_fracture_default("torus fracture of the radius") == "torus fracture of the radius"
    assert specificity.with_fracture_default("fracture of the radius") == "displaced fracture of the radius"


def test_hyper_and_hypo_words_are_keyed_by_seven_letters():
    assert documentation.prefix_key("hyperglycemia") == "hypergl" != documentation.prefix_key("hyperlipidemia")
    assert documentation.prefix_key("hypertensive") == documentation.prefix_key("hypertension")
    assert documentation.prefix_key("fracture") == "fract"
    assert "hyperglycemia" in documentation.note_words("T2DM, poorly controlled - A1c 9.8")
    assert "hyperglycemia" not in documentation.note_words("T2DM - A1c up to 8.1, uncontrolled HTN")


def test_diabetes_with_a_complication_the_note_never_names(run):
    rule = (specificity.SPECIFICITY_RULE,)
    note = ("58 y/o F f/u T2DM and diabetic kidney disease. PMH: hyperlipidemia, HTN. POC A1c 8.1.\nA/P: T2DM with "
            "diabetic CKD 3a - A1c up, add empagliflozin.")
    out = run(note, icd=["E11.22", "E11.65", "N18.31"], rules=rule)
    assert out.codes["icd10cm"] == ["E11.22", "N18.31"] and "never names the complication" in out.edits[0].reason
    out = run("Est pt, T2DM on metformin, hyperlipidemia. A/P: T2DM - continue metformin.", icd=["E11.65"], rules=rule)
    assert out.codes["icd10cm"] == ["E11.9"]
    for kept in ("A/P: T2DM with hyperglycemia, A1c 10.2 - start basal insulin.",
                 "A/P: T2DM, poorly controlled - A1c 9.6, titrate glargine."):
        assert run(kept, icd=["E11.65"], rules=rule).edits == [], kept


def test_a_code_claiming_more_moves_across_lengths_to_what_the_note_says(run, codeset):
    rule = (specificity.SPECIFICITY_RULE,)
    note = "ED Note. 81 y/o F. PMH: permanent AF on warfarin.\nDx: Permanent AF on long-term anticoagulation."
    assert run(note, icd=["I48.0", "Z79.01"], rules=rule).codes["icd10cm"] == ["I48.21", "Z79.01"]
    # never to the category's unspecified code, nor to the reverse of a feature the code has
    hf = ("78 yo M, HTN, CKD stage 4, chronic diastolic CHF (HFpEF).\nA/P: hypertensive heart and CKD with chronic "
          "diastolic heart failure, CKD 4 - continue torsemide.")
    assert "I13.10" not in run(hf, icd=["I13.0", "I50.32", "N18.4"], rules=rule).codes["icd10cm"]
    assert specificity._opposite_feature(codeset, "I13.0", "I13.10")


def test_the_test_coded_is_the_one_the_note_says_was_run(run):
    from core.rules import performed

    rule = (performed.RULE,)
    antigen = "UC new pt, cough and fever. Rapid SARS-CoV-2 antigen (visual read, done in clinic): POSITIVE.\nA: COVID-19."
    assert run(antigen, icd=["U07.1"], cpt=["99203", "87635"], rules=rule).codes["cpt"] == ["99203", "87811"]
    combo = ("Est pt, fever x1 day. POC combo antigen test (SARS-CoV-2/Flu A/Flu B), run in office: Flu A POSITIVE; "
             "COVID neg.\nImpression: influenza A.")
    assert run(combo, icd=["J10.1"], cpt=["99213", "87811", "87804"], rules=rule).codes["cpt"] == ["99213", "87428"]
    pcr = "Est pt. SARS-CoV-2 PCR swab done in clinic today: detected.\nA: COVID-19."
    assert run(pcr, icd=["U07.1"], cpt=["99213", "87811"], rules=rule).codes["cpt"] == ["99213", "87635"]
    assert performed.documented_tests("COVID PCR ordered, to be done at the hospital lab.") == {}
    assert run(antigen, icd=["U07.1"], cpt=["99203", "87811"], rules=rule).edits == []


def test_a_trivalent_preservative_free_flu_vaccine_is_90656(run):
    note = ("4 yo with AOM. Flu vaccine - I counseled mom on risks/benefits. Trivalent inactivated influenza vaccine, "
            "preservative-free 0.5 mL IM R thigh given.")
    out = run(note, icd=["H66.001", "Z23"], cpt=["99213", "90686", "90460"], rules=(pairing.VACCINE_RULE,))
    assert "90656" in out.codes["cpt"] and "90686" not in out.codes["cpt"]


def test_no_long_term_insulin_code_with_type_1_diabetes(run):
    note = "24 y/o M w/ T1DM on glargine + lispro. Impression: T1DM with DKA without coma."
    out = run(note, icd=["E10.10", "Z79.4"], rules=(notes.RULE,))
    assert out.codes["icd10cm"] == ["E10.10"]
    assert run("T2DM on insulin glargine. A/P: T2DM.", icd=["E11.9", "Z79.4"], rules=(notes.RULE,)).edits == []


def test_a_stone_with_hydronephrosis_is_n13_2(run):
    rules = (specificity.SPECIFICITY_RULE, specificity.COMBINATION_RULE)
    note = ("ED note. L flank pain. CT stone protocol (radiology): 5 mm obstructing L UVJ calculus with mild L "
            "hydronephrosis.\nDx: L ureteral calculus with hydronephrosis.")
    assert run(note, icd=["N13.30", "N20.0", "N20.1"], rules=rules).codes["icd10cm"] == ["N13.2"]
    assert run(note, icd=["N13.2"], rules=rules).edits == []  # the Index documents it: no move to hydroureter
    plain = "ED note. L flank pain. CT: 4 mm L UVJ stone, no hydronephrosis.\nDx: L ureteral calculus."
    assert run(plain, icd=["N20.1"], rules=rules).edits == []


def test_a_differential_after_a_label_and_heart_is_no_reflux(run, codeset):
    note = ("ED note. 62 y/o M, L-sided chest pain x6 h. PMH: HTN. MDM: ddx ACS, PE, dissection, MSK, GERD. ECG nl.\n"
            "Dx: Atypical chest pain, likely musculoskeletal. HTN - continue lisinopril.")
    assert "K21.9" not in run(note, icd=["R07.89", "I10", "K21.9"], rules=(uncertain.RULE,)).codes["icd10cm"]
    from core.rules.addressed import mention_sections
    from core.rules.narrative import note_sections

    cardiac = ("Cardiology new pt. PMH: HTN, GERD.\nA/P:\n1. PVCs - TTE ordered. Structural heart disease to be "
               "excluded by echo.\n2. HTN - increase losartan.")
    assert mention_sections(codeset, "K21.9", cardiac, note_sections(cardiac)) == {"history"}


def test_a_symptom_alone_in_the_assessment_still_makes_it_the_visits(run):
    note = ("ED Provider Note. 54 yo M w/ h/o HTN, HLD presents with substernal chest pressure. MDM: serial troponins "
            "negative.\nDx: Atypical chest pain, ACS ruled out.")
    out = run(note, icd=["R07.89", "I10", "E78.5"], rules=(addressed.RULE,))
    assert out.codes["icd10cm"] == ["R07.89"]


def test_a_study_ordered_for_later_is_not_billed(run):
    from core.rules import imaging, performed

    note = ("Cardiology new pt. Skipped beats x2 mo. ECG in office, my interpretation: frequent PVCs.\nA/P: 1. PVCs - "
            "TTE ordered; 14-day patch monitor ordered. Structural heart disease to be excluded by echo.")
    out = run(note, icd=["I49.3"], cpt=["99204", "93000", "93306"], rules=(performed.RULE,))
    assert out.codes["cpt"] == ["99204", "93000"] and "for later" in out.edits[0].reason
    done = "Est pt, CHF. Limited TTE performed in office today: EF 35%.\nA/P: HFrEF."
    assert run(done, icd=["I50.22"], cpt=["99214", "93306"], rules=(performed.RULE,)).edits == []
    pending = "Labs/imaging: CT abdomen and pelvis without contrast: pending final read.\nA/P: abdominal pain."
    assert run(pending, icd=["R10.9"], cpt=["74176"], rules=(performed.RULE,)).edits == []
    # a plan to repeat films names no other part: the chest x-ray coded for a wrist visit goes
    wrist = ("Ortho f/u. XR R wrist, 3 views, taken and read in office: healing.\nPlan: wrist splint. RTC 4 wks w/ "
             "repeat films.")
    assert run(wrist, icd=["S52.531D"], cpt=["73110", "71046"], rules=(imaging.RULE,)).codes["cpt"] == ["73110"]


def test_a_nebulizer_treatment_gets_its_inhalation_solution(run):
    rule = (pairing.DRUG_RULE,)
    note = ("6 y/o M, est, moderate persistent asthma. In clinic: albuterol 2.5 mg via nebulizer x1 -> reassessed 20 "
            "min: wheeze much improved.\nA/P: Moderate persistent asthma w/ acute exacerbation.")
    out = run(note, icd=["J45.41"], cpt=["99214", "94640"], rules=rule)
    assert out.codes["hcpcs"] == ["J7613"] and out.codes["cpt"] == ["99214", "94640"]
    duoneb = "COPD exacerbation. DuoNeb x1 given in office, improved.\nA/P: COPD w/ acute exacerbation."
    out = run(duoneb, icd=["J44.1"], cpt=["99214"], rules=rule)
    assert out.codes["hcpcs"] == ["J7620"] and "94640" in out.codes["cpt"]
    home = "Asthma, well controlled. Continue albuterol nebulizer at home prn.\nA/P: mild intermittent asthma."
    assert run(home, icd=["J45.20"], cpt=["99213"], rules=rule).edits == []
    ed = ("ED Provider Note. Wheezing. Albuterol 2.5 mg nebulizer x3 given, improved.\nDx: asthma exacerbation. "
          "MDM moderate.")
    assert "J7613" not in run(ed, icd=["J45.901"], cpt=["99284"], rules=rule).codes["hcpcs"]


def test_small_readings_est_secondhand_tobacco_smoke_and_luts(run):
    from core.rules import em

    assert em.patient_family("6 y/o M, est, w/ moderate persistent asthma. Cough x2 days.", []) == "established"
    note = ("6 y/o M, est, asthma. Dad smokes in the car.\nA/P: 1. Moderate persistent asthma w/ acute exacerbation. "
            "2. Exposure to secondhand tobacco smoke - counseled dad.")
    out = run(note, icd=["J45.41"], rules=(notes.RULE,))
    assert "Z77.22" in out.codes["icd10cm"]
    assert documentation.note_words("BPH with LUTS")[-4:] == ["lower", "urinary", "tract", "symptoms"]
