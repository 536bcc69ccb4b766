"""Plain-data views of coding results for the web app and exports (tables, highlights, CSV/JSON).

These functions take the dict of `CodingResult.to_dict()` so the UI never holds business logic.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from core.paths import DEFAULT_MODEL_DIR, EXAMPLES_DIR, MODELS_DIR, TARGET_HUB_MODEL

RESULT_COLUMNS = ["system", "code", "description", "billable", "valid", "status", "evidence", "score", "source",
                  "in answer", "rule", "rule reason"]
EDIT_COLUMNS = ["rule", "action", "system", "code", "replacement", "reason", "guideline"]


def result_rows(result: dict) -> list[list]:
    """One row per coded item, invalid ones flagged in `status` (never shown as good)."""
    rows = []
    for item in result.get("items", []):
        status = item.get("status", "ok")
        flag = "" if item.get("valid") else "⚠ "
        rows.append([
            item.get("system", ""),
            flag + str(item.get("code", "")),
            item.get("description", ""),
            "yes" if item.get("billable") else "no",
            "yes" if item.get("valid") else "no",
            status,
            item.get("evidence", ""),
            round(float(item.get("score") or 0.0), 3),
            item.get("source", ""),
            "yes" if item.get("selected", item.get("valid")) and item.get("valid") else "no",
            item.get("rule", ""),
            item.get("rule_reason", ""),
        ])
    return rows


def edit_rows(result: dict) -> list[list]:
    """One row (EDIT_COLUMNS) per coding-rule edit of the answer, in the order the rules made them."""
    return [[edit.get(column, "") or "" for column in EDIT_COLUMNS] for edit in result.get("rule_edits") or []]


TABLE_COLUMNS = ["system", "code", "description", "status", "evidence", "score", "source", "in answer"]


def table_rows(result: dict) -> list[list]:
    """The compact on-screen table: invalid codes keep their ⚠ flag and say why in `status`
    (billable/valid/source stay in the CSV and JSON exports)."""
    keep = [RESULT_COLUMNS.index(c) for c in TABLE_COLUMNS]
    return [[row[i] for i in keep] for row in result_rows(result)]


def evidence_highlights(narrative: str, result: dict) -> list[tuple[str, str | None]]:
    """Split the narrative into (text, label) pieces; evidence spans carry their code as label."""
    spans = sorted(
        (tuple(item["span"]), item["code"])
        for item in result.get("items", [])
        if item.get("span") and item.get("valid")
    )
    pieces, cursor = [], 0
    for (start, end), code in spans:
        if start < cursor or end > len(narrative) or start >= end:
            continue  # overlapping or out-of-range spans are shown once
        if start > cursor:
            pieces.append((narrative[cursor:start], None))
        pieces.append((narrative[start:end], code))
        cursor = end
    if cursor < len(narrative):
        pieces.append((narrative[cursor:], None))
    return pieces


def result_to_json(result: dict) -> str:
    keep = ("codes", "items", "ranked", "reasoning", "valid", "latency_s", "model_id", "repairs", "error",
            "rules_applied", "rule_edits", "rules_skipped")
    return json.dumps({k: result.get(k) for k in keep if k in result}, indent=2)


def result_to_csv(result: dict) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(RESULT_COLUMNS)
    for row in result_rows(result):
        writer.writerow(row)
    return buffer.getvalue()


def summary_markdown(result: dict) -> str:
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
        text += f"\n\n⚠ {result['error']}"
    return text


def _model_folders() -> dict[str, str]:
    """Offered models by name (what users see: a folder's name under data/models, `runs/...` for trained
    stages, the hub id), each with where it is loaded from. Adapter folders count as models."""
    def is_model(folder: Path) -> bool:
        return (folder / "config.json").is_file() or (folder / "adapter_config.json").is_file()

    found: dict[str, str] = {}
    if DEFAULT_MODEL_DIR.is_dir():
        found[DEFAULT_MODEL_DIR.name] = str(DEFAULT_MODEL_DIR)
    if MODELS_DIR.is_dir():
        found.update({d.name: str(d) for d in sorted(MODELS_DIR.iterdir()) if d.is_dir() and is_model(d)})
    runs = MODELS_DIR.parent / "runs"
    if runs.is_dir():
        for marker in sorted([*runs.glob("**/config.json"), *runs.glob("**/adapter_config.json")]):
            if "checkpoint-" not in str(marker) and "/ref/" not in marker.as_posix():
                found.setdefault(f"runs/{marker.parent.relative_to(runs).as_posix()}", str(marker.parent))
    found[TARGET_HUB_MODEL] = TARGET_HUB_MODEL
    return found


def available_models() -> list[str]:
    """The names of the local models (shipped first, then trained) and the target hub model: never a path."""
    return list(_model_folders())


def example_narratives(path: Path | None = None) -> list[str]:
    """Example narratives for the UI, from data/examples/narratives.jsonl."""
    path = path or EXAMPLES_DIR / "narratives.jsonl"
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            out.append(json.loads(line)["narrative"])
    return out


# ---------------------------------------------------------------- code sets

MAX_QUERY_CHARS = 2000


def _split_codes(text: str) -> list[str]:
    import re

    return [c for c in re.split(r"[\s,;]+", text or "") if c]


def search_codes(text: str, system: str | None = None, k: int = 20) -> list[list]:
    """Rows [system, code, description, score] for a description search."""
    from core.codes import get_codeset

    text = (text or "").strip()
    if not text:
        raise ValueError("search text is empty")
    if len(text) > MAX_QUERY_CHARS:
        raise ValueError(f"search text is too long ({len(text)} characters; the limit is {MAX_QUERY_CHARS})")
    hits = get_codeset().search(text, system=system, k=k)
    return [[h.system, h.code, h.description, round(float(h.score), 3)] for h in hits]


def validate_codes(text: str, system: str | None = None) -> list[list]:
    """Rows [input, normalized, system, status, message] for each code in `text`."""
    from core.codes import get_codeset

    codes = _split_codes(text)
    if not codes:
        raise ValueError("no codes given")
    if len(codes) > 500:
        raise ValueError(f"too many codes ({len(codes)}); validate at most 500 at once")
    codeset = get_codeset()
    rows = []
    for code in codes:
        v = codeset.validate(code, system=system)
        message = v.message + (f" Billable: {', '.join(v.suggestions[:10])}" if v.suggestions else "")
        rows.append([code, v.normalized, v.system or "", v.status, message])
    return rows


def code_details(code: str) -> str:
    """Markdown card: description, billable, hierarchy and notes of one code."""
    from core.codes import get_codeset

    codeset = get_codeset()
    info = codeset.lookup((code or "").strip()[:20])
    if info is None:
        return f"**{code}**: {codeset.validate((code or '')[:20]).message}"
    lines = [f"### {info.code} ({info.system})", info.description, "",
             f"**Billable:** {'yes' if info.billable else 'no'}"]
    ancestors = codeset.ancestors(info.code)
    if ancestors:
        lines.append("**Hierarchy:** " + " › ".join(reversed(ancestors)) + f" › {info.code}")
    if info.children:
        lines.append("**Children:** " + ", ".join(info.children[:30]))
    for name, notes in (info.notes or {}).items():
        if notes:
            lines.append(f"**{name.replace('_', ' ')}:** " + "; ".join(notes[:10]))
    return "\n\n".join(lines)


def check_model(model: str | None, configured: str | None = None) -> str | None:
    """A model choice from a browser or API client: None (the default), a listed model, or the app's
    configured model; anything else (an arbitrary path or hub id) is refused with ValueError."""
    model = (model or "").strip()
    if not model:
        return configured or None
    if model == configured:
        return model
    offered = _model_folders()
    if model in offered:
        return offered[model]
    raise ValueError(f"model {model!r} is not offered by this server; choose one of the listed models")
