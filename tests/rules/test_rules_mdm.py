"""The MDM read from a visit note that states no level (core.rules.mdm), and the E/M level em_level sets from it."""

from __future__ import annotations

from core.rules import em
from core.rules.mdm import estimate_mdm

CHRONIC_VISIT = """CC: 3-mo f/u DM2, HTN.
S: 64 yo M, established pt. Home BP log 130s-140s/80s. Denies chest pain.
O: BP 138/84. POC HbA1c today 8.1% (was 7.4%). Labs 2 wks ago: eGFR 52.
A/P:
1. DM2 - A1c worse. Start empagliflozin 10 mg daily.
2. HTN - near goal, continue lisinopril.
Orders: BMP and lipid panel in 3 mo."""

ACUTE_VISIT = """45 yo M, established, with fever, myalgias and sore throat since yesterday.
POC tests: SARS-CoV-2 antigen POSITIVE. Rapid influenza A/B antigen NEGATIVE.
A/P: COVID-19, mild. Supportive care with OTC acetaminophen, fluids, rest."""

ED_CHEST_PAIN = """ED Provider Note. 54 yo M presents to the ED with chest pressure at rest.
ED course: ECG: NSR. hs-troponin 0 h and 2 h negative. CBC, BMP unremarkable. CXR per radiology: no acute process.
MDM: chest pain with possible ACS considered. Discussed observation admission for stress testing vs discharge.
Dx: Atypical chest pain, ACS ruled out.
Plan: D/c home, famotidine 20 mg BID (Rx). Return to the ED if worse."""


def test_drops_prescribed_and_a_patient_new_to_this_clinic(run):
    note = ("UC note. S: 34 yo M, new to this clinic, with red goopy eyes x2 days. A/P: Acute mucopurulent "
            "conjunctivitis, both eyes. Polymyxin B-trimethoprim 1 gtt OU q4h x7 d. Return for pain.")
    assert em.patient_family(note, []) == "new"
    assert estimate_mdm(note).risk == 2
    assert [e.code for e in run(note, cpt=[], rules=(em.RULE,)).edits] == ["99203"]


def test_the_three_elements_and_the_level_two_of_them_reach():
    chronic = estimate_mdm(CHRONIC_VISIT)
    assert (chronic.problems, chronic.risk) == (2, 2) and chronic.level == 2  # a chronic illness worse; Rx started
    acute = estimate_mdm(ACUTE_VISIT)
    assert (acute.problems, acute.data, acute.risk, acute.level) == (1, 1, 1, 1)  # two tests; OTC drugs
    ed = estimate_mdm(ED_CHEST_PAIN)
    assert ed.problems == 3 and ed.risk == 3 and ed.level == 3  # a threat to life worked up; hospitalization weighed
    assert estimate_mdm("Established pt. A: insect bite. Reassurance.").level == 0
    # a past condition followed up is no threat to life; two stable chronic illnesses are a moderate problem
    note = "A/P:\n1. H/o ischemic stroke - continue statin.\n2. HLD - at goal.\n3. HTN - stable."
    assert estimate_mdm(note).problems == 2


def test_em_level_from_the_estimate_when_the_note_states_none(run):
    out = run(CHRONIC_VISIT, cpt=[], rules=(em.RULE,))
    assert out.codes["cpt"] == ["99214"]
    assert "states no MDM level or total time" in out.edits[0].reason and "problems moderate" in out.edits[0].reason
    assert run(ACUTE_VISIT, cpt=["99215"], rules=(em.RULE,)).codes["cpt"] == ["99213"]
    # ED: the advice to return to the ED does not make an office note an ED one, but this is the ED's note
    assert run(ED_CHEST_PAIN, cpt=[], rules=(em.RULE,)).codes["cpt"] == ["99285"]
    office = ACUTE_VISIT + " ED if short of breath. ED precautions given."
    assert run(office, cpt=[], rules=(em.RULE,)).codes["cpt"] == ["99213"]


def test_a_stated_level_wins_and_no_visit_is_estimated_for_procedures_or_prevention(run):
    stated = CHRONIC_VISIT + " MDM: low."
    assert run(stated, cpt=[], rules=(em.RULE,)).codes["cpt"] == ["99213"]
    assert run(CHRONIC_VISIT + " I spent 45 minutes on this visit today.", cpt=[], rules=(em.RULE,)).codes["cpt"] == ["99215"]
    repair = "Est pt. Procedure: simple laceration repair, 6 sutures. A: laceration of the forearm."
    assert run(repair, cpt=["12002"], rules=(em.RULE,)).edits == []
    assert run(repair, cpt=[], rules=(em.RULE,)).edits == []
    # a splint goes on an injury the visit evaluates: its E/M is estimated
    fracture = ("New pt, 42 yo F, fell on an outstretched hand. X-ray: nondisplaced distal radius fracture. "
                "Short arm splint applied. A/P: closed fracture of the left radius - splint, ortho f/u 1 wk.")
    assert [e.code for e in run(fracture, cpt=["29125"], rules=(em.RULE,)).edits] == ["99203"]
    # an ED visit is evaluated even with a repair: a minor surgery done there is low risk
    ed_repair = ("ED Note. 30 yo M hit his scalp on a shelf, 3 cm laceration. Exam: no LOC, neuro intact. "
                 "Simple repair with staples. Dx: scalp laceration.")
    assert [e.code for e in run(ed_repair, cpt=["12002"], rules=(em.RULE,)).edits] == ["99283"]
    well = "Adolescent well visit - 13 yo F, established. Vaccines given. A/P: healthy adolescent."
    assert run(well, cpt=[], rules=(em.RULE,)).edits == []
    # a drug's extended-release 'ER' is no emergency room
    note = "Est pt. On methylphenidate ER 27 mg. A/P: ADHD - stable, continue methylphenidate 27 mg daily."
    assert em.patient_family(note, []) == "established"
    # the ED's "minimal" level is 99281
    assert run("Seen in the ED. MDM: minimal.", cpt=[], rules=(em.RULE,)).codes["cpt"] == ["99281"]


def test_an_ed_note_by_its_header_and_an_office_visit_that_names_no_status(run):
    note = "ED Note\nCC: ankle pain after a fall.\nDx: ankle sprain.\nPlan: ibuprofen OTC, ice, crutches."
    assert em.patient_family(note, []) == "ed"
    # a note that says neither new nor established, and codes no E/M: no family to pick from (a nurse visit for an
    # injection looks the same)
    note = "CC: sore throat x2 days.\nExam: exudate.\nA/P: strep pharyngitis. Amoxicillin 500 mg BID x10 days (Rx)."
    assert run(note, cpt=[], rules=(em.RULE,)).edits == []
