"""history_of: a condition of the patient's past is coded by its personal-history code, not as current."""

from __future__ import annotations

from core.rules import RULES, history

RULE = (history.RULE,)


def _icd(run, note, codes):
    return run(note, icd=codes, rules=RULE).codes["icd10cm"]


def test_a_past_condition_becomes_its_history_code(run):
    out = run("PMH: HTN, h/o MI in 2019. Here for BP check. Assessment: HTN, controlled.", icd=["I10", "I21.9"],
              rules=RULE)
    assert out.codes["icd10cm"] == ["I10", "I25.2"]
    (edit,) = out.edits
    assert (edit.action, edit.code, edit.replacement, edit.rule) == ("replace", "I21.9", "I25.2", "history_of")
    assert "in the patient's past" in edit.reason and "I.C.21.c.4" in edit.guideline
    assert _icd(run, "History of breast cancer s/p lumpectomy 2015, no recurrence. Annual exam.",
                ["C50.919", "Z00.00"]) == ["Z85.3", "Z00.00"]
    assert _icd(run, "Hx of kidney stones. Dysuria today. A: acute cystitis.", ["N30.00", "N20.0"]) == ["N30.00", "Z87.442"]
    assert _icd(run, "Pt with prior DVT in 2018, off anticoagulation. Knee pain today.",
                ["I82.409", "M25.561"]) == ["Z86.718", "M25.561"]
    assert _icd(run, "History of stroke in 2020 without residual deficits. A: HTN.", ["I63.9", "I10"]) == ["Z86.73", "I10"]
    # the history code already coded: the current code just goes
    assert _icd(run, "h/o colon cancer s/p resection 2016. Surveillance.", ["C18.9", "Z85.038"]) == ["Z85.038"]


def test_tobacco_quit_is_a_history_of_nicotine_dependence(run):
    assert _icd(run, "Former smoker, quit 10 years ago. A: acute bronchitis.", ["J20.9", "F17.210"]) == ["J20.9", "Z87.891"]
    assert _icd(run, "Smoked 1 ppd for 20 years, quit in 2010. A: COPD.", ["F17.210"]) == ["Z87.891"]
    # still smoking: current
    assert _icd(run, "Smokes 1 ppd. A: acute bronchitis.", ["J20.9", "F17.210"]) == ["J20.9", "F17.210"]
    assert _icd(run, "Former smoker. Now smokes 5 cigarettes a day again.", ["F17.210"]) == ["F17.210"]


def test_a_current_condition_stays(run):
    # named without a history cue
    assert run("Assessment: acute inferior MI. Sent to the cath lab.", icd=["I21.19"], rules=RULE).edits == []
    assert run("Left ureteral stone on CT, 5 mm. A: kidney stone.", icd=["N20.0"], rules=RULE).edits == []
    # a malignancy under treatment is current (I.C.2.d)
    assert run("History of breast cancer, currently on tamoxifen.", icd=["C50.919"], rules=RULE).edits == []
    assert run("History of colon cancer, now metastatic to the liver.", icd=["C18.9"], rules=RULE).edits == []
    # one sentence without the cue keeps it current
    assert run("H/o MI 2019. Assessment: acute MI, recurrent chest pain since noon.", icd=["I21.9"], rules=RULE).edits == []
    # 'History of present illness' is a section, not a cue
    assert run("History of present illness: pneumonia diagnosed today on CXR. A: CAP.", icd=["J18.9"],
               rules=RULE).edits == []
    # a relative's condition is not the patient's history
    assert run("Family history of colon cancer. Screening colonoscopy.", icd=["C18.9", "Z80.0"], rules=RULE).edits == []
    # chronic conditions said as 'history of' are usually present: not in the table, left alone
    assert run("History of hypertension on lisinopril.", icd=["I10"], rules=RULE).edits == []


def test_visit_notes_of_one_encounter_only(run):
    report = "A 64-year-old man with a history of acute myocardial infarction was referred for surgery. " * 9
    assert run(report, icd=["I21.9"], rules=RULE).edits == []
    assert "history_of" in run("H/o MI. Two months later he was readmitted.", icd=["I21.9"], rules=RULE).skipped


def test_in_the_default_rules(run):
    assert "history_of" in [rule.name for rule in RULES]
    out = run("Former smoker, quit 2010. Cough x5 days. Assessment: acute bronchitis.", icd=["J20.9", "F17.210", "R05.9"])
    assert out.codes["icd10cm"] == ["J20.9", "Z87.891"]


def test_a_history_the_guidelines_say_to_code_is_added(run):
    # Z85 for an eradicated malignancy (I.C.2.d), old MI, stroke without residual, a former smoker
    assert _icd(run, "History of breast cancer, treated in 2015, no recurrence. Shoulder pain. A: shoulder pain.",
                ["M25.519"]) == ["M25.519", "Z85.3"]
    assert _icd(run, "Prostate cancer treated in 2014, PSA undetectable since. A: knee pain.", ["M25.561"]) == [
        "M25.561", "Z85.46"]
    assert _icd(run, "PMH: HTN, h/o MI in 2019. A: HTN.", ["I10"]) == ["I10", "I25.2"]
    assert _icd(run, "Quit smoking in 2010. A: acute bronchitis.", ["J20.9"]) == ["J20.9", "Z87.891"]
    # the site decides which Z85 code; a relative's cancer or a cancer under treatment adds nothing
    assert _icd(run, "History of colon cancer s/p resection 2016. A: fatigue.", ["R53.83"]) == ["R53.83", "Z85.038"]
    assert run("Mother had breast cancer. A: fatigue.", icd=["R53.83"], rules=RULE).edits == []
    assert run("Breast cancer, on tamoxifen. A: fatigue.", icd=["R53.83"], rules=RULE).edits == []
    # histories the guidelines leave to the coder's judgment (kidney stones, DVT) are replaced, never added
    assert run("Hx of kidney stones. A: acute cystitis.", icd=["N30.00"], rules=RULE).edits == []


def test_status_codes_after_a_procedure(run):
    note = "PMH: NSTEMI 2019 s/p DES to RCA. A/P: syncope, likely vasovagal."
    assert "Z95.5" in _icd(run, note, ["R55"])
    assert "Z96.651" in _icd(run, "1 yr s/p R TKA, excellent result. A/P: L knee OA.", ["M17.12"])
    assert "Z95.1" in _icd(run, "History of CABG in 2015. A/P: HTN.", ["I10"])
    # planned, discussed or denied: no status
    assert _icd(run, "Discussed L TKA; pt wishes to proceed. A/P: L knee OA.", ["M17.12"]) == ["M17.12"]
    assert _icd(run, "No pacemaker. A/P: HTN.", ["I10"]) == ["I10"]


def test_a_cancer_treated_years_ago_told_after_its_name(run):
    """'prostate cancer s/p radical prostatectomy 2012 (PSA undetectable)' in a list of the past history: Z85.46."""
    from core.rules import history

    note = ("Est pt. PMH: HTN, CKD stage 3b, prostate cancer s/p radical prostatectomy 2012 (PSA undetectable).\n"
            "A/P: 1. HTN with CKD 3b - continue. 2. H/o prostate cancer - annual PSA surveillance.")
    assert run(note, icd=["I12.9", "C61"], rules=(history.RULE,)).codes["icd10cm"] == ["I12.9", "Z85.46"]
    note = "Est pt. A/P: prostate cancer on leuprolide, PSA rising - oncology f/u. Dx 2012."
    assert run(note, icd=["C61"], rules=(history.RULE,)).codes["icd10cm"] == ["C61"]
