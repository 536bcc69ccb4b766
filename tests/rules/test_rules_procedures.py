"""Injury, E/M and pairing rules, and the guarantee that edits never make an answer invalid."""

from __future__ import annotations

from core.rules import RULES, apply_rules, em, injuries, pairing, rule_names


def test_external_cause_added_with_matching_seventh_character(run):
    out = run("Slipped on ice and fell, right wrist fracture.", icd=["S52.501A"], rules=(injuries.CAUSE_RULE,))
    assert out.codes["icd10cm"] == ["S52.501A", "W00.0XXA"]
    out = run("Follow-up of ankle sprain from a fall.", icd=["S93.401D"], rules=(injuries.CAUSE_RULE,))
    assert out.codes["icd10cm"] == ["S93.401D", "W19.XXXD"]


def test_external_cause_is_the_patients_not_a_relatives(run):
    """A relative's fall in the same note is not how the patient's injury happened."""
    note = "Sprained ankle after a fall. Her father fell down the stairs last month."
    out = run(note, icd=["S93.409A"], rules=(injuries.CAUSE_RULE,))
    assert out.codes["icd10cm"] == ["S93.409A", "W19.XXXA"]
    out = run("Ankle sprain. Fell down the stairs at home. Mother has osteoporosis.", icd=["S93.409A"],
              rules=(injuries.CAUSE_RULE,))
    assert out.codes["icd10cm"] == ["S93.409A", "W10.9XXA"]


def test_external_cause_not_added_without_mechanism_or_when_present(run):
    assert run("Right wrist fracture.", icd=["S52.501A"], rules=(injuries.CAUSE_RULE,)).edits == []
    assert run("Fell.", icd=["S52.501A", "W19.XXXA"], rules=(injuries.CAUSE_RULE,)).edits == []
    assert run("Patient fell, no injury.", icd=["R26.81"], rules=(injuries.CAUSE_RULE,)).edits == []


def test_seventh_character_follows_the_encounter(run):
    out = run("Here for follow-up of the right radius fracture, healing as expected.",
              icd=["S52.501A", "W19.XXXA"], rules=(injuries.SEVENTH_RULE,))
    assert out.codes["icd10cm"] == ["S52.501D", "W19.XXXD"]
    out = run("Fell today.", icd=["S52.501A", "W19.XXXD"], rules=(injuries.SEVENTH_RULE,))
    assert out.codes["icd10cm"] == ["S52.501A", "W19.XXXA"]
    assert run("Fell today.", icd=["S52.501A", "W19.XXXA"], rules=(injuries.SEVENTH_RULE,)).edits == []


def test_em_level_from_mdm_time_and_patient_status(run):
    out = run("New patient. Moderate complexity medical decision making.", cpt=["99213"], rules=(em.RULE,))
    assert out.codes["cpt"] == ["99204"]
    out = run("Established patient; total time 25 minutes.", rules=(em.RULE,))
    assert out.codes["cpt"] == ["99213"]
    out = run("Seen in the emergency department. MDM: high.", cpt=["99283"], rules=(em.RULE,))
    assert out.codes["cpt"] == ["99285"]


def test_patient_status_in_shorthand_and_return_advice_is_no_status():
    assert em.patient_family("New pt. MDM: low.", []) == "new"
    assert em.patient_family("Est. pt with cough. MDM: low.", []) == "established"
    assert em.patient_family("Established pt, MDM low.", []) == "established"
    assert em.patient_family("Returns for a blood pressure check. MDM: low.", []) == "established"
    for advice in ("Return precautions given.", "Return if worse.", "Return as needed.",
                   "Return instructions reviewed."):
        assert em.patient_family(f"Sore throat for two days. {advice} MDM: low.", []) is None, advice
    assert em.patient_family("New patient. Return precautions given.", ["99213"]) == "new"
    for advice in ("Return to the ED for chest pain.", "Go to the ER if worse.", "Come back to the emergency room "
                   "if short of breath."):  # a future ED visit, not this encounter
        assert em.patient_family(f"Established patient with a cough. {advice} MDM: low.", []) == "established"
    assert em.patient_family("Seen in the ED for chest pain. Return to the ED if worse. MDM: low.", []) == "ed"
    # advice opening a clause, a denied ED visit, an office status said outright: no ED encounter
    for note in ("Palpitations x3 wks. ECG in office: NSR. A/P: PVCs. Holter ordered. ED for syncope or chest pain.",
                 "Asthma f/u. No ED visits or steroid bursts this year. MDM moderate.",
                 "Cardiology - New Patient. Stable angina - CTA ordered. ED for rest pain.",
                 "Office visit. 31 yo F, established, with panic attacks. ED visit 3 wks ago - ECG normal."):
        assert em.patient_family(note, ["99284"]) != "ed", note
    assert em.patient_family("54 yo M presented with chest pain. ED course: troponin negative.", []) == "ed"


def test_an_ed_encounter_gets_an_ed_level_even_when_an_office_code_was_given(run):
    out = run("Presents to the emergency department after a fall. MDM: moderate.", cpt=["99204"], rules=(em.RULE,))
    assert out.codes["cpt"] == ["99284"]
    # an office visit after an ED visit stays an office visit
    out = run("Established patient; was seen in the ED last week for chest pain. MDM: low.", cpt=["99214"],
              rules=(em.RULE,))
    assert out.codes["cpt"] == ["99213"]


def test_an_earlier_ed_visit_does_not_make_an_office_follow_up_an_ed_encounter(run):
    """An office note telling of last week's ER visit is no ED record: an ED code given for it becomes the
    office level; the ED's own note still gets its ED level."""
    note = ("Seen in the ER last week for a urinary tract infection; here for follow-up, symptoms resolved. "
            "Established patient. Straightforward MDM.")
    out = run(note, cpt=["99281"], rules=(em.RULE,))
    assert out.codes["cpt"] == ["99212"]
    note = "Patient seen in the ED 2 days ago for an ankle sprain, now here for follow-up. Straightforward MDM."
    assert em.patient_family(note, ["99282"]) == "established"
    note = "Chest pain that started 2 days ago, seen in the ED today. Moderate MDM."
    assert run(note, cpt=["99214"], rules=(em.RULE,)).codes["cpt"] == ["99284"]


def test_em_level_left_alone_without_documentation_or_for_preventive(run):
    # no level stated: the MDM is read from the note's content (core.rules.mdm), and the reason says so
    out = run("Established patient with a common cold. A: common cold. Rest and fluids.", cpt=["99213"], rules=(em.RULE,))
    assert out.codes["cpt"] == ["99212"] and "states no MDM level or total time" in out.edits[0].reason
    assert "problems minimal, data minimal, risk low" in out.edits[0].reason
    assert run("A cold.", cpt=[], rules=(em.RULE,)).edits == []  # no patient status nor E/M code: no family to pick
    assert run("Annual physical, low MDM.", cpt=["99396"], rules=(em.RULE,)).edits == []
    out = run("Established patient, low complexity MDM.", cpt=["99213"], rules=(em.RULE,))
    assert out.edits == []


def test_drug_administration_paired_by_route(run):
    out = run("Ketorolac 30 mg IM given in clinic.", hcpcs=["J1885"], rules=(pairing.DRUG_RULE,))
    assert out.codes["cpt"] == ["96372"]
    out = run("Ondansetron 4 mg IV push.", hcpcs=["J2405"], rules=(pairing.DRUG_RULE,))
    assert out.codes["cpt"] == ["96374"]
    assert run("Ketorolac given.", hcpcs=["J1885"], rules=(pairing.DRUG_RULE,)).edits == []
    assert run("Given IM.", hcpcs=["J1885"], cpt=["96372"], rules=(pairing.DRUG_RULE,)).edits == []


def test_vaccine_paired_with_administration_and_z23(run):
    out = run("Flu and Tdap vaccines given.", cpt=["90686", "90715"], rules=(pairing.VACCINE_RULE,))
    assert out.codes == {"icd10cm": ["Z23"], "cpt": ["90686", "90715", "90471", "90472"], "hcpcs": []}
    out = run("Medicare beneficiary, flu shot given.", cpt=["90662"], rules=(pairing.VACCINE_RULE,))
    assert out.codes["hcpcs"] == ["G0008"] and "90471" not in out.codes["cpt"]
    assert run("Flu shot.", icd=["Z23"], cpt=["90686", "90471"], rules=(pairing.VACCINE_RULE,)).edits == []


def test_every_rule_is_named_with_a_guideline():
    assert len(set(rule_names())) == len(RULES) >= 10
    assert all(rule.guideline and rule.summary for rule in RULES)


def test_edits_never_make_a_valid_answer_invalid(codeset):
    narrative = ("New patient seen in the ED after she fell down the stairs; left ankle sprain, cough, acute "
                 "bronchitis, type 2 diabetes on insulin. Ketorolac IM. Flu vaccine. High MDM, total 70 minutes.")
    codes = {"icd10cm": ["S93.409A", "R05.9", "J20.9", "E11.9", "E10.9"], "cpt": ["99213", "90686"],
             "hcpcs": ["J1885"]}
    out = apply_rules(codes, narrative, codeset)
    assert codes["cpt"] == ["99213", "90686"]  # the input is not changed
    assert all(codeset.is_valid(c, s) for s, listed in out.codes.items() for c in listed)
    assert {e.rule for e in out.edits} >= {"laterality", "integral_symptom", "diabetes_type", "external_cause"}
    assert all(e.to_dict()["reason"] for e in out.edits)


def test_invalid_proposals_are_rejected(codeset):
    from core.rules.models import Rule

    bad = Rule("bad", "none", "proposes an unknown code",
               lambda ctx: [Rule("bad", "none", "", None).edit("add", "icd10cm", "Q99.99X", "bad")])
    out = apply_rules({"icd10cm": ["I10"]}, "x", codeset, rules=(bad,))
    assert out.codes["icd10cm"] == ["I10"] and out.edits == [] and len(out.rejected) == 1


def test_joint_injection_includes_the_administration(run):
    out = run("Triamcinolone 40 mg injected into the right knee, IM not needed.", cpt=["20610"], hcpcs=["J3301"],
              rules=(pairing.DRUG_RULE,))
    assert out.edits == []


def test_em_level_keeps_the_supported_code_among_several(run):
    out = run("Established patient. MDM moderate.", cpt=["99213", "96372", "99214"], rules=(em.RULE,))
    assert out.codes["cpt"] == ["96372", "99214"]
    out = run("Established patient. MDM moderate.", cpt=["99212", "99213"], rules=(em.RULE,))
    assert out.codes["cpt"] == ["99214"]


def test_named_vaccine_product_added_only_when_an_immunization_is_coded(run):
    out = run("Medicare beneficiary; high-dose influenza vaccine given.", icd=["Z23"], rules=(pairing.VACCINE_RULE,))
    assert out.codes["cpt"] == ["90662"] and out.codes["hcpcs"] == ["G0008"]
    out = run("Tdap and PCV20 given today.", icd=["Z23"], cpt=["90715", "90471"], rules=(pairing.VACCINE_RULE,))
    assert out.codes["cpt"] == ["90715", "90471", "90677", "90472"]  # a second vaccine: 90472
    assert run("Discussed Tdap; declined.", icd=["I10"], rules=(pairing.VACCINE_RULE,)).edits == []


def test_z23_without_a_documented_vaccine_is_dropped(run):
    rules = (pairing.VACCINE_RULE,)
    out = run("Dysuria for three days. Assessment: acute UTI.", icd=["N39.0", "Z23"], rules=rules)
    assert out.codes["icd10cm"] == ["N39.0"] and "names no vaccine" in out.edits[0].reason
    for narrative in ("Here for a flu shot.", "Tdap booster given today.", "Immunizations updated.",
                      "Given pneumococcal vaccine."):
        assert "Z23" in run(narrative, icd=["Z23"], rules=rules).codes["icd10cm"], narrative


def test_a_drug_administration_code_for_a_vaccine_only_visit_is_dropped(run):
    """Regression (found in the browser): a flu-shot note kept 96372 (a drug's IM injection) beside 90471, the
    vaccine's own administration; with a drug given too (B12 J3420) the 96372 is the drug's and stays."""
    flu = "Annual flu shot. Influenza vaccine, quadrivalent, 0.5 mL given IM in the left deltoid. No reactions."
    out = run(flu, icd=["Z23"], cpt=["90686", "90471", "96372"], rules=(pairing.DRUG_RULE,))
    assert out.codes["cpt"] == ["90686", "90471"]
    assert out.edits[0].code == "96372" and "reported with 90471" in out.edits[0].reason
    both = "Flu shot given IM. Cyanocobalamin 1000 mcg given IM for pernicious anemia."
    assert run(both, icd=["Z23", "D51.0"], cpt=["90686", "90471", "96372"], hcpcs=["J3420"],
               rules=(pairing.DRUG_RULE,)).edits == []
    alone = "Testosterone injected IM by the nurse."  # no vaccine: the administration is left alone
    assert "96372" in run(alone, icd=["E29.1"], cpt=["96372"], rules=(pairing.DRUG_RULE,)).codes["cpt"]


def test_external_cause_goes_with_a_pain_code_in_a_visit_note(run):
    """A fall with hip pain whose fracture is only suspected: the pain is coded (uncertain_diagnosis), and the fall
    with it (Guidelines I.C.20: external causes go with any condition due to an external cause)."""
    note = "Ambulance run report: 80-year-old man, fall at home with left hip pain, a hip fracture suspected."
    out = run(note, icd=["M25.552"], rules=(injuries.CAUSE_RULE,))
    assert out.codes["icd10cm"] == ["M25.552", "W19.XXXA"] and "how the pain happened" in out.edits[0].reason
    assert "goes with M25.552" in out.edits[0].reason
    # no mechanism, or a pain code that is not of a joint, limb or the back: nothing added
    assert run("Left hip pain for a month.", icd=["M25.552"], rules=(injuries.CAUSE_RULE,)).edits == []
    assert run("Fell last year. Chest pain today.", icd=["R07.9"], rules=(injuries.CAUSE_RULE,)).edits == []
    # a case report of many sentences is no visit note: left alone
    report = "A 70-year-old man fell at home and had hip pain. " * 15
    assert run(report, icd=["M25.552"], rules=(injuries.CAUSE_RULE,)).edits == []


def test_external_cause_of_collisions_bicycles_and_slips_striking_objects(run):
    rules = (injuries.CAUSE_RULE,)
    note = "Restrained driver of a sedan rear-ended by another car on the interstate. Neck strain."
    assert run(note, icd=["S16.1XXA"], rules=rules).codes["icd10cm"] == ["S16.1XXA", "V43.52XA"]
    note = "Front-seat passenger, struck by another car at an intersection. Chest wall contusion."
    assert run(note, icd=["S20.212A"], rules=rules).codes["icd10cm"] == ["S20.212A", "V43.62XA"]
    note = "Fell off his bicycle on a bike path when the wheel caught a rut. Chin laceration."
    assert run(note, icd=["S01.81XA"], rules=rules).codes["icd10cm"] == ["S01.81XA", "V18.0XXA"]
    note = "Slipping on the wet bathroom floor and striking the back of her head on the edge of the bathtub."
    assert run(note, icd=["S00.03XA"], rules=rules).codes["icd10cm"] == ["S00.03XA", "W01.198A"]
    note = "Tripped over the dog and hit her arm on the coffee table."
    assert run(note, icd=["S40.021A"], rules=rules).codes["icd10cm"] == ["S40.021A", "W01.190A"]
    assert run("Slipping on ice, fell on her wrist.", icd=["S52.501A"], rules=rules).codes["icd10cm"][-1] == "W00.0XXA"
