"""ed_professional: on the ED's note the physician bills the professional work only."""

from __future__ import annotations

from core.rules import RULES, facility

RULE = (facility.RULE,)

ED = ("ED Provider Note\nHPI: 54 yo M with chest pressure 3 hrs, now resolved.\n"
      "Exam: RRR, lungs clear.\n")


def _cpt(run, note, codes):
    return run(note, cpt=codes, rules=RULE).codes["cpt"]


def test_ed_labs_and_blood_draw_are_the_hospitals(run):
    note = ED + "ED course: hs-troponin 0 h and 2 h <6 ng/L. CBC, BMP unremarkable.\nMDM moderate.\nDispo: home."
    out = run(note, cpt=["99284", "84484", "80048", "85025", "36415"], rules=RULE)
    assert out.codes["cpt"] == ["99284"]
    assert all("hospital laboratory" in edit.reason for edit in out.edits)
    assert "ed_professional" in [rule.name for rule in RULES]


def test_imaging_read_by_radiology_is_dropped_unless_the_physician_read_it(run):
    note = ED + "Imaging (radiology): CT C-spine w/o contrast: no fracture. CXR 1 view: no PTX.\nMDM moderate."
    out = run(note, cpt=["99284", "72125", "71045"], rules=RULE)
    assert out.codes["cpt"] == ["99284"]
    assert "radiology read" in out.edits[0].reason
    assert _cpt(run, ED + "CXR per radiology: no acute process. MDM low.", ["99283", "71046"]) == ["99283"]
    # the physician's own read of the images, or no word on who read them: left as coded
    own = ED + "Wrist x-ray, 3 views (my read, radiology over-read pending): distal radius fracture. MDM moderate."
    assert _cpt(run, own, ["99284", "73110"]) == ["99284", "73110"]
    assert _cpt(run, ED + "Knee x-ray, two views, negative for fracture. MDM moderate.",
                ["99284", "73560"]) == ["99284", "73560"]


def test_ecg_is_billed_as_its_interpretation(run):
    note = ED + "ECG (my interpretation): NSR 78, no ST elevation. Troponin negative. MDM high."
    out = run(note, cpt=["99285", "93000"], rules=RULE)
    assert out.codes["cpt"] == ["99285", "93010"]
    assert out.edits[0].action == "replace" and "tracing" in out.edits[0].reason
    assert _cpt(run, note, ["99285", "93005", "93000"]) == ["99285", "93010"]
    # an ECG documented with its result and not coded: its interpretation is added
    out = run(ED + "ECG (interpreted by me): sinus 60, first-degree AV block. MDM high.", cpt=["99285"], rules=RULE)
    assert out.codes["cpt"] == ["99285", "93010"] and "sinus 60" in out.edits[0].reason
    assert _cpt(run, ED.replace("ED Provider Note", "Seen in the ED.") + "ECG: normal sinus rhythm.",
                ["99283"]) == ["99283", "93010"]


def test_ecg_not_done_here_adds_nothing(run):
    assert _cpt(run, ED + "Prior ECG from 2022 showed old Q waves. MDM low.", ["99283"]) == ["99283"]
    assert _cpt(run, ED + "ECG ordered. MDM low.", ["99283"]) == ["99283"]
    assert _cpt(run, ED + "MDM low.", ["99283", "93010"]) == ["99283", "93010"]


def test_office_and_urgent_care_notes_are_left_alone(run):
    office = ("Est pt, 64 yo M. S: palpitations x 1 wk. O: RRR. ECG in office: NSR, no ST changes. "
              "POC A1c 7.9%. CXR per radiology: clear.\nA/P: palpitations - Holter.")
    assert _cpt(run, office, ["99214", "93000", "83036", "71046"]) == ["99214", "93000", "83036", "71046"]
    urgent = ("Urgent care. CC: fever. HPI: 45 yo M, established. POC tests: SARS-CoV-2 antigen POSITIVE. "
              "A/P: COVID-19. ED precautions for SOB.")
    assert _cpt(run, urgent, ["99213", "87811"]) == ["99213", "87811"]
