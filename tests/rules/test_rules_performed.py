"""not_performed: a lab test ordered for later, done before or sent to another laboratory is not billed."""

from __future__ import annotations

from core.rules import RULES, performed

RULE = (performed.RULE,)


def _cpt(run, note, codes):
    return run(note, cpt=codes, rules=RULE).codes["cpt"]


def test_tests_not_done_here_today_are_dropped(run):
    out = run("Est pt. A/P: HTN - continue lisinopril. BMP ordered for next week.", cpt=["99213", "80048"], rules=RULE)
    assert out.codes["cpt"] == ["99213"]
    assert "not billed here" in out.edits[0].reason and "BMP ordered for next week" in out.edits[0].reason
    assert _cpt(run, "Est pt. A1c drawn last wk: 7.2. A/P: DM2 stable.", ["99213", "83036"]) == ["99213"]
    assert _cpt(run, "Est pt. Urine culture sent to reference lab.", ["99213", "87086"]) == ["99213"]
    assert _cpt(run, "Est pt. Prediabetes - diet, A1c in 6 mo.", ["99213", "83036"]) == ["99213"]
    assert _cpt(run, "Est pt. CMP and TSH ordered (to be drawn at hospital lab).", ["80053", "84443"]) == []


def test_tests_from_outside_with_later_labs_or_cultures_sent_out(run):
    """A line labelled as outside labs speaks of each of its sentences; 'TSH with labs', 'lipids/LFTs 6 wks', a
    culture sent out and 'will call with culture' are not done here."""
    note = ("New pt.\nOutside labs (PCP, reviewed): TSH <0.01, free T4 3.8. CBC and LFTs normal.\n"
            "A/P: Graves' disease - methimazole.")
    assert _cpt(run, note, ["99204", "85025", "80076", "84443"]) == ["99204"]
    note = "Est pt. A/P: 1. HTN - BMP ordered. 2. Hypothyroidism - TSH with labs. 3. HLD - lipids/LFTs 6 wks."
    assert _cpt(run, note, ["99214", "84443", "80061", "80076"]) == ["99214"]
    note = "New pt. I&D of axillary abscess. Wound culture sent to reference lab. Will call with culture."
    assert _cpt(run, note, ["10060", "87070", "87086"]) == ["10060"]
    # a result given with no word of elsewhere, or a line not labelled as outside, stays
    note = "Est pt. 54 yo M with dysuria. Exam and history reviewed. Automated urinalysis shows nitrites."
    assert _cpt(run, note, ["99214", "81003"]) == ["99214", "81003"]


def test_tests_done_here_or_not_named_stay(run):
    assert run("Est pt. POC HbA1c today 8.1%. A/P: DM2 - A1c worse.", cpt=["83036"], rules=RULE).edits == []
    assert run("Est pt. Rapid strep antigen (in clinic): POSITIVE.", cpt=["87880"], rules=RULE).edits == []
    assert run("Est pt. Urine dipstick: LE 3+, nitrite +.", cpt=["81002"], rules=RULE).edits == []
    assert run("Est pt. Hemoglobin A1c drawn.", cpt=["83036"], rules=RULE).edits == []
    # ordered before, done today: one sentence saying it was done here keeps it
    note = "Est pt. A1c ordered at last visit. Point-of-care A1c done today: 7.9%."
    assert run(note, cpt=["83036"], rules=RULE).edits == []
    assert run("Est pt. Follow-up of diabetes.", cpt=["83036"], rules=RULE).edits == []  # not named: not judged
    # the ED's own labs are left to the data's convention
    note = "ED Provider Note. 54 yo M presents to the ED with chest pain. Troponin x2 negative; repeat troponin in 3 hours."
    assert run(note, cpt=["84484"], rules=RULE).edits == []
    assert "not_performed" in [rule.name for rule in RULES]
