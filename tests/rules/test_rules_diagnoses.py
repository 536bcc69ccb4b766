"""Diagnosis rules: Excludes1, integral symptoms, laterality, combination codes, use-additional notes."""

from __future__ import annotations

from core.rules import excludes, find_conflicts, notes, specificity, symptoms


def test_find_conflicts_names_the_excludes1_pair(codeset):
    conflicts = find_conflicts(["E10.9", "E11.9"], codeset)
    assert len(conflicts) == 1 and conflicts[0]["codes"] == ["E10.9", "E11.9"]
    assert "E11" in conflicts[0]["note"] and "I.A.12.a" in conflicts[0]["guideline"]
    assert find_conflicts({"icd10cm": ["E11.9", "I10"]}, codeset) == []


def test_excludes1_drops_the_later_code_or_the_symptom(run):
    out = run("Type 1 diabetes.", icd=["E10.9", "E11.9"], rules=(excludes.RULE,))
    assert out.codes["icd10cm"] == ["E10.9"] and out.edits[0].rule == "excludes1_conflict"
    out = run("Gastroenteritis.", icd=["R19.7", "A09"], rules=(excludes.RULE,))
    assert out.codes["icd10cm"] == ["A09"]
    assert run("Diabetes and hypertension.", icd=["E11.9", "I10"], rules=(excludes.RULE,)).edits == []


def test_an_unspecified_allergy_yields_to_a_specified_type_of_allergic_reaction(run, codeset):
    """T78.4's Excludes1 'specified types of allergic reaction such as: ...' names a class: any coded code
    described as allergic is one, whatever the list's examples; the unspecified allergy is dropped."""
    note = "Seen in the emergency department for allergic urticaria. Methylprednisolone given."
    out = run(note, icd=["T78.40XA", "L50.0"], rules=(excludes.RULE,))
    assert out.codes["icd10cm"] == ["L50.0"] and "allergic urticaria" in out.edits[0].reason
    out = run("Allergic rhinitis flare.", icd=["J30.9", "T78.40XA"], rules=(excludes.RULE,))
    assert out.codes["icd10cm"] == ["J30.9"]
    assert find_conflicts(["T78.40XA", "L50.0"], codeset)[0]["specified_type"] is True
    # not a specified type of allergic reaction: a history-of-allergy factor, another condition, the same category
    for codes in (["T78.40XA", "Z91.010"], ["T78.40XA", "J20.9"], ["T78.40XA", "T78.3XXA"]):
        assert run("Allergic reaction; peanut allergy; bronchitis.", icd=codes, rules=(excludes.RULE,)).edits == []
    assert run("Allergic reaction.", icd=["T78.40XA"], rules=(excludes.RULE,)).edits == []


def test_excludes1_keeps_a_symptom_the_note_documents_on_its_own(run):
    """I.A.12.a's exception: unrelated conditions are coded together. Pain documented in a sentence of its own
    beside epigastric pain, or ankle edema beside pulmonary edema, are two conditions; pain only as the
    epigastric pain, pain denied, or a symptom not documented at all, is not, and the symptom yields."""
    apart = run("Epigastric pain after meals. Since last week she also has pain all over.", icd=["R10.13", "R52"],
                rules=(excludes.RULE,))
    assert apart.codes["icd10cm"] == ["R10.13", "R52"] and apart.edits == []
    one = run("Epigastric pain after meals.", icd=["R10.13", "R52"], rules=(excludes.RULE,))
    assert one.codes["icd10cm"] == ["R10.13"] and "R52 is not coded with R10.13" in one.edits[0].reason
    denied = run("Epigastric pain after meals. No pain elsewhere.", icd=["R10.13", "R52"], rules=(excludes.RULE,))
    assert denied.codes["icd10cm"] == ["R10.13"]
    legs = run("Acute pulmonary edema on chest x-ray. Edema of both ankles for a month.", icd=["J81.0", "R60.9"],
               rules=(excludes.RULE,))
    assert legs.codes["icd10cm"] == ["J81.0", "R60.9"]
    assert run("Acute pulmonary edema.", icd=["J81.0", "R60.9"], rules=(excludes.RULE,)).codes["icd10cm"] == ["J81.0"]


def test_excludes1_sends_a_documented_excluded_condition_to_its_code(run):
    """I.A.12.a: an Excludes1 note says the condition it names is not coded here. When one affirmed sentence
    names that condition and the note points to one billable code, that code replaces the coded one."""
    elsewhere = (excludes.ELSEWHERE_RULE,)
    out = run("Urethrovaginal fistula after hysterectomy.", icd=["N36.0"], rules=elsewhere)
    assert out.codes["icd10cm"] == ["N82.1"] and out.edits[0].rule == "excludes1_coded_elsewhere"
    assert "I.A.12.a" in out.edits[0].guideline and "urethrovaginal fistula (N82.1)" in out.edits[0].reason
    assert run("Sore throat for three days.", icd=["R07.0"], rules=elsewhere).codes["icd10cm"] == ["J02.9"]
    assert run("Primary severe pulmonary hypertension.", icd=["I10"], rules=elsewhere).codes["icd10cm"] == ["I27.0"]


def test_excludes1_elsewhere_stays_conservative(run):
    """No move for a negated or family-history sentence, a one-word phrase ('bronchitis NOS (J40)' under J20),
    a phrase whose words are scattered or out of order, a note that points to a range (N34's 'urethritis in
    diseases with a predominantly sexual mode of transmission (A50-A64)' is Excludes2 anyway), a target that is
    coded already (excludes1_conflict decides), or a coded condition the note also documents on its own."""
    elsewhere = (excludes.ELSEWHERE_RULE,)
    for note, icd in (("No urethrovaginal fistula on exam.", ["N36.0"]),
                      ("Mother had a urethrovaginal fistula.", ["N36.0"]),
                      ("Acute bronchitis.", ["J20.9"]),
                      ("Uncomplicated gonococcal urethritis.", ["N34.2"]),
                      ("Pain in the back of the throat.", ["R52"]),
                      ("Pulmonary hypertension, primary, followed by cardiology.", ["I10"]),
                      ("Back pain since Monday.", ["R52", "M54.9"]),
                      ("Back pain since Monday. Pain all over as well.", ["R52"])):
        out = run(note, icd=icd, rules=elsewhere)
        assert out.edits == [] and out.codes["icd10cm"] == icd, note


def test_integral_symptom_dropped_with_its_reason(run):
    out = run("Acute bronchitis with cough.", icd=["J20.9", "R05.9"], rules=(symptoms.RULE,))
    assert out.codes["icd10cm"] == ["J20.9"]
    assert "cough" in out.edits[0].reason and "integral to acute bronchitis" in out.edits[0].reason
    out = run("Viral gastroenteritis with vomiting.", icd=["A08.4", "R11.2"], rules=(symptoms.RULE,))
    assert out.codes["icd10cm"] == ["A08.4"]


def test_symptom_without_its_diagnosis_is_kept(run):
    assert run("Cough for a week, no diagnosis yet.", icd=["R05.9"], rules=(symptoms.RULE,)).edits == []
    assert run("Hypertension and cough.", icd=["I10", "R05.9"], rules=(symptoms.RULE,)).edits == []


def test_laterality_upgrade_from_the_narrative(run):
    out = run("Sprained her left ankle.", icd=["S93.409A"], rules=(specificity.SIDE_RULE,))
    assert out.codes["icd10cm"] == ["S93.402A"]
    out = run("Right ear pain, otitis media.", icd=["H66.90"], rules=(specificity.SIDE_RULE,))
    assert out.codes["icd10cm"] == ["H66.91"]


def test_laterality_needs_one_documented_side(run):
    assert run("Ankle sprain.", icd=["S93.409A"], rules=(specificity.SIDE_RULE,)).edits == []
    assert run("Left knee and right ankle hurt.", icd=["S93.409A"], rules=(specificity.SIDE_RULE,)).edits == []
    assert run("Left ankle sprain.", icd=["S93.402A"], rules=(specificity.SIDE_RULE,)).edits == []


def test_laterality_corrects_the_wrong_side(run):
    out = run("Distal radius fracture of the left wrist.", icd=["S52.501A", "S52.502A"],
              rules=(specificity.SIDE_RULE,))
    assert out.codes["icd10cm"] == ["S52.502A"]  # both sides coded: the undocumented one goes
    out = run("Seen for pain in the left shoulder without injury.", icd=["M25.511"], rules=(specificity.SIDE_RULE,))
    assert out.codes["icd10cm"] == ["M25.512"]
    out = run("Fracture of unspecified part: right clavicle fracture.", icd=["S42.002A"],
              rules=(specificity.SIDE_RULE,))
    assert out.codes["icd10cm"] == ["S42.001A"]


def test_laterality_reads_a_short_body_part_when_the_description_has_no_condition_word(run):
    # 'Pain in left knee' has no word of five letters: its knee is what the side is read for
    note = "Right knee pain for two days, no injury. Knee x-ray, two views: no fracture. Assessment: right knee pain."
    out = run(note, icd=["M25.561", "M25.562"], rules=(specificity.SIDE_RULE,))
    assert out.codes["icd10cm"] == ["M25.561"]
    assert run("Left ear pain. Right knee stable.", icd=["H92.02"], rules=(specificity.SIDE_RULE,)).edits == []
    # 'ear' is a whole word: 'early' in a right-sided sentence says nothing of the ear
    assert run("Left ear pain. Early right knee arthritis.", icd=["H92.02"], rules=(specificity.SIDE_RULE,)).edits == []


def test_laterality_keeps_both_sides_when_both_are_documented(run):
    out = run("Pain in the right knee and in the left knee.", icd=["M25.561", "M25.562"],
              rules=(specificity.SIDE_RULE,))
    assert out.edits == []  # no bilateral code in M25.56-: both sides stay
    # a category with a bilateral code: that code (I.B.13)
    out = run("Osteoarthritis of the right knee and of the left knee.", icd=["M17.11", "M17.12"],
              rules=(specificity.SIDE_RULE,))
    assert out.codes["icd10cm"] == ["M17.0"]
    assert run("Shoulder pain.", icd=["M25.511"], rules=(specificity.SIDE_RULE,)).edits == []
    # the other side belongs to another condition: the shoulder's side is not the knee's
    out = run("Right shoulder pain. Left knee contusion.", icd=["M25.511", "S80.02XA"],
              rules=(specificity.SIDE_RULE,))
    assert out.edits == []


def test_an_undocumented_condition_is_dropped_before_it_could_be_combined(run):
    """unsupported_diagnosis runs before combination_code: heart failure the note never names is not folded
    into hypertensive heart disease (I11.0); documented, it is."""
    out = run("Follow-up of hypertension. Blood pressure 150/90.", icd=["I10", "I50.9"])
    assert out.codes["icd10cm"] == ["I10"]
    out = run("Hypertension with heart failure, stable on meds.", icd=["I10", "I50.9"])
    assert out.codes["icd10cm"][0] == "I11.0"


def test_combination_codes_for_diabetes_and_hypertension_with_ckd(run):
    out = run("T2DM, HTN, CKD 3.", icd=["E11.9", "I10", "N18.30"], rules=(specificity.COMBINATION_RULE,))
    assert out.codes["icd10cm"] == ["E11.22", "I12.9", "N18.30"]
    assert run("T2DM and HTN.", icd=["E11.9", "I10"], rules=(specificity.COMBINATION_RULE,)).edits == []


def test_hypertension_with_ckd_and_heart_failure_is_i13(run):
    """I.C.9.a.3: hypertension with both heart failure and CKD is I13, not I12.9 (or I11.0) alone."""
    out = run("CKD stage 3b, hypertension and congestive heart failure.", icd=["I10", "N18.32", "I50.9"],
              rules=(specificity.COMBINATION_RULE,))
    assert out.codes["icd10cm"] == ["I13.0", "N18.32", "I50.9"]
    out = run("ESRD on dialysis, hypertension, heart failure.", icd=["I12.0", "N18.6", "I50.9"],
              rules=(specificity.COMBINATION_RULE,))
    assert out.codes["icd10cm"] == ["I13.2", "N18.6", "I50.9"]
    out = run("Hypertension and CKD stage 3a.", icd=["I10", "N18.31"], rules=(specificity.COMBINATION_RULE,))
    assert out.codes["icd10cm"] == ["I12.9", "N18.31"]


def test_use_additional_code_when_documented(run):
    out = run("Type 2 diabetes, takes metformin and insulin.", icd=["E11.9"], rules=(notes.RULE,))
    assert set(out.codes["icd10cm"]) == {"E11.9", "Z79.4", "Z79.84"}
    assert "use additional code" in out.edits[0].reason


def test_use_additional_code_not_added_when_negated_or_not_requested(run):
    assert run("Type 2 diabetes, not on insulin.", icd=["E11.9"], rules=(notes.RULE,)).edits == []
    # insulin for the day (a correction or sliding scale, a drip) is no long-term insulin
    for note in ("DM2 with hyperglycemia; hold metformin, insulin correction scale.", "DKA: insulin drip started.",
                 "Hyperglycemia in DM2: sliding scale insulin while admitted."):
        assert "Z79.4" not in run(note, icd=["E11.65"], rules=(notes.RULE,)).codes["icd10cm"], note
    assert run("Type 1 diabetes on insulin pump.", icd=["E10.9"], rules=(notes.RULE,)).edits == []


def test_diabetes_type_follows_the_documentation(run):
    out = run("Type 1 diabetes with hyperglycemia.", icd=["E11.65"], rules=(specificity.TYPE_RULE,))
    assert out.codes["icd10cm"] == ["E10.65"] and "type 1" in out.edits[0].reason
    assert run("Diabetes with hyperglycemia.", icd=["E11.65"], rules=(specificity.TYPE_RULE,)).edits == []
    assert run("Type 2 diabetes; mother had type 1 diabetes.", icd=["E11.9"], rules=(specificity.TYPE_RULE,)).edits == []
    assert run("T2DM on metformin.", icd=["E11.9"], rules=(specificity.TYPE_RULE,)).edits == []


def test_diabetes_type_is_the_patients_not_a_relatives(run):
    """A relative's type 1 diabetes says nothing of the patient's diabetes: E11.9 (type not documented) stays."""
    for note in ("Diabetes mellitus on metformin, A1c 6.9. Mother has type 1 diabetes.",
                 "Diabetes, A1c 7.5. Family history of type 1 diabetes in brother."):
        assert run(note, icd=["E11.9"], rules=(specificity.TYPE_RULE,)).edits == []
    out = run("Type 1 diabetes on an insulin pump. Father has type 2 diabetes.", icd=["E11.9"],
              rules=(specificity.TYPE_RULE,))
    assert out.codes["icd10cm"] == ["E10.9"]


def test_excludes1_between_two_diagnoses_keeps_the_first_listed(run):
    out = run("Chronic hepatitis C.", icd=["B18.2", "K75.9"], rules=(excludes.RULE,))
    assert out.codes["icd10cm"] == ["B18.2"] and "K75.9" in out.edits[0].reason


def test_laterality_reads_the_side_in_the_sentences_about_the_condition(run):
    note = "Kidney mass found on CT; nephrectomy planned. Pain in the left arm after the fall."
    assert run(note, icd=["C64.9"], rules=(specificity.SIDE_RULE,)).edits == []  # the left arm, not the kidney
    out = run("Mass in the left kidney on CT. Right arm pain.", icd=["C64.9"], rules=(specificity.SIDE_RULE,))
    assert out.codes["icd10cm"] == ["C64.2"]


def test_one_encounter_rules_abstain_on_a_case_history(run):
    """A case history spans several encounters: a symptom coded before the diagnosis was made is not integral
    to it at that encounter, so the rules that read the note as one visit do not edit it."""
    history = "Acute bronchitis with cough. Two months later she was readmitted with fever."
    out = run(history, icd=["J20.9", "R05.9"])
    assert out.codes["icd10cm"] == ["J20.9", "R05.9"] and out.edits == []
    assert {"integral_symptom", "excludes1_conflict", "laterality"} <= set(out.skipped)
    assert "external_cause" not in out.skipped  # how an injury happened does not depend on the encounter
    visit = run("Acute bronchitis with cough for six days. Discharged home.", icd=["J20.9", "R05.9"])
    assert visit.codes["icd10cm"] == ["J20.9"] and visit.skipped == []


def test_what_reads_as_several_encounters():
    from core.rules.narrative import spans_several_encounters

    for text in ("Two months later she was readmitted.", "After 9 months the patient shows swelling.",
                 "In the control CT 6 months after surgery there is no recurrence.", "We present the case of a man.",
                 "Fever and pain prompted admission to our center.", "The admission tests showed anemia.",
                 "Twenty days later she was discharged from the hospital.", "Repeated hospitalizations for pain.",
                 "Potassium was normal in the controls.", "The autopsy showed pulmonary edema.",
                 "No pain after two years of follow-up."):
        assert spans_several_encounters(text), text
    for text in ("Seen 3 days after the fall.", "Cough for two weeks, discharged home.",
                 "Here for follow-up of a left wrist fracture.", "Presents after 2 months of knee pain.",
                 "Splint applied; she was discharged home.", "Pain of 6 months of evolution.",
                 "Recommend admission if the pain worsens."):
        assert not spans_several_encounters(text), text


def test_diabetes_without_complications_is_not_coded_beside_a_complication(run):
    rules = (specificity.COMBINATION_RULE,)
    out = run("Type 2 diabetes with hyperglycemia, on insulin.", icd=["E11.65", "E11.9", "Z79.4"], rules=rules)
    assert out.codes["icd10cm"] == ["E11.65", "Z79.4"] and "without complications" in out.edits[0].reason
    # alone, or beside another category's code, E11.9 stays
    assert run("Type 2 diabetes, stable.", icd=["E11.9"], rules=rules).edits == []
    assert run("Type 2 diabetes; hypertension.", icd=["E11.9", "I10"], rules=rules).edits == []


def test_the_ckd_code_follows_the_documented_stage(run):
    rules = (specificity.SPECIFICITY_RULE,)
    narrative = "Type 2 diabetes with diabetic chronic kidney disease stage 3a."
    assert run(narrative, icd=["E11.22", "N18.4"], rules=rules).codes["icd10cm"] == ["E11.22", "N18.31"]
    assert run(narrative, icd=["N18.31", "N18.4"], rules=rules).codes["icd10cm"] == ["N18.31"]
    assert run("CKD stage IV, on lisinopril.", icd=["N18.30"], rules=rules).codes["icd10cm"] == ["N18.4"]
    for stage, code in (("IIIa", "N18.31"), ("IIIb", "N18.32")):  # a Roman stage is read, not word-matched
        assert run(f"Patient with CKD stage {stage}, follow up.", icd=[code], rules=rules).edits == [], stage
        assert run(f"Patient with CKD stage {stage}.", icd=["N18.30"], rules=rules).codes["icd10cm"] == [code]
    for narrative in ("Chronic kidney disease, stable.", "No CKD stage 4 on labs.", "CKD stage 2 and CKD stage 4."):
        assert run(narrative, icd=["N18.30"], rules=rules).edits == [], narrative


def test_side_letters_denied_stays_and_default_absences(run):
    from core.rules.narrative import documented_side, spans_several_encounters

    assert documented_side("4.5 cm laceration L volar forearm.") == "left"
    assert documented_side("R distal radius fracture.") == "right"
    assert documented_side("RR 16, HR 80. L>R maxillary pressure.") is None  # no side letter before a body part
    out = run("Colles fracture, R distal radius.", icd=["S52.532A"], rules=(specificity.SIDE_RULE,))
    assert out.codes["icd10cm"] == ["S52.531A"]
    # a stay the note denies is no second encounter; one it tells of is
    assert not spans_several_encounters("Well child. No hospitalizations. Vaccines UTD.")
    assert spans_several_encounters("Two hospitalizations for asthma last year.")
    # "without foreign body" is the laceration's default, no claim the note must make
    note = "Impression: left forearm laceration, wound care instructions given."
    assert run(note, icd=["S51.812A"], rules=(specificity.SPECIFICITY_RULE,)).edits == []
    # a dog bite coded as a laceration moves to the bite code ('wound' is no laceration)
    note = "Bitten by a neighbor's dog. Diagnosis: a dog bite of the left forearm. Wound irrigated and left open."
    assert run(note, icd=["S51.812A"], rules=(specificity.SPECIFICITY_RULE,)).codes["icd10cm"] == ["S51.852A"]


def test_an_unspecified_code_moves_to_an_unspecified_sibling_that_says_more(run):
    note = "Facial pressure for ten days. Established patient. Assessment: acute maxillary sinusitis."
    out = run(note, icd=["J01.90"], rules=(specificity.SPECIFICITY_RULE,))
    assert out.codes["icd10cm"] == ["J01.00"]
    assert run("Assessment: acute sinusitis.", icd=["J01.90"], rules=(specificity.SPECIFICITY_RULE,)).edits == []


def test_a_feature_coded_with_or_without_follows_the_note(run):
    """'migraine without aura' is G43.009 (not G43.909, not 'with aura' G43.109); 'not intractable' documents no
    intractability; 'cystitis without hematuria' is N30.00."""
    rule = (specificity.SPECIFICITY_RULE,)
    icd = lambda note, codes: run(note, icd=codes, rules=rule).codes["icd10cm"]  # noqa: E731
    assert icd("Assessment: migraine without aura, not intractable.", ["G43.909"]) == ["G43.009"]
    assert icd("A/P: migraine without aura - sumatriptan.", ["G43.909"]) == ["G43.009"]
    assert icd("A/P: migraine with aura, not intractable - sumatriptan.", ["G43.909"]) == ["G43.109"]
    assert icd("A/P: intractable migraine without aura - topiramate.", ["G43.909"]) == ["G43.019"]
    assert icd("A/P: acute cystitis without hematuria - nitrofurantoin.", ["N30.90"]) == ["N30.00"]
    assert icd("A/P: migraine - sumatriptan.", ["G43.909"]) == ["G43.909"]
    # a sibling whose 'without' feature the note has 'with' is no move ('... with heart failure')
    note = "A/P: hypertensive heart and chronic kidney disease with heart failure; CKD stage 4."
    assert "I13.10" not in icd(note, ["I13.0"])


def test_a_screening_instruments_name_and_a_second_clause_are_read_right(run):
    """'GAD-7 13' names no generalized anxiety disorder: the panic disorder the assessment names is coded
    (F41.1 -> F41.0, the sibling a synonym ties to it); 'influenza A POSITIVE, B negative' identifies the virus."""
    rule = (specificity.SPECIFICITY_RULE,)
    note = ("Office visit. 31 yo F, established, with episodes of pounding heart and fear of dying. GAD-7 "
            "administered and scored: 13. PHQ-9: 6.\nA/P: Panic disorder. Start sertraline.")
    assert run(note, icd=["F41.1"], rules=rule).codes["icd10cm"] == ["F41.0"]
    assert run("A/P: generalized anxiety disorder, GAD-7 15.", icd=["F41.1"], rules=rule).edits == []
    note = "POC rapid influenza A/B antigen: influenza A POSITIVE, B negative. A/P: influenza - oseltamivir."
    assert run(note, icd=["J11.1"], rules=rule).codes["icd10cm"] == ["J10.1"]
    note = "Rapid influenza A/B antigen negative. A/P: influenza-like illness, clinical flu - oseltamivir."
    assert run(note, icd=["J11.1"], rules=rule).codes["icd10cm"] == ["J11.1"]


def test_someone_elses_smoke_is_no_nicotine_dependence(run):
    note = ("S: 3 yo F, est pt, fever, pulling at ears. Dad smokes cigarettes at home. A: 1. Bilateral acute otitis "
            "media. 2. Viral URI. P: Counseled dad about secondhand smoke exposure.")
    out = run(note, icd=["H66.93", "J06.9", "F17.210"], rules=(notes.RULE,))
    assert out.codes["icd10cm"] == ["H66.93", "J06.9", "Z77.22"]
    note = "45 yo F, est pt, nonsmoker. Husband smokes indoors. A: acute bronchitis. Secondhand smoke at home."
    assert "F17.210" not in run(note, icd=["J20.9", "F17.210"], rules=(notes.RULE,)).codes["icd10cm"]
    note = "45 yo M, est pt, smokes 1 ppd; wife also smokes. A: acute bronchitis. Secondhand smoke at home."
    assert "F17.210" in run(note, icd=["J20.9", "F17.210"], rules=(notes.RULE,)).codes["icd10cm"]
    note = "45 yo M, est pt, smokes 1 ppd. A: acute bronchitis - smoking cessation counseled."
    assert run(note, icd=["J20.9", "F17.210"], rules=(notes.RULE,)).codes["icd10cm"] == ["J20.9", "F17.210"]


def test_vaped_nicotine_is_another_tobacco_product(run):
    rule = (specificity.SPECIFICITY_RULE,)
    note = "28 yo M. Vapes nicotine e-cigarettes daily x4 yrs; never smoked cigarettes. A/P: Nicotine dependence, e-cig."
    assert run(note, icd=["F17.210"], rules=rule).codes["icd10cm"] == ["F17.290"]
    assert run("45 yo M smokes 1 ppd, also vapes. A/P: nicotine dependence.", icd=["F17.210"], rules=rule).edits == []
