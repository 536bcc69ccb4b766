"""How the Code and Codes tabs word core's data: the results table, the summary, the downloads, a code's card."""

from __future__ import annotations

from webapp import code_views as views
from webapp.codes_tab import code_card_markdown

RESULT = {"items": [
    {"system": "icd10cm", "code": "E11.65", "description": "Type 2 diabetes mellitus with hyperglycemia",
     "billable": True, "valid": True, "status": "ok", "evidence": "type 2 diabetes", "score": 0.91234,
     "source": "model"},
    {"system": "icd10cm", "code": "E11", "description": "Type 2 diabetes mellitus", "billable": False,
     "valid": False, "status": "not_billable", "evidence": "", "score": 0.5, "source": "model"},
]}


def test_table_rows_keep_the_flag_and_status_of_invalid_codes():
    rows = views.table_rows(RESULT)
    assert rows == [["icd10cm", "E11.65", "Type 2 diabetes mellitus with hyperglycemia", "ok", "type 2 diabetes",
                     0.912, "model", "yes"],
                    ["icd10cm", "⚠ E11", "Type 2 diabetes mellitus", "not_billable", "", 0.5, "model", "no"]]
    assert len(views.TABLE_COLUMNS) == len(rows[0])
    assert views.result_to_csv(RESULT).splitlines()[0] == ",".join(views.RESULT_COLUMNS)


def test_summary_names_the_answer_and_the_model_codes_left_out():
    result = {"codes": {"icd10cm": ["E11.65", "Z79.84"], "cpt": [], "hcpcs": []}, "latency_s": 0.5, "items": [
        {**RESULT["items"][0], "selected": True},
        {"system": "icd10cm", "code": "Z79.84", "valid": True, "status": "ok", "source": "retriever", "selected": True},
        {"system": "icd10cm", "code": "R51.9", "valid": True, "status": "ok", "source": "model", "selected": False},
    ]}
    text = views.summary_markdown(result)
    assert "3 valid code(s)**, 2 in the answer" in text
    assert "Left out of the answer" in text and "`R51.9`" in text and "`Z79.84`" not in text.split("Left out")[1]
    assert [row[-1] for row in views.table_rows(result)] == ["yes", "yes", "no"]
    # the model's answer unreadable but codes from the retriever: not a bare "no codes found" (it has codes)
    unread = views.summary_markdown(result | {"error": "no JSON answer and no codes found"})
    assert "model's own answer could not be read (no JSON answer and no codes found): the codes come from" in unread
    assert views.summary_markdown({"items": [], "error": "narrative is empty"}).endswith("⚠ narrative is empty")


def test_the_downloads_carry_the_rule_of_each_item_and_the_edits():
    edit = {"action": "replace", "system": "icd10cm", "code": "S93.409A", "replacement": "S93.402A",
            "rule": "laterality", "guideline": "I.B.13", "reason": "the note documents the left side"}
    result = {"rule_edits": [edit],
              "items": [{"system": "icd10cm", "code": "S93.402A", "valid": True, "selected": True, "source": "rule",
                         "rule": "laterality", "rule_reason": "the note documents the left side"}]}
    row = dict(zip(views.RESULT_COLUMNS, views.result_rows(result)[0], strict=True))
    assert row["rule"] == "laterality" and row["rule reason"] == "the note documents the left side"
    assert '"rule_edits"' in views.result_to_json(result)


def test_a_code_card_is_worded_with_its_hierarchy_children_and_notes():
    card = {"found": True, "code": "E11.6", "system": "icd10cm", "description": "Type 2 diabetes with other",
            "billable": False, "ancestors": ["E11", "E08-E13", "4"], "children": ["E11.65", "E11.69"],
            "notes": {"includes": [], "excludes_1": ["E10.6"]}}
    assert code_card_markdown(card).split("\n\n") == [
        "### E11.6 (icd10cm)", "Type 2 diabetes with other", "", "**Billable:** no",
        "**Hierarchy:** Chapter 4 › E08-E13 › E11 › E11.6", "**Children:** E11.65, E11.69", "**excludes 1:** E10.6"]
    assert code_card_markdown({"found": False, "code": "ZZZ", "message": "unknown code"}) == "**ZZZ**: unknown code"
    # regression: HTML typed into "Show one code" was rendered as HTML (the message quotes it too)
    typed = code_card_markdown({"found": False, "code": "<b>E11</b>", "message": "'<b>E11</b>' is not a code"})
    assert "<b>" not in typed and "&lt;b&gt;E11&lt;/b&gt;" in typed
    # regression: an empty lookup showed the broken markdown "****: '': the code is empty"
    assert code_card_markdown({"found": False, "code": " ", "message": "'': the code is empty"}).startswith("Type a code")


def test_the_csv_download_never_hands_a_spreadsheet_a_formula():
    """Regression: evidence is narrative text, and a bulleted note ("- Type 2 diabetes ...", "+ hypertension",
    "@...", "=HYPERLINK(...)") gave CSV cells that Excel or LibreOffice run as formulas (#NAME?, or a link)."""
    import csv
    import io

    evidence = ["- Type 2 diabetes mellitus with hyperglycemia", "+ essential hypertension", "@acute cystitis",
                '=HYPERLINK("http://example.com","x")', "type 2 diabetes"]
    result = {"items": [{**RESULT["items"][0], "evidence": text} for text in evidence]}
    rows = list(csv.reader(io.StringIO(views.result_to_csv(result))))[1:]
    cells = [row[views.RESULT_COLUMNS.index("evidence")] for row in rows]
    assert cells == ["'- Type 2 diabetes mellitus with hyperglycemia", "'+ essential hypertension", "'@acute cystitis",
                     '\'=HYPERLINK("http://example.com","x")', "type 2 diabetes"]
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    assert views.result_rows(result)[0][6] == evidence[0]  # the screen and the JSON keep the text as it is
