"""unsupported_diagnosis: a diagnosis whose condition or site the note never names is dropped."""

from __future__ import annotations

from core.rules import documentation


def test_a_diagnosis_the_note_never_names_is_dropped(run):
    out = run("Cough and chest congestion for a week. Assessment: acute bronchitis.", icd=["J20.9", "J03.90"],
              rules=(documentation.RULE,))
    assert out.codes["icd10cm"] == ["J20.9"] and "tonsillitis" in out.edits[0].reason
    # the condition is named but at another site: a contusion of the hand for a knee contusion
    out = run("Fell on ice. Diagnosis: contusion of the right knee.", icd=["S80.01XA", "S60.221A"],
              rules=(documentation.RULE,))
    assert out.codes["icd10cm"] == ["S80.01XA"]


def test_synonyms_abbreviations_and_inclusion_terms_support_a_code(run):
    for narrative, code in (("COPD; smokes a pack a day.", "F17.210"), ("Smoker, 1 ppd.", "F17.210"),
                            ("Acute UTI.", "N39.0"),
                            ("Strep throat, rapid test positive.", "J02.0"), ("Flu A positive.", "J10.1"),
                            ("Carpal tunnel syndrome of the left wrist.", "G56.02"),
                            ("Mild ptosis of the right eye.", "H02.401"), ("HTN, stable.", "I10"),
                            ("Hives after eating shellfish.", "L50.0"),
                            ("Lac 3cm L forearm from a kitchen knife, repaired.", "S51.812A")):
        assert run(narrative, icd=[code], rules=(documentation.RULE,)).edits == [], (narrative, code)


def test_factors_external_causes_and_case_histories_are_left_alone(run):
    assert run("Here for a flu shot.", icd=["Z23"], rules=(documentation.RULE,)).edits == []
    assert run("Fracture of the wrist.", icd=["S52.501A", "W19.XXXA"], rules=(documentation.RULE,)).edits == []
    out = run("We present the case of a man with bronchitis. Two months later he was readmitted.",
              icd=["J03.90"], rules=(documentation.RULE,))
    assert out.edits == [] and out.skipped == ["unsupported_diagnosis"]


def test_the_documented_specific_code_of_a_category(run):
    from core.rules import specificity

    rules = (specificity.SPECIFICITY_RULE,)
    assert run("Assessment: streptococcal pharyngitis.", icd=["J02.9"], rules=rules).codes["icd10cm"] == ["J02.0"]
    assert run("Seen for allergic urticaria.", icd=["L50.9"], rules=rules).codes["icd10cm"] == ["L50.0"]
    assert run("Type 2 diabetes with CKD stage 3a.", icd=["N18.30"], rules=rules).codes["icd10cm"] == ["N18.31"]
    out = run("Rapid influenza antigen test is positive for influenza A.", icd=["J11.1"], rules=rules)
    assert out.codes["icd10cm"] == ["J10.1"]
    # a code claiming what the note does not say becomes the sibling it does say
    assert run("Assessment: depression, unspecified.", icd=["F32.9"], rules=rules).codes["icd10cm"] == ["F32.A"]
    out = run("Bitten by a dog: a dog bite of the left forearm.", icd=["S51.812A"], rules=rules)
    assert out.codes["icd10cm"] == ["S51.852A"]


def test_a_code_claiming_more_moves_to_the_code_whose_nos_term_the_note_names(run):
    from core.rules import specificity

    rules = (specificity.SPECIFICITY_RULE,)
    out = run("Seen for infectious gastroenteritis with diarrhea after a daycare outbreak.", icd=["A08.4"], rules=rules)
    assert out.codes["icd10cm"] == ["A09"] and "infectious gastroenteritis" in out.edits[0].reason
    assert run("Assessment: infectious enteritis.", icd=["A08.4"], rules=rules).codes["icd10cm"] == ["A09"]
    # the code's own word is documented ('viral'): it claims nothing more and stays
    for narrative in ("Viral gastroenteritis.", "Infectious gastroenteritis, likely viral.",
                      # the term's words are not one phrase, or the sentence is negated
                      "Gastroenteritis, likely infectious.", "Diarrhea. No signs of infectious gastroenteritis."):
        assert run(narrative, icd=["A08.4"], rules=rules).edits == [], narrative
    # a term with a word the code does not have would add a condition: hypertension stays I10, not I11.9
    assert run("Hypertension with heart failure, stable.", icd=["I10"], rules=rules).edits == []
    # a one-word 'X NOS' term is a default, too weak to move to (dermatitis NOS for a poison ivy rash)
    assert run("Poison ivy dermatitis.", icd=["L20.9"], rules=rules).edits == []
    # the target is coded already: nothing is dropped here (excludes/unsupported rules decide)
    assert run("Infectious gastroenteritis.", icd=["A08.4", "A09"], rules=rules).edits == []


def test_a_fracture_not_documented_as_nondisplaced_is_displaced(run):
    """I.C.19.c.1: a fracture the note does not call displaced or nondisplaced is coded displaced, so a
    displaced-fracture code claims nothing the note does not say (no move to 'unspecified phalanx')."""
    from core.rules import specificity

    rules = (specificity.SPECIFICITY_RULE,)
    note = "Finger x-rays, two views, confirm a proximal phalanx fracture."
    assert run(note, icd=["S62.619A"], rules=rules).edits == []
    out = run(note, icd=["S62.649A"], rules=rules)  # nondisplaced, never said: the displaced sibling
    assert out.codes["icd10cm"] == ["S62.619A"]
    # the note says which: read as it stands
    assert run("Nondisplaced proximal phalanx fracture.", icd=["S62.649A"], rules=rules).edits == []
    assert run("Displaced proximal phalanx fracture.", icd=["S62.619A"], rules=rules).edits == []
    assert specificity.with_fracture_default("Wrist fx, nondisplaced.") == "Wrist fx, nondisplaced."
    assert specificity.with_fracture_default("Wrist fx.") == "Wrist displaced fx."


def test_no_specificity_the_note_does_not_affirm(run):
    from core.rules import specificity

    rules = (specificity.SPECIFICITY_RULE,)
    for narrative, code in (("Pharyngitis. Rapid strep test negative.", "J02.9"),  # a negated sentence
                            ("Sore throat; strep pending.", "J02.9"),  # strep not with the pharyngitis
                            ("Urticaria; allergies reviewed, none.", "L50.9"),
                            ("Influenza; rapid test negative for influenza A and B.", "J11.1"),
                            ("Major depressive disorder, single episode.", "F32.9"),
                            ("Generalized anxiety disorder.", "F41.1"), ("A/P: GAD - refilled meds.", "F41.1"),
                            ("A/P: - hives - continue current regimen.", "L50.9"),  # 'continue' is no contact
                            # words of two phrases are not one code's words: no chest pain on breathing
                            ("Impression: shortness of breath and chest pain.", "R07.9")):
        assert run(narrative, icd=[code], rules=rules).edits == [], (narrative, code)
    assert run("Chest pain on breathing.", icd=["R07.9"], rules=rules).codes["icd10cm"] == ["R07.1"]


def test_an_unsupported_code_is_not_moved_to_a_sibling_sharing_only_its_site(run):
    from core.rules import RULES, specificity

    narrative = "Seen for acute otitis media of the right ear with ear pain and fever."
    assert run(narrative, icd=["H93.19"], rules=(specificity.SPECIFICITY_RULE,)).edits == []  # not H93.90
    out = run(narrative, icd=["H66.91", "H93.19"], rules=RULES)  # the default rules drop it instead
    assert out.codes["icd10cm"] == ["H66.91"]
    assert [(e.rule, e.action) for e in out.edits if e.code == "H93.19"] == [("unsupported_diagnosis", "drop")]


def test_clinical_shorthand_and_lay_words_document_a_code(run):
    for narrative, code in (("Impression: chronic hep C - supportive care.", "B18.2"),
                            ("A/P: painful urination - workup as above.", "R30.0"),
                            ("Impression: toenail fungus - well controlled.", "B35.1"),
                            ("Impression: broken nose - ibuprofen PRN.", "S02.2XXA"),
                            ("Impression: mono - recheck in 1 week.", "B27.90"),
                            ("A/P: PE - labs reviewed.", "I26.99"),
                            ("Indication: forehead laceration. Simple repair.", "S01.81XA"),
                            ("A/P: IDA - well controlled.", "D50.9"), ("A/P: IBS - discussed.", "K58.9"),
                            ("Assessment: GAD, on sertraline.", "F41.1")):
        assert run(narrative, icd=[code], rules=(documentation.RULE,)).edits == [], (narrative, code)


def test_shorthand_does_not_document_other_conditions(run):
    # the shorthand names one condition: hep C is no irritable bowel, a broken nose no fracture of the hand
    for narrative, code in (("Impression: chronic hep C - supportive care.", "K58.9"),
                            ("Impression: broken nose - ibuprofen PRN.", "S62.90XA"),
                            ("A/P: GAD - refilled meds.", "F32.A"), ("Impression: mono.", "J02.0")):
        out = run(narrative, icd=[code], rules=(documentation.RULE,))
        assert out.codes["icd10cm"] == [], (narrative, code)


def test_a_description_word_is_not_documented_by_four_shared_letters():
    keys = documentation.documented_keys("Hives - continue current regimen.")
    assert not documentation.word_keys("contact") & keys  # contact urticaria is not 'continue'
    assert documentation.word_keys("urticaria") & keys  # hives is


def test_a_code_documented_only_in_the_words_of_another_coded_code_is_dropped(run):
    rules = (documentation.RULE,)
    for narrative, codes, kept in (
            ("Evaluated in the ED for chest pain; troponin and ECG normal.", ["R07.9", "R10.13"], ["R07.9"]),
            ("Dysuria and frequency. Assessment: acute UTI.", ["N39.0", "J02.9"], ["N39.0"]),
            ("Seen for testicular hypofunction. Testosterone injected.", ["E29.1", "N50.819"], ["E29.1"]),
            ("Acute otitis media of the right ear.", ["H66.91", "H60.91"], ["H66.91"])):
        out = run(narrative, icd=codes, rules=rules)
        assert out.codes["icd10cm"] == kept, narrative
    assert "only in the words of" in run("Acute otitis media of the right ear.", icd=["H66.91", "H60.91"],
                                         rules=rules).edits[0].reason
    # 'infective pharyngitis' once read as documented by the UTI's "infection"; now pharyngitis is simply not named
    assert "does not document acute pharyngitis" in run("Dysuria and frequency. Assessment: acute UTI.",
                                                        icd=["N39.0", "J02.9"], rules=rules).edits[0].reason


def test_codes_each_documented_in_their_own_words_are_kept(run):
    rules = (documentation.RULE,)
    for narrative, codes in (
            ("Chest pain and epigastric pain after meals.", ["R07.9", "R10.13"]),
            ("Portal hypertension; hypertension on lisinopril.", ["K76.6", "I10"]),  # 'essential' is no condition
            ("Asthma attack.", ["J45.901", "J45.909"]),  # one category: documented_specificity's business
            ("Hypercoagulable state. Hypertension.", ["D68.59", "I10"])):  # five letters in common are not a word
        assert run(narrative, icd=codes, rules=rules).edits == [], narrative


def test_an_adjective_of_site_is_no_condition(run):
    rules = (documentation.RULE,)
    # 'cardiac monitoring' names the heart, not an arrhythmia; 'testicular hypofunction' no testicular pain
    assert run("ALS transport with cardiac monitoring for chest pain.", icd=["R07.9", "I49.9"],
               rules=rules).codes["icd10cm"] == ["R07.9"]
    assert run("Seen for testicular hypofunction.", icd=["N50.819"], rules=rules).codes["icd10cm"] == []
    for narrative, code in (("Cardiac arrhythmia on the monitor.", "I49.9"), ("Testicular pain, left.", "N50.819"),
                            ("Epigastric pain after meals.", "R10.13")):
        assert run(narrative, icd=[code], rules=rules).edits == [], narrative


def test_a_disease_adjective_needs_its_disease_in_the_note(run):
    """Regression: 'Hypertensive urgency' I16.0 stood for a bladder note's "frequency and urgency" (one condition
    word found was enough); a text holding 'hypertensive', 'diabetic' or 'alcoholic' needs that disease too."""
    bladder = "58-year-old woman with lower urinary tract symptoms: frequency and urgency. Assessment: urinary frequency."
    out = run(bladder, icd=["I16.0", "R35.0"], rules=(documentation.RULE,))
    assert out.codes["icd10cm"] == ["R35.0"] and out.edits[0].code == "I16.0"
    for note in ("BP 210/120 with headache: hypertensive urgency.", "Known HTN, BP 200/115, urgency, no symptoms."):
        assert run(note, icd=["I16.0"], rules=(documentation.RULE,)).edits == [], note
    assert run("Ulcer of the left heel, fat layer exposed.", icd=["E11.621"], rules=(documentation.RULE,)).edits
    assert not run("Type 2 diabetes with a foot ulcer of the left heel.", icd=["E11.621"],
                   rules=(documentation.RULE,)).edits


def test_urinary_frequency_documents_frequency_of_micturition(codeset):
    """'Frequency of micturition' R35.0 is what notes call urinary frequency (the reason_for_visit rule needs the
    phrase documented in full: it chose dysuria R30.0, 'urinary' being one of dysuria's lay words, instead)."""
    keys = documentation.documented_keys("Assessment: urinary frequency.")
    assert documentation.documented_in_full(codeset, "R35.0", keys)


def test_infectious_alone_documents_no_condition(run):
    """Regression: pyelonephritis N10 stood for an upper respiratory infection note: its inclusion term "acute
    infectious interstitial nephritis" was read as documented by "infection" ('infectious' now qualifies, as
    'acute' does; the condition is the nephritis)."""
    uri = "Sore throat and a runny nose. No fever. Assessment: acute upper respiratory infection."
    out = run(uri, icd=["J06.9", "N10"], rules=(documentation.RULE,))
    assert out.codes["icd10cm"] == ["J06.9"] and out.edits[0].code == "N10"
    assert run("Fever and flank pain; acute pyelonephritis.", icd=["N10"], rules=(documentation.RULE,)).edits == []
    assert run("Vomiting and diarrhea: infectious gastroenteritis.", icd=["A09"], rules=(documentation.RULE,)).edits == []


def test_the_hearts_sinus_rhythm_is_no_sinusitis_and_ear_pain_is_otalgia(run):
    note = "Chest pain for two hours. ECG: normal sinus rhythm. Assessment: chest pain."
    out = run(note, icd=["R07.9", "J32.9"], rules=(documentation.RULE,))
    assert out.codes["icd10cm"] == ["R07.9"]
    assert run("Sinus pressure for ten days. Assessment: chronic sinusitis.", icd=["J32.9"],
               rules=(documentation.RULE,)).edits == []
    assert run("Left ear pain since last night.", icd=["H92.02"], rules=(documentation.RULE,)).edits == []


def test_shingles_is_zoster(run):
    assert run("Impression: shingles - fluids and rest.", icd=["B02.9"], rules=(documentation.RULE,)).edits == []


def test_a_code_of_the_other_acuity_is_not_coded(run):
    note = "HPI: facial pressure for 12 days. Assessment: acute maxillary sinusitis."
    out = run(note, icd=["J01.00", "J32.0"], rules=(documentation.RULE,))
    assert out.codes["icd10cm"] == ["J01.00"] and "calls the condition acute" in out.edits[0].reason
    assert run("Assessment: chronic maxillary sinusitis, acute flare.", icd=["J32.0"], rules=(documentation.RULE,)).edits == []
    # COPD's 'chronic' is its name; its acute exacerbation code says both
    note = "Assessment: COPD with acute exacerbation."
    assert run(note, icd=["J44.1"], rules=(documentation.RULE,)).edits == []


def test_a_substance_named_without_a_disorder_of_its_use(run):
    """'2 beers/night', 'avoid alcohol', 'no alcohol x10 yrs' document no alcohol dependence; a use disorder,
    abuse, dependence or remission does; smoking (F17) is coded as nicotine dependence and is not judged here."""
    from core.rules import documentation

    rule = (documentation.RULE,)
    note = "Est pt. Nonsmoker; 2 beers/night. A/P: HTN - cut evening alcohol."
    assert run(note, icd=["I10", "F10.20"], rules=rule).codes["icd10cm"] == ["I10"]
    assert "no disorder of its use" in run(note, icd=["F10.20"], rules=rule).edits[0].reason
    for note, code in (("Est pt. A/P: alcohol use disorder, moderate - naltrexone.", "F10.20"),
                       ("Est pt. A/P: alcohol dependence.", "F10.20"),
                       ("New pt. A/P: opioid use disorder, severe, in sustained remission.", "F11.21")):
        assert run(note, icd=[code], rules=rule).edits == [], note
    assert run("Est pt. Smokes 1 ppd. A/P: cessation counseling.", icd=["F17.210"], rules=rule).edits == []


def test_more_clinical_shorthand_documents_its_condition(run):
    from core.rules import documentation

    rule = (documentation.RULE,)
    for note, code in (("Est pt. A/P: SK on the back - reassurance.", "L82.1"), ("A/P: OAB - start mirabegron.", "N32.81"),
                       ("A/P: a-fib, rate controlled.", "I48.91"), ("A/P: NAFLD - weight loss.", "K76.0"),
                       ("A/P: right BPPV - Epley.", "H81.11"), ("A/P: AECOPD - prednisone.", "J44.1"),
                       ("A/P: acute rhinosinusitis - saline.", "J01.90")):
        assert run(note, icd=[code], rules=rule).edits == [], note
