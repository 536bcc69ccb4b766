"""core.text: one sentence rule for every caller, and the stems phrases are matched to codes by."""

from core.text import (
    NEGATION_CUES,
    affirmed,
    any_affirmed,
    evidence_stems,
    is_affirmed,
    sentence_spans,
    split_sentences,
)

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


def test_keep_labels_reads_a_label_with_what_it_labels():
    note = "MDM: moderate.\nDenies:\nfever, chills. Temp 38.5 today."
    assert split_sentences(note) == ["MDM:", "moderate.", "Denies:", "fever, chills.", "Temp 38.5 today."]
    assert split_sentences(note, keep_labels=True) == ["MDM: moderate.", "Denies:\nfever, chills.",
                                                       "Temp 38.5 today."]


def test_affirmed_ignores_mentions_a_cue_denies_in_their_clause():
    assert affirmed("No fever, cough for 3 days.", r"\bcough") == "No fever, cough for 3 days."
    assert affirmed("No fever or cough.", r"\bcough") is None
    assert affirmed("Strep test negative for group A strep.", r"group a strep") is None
    assert affirmed("Denies:\nchest pain.", r"chest pain") is None
    assert affirmed("Ruled out PE. Chest pain persists.", r"\bPE\b") is None
    # only cues before a mention count: 'PE was ruled out' still reads as a mention (a known limit)
    assert affirmed("PE was ruled out.", r"\bPE\b") == "PE was ruled out."
    assert affirmed("Mother has diabetes.", r"diabetes")  # family history is the rules' own pattern matter
    assert any_affirmed("Fever. No rash.", [r"\brash", r"\bfever"]) and not any_affirmed("No rash.", [r"\brash"])


def test_one_cue_list_serves_both_negation_tests():
    for cue in NEGATION_CUES:
        word = cue.replace("?", "")
        assert not is_affirmed(f"The patient {word} pneumonia.")
        assert affirmed(f"The patient {word} pneumonia.", r"pneumonia") is None


def test_a_denial_reaches_every_item_of_its_list():
    from core.text import negated_in_list, negated_within

    def denied(text, word):
        return negated_within(text, text.rfind(word))

    assert denied("Denies polyuria, polydipsia, chest pain, SOB, LE swelling.", "SOB")
    assert denied("Denies fever, chills, or cough.", "cough")
    assert denied("ROS: neg for CP, palpitations, HA, vision changes.", "HA")
    assert denied("Denies SI/HI.", "HI")
    # an item that is a finding present, a clause of its own, or after an ending word: not denied
    assert not denied("No fever, cough present for 3 days.", "cough")
    assert not denied("No fever, but reports cough.", "cough")
    assert not denied("No fever, the cough started on Monday and is worse.", "cough")
    assert not denied("Rapid strep negative, cough for 2 days.", "cough")
    assert not denied("No chills and no vomiting, diarrhea x3 days.", "diarrhea")
    assert not negated_in_list("Denies fever. Cough, wheeze.", len("Denies fever. Cough, "))


def test_advice_about_what_may_come_is_no_finding():
    from core.text import negated_within

    for text, word in (("ED precautions for SOB or chest pain.", "chest"), ("Return for fever or uncontrolled pain.", "fever"),
                       ("Return for redness, drainage, fever.", "fever"), ("Call the office if worse or new rash.", "rash")):
        assert negated_within(text, text.find(word)), text
    assert not negated_within("Fever for 3 days, return visit in a week.", 0)
    assert negated_within("ROS negative for headaches, chest pain with exercise, syncope.", len("ROS negative for headaches, chest pain with exercise, "))
