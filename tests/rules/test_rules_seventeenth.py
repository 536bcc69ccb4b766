"""Readings added on the seventeenth session's notes. Each test has the case that failed and the one that must
not move."""

from __future__ import annotations

from core.rules import lesions


def _codes(out, system="cpt"):
    return out.codes[system]


def test_actinic_keratoses_destroyed_are_coded_by_count(run):
    rule = (lesions.RULE,)
    note = ("Skin check. 7 erythematous gritty scaly papules - actinic keratoses.\nProcedure: cryodestruction of 7 AKs "
            "with liquid nitrogen, 2 freeze-thaw cycles each; verbal consent.\nSeborrheic keratoses - benign, reassured, "
            "no treatment.")
    out = run(note, cpt=["99213"], rules=rule)
    assert _codes(out) == ["99213", "17000", "17003"]
    assert "7 premalignant lesions" in out.edits[0].reason
    # the count after the word, a single lesion, fifteen or more
    assert _codes(run("AKs x6 - LN2 cryotherapy to all 6 lesions after consent.", rules=rule)) == ["17000", "17003"]
    assert _codes(run("One actinic keratosis on the nose destroyed with LN2.", rules=rule)) == ["17000"]
    out = run("Cryotherapy with liquid nitrogen to 18 actinic keratoses of the scalp and forearms.", cpt=["17000"],
              rules=rule)
    assert _codes(out) == ["17004"]


def test_procedure_line_then_lesions_line(run):
    note = ("Procedure: cryodestruction of premalignant lesions.\nLiquid nitrogen applied via cryospray, 2 freeze-thaw "
            "cycles, to 5 actinic keratoses (scalp x3, forehead x2).")
    assert _codes(run(note, rules=(lesions.RULE,))) == ["17000", "17003"]


def test_warts_destroyed_are_benign_lesions(run):
    rule = (lesions.RULE,)
    out = run("Procedure: cryotherapy with liquid nitrogen, 2 freeze-thaw cycles, to 3 plantar warts L foot.",
              cpt=["99214", "17000"], rules=rule)
    assert _codes(out) == ["99214", "17110"]
    assert _codes(run("Plantar wart R foot pared, cantharidin applied, occluded. Wart destroyed.", rules=rule)) == ["17110"]
    assert _codes(run("Molluscum x20 on the trunk, each curetted.", rules=rule)) == ["17111"]


def test_destruction_not_done_is_not_coded(run):
    rule = (lesions.RULE,)
    for note in ("Actinic keratoses x4 on the scalp: consider LN2 next visit.",
                 "Common warts of the hands; she declined cryotherapy today.",
                 "AKs were treated with liquid nitrogen 2 years ago.",
                 "Seborrheic keratoses - benign, reassured, no treatment.",
                 "Left AK amputation in 2015. Diabetic foot exam today."):
        assert run(note, cpt=["99213"], rules=rule).edits == [], note


def test_an_assessed_problem_no_candidate_says_is_looked_up_in_the_code_set(run):
    from core.rules import visit
    rule = (visit.RULE,)
    note = ("Clinic visit, established.\nA/P:\n1. Atrial fibrillation - rate controlled on apixaban.\n2. Contusion of "
            "scalp - ice, head injury precautions.")
    # the candidates hold nothing for the scalp: the code set's own search finds the code that says it all
    out = run(note, icd=["I48.91"], rules=rule, candidates={"icd10cm": ["I48.91", "R51.9"]})
    assert out.codes["icd10cm"] == ["I48.91", "S00.03XA"] and "Contusion of scalp" in out.edits[0].reason
    # a head no code says in full (words the descriptions lack) gets nothing
    note = "Clinic visit.\nA/P:\n1. Essential hypertension - stable.\n2. Closed tuft fracture - splint."
    assert run(note, icd=["I10"], rules=rule, candidates={"icd10cm": ["I10"]}).edits == []


def test_a_coded_code_saying_less_than_the_assessment_is_replaced_by_the_one_saying_it_all(run):
    from core.rules import visit
    rule = (visit.RULE,)
    out = run("Urgent care.\nA/P: Acute mucopurulent conjunctivitis, bilateral - erythromycin ointment.",
              icd=["H10.9"], rules=rule, candidates={"icd10cm": ["H10.9"]})
    assert out.codes["icd10cm"] == ["H10.023"] and out.edits[0].action == "replace"
    out = run("Clinic.\nA/P:\n1. Second-degree burn R palm - silver sulfadiazine.", icd=["T30.0"], rules=rule,
              candidates={"icd10cm": ["T30.0"]})
    assert out.codes["icd10cm"] == ["T23.251A"]
    # the side the head gives; a bilateral code only when the note gives both sides
    out = run("Ortho clinic.\nA/P:\n1. Primary OA L knee - injected.", icd=["M19.91"], rules=rule,
              candidates={"icd10cm": ["M19.91"]})
    assert out.codes["icd10cm"] == ["M17.12"]
    # the coded code already says all the head says: nothing moves
    assert run("Clinic.\nA/P:\n1. Essential hypertension - stable.", icd=["I10"], rules=rule,
               candidates={"icd10cm": ["I10"]}).edits == []


def test_an_assessment_label_alone_on_its_line_and_items_written_as_labels():
    from core.rules.visit import _assessed_heads
    note = ("CC: low back pain x10 days.\nHPI: 45 yo M, established.\nPE: BP 124/78.\nA/P\n1. Acute low back pain - "
            "naproxen.\n2. HTN - at goal.\n3. Prediabetes - diet.")
    assert _assessed_heads(note) == ["Acute low back pain", "HTN", "Prediabetes"]
    note = ("S: DM f/u.\nPE: BP 128/76.\nA/P:\n- DM2 with diabetic peripheral polyneuropathy - gabapentin.\n"
            "- HTN: controlled, continue lisinopril.\nPlan: RTC 3 mo.")
    assert _assessed_heads(note) == ["DM2 with diabetic peripheral polyneuropathy", "HTN"]
    # 'A 45-year-old ...' starts no section; a label with text after it in a colon-labelled note is no label
    assert _assessed_heads("A 45 yo man with cough.\nAssessment hard to say today.\nPlan: rest.") == []


def test_a_laceration_repaired_here_is_coded_by_kind_group_and_length(run):
    from core.rules import repairs
    rule = (repairs.RULE,)
    note = ("Exam: 4.5 cm linear laceration L volar forearm, into subcutaneous fat.\nProcedure: simple laceration repair. "
            "Closed with 6 simple interrupted 4-0 nylon, single layer.\nA/P: Laceration of L forearm, 4.5 cm, simple "
            "repair. Suture removal in 10 days.")
    out = run(note, cpt=["90715"], rules=rule)
    assert out.codes["cpt"] == ["90715", "12002"] and "4.5 cm" in out.edits[0].reason
    # the face's own codes; tissue adhesive is a repair
    note = "3.2 cm linear laceration mid-forehead.\nProcedure: closed with tissue adhesive (Dermabond) and steri-strips."
    assert run(note, cpt=["12011"], rules=rule).codes["cpt"] == ["12013"]
    # layered closure: intermediate; the hand has its own intermediate codes, and its simple repair is the body's
    note = "5.5 cm gaping laceration of vertex scalp through galea. Galea closed with 3 buried 4-0 Vicryl, skin with staples."
    assert run(note, rules=rule).codes["cpt"] == ["12032"]
    note = "2 cm lac of the R palm. Layered closure, deep sutures 4-0 Vicryl, skin 5-0 nylon."
    assert run(note, rules=rule).codes["cpt"] == ["12041"]
    note = "L index finger 2.0 cm lac. Simple single-layer closure 4-0 nylon x4. Total length 2.0 cm."
    assert run(note, rules=rule).codes["cpt"] == ["12001"]
    # two wounds of one group add up; millimetres count
    note = "Lacerations: 1.5 cm of the chin and 12 mm of the upper lip, both sutured with 6-0 nylon."
    assert run(note, rules=rule).codes["cpt"] == ["12013"]


def test_no_repair_code_without_a_repair_here(run):
    from core.rules import repairs
    rule = (repairs.RULE,)
    for note in ("2 cm superficial laceration of the knee, edges approximated with steri-strips only.",
                 "Suture removal visit: 4 cm forearm laceration healed well, 6 sutures removed.",
                 "3 cm chin laceration - referred to plastics for repair.",
                 "Complex repair of a 4 cm stellate forehead laceration with undermining, sutured.",
                 "Lacerations of the chin (2 cm) and forearm (3 cm), sutured."):  # two groups: two codes, left alone
        assert run(note, cpt=["99213"], rules=rule).edits == [], note


def test_a_fracture_treated_closed_here_gets_its_treatment_code(run):
    from core.rules import fracture_care
    rule = (fracture_care.RULE,)
    note = ("Ortho new pt. Closed nondisplaced fracture of base of 5th metatarsal, R.\nNonoperative: closed treatment "
            "without manipulation. Walking boot dispensed.")
    out = run(note, icd=["S92.354A"], cpt=["99203"], rules=rule)
    assert out.codes["cpt"] == ["99203", "28470"]
    note = ("Procedure: Closed reduction of right distal radius fracture. Finger-trap traction, manipulation achieved. "
            "Sugar-tong splint applied. Ortho hand clinic in 5-7 days.")
    out = run(note, icd=["S52.531A"], cpt=["99284", "29125"], rules=rule)
    assert out.codes["cpt"] == ["99284", "25605"]  # the splint is in the fracture care's package
    note = "2 yo pulled by the arm, holds it pronated. Nursemaid's elbow reduced with hyperpronation, using arm in 10 min."
    assert run(note, icd=["S53.031A"], rules=rule).codes["cpt"] == ["24640"]


def test_a_splint_for_a_fracture_referred_on_is_no_fracture_care(run):
    from core.rules import fracture_care
    rule = (fracture_care.RULE,)
    for note in ("Procedure: posterior short leg splint with stirrups applied. Ortho f/u 5-7 days.",
                 "Displaced distal radius fracture: will need closed reduction by ortho tomorrow. Splinted.",
                 "Distal radius fracture, reduced ROM of the wrist and reduced grip. Splint, ortho referral.",
                 "Closed treatment without manipulation was discussed; she prefers to see her own orthopedist."):
        assert run(note, icd=["S52.501A"], cpt=["29125"], rules=rule).edits == [], note
    # a follow-up visit's fracture code (D) is no new treatment
    assert run("Closed treatment without manipulation, week 3.", icd=["S52.501D"], rules=rule).edits == []


def test_office_procedures_done_here_get_their_codes(run):
    from core.rules import office_procedures
    rule = (office_procedures.RULE,)
    cases = [
        ("Impacted cerumen, L ear - removed with curette and alligator forceps under direct visualization.", ["69210"]),
        ("Cerumen impaction R ear. Ear irrigated with warm water by MA, TM visible after.", ["69209"]),
        ("Anterior epistaxis L: oxymetazoline pledget, then silver nitrate cautery of the bleeding vessel.", ["30901"]),
        ("Corneal FB L eye. Slit lamp: superficial. FB removed at the slit lamp with a 25G needle.", ["65222"]),
        ("R palm partial-thickness burn, 0.5% TBSA. Burn care: ruptured blister debrided, dressing applied.", ["16020"]),
        ("Lateral nail border ingrown. Partial nail avulsion with chemical matrixectomy (phenol x3).", ["11750"]),
        ("Onychomycosis. Procedure: debridement of mycotic nails x10 with nippers and burr.", ["11721"]),
        ("12-lead EKG performed in office today, my read: AF, rate 80, unchanged from prior.", ["93000"]),
    ]
    for note, codes in cases:
        assert run(note, rules=rule).codes["cpt"] == codes, note
    out = run("IUD insertion visit. Mirena (levonorgestrel 52 mg) inserted without difficulty.", rules=rule)
    assert out.codes["cpt"] == ["58300"] and out.codes["hcpcs"] == ["J7298"]
    # a family member the note contradicts is replaced
    out = run("Ingrown toenail: partial avulsion with phenol matrixectomy.", cpt=["11730"], rules=rule)
    assert out.codes["cpt"] == ["11750"]


def test_office_procedures_not_done_here_get_nothing(run):
    from core.rules import office_procedures
    rule = (office_procedures.RULE,)
    for note in ("L anterior epistaxis, now stopped with pressure. ENT in 3 days for pack removal if it recurs.",
                 "Cerumen in both canals, not impacted; will irrigate next visit.",
                 "Superficial first-degree sunburn of the shoulders; aloe at home, dressing changes at home.",
                 "Mirena IUD placed 2 years ago, strings seen today.",
                 "Screening ECG (12-lead, done here) - my interpretation: NSR 68, normal axis.",
                 "ED course: ECG today, my read: sinus tachycardia 112, no ST changes. Presents to the emergency department."):
        assert run(note, cpt=["99213"], rules=rule).edits == [], note


def test_walking_boot_kind_and_items_furnished_elsewhere(run):
    from core.rules import supplies
    rule = (supplies.RULE,)
    note = "Walking boot (non-pneumatic, prefabricated, off-the-shelf) dispensed and fitted."
    assert run(note, hcpcs=["L4361"], rules=rule).codes["hcpcs"] == ["L4387"]
    note = "Prefabricated pneumatic CAM walking boot (off-the-shelf) fitted and dispensed."
    assert run(note, rules=rule).codes["hcpcs"] == ["L4361"]
    note = "Pneumatic walking boot (prefabricated, off-the-shelf) dispensed and fitted today."
    assert run(note, hcpcs=["L4361", "L4386", "L4360"], rules=rule).codes["hcpcs"] == ["L4361"]
    # put on at the urgent care before this visit: not furnished here
    assert run("Seen at UC and placed in a postop shoe; here for fracture care.", rules=rule).edits == []


def test_a_drug_from_the_patients_own_supply_is_no_injection(run):
    from core.rules import pairing
    note = "IUD placed. Pt tolerated well, mild cramping, ibuprofen 600 given from her own supply."
    assert run(note, rules=(pairing.DRUG_RULE,)).codes["hcpcs"] == []


def test_a_joint_injection_code_on_a_note_without_any_injection_is_dropped(run):
    from core.rules import pairing
    note = "Closed nondisplaced fracture of base of 5th metatarsal. Walking boot dispensed. Crutches."
    out = run(note, cpt=["20610", "99203"], rules=(pairing.DRUG_RULE,))
    assert out.codes["cpt"] == ["99203"]
    note = "R knee OA. Knee injected with triamcinolone 40 mg after sterile prep; tolerated well."
    assert "20610" in run(note, cpt=["20610"], rules=(pairing.DRUG_RULE,)).codes["cpt"]


def test_a_named_bone_and_an_ordinal_document_a_fracture_code(run):
    from core.rules import specificity
    note = "A/P: Closed nondisplaced fracture of base of 5th metatarsal, R foot, initial. Boot."
    out = run(note, icd=["S92.301A"], rules=(specificity.SPECIFICITY_RULE,))
    assert out.codes["icd10cm"] == ["S92.354A"]


def test_a_procedure_only_visit_gets_no_estimated_visit_code(run):
    from core.rules import em, office_procedures
    note = ("Women's Health - IUD insertion. 31 yo G2P2. Procedure: Mirena (levonorgestrel 52 mg IUD) placed to fundus "
            "w/o difficulty. Strings trimmed.")
    out = run(note, rules=(office_procedures.RULE, em.RULE))
    assert out.codes["cpt"] == ["58300"] and out.codes["hcpcs"] == ["J7298"]


def test_the_lookup_keeps_a_coded_site_code_and_reads_a_without_part_to_its_comma(run):
    from core.rules import visit
    rule = (visit.RULE,)
    # 'Laceration without foreign body, right knee' says the knee: nothing to upgrade
    note = "ED visit.\nAssessment and plan: right knee laceration - repaired."
    assert run(note, icd=["S81.011A"], rules=rule, candidates={"icd10cm": ["S81.011A"]}).edits == []
    # 'right ear infection' is the coded otitis media of the right ear, not a second ear code
    note = "Follow-up.\nImpression: 1. right ear infection - supportive care\n2. left ear wax impaction"
    out = run(note, icd=["H66.91", "H61.22"], rules=rule, candidates={"icd10cm": ["H66.91", "H61.22"]})
    assert out.edits == []
    # an absence the classification assumes need not be stated; the code saying most of the head wins
    note = "Peds sick visit.\nA/P:\n1. acute suppurative OM, bilateral, no TM rupture - amoxicillin."
    out = run(note, icd=["Z77.22"], rules=rule, candidates={"icd10cm": ["H66.43", "Z77.22"]})
    assert out.codes["icd10cm"] == ["Z77.22", "H66.003"]
    # a spinal level names its region
    note = "Clinic.\nA/P\n1. L5 radiculopathy, L side - MRI ordered."
    assert run(note, icd=["R53.1"], rules=rule, candidates={"icd10cm": ["M54.10"]}).codes["icd10cm"] == ["R53.1", "M54.16"]


def test_an_upgrade_keeps_an_injury_in_its_category_and_its_encounter(run):
    from core.rules import visit
    note = "Urgent care.\nAssessment: a distal radius fracture of the left wrist, nondisplaced. Splint."
    out = run(note, icd=["S52.502A"], rules=(visit.RULE,), candidates={"icd10cm": ["S52.502A"]})
    assert not any(e.replacement and e.replacement.startswith("S62") for e in out.edits)


def test_a_side_letter_standing_alone_after_the_condition():
    from core.rules.narrative import documented_side
    assert documented_side("Impression: Nursemaid's elbow (radial head subluxation), L.") == "left"
    assert documented_side("1. Acute suppurative otitis media, L, without rupture") == "left"
    assert documented_side("A/P: ankle sprain (R)") == "right"
    assert documented_side("Given 1 L NS and ondansetron.") is None
    # a side letter before a part said normal is no mention of that side
    assert documented_side("R axilla: 3 cm fluctuant nodule. L axilla normal.") == "right"


def test_a_procedure_label_after_the_assessment_is_no_problem():
    from core.rules.visit import _assessed_heads
    note = ("Impression: Nursemaid's elbow (radial head subluxation), L.\n\nProcedure: Closed reduction - hyperpronation "
            "maneuver with palpable click.\n\nPlan: Dad counseled.")
    assert _assessed_heads(note) == ["Nursemaid's elbow"]


def test_a_minor_procedure_beside_another_problem_gets_its_visit_estimated(run):
    from core.rules import em
    note = ("Family medicine, est pt. L ear plugged x2 wk. HTN on lisinopril.\nProcedure (by me): L ear impacted cerumen "
            "removed with curette.\nA/P:\n1. Impacted cerumen, L ear - removed.\n2. HTN - controlled, continue lisinopril.")
    out = run(note, cpt=["69210"], rules=(em.RULE,))
    assert [c for c in out.codes["cpt"] if c.startswith("992")], out.codes
    # the procedure's condition alone: the visit is the procedure's
    note = ("Urgent care, est pt.\nProcedure: simple repair, 2.0 cm L index finger laceration, 4 sutures.\nA/P:\n"
            "1. Lac L index finger - repaired.\n2. Keep dry 24h.")
    assert run(note, cpt=["12001"], rules=(em.RULE,)).codes["cpt"] == ["12001"]


def test_an_item_the_patient_owns_or_must_buy_is_not_furnished(run):
    from core.rules import supplies
    rule = (supplies.RULE,)
    note = "- night wrist splint in neutral - pt to buy OTC cock-up splint at pharmacy (out of stock, pic of type given)"
    out = run(note, hcpcs=["L3908"], rules=rule)
    assert out.codes["hcpcs"] == [] and out.edits[0].action == "drop"
    assert run("Walking boot dispensed and fitted today, strict NWB w/ her crutches.", rules=rule).codes["hcpcs"] == ["L4387"]


def test_a_study_the_note_judges_unnecessary_was_not_done(run):
    from core.rules import performed
    note = ("ED Note. 6 yo fell from the jungle gym. MDM: head injury in child - PECARN very low risk; CT not indicated, "
            "discussed with mom who agrees. Dx: forehead laceration.")
    out = run(note, cpt=["70450", "99283"], rules=(performed.RULE,))
    assert out.codes["cpt"] == ["99283"]
    note = "ED Note. Fell, struck head. CT head w/o contrast: no acute intracranial abnormality. Dx: head contusion."
    assert run(note, cpt=["70450", "99284"], rules=(performed.RULE,)).edits == []


def test_more_external_causes(run):
    from core.rules import injuries
    rule = (injuries.CAUSE_RULE,)
    cases = [
        ("Lifting a ~50 lb case from floor to pallet with a twist, felt sharp pain low back.", "S39.012A", "X50.0XXA"),
        ("Jogging last evening, stepped into a pothole and rolled the R ankle (inversion).", "S93.491A", "W18.42XA"),
        ("Hockey player struck on the R side of the helmet by a slapshot puck during practice.", "S06.0X0A", "W21.220A"),
        ("Tripped on the edge of a rug at home and struck the back of his head on the corner of the coffee table.",
         "S01.01XA", "W01.190A"),
    ]
    for note, injury, cause in cases:
        assert run(note, icd=[injury], rules=rule).codes["icd10cm"] == [injury, cause], note
    # stepped into a hole and fell: a fall, not a stumble without one
    out = run("Stepped into a hole in the yard and fell onto the L wrist.", icd=["S52.502A"], rules=rule)
    assert "W18.42XA" not in out.codes["icd10cm"]
