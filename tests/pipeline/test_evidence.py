"""Evidence spans in the narrative."""

from core.evidence import best_overlap, evidence_highlights, find_evidence, locate

NARRATIVE = ("58-year-old with type 2 diabetes and hyperglycemia on metformin, HbA1c 9.1%. "
             "Established patient, moderate complexity visit. Denies chest pain.")


def _check_span(evidence):
    assert evidence.span is not None
    start, end = evidence.span
    assert NARRATIVE[start:end] == evidence.quote


def test_quote_from_reasoning_line_naming_the_code():
    reasoning = '"type 2 diabetes and hyperglycemia" -> E11.65\n"moderate complexity" -> 99214'
    evidence = find_evidence(NARRATIVE, ["unrelated"], reasoning, "E11.65")
    assert evidence.quote == "type 2 diabetes and hyperglycemia"
    _check_span(evidence)
    assert find_evidence(NARRATIVE, [], reasoning, "99214").quote == "moderate complexity"


def test_arrow_phrase_and_code_without_dot():
    evidence = find_evidence(NARRATIVE, [], "- on metformin -> Z7984 long-term oral drug", "Z79.84")
    assert evidence.quote == "on metformin"
    _check_span(evidence)


def test_quote_not_in_narrative_falls_back_to_overlap():
    reasoning = '"insulin pump failure" -> E11.65'
    evidence = find_evidence(NARRATIVE, ["Type 2 diabetes mellitus with hyperglycemia"], reasoning, "E11.65")
    assert "type 2 diabetes and hyperglycemia" in evidence.quote
    _check_span(evidence)


def test_overlap_picks_the_matching_phrase():
    evidence = best_overlap(NARRATIVE, ["Office visit, established patient, moderate medical decision making"])
    assert evidence.quote == "Established patient, moderate complexity visit"
    _check_span(evidence)


def test_no_overlap_gives_no_evidence():
    assert find_evidence(NARRATIVE, ["Appendicitis"], "", "K35.80").span is None
    assert find_evidence("", ["Appendicitis"]).quote == ""


def test_locate_is_case_insensitive_and_rejects_short_phrases():
    assert locate(NARRATIVE, "DENIES CHEST PAIN") == (NARRATIVE.index("Denies"), NARRATIVE.index("Denies") + 17)
    assert locate(NARRATIVE, "on") is None


def test_highlights_label_the_valid_spans_once_and_keep_every_character():
    items = [{"code": "E11.65", "valid": True, "span": [17, 50]}, {"code": "E11", "valid": False, "span": [0, 2]},
             {"code": "E11.9", "valid": True, "span": [20, 30]}, {"code": "Z00", "valid": True, "span": [10, 999]}]
    pieces = evidence_highlights(NARRATIVE, {"items": items})
    assert "".join(text for text, _ in pieces) == NARRATIVE
    assert [(text, label) for text, label in pieces if label] == [("type 2 diabetes and hyperglycemia", "E11.65")]


def test_a_quote_written_on_another_codes_line_is_not_taken_as_evidence():
    """Regression: the model wrote '"Essential hypertension" -> E11.65' and '"Mixed hyperlipidemia" -> I10' (its
    quotes one line off), and the Review tab showed those quotes as the codes' evidence."""
    from core.codes import get_codeset
    from core.evidence import code_terms

    codeset = get_codeset()
    narrative = ("58-year-old with type 2 diabetes and hyperglycemia. Essential hypertension. Mixed hyperlipidemia. "
                 "HTN controlled.")
    reasoning = ('"Essential hypertension" -> E11.65.\n"Mixed hyperlipidemia" -> I10.\n'
                 '"type 2 diabetes and hyperglycemia" -> E78.2.\n"HTN controlled" -> I10.')
    def quote(code):
        return find_evidence(narrative, code_terms(codeset, code), reasoning, code, codeset).quote

    assert quote("E11.65") == "58-year-old with type 2 diabetes and hyperglycemia"  # found by its own words
    assert quote("E78.2") == "Mixed hyperlipidemia"
    # I10's first quote is E78.2's words; its second shares no word with I10 nor with another code: the model's
    assert quote("I10") == "HTN controlled"
    assert find_evidence(narrative, code_terms(codeset, "I10"), '"and" -> I10.', "I10", codeset).quote \
        == "Essential hypertension"  # a quote without a content word is no evidence: the description's words are
    # without a code set (older callers) the model's quote is taken as before
    assert find_evidence(narrative, code_terms(codeset, "E11.65"), reasoning, "E11.65").quote == "Essential hypertension"


def test_a_denied_mention_is_no_evidence():
    """Regression: "No cramps" was shown as the evidence of R25.2 (Cramp and spasm), "Viral serology was
    negative for human immunodeficiency virus" as B20's."""
    from core.codes import get_codeset
    from core.evidence import code_terms

    codeset = get_codeset()
    def quote(narrative, code):
        return find_evidence(narrative, code_terms(codeset, code), "", code, codeset).quote

    assert quote("Abdominal pain for two days. No cramps.", "R25.2") == ""
    assert quote("Viral serology was negative for human immunodeficiency virus.", "B20") == ""
    assert quote("Leg cramps at night. No fever.", "R25.2") == "Leg cramps at night"
    assert quote("Type 2 diabetes mellitus without complications, on metformin.", "E11.9").startswith("Type 2 diabetes")


def test_a_model_quote_of_a_denied_finding_is_no_evidence():
    """Regression: the model's '"hematuria" -> R31.9' showed "He did not report any episodes of hematuria" as the
    code's evidence (CodiEsp dev). A negation cue a few words before the quoted finding denies it; one far before
    it in the sentence does not ("no relevant history was referred ... for a vasectomy")."""
    from core.codes import get_codeset
    from core.evidence import code_terms, quoted_evidence

    codeset = get_codeset()
    def quote(narrative, reasoning, code):
        return quoted_evidence(narrative, code_terms(codeset, code), reasoning, code, codeset)

    assert quote("He did not report any episodes of hematuria.", '"hematuria" -> R31.9.', "R31.9") is None
    assert quote("Denies chest pain. Cough for a week.", '"chest pain" -> R07.9.', "R07.9") is None
    assert quote("No fever, chest pain since morning.", '"chest pain" -> R07.9.', "R07.9").quote == "chest pain"
    kept = quote("A man with no relevant medical history was referred to the urology department for a vasectomy.",
                 '"vasectomy" -> Z98.52.', "Z98.52")
    assert kept is not None and kept.quote == "vasectomy"
    # find_evidence then falls back to the narrative's own words: none here, so no evidence rather than a wrong one
    assert find_evidence("He did not report any episodes of hematuria.", code_terms(codeset, "R31.9"),
                         '"hematuria" -> R31.9.', "R31.9", codeset).quote == ""


def test_an_answer_code_wins_the_span_over_a_code_left_out():
    """Regression: "MDM: moderate" was labelled 81000 (left out of the answer) instead of 99214 (in it)."""
    narrative = "Urinalysis ordered. MDM: moderate. Established patient."
    start = narrative.index("MDM")
    items = [{"code": "81000", "valid": True, "selected": False, "span": [start, start + 13]},
             {"code": "99214", "valid": True, "selected": True, "span": [start, start + 13]},
             {"code": "81001", "valid": True, "selected": False, "span": [0, 10]}]
    labelled = [(text, label) for text, label in evidence_highlights(narrative, {"items": items}) if label]
    assert labelled == [("Urinalysis", "81001 (left out)"), ("MDM: moderate", "99214")]


def test_an_em_code_gets_the_sentence_that_sets_its_level_not_a_word_match():
    narrative = ("58-year-old with type 2 diabetes and hyperglycemia. Established patient. Mixed hyperlipidemia. "
                 "Visit 1.")
    terms = ["Established patient office or outpatient visit, moderate-complexity medical decision making"]
    assert find_evidence(narrative, terms, "", "99214").quote == "Established patient"  # not "Visit 1"
    with_mdm = narrative.replace("Visit 1.", "MDM: moderate. Visit 1.")
    evidence = find_evidence(with_mdm, terms, "", "99214")
    assert evidence.quote == "MDM: moderate" and with_mdm[evidence.span[0]:evidence.span[1]] == evidence.quote
    timed = "New patient. Total time: 34 minutes. Visit 1."
    assert find_evidence(timed, terms, "", "99204").quote == "Total time: 34 minutes"
    # the model's own quote still comes first
    assert find_evidence(with_mdm, terms, '"Established patient" -> 99214', "99214").quote == "Established patient"


def test_a_reasoning_line_naming_two_codes_gives_each_its_own_phrase():
    narrative = "Type 2 diabetes with hyperglycemia. Established patient visit."
    reasoning = "type 2 diabetes with hyperglycemia -> E11.65; established patient visit -> 99214"
    assert find_evidence(narrative, [], reasoning, "99214").quote == "Established patient visit"
    assert find_evidence(narrative, [], reasoning, "E11.65").quote == "Type 2 diabetes with hyperglycemia"


def test_a_weak_word_alone_is_no_evidence():
    narrative = "Mixed hyperlipidemia on atorvastatin. Visit 1. Low."
    assert best_overlap(narrative, ["Nurse visit, low level"]).span is None  # 'visit', 'low': kinds of service
    assert best_overlap(narrative, ["Hyperlipidemia, unspecified"]).quote == "Mixed hyperlipidemia on atorvastatin"


def test_a_quote_naming_several_codes_counts_only_for_the_codes_it_describes():
    narrative = ("52-year-old man with throat pain. He is a new patient. MDM: low. Rapid strep antigen test is "
                 "positive. Assessment: strep throat.")
    reasoning = '"strep throat" -> J02.0.\n"MDM: low" -> 99203/87880 (new patient, low MDM).'
    test_terms = ["Rapid group A streptococcus antigen test, read by direct optical observation"]
    assert find_evidence(narrative, test_terms, reasoning, "87880").quote == "Rapid strep antigen test is positive"
    visit_terms = ["New patient office or outpatient visit, low-complexity medical decision making"]
    assert find_evidence(narrative, visit_terms, reasoning, "99203").quote == "MDM: low"  # the level sentence
    # a quote on a line of its own stays the model's evidence, worded differently from the description or not
    assert find_evidence(narrative, ["Streptococcal pharyngitis"], reasoning, "J02.0").quote == "strep throat"


def test_an_irregular_form_in_the_note_is_evidence_of_the_code_named_by_its_base():
    """Regression: W19.XXXA (Unspecified fall) showed no evidence for "... and fell onto her outstretched hand":
    the stemmer leaves "fell" and "fall" apart (core.text.IRREGULAR_FORMS joins them for evidence words)."""
    from core.codes import get_codeset
    from core.evidence import code_terms
    from core.text import evidence_stems

    codeset = get_codeset()
    narrative = "45-year-old woman slipped on ice and fell onto her outstretched right hand. Distal radius fracture."
    quote = find_evidence(narrative, code_terms(codeset, "W19.XXXA"), "", "W19.XXXA", codeset).quote
    assert "fell onto her outstretched right hand" in quote
    assert evidence_stems("bitten by a dog") & evidence_stems("Bitten by dog, initial encounter") == {"bite", "dog"}
    assert "fall" in evidence_stems("He had fallen twice") and "fell" not in evidence_stems("He fell")
