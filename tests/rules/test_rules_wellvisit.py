"""preventive_visit: a well visit gets the preventive code of the patient's age band and status, and its Z00 code."""

from __future__ import annotations

from core.rules import RULES, wellvisit

RULE = (wellvisit.RULE,)


def test_the_age_band_status_and_z_code(run):
    out = run("Annual physical. 45 yo F, est pt. Exam normal, no abnormal bleeding.", rules=RULE)
    assert out.codes["cpt"] == ["99396"] and out.codes["icd10cm"] == ["Z00.00"]
    out = run("Well child check. 4 yo M, est pt. Growth on track.", rules=RULE)
    assert out.codes["cpt"] == ["99392"] and out.codes["icd10cm"] == ["Z00.129"]
    out = run("Annual physical. 32-year-old man, new patient establishing care. BP elevated at 150/95.", rules=RULE)
    assert out.codes["cpt"] == ["99385"] and out.codes["icd10cm"] == ["Z00.01"]
    # a coded band of the wrong age is replaced; a problem E/M with no problem or MDM goes
    out = run("Annual physical. 70 yo F, est pt. Exam normal.", icd=["Z00.00"], cpt=["99396", "99214"], rules=RULE)
    assert out.codes["cpt"] == ["99397"]


def test_not_a_medicare_wellness_visit_a_sports_physical_or_an_unknown_age(run):
    assert run("Medicare annual wellness visit. 70 yo F.", rules=RULE).edits == []
    assert run("Sports physical. 15 yo M, est pt.", rules=RULE).edits == []
    assert run("Annual physical. Est pt. Exam normal.", rules=RULE).edits == []
    assert "preventive_visit" in [rule.name for rule in RULES]


def test_age_in_months_a_sports_form_and_a_finding_the_assessment_names(run):
    from core.rules import wellvisit
    from core.rules.narrative import note_sections, patient_age

    assert patient_age("15-month well visit, established.") == 1
    assert patient_age("20 mo F brought by EMS.") == 1
    assert patient_age("6-week-old boy, newborn follow-up.") == 0
    assert patient_age("45 yo M with cough x3 mo.") == 45
    note = ("15-month well visit, established.\nExam: dry patches on cheeks. Otherwise normal exam.\n"
            "A/P:\n1. WCC 15 mo - normal growth. Guidance: car seat, choking hazards.\n"
            "2. Mild atopic dermatitis - emollient BID.")
    assert [kind for kind, _, _ in note_sections(note)][-2:] == ["assessment", "assessment"]
    out = run(note, icd=["L20.9"], rules=(wellvisit.RULE,))
    assert out.codes["icd10cm"] == ["L20.9", "Z00.121"] and out.codes["cpt"] == ["99392"]
    # a sports form filled at a well visit leaves it a preventive visit; a nicotine habit counseled is no finding
    note = "Adolescent well visit - 13 yo F, established. Sports physical form completed. A/P: healthy adolescent."
    assert run(note, rules=(wellvisit.RULE,)).codes["cpt"] == ["99394"]
    assert run("Sports physical - 15 yo M. Cleared for soccer.", rules=(wellvisit.RULE,)).edits == []
    note = "New patient - preventive exam. 28 yo M. Vapes daily.\nA/P:\n1. Routine adult physical.\n2. Nicotine dependence."
    assert "Z00.00" in run(note, icd=["F17.290"], rules=(wellvisit.RULE,)).codes["icd10cm"]


def test_screenings_done_with_their_result_are_billed(run):
    from core.rules import preventive

    rule = (preventive.RULE,)
    note = ("8 yo M, well child check, established. Screens: Snellen 20/20 OD, 20/25 OS. Pure-tone audiometry screen "
            "500-4000 Hz passed bilat. A/P: healthy child.")
    assert run(note, cpt=["99393"], rules=rule).codes["cpt"] == ["99393", "99173", "92551"]
    note = "15-month well visit. Developmental screening: ASQ-3 completed by mom and scored - all above cutoff."
    assert run(note, cpt=["99392"], rules=rule).codes["cpt"] == ["99392", "96110"]
    note = "Est pt, 31 yo F, panic attacks. GAD-7 administered and scored: 13. A/P: panic disorder."
    assert run(note, cpt=["99214"], rules=rule).codes["cpt"] == ["99214", "96127"]
    # an acuity of an eye complaint is examination, a screening ordered is not done, Medicare screens by G0444
    assert run("UC note. Red eyes. VA 20/20 OU. Snellen 20/20. A/P: conjunctivitis.", cpt=["99213"], rules=rule).edits == []
    assert run("Est pt. PHQ-9 ordered for next visit.", cpt=["99213"], rules=rule).edits == []


def test_a_medicare_wellness_visit_codes_what_its_plan_addresses(run):
    """An AWV reviews the history: conditions it only lists are not coded (history and status codes stay), no
    problem E/M or 96127 is billed with it; 'IPPE not done' is no IPPE; a vaccine given beside one declined is
    still coded."""
    from core.rules import RULES

    note = ("Initial Annual Wellness Visit\n66 yo F, Medicare Part B since 2024 (IPPE not done).\n"
            "Medical hx: NSTEMI 2019 s/p DES to RCA, no angina since. HLD. OA of hands. Meds: rosuvastatin.\n"
            "Depression: PHQ-2 = 0.\nImmunizations: PCV20 given today R deltoid. Flu shot already received at "
            "pharmacy 10/2025.\nWritten screening schedule and personalized prevention plan provided.")
    out = run(note, icd=["E78.5", "F32.A", "I25.2", "Z23"], cpt=["99282", "96127", "90471", "90686"], rules=RULES)
    assert "E78.5" not in out.codes["icd10cm"] and "F32.A" not in out.codes["icd10cm"]
    assert {"I25.2", "Z23", "Z00.00"} <= set(out.codes["icd10cm"])
    assert out.codes["cpt"] == ["90677"]
    assert set(out.codes["hcpcs"]) == {"G0438", "G0009"}
    # a problem the AWV's plan addresses stays
    note = ("Subsequent AWV, Medicare, 72 yo M.\nPMH: HTN, HLD.\nA/P: HTN - uncontrolled today, increase lisinopril. "
            "Prevention plan provided.")
    assert "I10" in run(note, icd=["I10", "E78.5"], rules=RULES).codes["icd10cm"]
