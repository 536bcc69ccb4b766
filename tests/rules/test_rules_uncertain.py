"""uncertain_diagnosis: in an outpatient visit note a diagnosis only suspected or ruled out is not coded, and the
sign or symptom that brought the patient in is (Guidelines IV.H)."""

from __future__ import annotations

from core.rules import RULES, uncertain
from core.rules.narrative import SHORT_NOTE_WORDS, visit_note

RULE = (uncertain.RULE,)


def test_a_suspected_or_ruled_out_diagnosis_is_dropped(run):
    out = run("RLQ pain since this morning. Assessment: RLQ pain, suspected appendicitis; CT ordered.",
              icd=["K37", "R10.31"], rules=RULE)
    assert out.codes["icd10cm"] == ["R10.31"]
    (edit,) = out.edits
    assert (edit.action, edit.code, edit.rule) == ("drop", "K37", "uncertain_diagnosis")
    assert "only suspected or ruled out" in edit.reason and "IV.H" in edit.guideline
    for note, code in [
        ("Cough and fever. Assessment: likely viral URI versus early pneumonia.", "J18.9"),
        ("Cough and fever. Assessment: likely viral URI versus early pneumonia.", "J06.9"),
        ("Chest pain. CTA chest: no pulmonary embolism. Assessment: chest pain; PE ruled out by CTA.", "I26.99"),
        ("Wrist pain after a fall. X-ray: no fracture. Assessment: wrist sprain.", "S52.501A"),
        ("Headache. Assessment: headache, possible migraine.", "G43.909"),
        ("Dysuria. Assessment: dysuria, r/o UTI; culture sent.", "N39.0"),
        ("Ear pain. Assessment: questionable early otitis media, left.", "H66.92"),
        ("Body aches. Rapid flu test negative. Assessment: viral syndrome.", "J11.1"),
        ("Fever and cough. DDx: pneumonia, bronchitis. Plan: chest x-ray.", "J18.9"),
    ]:
        out = run(note, icd=[code], rules=RULE)
        assert [(e.action, e.code) for e in out.edits][:1] == [("drop", code)], (note, out.edits)


def test_one_certain_mention_keeps_the_code(run):
    # the assessment states the diagnosis; the x-ray's "consistent with" does not undo it
    assert run("Cough. CXR consistent with pneumonia. Assessment: community-acquired pneumonia.", icd=["J18.9"],
               rules=RULE).edits == []
    assert run("Cough and fever. Differential included pneumonia. Assessment: acute bronchitis.", icd=["J20.9"],
               rules=RULE).edits == []
    # the uncertainty is about the organism, after a comma: the pneumonia itself is certain
    assert run("Assessment: pneumonia, viral vs bacterial. Started azithromycin.", icd=["J18.9"], rules=RULE).edits == []
    # a relative's condition is neither certain nor uncertain for the patient: this rule leaves it alone
    assert run("Mother with breast cancer. Possible breast cancer? No.", icd=["Z80.3"], rules=RULE).edits == []
    # never mentioned: unsupported_diagnosis's to judge
    assert run("Cough for a week. Assessment: cough.", icd=["J18.9"], rules=RULE).edits == []


def test_signs_and_symptoms_are_never_dropped_here(run):
    # pain codes of other chapters are symptoms too (M25.5- pain in joint, H92.0- otalgia)
    note = "Fall at home with left hip pain, a hip fracture suspected."
    assert run(note, icd=["M25.552", "R52"], rules=RULE).edits == []
    assert run("Left ear pain, possible otitis media.", icd=["H92.02"], rules=RULE).edits == []


def test_the_symptom_is_added_when_the_answer_has_none(run):
    candidates = {"icd10cm": ["I24.9", "I10", "R07.9", "R07.89"]}
    out = run("ED visit for chest pain for two hours. Assessment: chest pain, r/o acute ischemic heart disease.",
              icd=["I24.9"], rules=RULE, candidates=candidates)
    assert out.codes["icd10cm"] == ["R07.9"]
    assert [(e.action, e.code) for e in out.edits] == [("drop", "I24.9"), ("add", "R07.9")]
    # the symptom must be stated in a certain clause: 'r/o chest pain' would not do
    out = run("Assessment: possible acute ischemic heart disease.", icd=["I24.9"], rules=RULE, candidates=candidates)
    assert [(e.action, e.code) for e in out.edits] == [("drop", "I24.9")]
    # an answer that has a symptom already gets no other
    out = run("Chest pain. Assessment: chest pain, r/o acute ischemic heart disease.", icd=["I24.9", "R07.89"],
              rules=RULE, candidates=candidates)
    assert [(e.action, e.code) for e in out.edits] == [("drop", "I24.9")]
    # a catch-all is never the symptom added
    out = run("Assessment: pain, r/o acute ischemic heart disease.", icd=["I24.9"], rules=RULE,
              candidates={"icd10cm": ["I24.9", "R52"]})
    assert [(e.action, e.code) for e in out.edits] == [("drop", "I24.9")]
    # a diagnosis the MDM only considers is not coded
    note = "ED Note. MDM: viral gastroenteritis. Appendicitis and obstruction considered; not supported."
    assert run(note, icd=["A08.4", "K35.80"], rules=RULE).codes["icd10cm"] == ["A08.4"]
    note = "ED Note. MDM: pneumonia with hypoxemia. Sepsis considered - normal lactate. Dx: CAP."
    assert run(note, icd=["J18.9", "A41.9"], rules=RULE).codes["icd10cm"] == ["J18.9"]
    # without a candidate list nothing is added
    out = run("Assessment: chest pain, r/o acute ischemic heart disease.", icd=["I24.9"], rules=RULE)
    assert [(e.action, e.code) for e in out.edits] == [("drop", "I24.9")]


def test_only_visit_notes_of_one_encounter(run):
    # a case report longer than a short note and without a visit note's labels: CodiEsp codes ruled-out findings
    report = ("A 59-year-old man with a history of chronic alcoholism was admitted for fever. " * 10
              + "A transesophageal ultrasound was also performed, ruling out secondary endocarditis.")
    assert len(report.split()) > SHORT_NOTE_WORDS and not visit_note(report)
    assert run(report, icd=["I38"], rules=RULE).edits == []
    # the same length with the labels of a visit note is read
    note = "HPI: " + "Fever for three days, no chills, eating and drinking well. " * 12 + "A/P: fever, r/o endocarditis."
    assert visit_note(note)
    assert [e.code for e in run(note, icd=["I38"], rules=RULE).edits] == ["I38"]
    history = "Suspected appendicitis at the first visit. Two months later he was readmitted."
    assert not visit_note(history)
    assert run(history, icd=["K37"], rules=RULE).edits == []


def test_in_the_default_rules_before_integral_symptom(run):
    names = [rule.name for rule in RULES]
    assert names.index("uncertain_diagnosis") < names.index("integral_symptom")
    # with every rule: the suspected diagnosis goes, so its symptom is no longer 'integral' and stays
    out = run("Assessment: RLQ pain, suspected appendicitis.", icd=["K35.80", "R10.31"])
    assert out.codes["icd10cm"] == ["R10.31"]
