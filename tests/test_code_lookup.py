"""core.code_lookup: searching, validating and describing codes for clients, with checked input."""

from __future__ import annotations

import pytest

from core.code_lookup import MAX_QUERY_CHARS, code_card, search_codes, validate_codes


def test_code_card_gives_the_hierarchy_nearest_first_and_the_notes():
    card = code_card(" E11.65 ")
    assert card["found"] and (card["code"], card["system"], card["billable"]) == ("E11.65", "icd10cm", True)
    assert card["ancestors"][:2] == ["E11.6", "E11"] and isinstance(card["notes"], dict)
    unknown = code_card("ZZZ99")
    assert not unknown["found"] and unknown["code"] == "ZZZ99" and unknown["message"]


def test_validate_codes_names_the_billable_codes_under_a_category():
    rows = validate_codes("e1165, E11")
    assert rows[0][:4] == ["e1165", "E11.65", "icd10cm", "ok"]
    assert rows[1][3] != "ok" and "E11.9" in rows[1][4]
    # regression: the codes the message names ("such as E11.8, E11.9, ...") were listed again after "Billable:"
    named = rows[1][4].split(" Also billable: ")
    assert len(named) == 2 and not set(named[0].replace(",", " ").split()) & set(named[1].split(", "))
    with pytest.raises(ValueError, match="no codes"):
        validate_codes(" ,; ")


def test_search_codes_checks_its_text():
    rows = search_codes("type 2 diabetes with hyperglycemia", "icd10cm", 3)
    assert len(rows) == 3 and all(r[0] == "icd10cm" for r in rows) and isinstance(rows[0][3], float)
    for text, message in (("  ", "empty"), ("x" * (MAX_QUERY_CHARS + 1), "too long")):
        with pytest.raises(ValueError, match=message):
            search_codes(text)
