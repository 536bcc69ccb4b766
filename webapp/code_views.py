"""How the Code tab words a coding result (core gives it as data: `CodingResult.to_dict()`): the on-screen
table, the summary line, and the JSON and CSV downloads."""

from __future__ import annotations

import csv
import io
import json

RESULT_COLUMNS = ["system", "code", "description", "billable", "valid", "status", "evidence", "score", "source",
                  "in answer", "rule", "rule reason"]
TABLE_COLUMNS = ["system", "code", "description", "status", "evidence", "score", "source", "in answer"]
JSON_KEYS = ("codes", "items", "ranked", "reasoning", "valid", "latency_s", "model_id", "repairs", "error",
             "rules_applied", "rule_edits", "rules_skipped")


def _yes(value) -> str:
    return "yes" if value else "no"


def result_rows(result: dict) -> list[list]:
    """One row (RESULT_COLUMNS) per coded item, invalid ones flagged ⚠ and their `status` saying why."""
    rows = []
    for item in result.get("items", []):
        valid = item.get("valid")
        rows.append([
            item.get("system", ""),
            ("" if valid else "⚠ ") + str(item.get("code", "")),
            item.get("description", ""),
            _yes(item.get("billable")),
            _yes(valid),
            item.get("status", "ok"),
            item.get("evidence", ""),
            round(float(item.get("score") or 0.0), 3),
            item.get("source", ""),
            _yes(item.get("selected", valid) and valid),
            item.get("rule", ""),
            item.get("rule_reason", ""),
        ])
    return rows


def table_rows(result: dict) -> list[list]:
    """The compact on-screen table (TABLE_COLUMNS): invalid codes keep their ⚠ flag and say why in `status`
    (billable/valid/rule stay in the CSV and JSON downloads)."""
    keep = [RESULT_COLUMNS.index(c) for c in TABLE_COLUMNS]
    return [[row[i] for i in keep] for row in result_rows(result)]


def result_to_json(result: dict) -> str:
    """The JSON download: the result's answer, items, ranking, reasoning and rule edits."""
    return json.dumps({k: result.get(k) for k in JSON_KEYS if k in result}, indent=2)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value):
    """A text cell a spreadsheet would read as a formula (narrative text such as "- Type 2 diabetes" or
    "=HYPERLINK(...)" quoted as evidence) gets a leading apostrophe, so it opens as the text it is."""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value


def result_to_csv(result: dict) -> str:
    """The CSV download: a header of RESULT_COLUMNS, then result_rows (formula-like text cells quoted)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(RESULT_COLUMNS)
    writer.writerows([_csv_cell(cell) for cell in row] for row in result_rows(result))
    return buffer.getvalue()


def summary_markdown(result: dict) -> str:
    """Valid codes, how many are in the answer, time and model; then the model codes left out of the answer,
    the invalid codes and the error, when there are any."""
    items = result.get("items", [])
    bad = [i for i in items if not i.get("valid")]
    answer = sum(len(codes) for codes in (result.get("codes") or {}).values())
    text = (f"**{len(items) - len(bad)} valid code(s)**, {answer} in the answer · {result.get('latency_s', 0):.2f} s"
            f" · model `{result.get('model_id', '?')}`")
    left_out = [i for i in items if i.get("valid") and not i.get("selected", True) and i.get("source") == "model"]
    if left_out:
        text += "\n\nLeft out of the answer (little retrieval support): " + ", ".join(f"`{i['code']}`" for i in left_out)
    if bad:
        text += "\n\n⚠ Not billable/valid, excluded from the answer: " + ", ".join(
            f"`{i['code']}` ({i.get('status')})" for i in bad
        )
    if result.get("error"):
        if any((result.get("codes") or {}).values()):  # the model's answer is unreadable, the codes are the retriever's
            text += f"\n\n⚠ The model's own answer could not be read ({result['error']}): the codes come from the retriever."
        else:
            text += f"\n\n⚠ {result['error']}"
    return text
