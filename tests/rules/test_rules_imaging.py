"""radiology_views: an x-ray code whose level is the number of views follows the count documented for its part."""

from __future__ import annotations

from core.rules import imaging

RULES = (imaging.RULE,)


def test_families_and_ranges_come_from_the_descriptions(codeset):
    assert imaging.view_range("X-ray of the knee, one or two views") == ("x-ray of the knee", 1, 2)
    assert imaging.view_range("X-ray of the knee, complete, four or more views")[1:] == (4, imaging.INFINITY)
    assert imaging.view_range("X-ray of the wrist, complete, at least three views")[1:] == (3, imaging.INFINITY)
    assert imaging.view_range("X-ray of the clavicle, complete") is None
    families = imaging.view_families(codeset)
    assert families["73562"][0] == "knee" and [m[0] for m in families["73562"][1]] == ["73560", "73562", "73564"]
    assert [m[0] for m in families["71046"][1]] == ["71045", "71046", "71047", "71048"]
    assert "73030" not in families and "73140" not in families  # a single code: nothing to move to


def test_the_code_follows_the_documented_count(run):
    out = run("Knee x-ray, two views, negative for fracture.", cpt=["99213", "73562"], rules=RULES)
    assert out.codes["cpt"] == ["99213", "73560"]
    assert "2 views of the knee" in out.edits[0].reason and out.edits[0].rule == "radiology_views"
    assert run("Two views of the left knee obtained.", cpt=["73564"], rules=RULES).codes["cpt"] == ["73560"]
    assert run("X-rays of the right knee: AP, lateral and sunrise views.", cpt=["73560"],
               rules=RULES).codes["cpt"] == ["73562"]
    assert run("PA and lateral chest x-ray: no infiltrate.", cpt=["71045"], rules=RULES).codes["cpt"] == ["71046"]
    assert run("Portable AP chest film: no pneumothorax.", cpt=["71046"], rules=RULES).codes["cpt"] == ["71045"]
    assert run("Chest x-ray, single view.", cpt=["71047"], rules=RULES).codes["cpt"] == ["71045"]
    assert run("Ankle x-rays, AP and lateral, no fracture.", cpt=["73610"], rules=RULES).codes["cpt"] == ["73600"]
    assert run("Wrist x-ray, minimum of 3 views.", cpt=["73100"], rules=RULES).codes["cpt"] == ["73110"]
    assert run("Lumbar spine x-rays, 4 views.", cpt=["72100"], rules=RULES).codes["cpt"] == ["72110"]


def test_nothing_moves_without_a_count_for_that_part(run):
    # no count
    assert run("Knee x-ray repeated today.", cpt=["73562"], rules=RULES).edits == []
    assert run("Knee pain. Left knee x-ray obtained.", cpt=["73562"], rules=RULES).edits == []
    # the count already matches (a range: 1 or 2 views; an open range: at least 3)
    assert run("Knee x-ray, one view.", cpt=["73560"], rules=RULES).edits == []
    assert run("Wrist x-ray, five views.", cpt=["73110"], rules=RULES).edits == []
    # a count of another part in the same note, or in the same sentence
    assert run("Shoulder x-ray, two views, unremarkable. Left knee swollen; knee x-ray obtained.", cpt=["73562"],
               rules=RULES).edits == []
    assert run("Knee x-ray obtained. Chest x-ray, two views, clear.", cpt=["73562", "71046"], rules=RULES).edits == []
    out = run("Two views of the left knee and three views of the right ankle.", cpt=["73560", "73610"], rules=RULES)
    assert out.edits == []
    out = run("Three views of the left knee and two views of the right ankle.", cpt=["73560", "73610"], rules=RULES)
    assert out.codes["cpt"] == ["73562", "73600"]
    # a count no sibling holds, two different counts for one part, a count with no body part
    assert run("Cervical spine x-rays, 6 views.", cpt=["72050"], rules=RULES).edits == []
    assert run("Knee x-ray, two views. Repeat knee x-ray, three views.", cpt=["73562"], rules=RULES).edits == []
    assert run("Three views obtained.", cpt=["73560"], rules=RULES).edits == []
    # the sibling is coded already (the other knee): nothing is dropped
    assert run("Knee x-rays, two views.", cpt=["73560", "73562"], rules=RULES).edits == []


def test_an_x_ray_of_a_part_the_note_never_x_rays_is_not_coded(run):
    # the note's x-ray is of another part
    out = run("Pain in the left shoulder; shoulder x-ray, two views, is unremarkable.", cpt=["99203", "71046"],
              rules=RULES)
    assert out.codes["cpt"] == ["99203"] and "x-ray is of the shoulder, not of the chest" in out.edits[0].reason
    # no x-ray at all (an injection visit; a CT is no x-ray)
    out = run("Osteoarthritis of the right knee; triamcinolone injected into the knee joint.", cpt=["20610", "73562"],
              rules=RULES)
    assert out.codes["cpt"] == ["20610"] and "no x-ray" in out.edits[0].reason
    assert run("CT of the abdomen and pelvis with contrast normal.", cpt=["74018"], rules=RULES).codes["cpt"] == []
    # kept: the part is x-rayed, in the note's words (synonyms, both knees, shorthand)
    for narrative, code in (("Knee x-ray repeated today.", "73562"), ("CXR PA and lateral: clear.", "71046"),
                            ("Standing AP x-ray of both knees.", "73565"), ("Lumbar spine x-ray, 2 views.", "72100"),
                            ("Thigh radiographs, two views: no fracture.", "73552"), ("Knee series negative.", "73560"),
                            ("Collarbone x-ray shows a midshaft fracture.", "73000"),
                            # an x-ray of an unnamed part may be of the coded one: nothing is dropped
                            ("Knee pain. X-rays negative.", "73562")):
        assert run(narrative, cpt=[code], rules=RULES).edits == [], narrative


def test_the_rule_abstains_on_a_case_history(run):
    out = run("Knee x-ray, two views. Two months later she returned.", cpt=["73562"])
    assert "73562" in out.codes["cpt"] and "radiology_views" in out.skipped
