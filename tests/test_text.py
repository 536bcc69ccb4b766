"""core.text: one sentence rule for every caller, and the stems phrases are matched to codes by."""

from core.text import evidence_stems, is_affirmed, sentence_spans, split_sentences

NOTE = "HPI: Fever since Monday, HbA1c 9.1%.\n\nCough; no pain!  Dr. Smith saw her."


def test_sentence_spans_are_offsets_of_trimmed_sentences():
    spans = sentence_spans(NOTE)
    assert [NOTE[start:end] for start, end in spans] == [
        "HPI:", "Fever since Monday, HbA1c 9.1%.", "Cough;", "no pain!", "Dr.", "Smith saw her."]
    assert sentence_spans("") == [] and sentence_spans(" \n ") == []


def test_split_sentences_keeps_sentences_with_enough_words():
    assert split_sentences(NOTE, min_words=3) == ["Fever since Monday, HbA1c 9.1%.", "Smith saw her."]
    assert split_sentences("3.5 mg daily") == ["3.5 mg daily"]  # a decimal point is no break


def test_evidence_stems_expand_abbreviations_and_drop_generic_words():
    assert evidence_stems("HTN") == evidence_stems("hypertension")
    assert evidence_stems("Disease of the left patient, unspecified") == set()
    assert is_affirmed("Fever.") and not is_affirmed("Mother has diabetes.")
