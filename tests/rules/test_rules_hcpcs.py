"""HCPCS Level II rules: drug supply codes with units, Medicare vaccine administration, undocumented products."""

from __future__ import annotations

from core.rules import pairing
from core.rules.drugs import billing_units, given_drugs


def test_a_drug_given_here_gets_its_j_code_with_units(codeset):
    found = {d.code: d.units for d in given_drugs("Ketorolac 60 mg given IM in the right gluteus.", codeset)}
    assert found == {"J1885": 4}  # per 15 mg
    found = {d.code: d.units for d in given_drugs("Depo-Provera 150 mg given as an intramuscular injection.",
                                                  codeset)}
    assert found == {"J1050": 150}
    assert [d.code for d in given_drugs("Testosterone cypionate 200 mg injected IM.", codeset)] == ["J1071"]
    assert [d.code for d in given_drugs("Epinephrine 0.3 mg IM given.", codeset)] == ["J0171"]  # '0.3' is no break


def test_drug_not_given_here_or_ambiguous_gets_no_j_code(codeset):
    for narrative in ("Prescribed ketorolac 10 mg tablets.", "No ketorolac given.", "Denies ketorolac injection.",
                      "Ondansetron 4 mg ODT given by mouth.", "Allergic to ceftriaxone.",
                      "Testosterone 200 mg IM given.",  # cypionate, enanthate or undecanoate: not said
                      "Will give medroxyprogesterone injection at the next visit.",
                      "Given tetanus-diphtheria-pertussis booster.",  # a vaccine: its CPT product, not J1670
                      "Tetanus toxoid given IM."):
        assert given_drugs(narrative, codeset) == [], narrative


def test_billing_units_follow_the_descriptor():
    assert billing_units((60.0, "mg"), "15 mg") == 4
    assert billing_units((25.0, "mg"), "up to 50 mg") == 1
    assert billing_units((1000.0, "mcg"), "up to 1000 mcg") == 1
    assert billing_units((2.0, "ml"), "1 mg") is None


def test_drug_rule_adds_the_supply_and_its_administration(run):
    out = run("Ketorolac 60 mg given IM.", rules=(pairing.DRUG_RULE,))
    assert out.codes["hcpcs"] == ["J1885"] and out.codes["cpt"] == ["96372"]
    assert "4 units" in out.edits[0].reason
    out = run("Medroxyprogesterone 150 mg given as an intramuscular injection.", cpt=["96372"],
              rules=(pairing.DRUG_RULE,))
    assert out.codes["hcpcs"] == ["J1050"] and out.codes["cpt"] == ["96372"]


def test_drug_rule_keeps_a_coded_product_of_the_same_drug(run):
    out = run("Solu-Medrol 125 mg IV push given.", cpt=["96374"], hcpcs=["J2920"], rules=(pairing.DRUG_RULE,))
    assert out.edits == []
    assert run("Nurse visit; no injection given today.", cpt=["99211"], rules=(pairing.DRUG_RULE,)).edits == []


def test_medicare_vaccine_administration_replaces_the_cpt_administration(run):
    out = run("Medicare beneficiary; high-dose influenza vaccine and PCV20 given.", icd=["Z23"],
              cpt=["90662", "90677", "90471"], rules=(pairing.VACCINE_RULE,))
    assert out.codes["cpt"] == ["90662", "90677"] and out.codes["hcpcs"] == ["G0008", "G0009"]
    out = run("Medicare beneficiary; flu vaccine and Tdap given.", icd=["Z23"], cpt=["90686", "90715", "90471",
              "90472"], rules=(pairing.VACCINE_RULE,))
    assert out.codes["cpt"] == ["90686", "90715", "90471"] and out.codes["hcpcs"] == ["G0008"]


def test_commercial_vaccine_administration_is_left_alone(run):
    out = run("Commercially insured; flu vaccine and Tdap given.", icd=["Z23"], cpt=["90686", "90715", "90471",
              "90472"], rules=(pairing.VACCINE_RULE,))
    assert out.edits == []
    out = run("Not a Medicare patient; flu vaccine given.", icd=["Z23"], cpt=["90686", "90471"],
              rules=(pairing.VACCINE_RULE,))
    assert out.edits == []


def test_undocumented_vaccine_products_are_dropped(run):
    out = run("Medicare beneficiary, high-dose influenza vaccine given.", icd=["Z23"],
              cpt=["90715", "90686", "90662"], hcpcs=["G0008"], rules=(pairing.VACCINE_RULE,))
    assert out.codes["cpt"] == ["90662"]
    # a product of a vaccine the note names stays; so does every product when the note names no vaccine
    out = run("Influenza vaccine given.", icd=["Z23"], cpt=["90686", "90471"], rules=(pairing.VACCINE_RULE,))
    assert out.edits == []
    assert run("Vaccines given per schedule.", icd=["Z23"], cpt=["90715", "90471"],
               rules=(pairing.VACCINE_RULE,)).edits == []


def test_a_disease_of_a_vaccines_name_is_no_vaccine(run):
    """The flu of 'influenza A positive' or 'roommate had flu' is the disease; a note that names no vaccine at all
    (a B12 shot) bills no vaccine product, administration or Z23."""
    note = ("Urgent care. Roommate had flu last week. No flu shot this season. POC rapid influenza A/B antigen: "
            "influenza A POSITIVE. A/P: Influenza A - oseltamivir.")
    out = run(note, icd=["J10.1"], cpt=["99214", "87804", "90686", "90471"], rules=(pairing.VACCINE_RULE,))
    assert out.codes["cpt"] == ["99214", "87804"] and out.codes["icd10cm"] == ["J10.1"]
    note = ("78 yo M, Medicare, est pt. Here for his monthly B12 shot. Cyanocobalamin 1000 mcg IM L deltoid given "
            "by nurse. A/P: B12 deficiency.")
    out = run(note, icd=["E53.8"], cpt=["90686", "96372"], hcpcs=["J3420"], rules=(pairing.VACCINE_RULE,))
    assert out.codes == {"icd10cm": ["E53.8"], "cpt": ["96372"], "hcpcs": ["J3420"]}
    # the vaccine named as one, in its sentence or under a list's heading, stays
    note = "Immunizations today:\nMMR\nVaricella\nA/P: well child."
    assert run(note, icd=["Z23"], cpt=["90707", "90716", "90460"], rules=(pairing.VACCINE_RULE,)).codes["cpt"][:2] == [
        "90707", "90716"]


def test_an_adults_duration_in_years_is_no_childs_age(run):
    """'last tetanus >10 yrs' is no age: a 28-year-old counseled on Tdap gets 90471, not 90460."""
    note = ("28 yo M establishing care. Immunizations: Tdap IM L deltoid by MA today (last tetanus >10 yrs). "
            "Counseling: alcohol.")
    out = run(note, icd=["Z23"], cpt=["90715"], rules=(pairing.VACCINE_RULE,))
    assert out.codes["cpt"] == ["90715", "90471"]
    note = "8 yo F, well child. Vaccines counseled and given: Tdap IM."
    assert "90460" in run(note, icd=["Z23"], cpt=["90715"], rules=(pairing.VACCINE_RULE,)).codes["cpt"]


def test_vaccine_kinds():
    assert pairing.vaccine_kind("90662") == "flu" and pairing.vaccine_kind("90677") == "pneumococcal"
    assert pairing.vaccine_kind("90679") == "rsv"  # no Medicare flu G-code for an RSV vaccine
    assert pairing.vaccine_kind("90723") == "other" and pairing.vaccine_kind("99213") is None


def test_ambulance_run_gets_its_level_and_loaded_mileage(run):
    from core.rules import ambulance

    out = run("EMS run report: ALS emergency response, 911 call, cardiac monitoring en route. Loaded miles: 12.",
              rules=(ambulance.RULE,))
    assert out.codes["hcpcs"] == ["A0427", "A0425"]
    out = run("Scheduled non-emergency BLS ambulance transfer to the nursing home; 7 loaded miles.",
              hcpcs=["A0429"], rules=(ambulance.RULE,))
    assert out.codes["hcpcs"] == ["A0428", "A0425"]
    assert "7 units" in out.edits[-1].reason
    out = run("Run report: ALS1 emergency response to an MVC, 7.5 loaded miles.", rules=(ambulance.RULE,))
    assert out.codes["hcpcs"] == ["A0427", "A0425"]


def test_ambulance_rule_leaves_ed_notes_and_air_transport_alone(run):
    from core.rules import ambulance

    assert run("Arrived by ALS ambulance after a 911 call; chest pain.", rules=(ambulance.RULE,)).edits == []
    assert run("Helicopter air ambulance, ALS emergency transport, 40 loaded miles.",
               rules=(ambulance.RULE,)).edits == []
    # the level unknown: mileage only goes with a coded base code
    assert run("Ambulance transport to the hospital, 9 loaded miles.", rules=(ambulance.RULE,)).edits == []


def test_medicare_preventive_services_get_g_codes_and_z_codes(run):
    from core.rules import preventive

    out = run("Medicare beneficiary here for the initial annual wellness visit; no new problems found.",
              rules=(preventive.RULE,))
    assert out.codes["hcpcs"] == ["G0438"] and out.codes["icd10cm"] == ["Z00.00"]
    out = run("Subsequent AWV. Elevated blood pressure noted on exam.", rules=(preventive.RULE,))
    assert out.codes["hcpcs"] == ["G0439"] and out.codes["icd10cm"] == ["Z00.01"]
    out = run("Medicare patient. Screening colonoscopy performed, high-risk for family history of colon cancer.",
              cpt=["45378"], rules=(preventive.RULE,))
    assert out.codes["hcpcs"] == ["G0105"] and out.codes["cpt"] == [] and out.codes["icd10cm"] == ["Z12.11"]


def test_negative_screening_is_not_the_condition_and_commercial_screening_keeps_cpt(run):
    from core.rules import preventive

    out = run("Medicare. Annual depression screening with PHQ-9; screen negative.", icd=["F32.A"], cpt=["96127"],
              rules=(preventive.RULE,))
    assert out.codes == {"icd10cm": ["Z13.31"], "cpt": [], "hcpcs": ["G0444"]}
    out = run("Depression screening with PHQ-9; screen negative.", cpt=["96127"], rules=(preventive.RULE,))
    assert out.codes == {"icd10cm": ["Z13.31"], "cpt": ["96127"], "hcpcs": []}
    # a known depression stays coded; a screening only planned is not coded
    out = run("Major depression on sertraline. Depression screening today, PHQ-9 negative.", icd=["F32.9"],
              rules=(preventive.RULE,))
    assert "F32.9" in out.codes["icd10cm"]
    assert run("Medicare beneficiary. Screening colonoscopy is due; referred to GI.",
               rules=(preventive.RULE,)).edits == []


def test_furnished_dme_and_orthoses_are_coded(run):
    from core.rules import supplies

    out = run("Dispensed a prefabricated ankle support and a pair of crutches.", rules=(supplies.RULE,))
    assert sorted(out.codes["hcpcs"]) == ["E0114", "L1906"]
    out = run("ASO brace and crutches given.", rules=(supplies.RULE,))
    assert sorted(out.codes["hcpcs"]) == ["E0114", "L1906"]
    out = run("Placed in a CAM boot and given a rolling walker.", rules=(supplies.RULE,))
    assert sorted(out.codes["hcpcs"]) == ["E0143", "L4387"]
    out = run("Fitted with forearm crutches.", hcpcs=["E0114"], rules=(supplies.RULE,))
    assert out.edits == []  # crutches already coded


def test_dme_not_furnished_or_a_cast_splint_is_not_coded(run):
    from core.rules import supplies

    for narrative in ("Recommend a wrist splint at night.", "Declined crutches.", "No crutches needed.",
                      "Prescription for a walker given.", "A short arm splint was applied.",
                      "Uses a cane at baseline."):
        assert run(narrative, rules=(supplies.RULE,)).edits == [], narrative


def test_the_disease_a_vaccine_prevents_is_not_coded(run):
    out = run("Medicare beneficiary here to receive a high-dose influenza vaccine and the PCV20 pneumococcal vaccine.",
              icd=["Z23", "J11.1", "G00.1"], cpt=["90662", "90677"], rules=(pairing.VACCINE_RULE,))
    assert out.codes["icd10cm"] == ["Z23"]
    # influenza documented as a diagnosis too: it stays
    out = run("Rapid test positive for influenza A. Influenza vaccine given to her husband today, not to her.",
              icd=["J10.1", "Z23"], cpt=["90686"], rules=(pairing.VACCINE_RULE,))
    assert "J10.1" in out.codes["icd10cm"]
    # no vaccine coded: nothing to read as a vaccine
    assert run("Shingles vaccine discussed; zoster rash on the left flank.", icd=["B02.9"],
               rules=(pairing.VACCINE_RULE,)).edits == []


def test_preventive_visit_alone_bills_no_office_e_m(run):
    from core.rules import preventive

    out = run("Medicare beneficiary. Visit for annual alcohol misuse screening, 15 minutes; screen negative.",
              icd=["F10.20"], cpt=["99212"], rules=(preventive.RULE,))
    assert out.codes == {"icd10cm": ["Z13.39"], "cpt": [], "hcpcs": ["G0442"]}
    out = run("Visit for screening mammogram of both breasts, no symptoms.", rules=(preventive.RULE,))
    assert out.codes["cpt"] == ["77067"] and out.codes["icd10cm"] == ["Z12.31"]
    # a problem addressed too, or its MDM documented: the E/M stays
    out = run("Medicare. Depression screening negative. Also seen for hypertension, MDM: low.", icd=["I10"],
              cpt=["99213"], rules=(preventive.RULE,))
    assert "99213" in out.codes["cpt"]
    out = run("Medicare. Alcohol misuse screening done; screen negative. Knee pain addressed.", icd=["M25.561"],
              cpt=["99213"], rules=(preventive.RULE,))
    assert "99213" in out.codes["cpt"]


def test_an_ambulance_run_bills_no_cpt_code(run):
    from core.rules import ambulance

    out = run("Ambulance run report: transported to the ED for a syncopal episode. Service: basic life support "
              "emergency transport. Loaded mileage 21 statute miles.", cpt=["80048"], rules=(ambulance.RULE,))
    assert out.codes["cpt"] == [] and out.codes["hcpcs"] == ["A0429", "A0425"]
    # an ED note about a patient who came by ambulance keeps its codes
    out = run("Arrived by ALS ambulance after a 911 call; chest pain. ECG interpreted.", cpt=["99284", "93010"],
              rules=(ambulance.RULE,))
    assert out.edits == []


def test_96127_needs_a_standardized_instrument(run):
    from core.rules import preventive

    out = run("Medicare beneficiary. Visit for annual alcohol misuse screening, 15 minutes; screen negative.",
              cpt=["96127"], rules=(preventive.RULE,))
    assert "96127" not in out.codes["cpt"]
    for narrative in ("PHQ-9 administered and scored.", "GAD-7 score 12.", "Depression screening done, negative.",
                      "Vanderbilt ADHD assessment scored.", "Edinburgh postnatal scale completed."):
        assert "96127" in run(narrative, cpt=["96127"], rules=(preventive.RULE,)).codes["cpt"], narrative


def test_a_vaccine_not_given_here_is_not_billed(run):
    """A declined (or elsewhere given) vaccine's product, its administration and Z23 are not coded; a vaccine
    given with the declined one named in another sentence is left to the usual pairing."""
    from core.rules import pairing

    note = "45-year-old with hypertension, BP controlled. Patient declined the influenza vaccine today. Low MDM."
    out = run(note, icd=["I10", "Z23"], cpt=["99213", "90686", "90471"], rules=(pairing.VACCINE_RULE,))
    assert out.codes == {"icd10cm": ["I10"], "cpt": ["99213"], "hcpcs": []}
    note = "Here for blood pressure. Received Shingrix at the pharmacy last month."
    out = run(note, icd=["I10"], cpt=["99213", "90750"], rules=(pairing.VACCINE_RULE,))
    assert out.codes["cpt"] == ["99213"] and out.codes["icd10cm"] == ["I10"]
    note = "Flu shot given today in the left deltoid. Declined Tdap."
    out = run(note, icd=["Z23"], cpt=["90686", "90471"], rules=(pairing.VACCINE_RULE,))
    assert out.codes == {"icd10cm": ["Z23"], "cpt": ["90686", "90471"], "hcpcs": []}
    note = "Flu vaccine was previously declined; today the patient agreed and the flu vaccine was given IM."
    out = run(note, icd=["Z23"], cpt=["90686", "90471"], rules=(pairing.VACCINE_RULE,))
    assert out.edits == []


def test_a_vaccine_up_to_date_or_dated_is_history_not_given(run):
    """'Tdap UTD (2019)', 'PCV20 2023', 'Pneumococcal complete', 'Tetanus current', 'plans to get at pharmacy':
    the vaccine was not given at this visit; a vaccine the note says was given keeps Z23 and its administration."""
    for note in ("Tdap UTD (2019). A: laceration.", "Tetanus current. A: laceration.", "Tdap 2021. A: laceration.",
                 "Shingrix #1 - plans to get at pharmacy.", "Pneumococcal complete. Medicare AWV."):
        out = run(note, icd=["Z23"], cpt=["90715", "90750", "90677", "90471"], rules=(pairing.VACCINE_RULE,))
        assert not ({"90715", "90750", "90677"} - {e.code for e in out.edits if e.action == "drop"}) or out.codes[
            "cpt"] != ["90715", "90750", "90677", "90471"], note
    note = "Tdap UTD (2019). Influenza vaccine IIV3 0.5 mL IM given today."
    out = run(note, icd=["Z23"], cpt=["90656", "90715", "90471"], rules=(pairing.VACCINE_RULE,))
    assert out.codes["cpt"] == ["90656", "90471"] and out.codes["icd10cm"] == ["Z23"]
    # PCV20 given, the flu shot received at the pharmacy: the flu product goes, Z23 and the administration stay
    note = "Medicare AWV. PCV20 given today R deltoid. Flu shot already received at pharmacy 10/2025."
    out = run(note, icd=["Z23"], cpt=["90686", "90471"], rules=(pairing.VACCINE_RULE,))
    assert "90686" not in out.codes["cpt"] and out.codes["icd10cm"] == ["Z23"]


def test_a_counseled_child_gets_90460_and_90461(run):
    note = "13 yo F, well visit. Vaccines (counseled pt and mother, VIS given): Tdap, MenACWY, HPV-9, all IM."
    out = run(note, icd=["Z23"], cpt=["90715", "90734", "90651"], rules=(pairing.VACCINE_RULE,))
    assert out.codes["cpt"] == ["90715", "90734", "90651", "90460", "90461"]
    note = "11 yo M, est pt. Counseled mother on the MenACWY vaccine, VIS given; given IM."
    out = run(note, icd=["Z23"], cpt=["90734", "90471", "90472"], rules=(pairing.VACCINE_RULE,))
    assert out.codes["cpt"] == ["90734", "90460"]  # one component: no 90461; 90471/90472 replaced
    # an adult, or a child not counseled: 90471
    out = run("45 yo F. Tdap given IM.", icd=["Z23"], cpt=["90715"], rules=(pairing.VACCINE_RULE,))
    assert out.codes["cpt"] == ["90715", "90471"]
    out = run("13 yo F. Tdap given IM by the MA.", icd=["Z23"], cpt=["90715"], rules=(pairing.VACCINE_RULE,))
    assert out.codes["cpt"] == ["90715", "90471"]


def test_the_eds_drugs_are_the_facilitys_and_local_anesthetics_are_the_procedures(run):
    note = "ED Provider Note. 40 yo M presents to the ED with flank pain. ED meds: ketorolac 15 mg IV, ondansetron 4 mg IV."
    out = run(note, cpt=["99284", "96374"], hcpcs=["J1885"], rules=(pairing.DRUG_RULE,))
    assert out.codes["cpt"] == ["99284"] and out.codes["hcpcs"] == []
    assert "facility claim" in out.edits[0].reason
    assert run(note, cpt=["99284"], rules=(pairing.DRUG_RULE,)).edits == []  # nothing added either
    # an urgent care's drug is billed
    note = "Urgent care. Ketorolac 60 mg IM given R gluteal."
    assert run(note, cpt=[], rules=(pairing.DRUG_RULE,)).codes["hcpcs"] == ["J1885"]
    note = "Knee injection: triamcinolone acetonide 40 mg with 1% lidocaine 4 mL injected."
    out = run(note, cpt=["20610"], hcpcs=["J3301"], rules=(pairing.DRUG_RULE,))
    assert out.codes["hcpcs"] == ["J3301"]


def test_a_vaccine_sentence_gives_no_drug(codeset):
    assert given_drugs("MMR SC, varicella SC, hepatitis A (pediatric) IM given today.", codeset) == []


def test_vaccine_products_named_by_their_common_names(run):
    note = "13 yo F well visit. Vaccines (counseled pt and mother, VIS given): Tdap, MenACWY (Menveo), HPV-9 dose #1, all IM."
    out = run(note, icd=["Z23"], cpt=["90460"], rules=(pairing.VACCINE_RULE,))
    assert {"90715", "90734", "90651"} <= set(out.codes["cpt"])
    note = "Medicare AWV. Adjuvanted influenza vaccine (Fluad) given R deltoid today."
    out = run(note, icd=["Z23"], hcpcs=["G0008"], rules=(pairing.VACCINE_RULE,))
    assert "90653" in out.codes["cpt"]
    note = "Influenza vaccine IIV3 preservative-free 0.5 mL IM given today."
    assert "90656" in run(note, icd=["Z23"], cpt=["90471"], rules=(pairing.VACCINE_RULE,)).codes["cpt"]
