from core.datasets.cases import CodedCase, Evidence, Exclusion
from core.datasets.reasoning import NO_CODES, case_reasoning, render_reasoning


def test_reasoning_quotes_evidence_and_names_exclusions():
    evidence = [Evidence("J2405", "hcpcs", "ondansetron 4 mg IV", "x4 units (1 mg per unit)"),
                Evidence("96374", "cpt", "ondansetron 4 mg IV", "IV push administration"),
                Evidence("E11.65", "icd10cm", "type 2 diabetes with hyperglycemia", "hyperglycemia documented")]
    exclusions = [Exclusion("denies chest pain", "negated", "R07.9"), Exclusion("r/o pneumonia", "rule_out", "J18.9")]
    text = render_reasoning(evidence, exclusions)
    assert '"ondansetron 4 mg IV" -> J2405 (x4 units (1 mg per unit)); 96374 (IV push administration).' in text
    assert '"denies chest pain" (negated)' in text and "r/o pneumonia" in text and "R07.9" not in text


def test_reasoning_stays_within_the_word_budget_but_keeps_units():
    evidence = [Evidence(f"R{i:02d}.9", "icd10cm", f"a fairly long quoted phrase number {i} from the note text here",
                         "a long explanation of the chosen specificity of this code") for i in range(10)]
    evidence.append(Evidence("J2405", "hcpcs", "ondansetron 8 mg IV", "x8 units (1 mg per unit)"))
    text = render_reasoning(evidence, [], max_words=120)
    assert len(text.split()) <= 120
    assert "x8 units" in text and all(f"R{i:02d}.9" in text for i in range(10))


def test_unknown_exclusions_add_no_line_and_empty_cases_still_reason():
    assert "Not coded" not in render_reasoning([Evidence("I10", "icd10cm", "HTN")], None)
    assert "Nothing negated" in render_reasoning([Evidence("I10", "icd10cm", "HTN")], [])
    empty = CodedCase("x", "text", {"icd10cm": [], "cpt": [], "hcpcs": []}, "raw")
    assert case_reasoning(empty) == NO_CODES


def test_a_given_rationale_is_used_verbatim():
    case = CodedCase("x", "HTN", {"icd10cm": ["I10"]}, "raw", rationale='  "HTN" -> I10.  ')
    assert case_reasoning(case) == '"HTN" -> I10.'
