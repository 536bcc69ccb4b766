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
                      "Will give medroxyprogesterone injection at the next visit."):
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


def test_vaccine_kinds():
    assert pairing.vaccine_kind("90662") == "flu" and pairing.vaccine_kind("90677") == "pneumococcal"
    assert pairing.vaccine_kind("90679") == "rsv"  # no Medicare flu G-code for an RSV vaccine
    assert pairing.vaccine_kind("90723") == "other" and pairing.vaccine_kind("99213") is None
