"""visit_complexity: a Medicare office visit of longitudinal care gets G2211, unless the E/M takes modifier 25."""

from __future__ import annotations

from core.rules import RULES, complexity

RULE = (complexity.RULE,)
NOTE = ("Chronic care visit\n80 yo M, Medicare, est pt (I am his PCP), f/u CKD and HTN.\n"
        "A/P: Hypertension with CKD stage 3b - BP at goal, continue amlodipine.")


def test_a_medicare_visit_of_the_patients_pcp_gets_the_add_on(run):
    out = run(NOTE, icd=["I12.9", "N18.32"], cpt=["99214"], rules=RULE)
    assert out.codes["hcpcs"] == ["G2211"] and "I am his PCP" in out.edits[0].reason
    note = NOTE.replace("(I am his PCP)", "; I have been his PCP for 9 yrs")
    assert run(note, cpt=["99214", "83036"], rules=RULE).codes["hcpcs"] == ["G2211"]  # a lab test takes no -25
    assert "visit_complexity" in [rule.name for rule in RULES]


def test_no_add_on_with_modifier_25_another_payer_or_no_relationship_stated(run):
    out = run(NOTE, cpt=["99214", "96372"], hcpcs=["J3420", "G2211"], rules=RULE)
    assert out.codes["hcpcs"] == ["J3420"] and "modifier 25" in out.edits[0].reason
    assert run(NOTE, cpt=["99214", "96372"], hcpcs=["J3420"], rules=RULE).edits == []
    assert run(NOTE.replace("Medicare, ", ""), cpt=["99214"], rules=RULE).edits == []
    assert run(NOTE.replace(" (I am his PCP)", ""), cpt=["99214"], rules=RULE).edits == []
    assert run(NOTE, cpt=["99284"], rules=RULE).edits == []  # no office visit
