"""Per-code review: the model's codes as rows an annotator keeps or drops, each with its description and the
narrative span that supports it (core.evidence, the same evidence the Code tab highlights), the coding rules'
edits that touched it (with their reasons), the codes the rules took out (rows that start dropped: the annotator
confirms the drop or restores the code), codes added by search (validated), and what the rows amount to when
submitted: the kept codes, exactly as listed.

Plain data for the Review tab (the UI words it; nothing here knows about Gradio):

    rows = code_rows_for(narrative, {"icd10cm": ["E11.65"], "cpt": ["99214"]}, reasoning, rule_edits=edits)
    rows = toggle(rows, 0)                               # drop the first code
    rows, added = add_code(rows, narrative, "hyperlipidemia")   # best billable match, or an exact code
    decision, codes = verdict(rows, model_codes)         # ("correct", {...}) or ("accept", model codes)
    pieces = highlight(narrative, rows, selected=1)      # (text, label) pieces; the selected code's span first
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from core.codes import get_codeset
from core.evidence import code_terms, find_evidence, labelled_pieces
from core.prompts import SYSTEMS, empty_codes

SEARCH_HITS = 8
MAX_QUERY_CHARS = 200


@dataclass
class CodeRow:
    system: str
    code: str
    description: str
    evidence: str  # the supporting text ("" when none was found)
    span: list[int] | None  # [start, end] of `evidence` in the narrative
    keep: bool = True
    origin: str = "model"  # "model", "added" (by the annotator) or "rule_dropped" (the coding rules took it out)
    rule_edits: list[dict] = field(default_factory=list)  # the coding rules' edits that touched this code

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Added:
    """What typing `text` into the code search did: "added" a row, "kept" a row already listed, or nothing:
    "not_billable" (a header code typed; `billable` lists codes under it), "unknown" (a code-shaped word that
    is no code; `billable`: near misses) or "no_match"."""

    outcome: str
    text: str
    code: str = ""
    description: str = ""
    billable: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        return self.outcome in ("added", "kept")


def _codeset(codeset=None):
    if codeset is not None:
        return codeset
    return get_codeset()


def make_row(narrative: str, system: str, code: str, reasoning: str = "", origin: str = "model",
             codeset=None) -> dict:
    """One row: the code's description and its evidence span (model reasoning first, then word overlap)."""
    codeset = _codeset(codeset)
    info = codeset.lookup(code, system)
    description = info.description if info else ""
    evidence = find_evidence(narrative, code_terms(codeset, code, system), reasoning, code, codeset)
    return CodeRow(system, code, description, evidence.quote, list(evidence.span) if evidence.span else None,
                   True, origin).to_dict()


def code_rows_for(narrative: str, codes: dict | None, reasoning: str = "", codeset=None,
                  kept: dict | None = None, rule_edits: list[dict] | None = None) -> list[dict]:
    """Rows of the model's codes (the answer after the coding rules), in system order, then the codes the rules
    dropped or replaced (starting dropped), each row with the rule edits that touched its code. `kept` (a saved
    draft's codes): listed codes outside it start dropped, listed codes in it start kept, and its other codes are
    added."""
    codeset = _codeset(codeset)
    rows = [make_row(narrative, s, c, reasoning, "model", codeset) for s in SYSTEMS for c in (codes or {}).get(s, [])]
    rows += [dict(make_row(narrative, s, c, reasoning, "rule_dropped", codeset), keep=False)
             for s, c in rule_dropped(codes, rule_edits)]
    for row in rows:
        row["rule_edits"] = edits_of(rule_edits, row["system"], row["code"])
    if kept is not None:
        wanted = {(s, c) for s in SYSTEMS for c in kept.get(s, [])}
        for row in rows:
            row["keep"] = (row["system"], row["code"]) in wanted
        present = {(r["system"], r["code"]) for r in rows}
        rows += [make_row(narrative, s, c, "", "added", codeset) for s in SYSTEMS for c in kept.get(s, [])
                 if (s, c) not in present]
    return rows


def edits_of(rule_edits: list[dict] | None, system: str, code: str) -> list[dict]:
    """The rule edits that added, dropped or replaced `code`, or put it in place of another, in order."""
    return [dict(e) for e in rule_edits or [] if e.get("system") == system
            and code in (e.get("code"), e.get("replacement"))]


def rule_dropped(codes: dict | None, rule_edits: list[dict] | None) -> list[tuple[str, str]]:
    """(system, code) of the codes the rules dropped or replaced that are not in the final answer, in edit order."""
    out: list[tuple[str, str]] = []
    for edit in rule_edits or []:
        key = (edit.get("system"), edit.get("code"))
        if (edit.get("action") in ("drop", "replace") and key[0] in SYSTEMS and key[1]
                and key[1] not in (codes or {}).get(key[0], []) and key not in out):
            out.append(key)
    return out


def toggle(rows: list[dict], index: int) -> list[dict]:
    """Flip keep/drop of row `index` (out of range: unchanged)."""
    if not 0 <= index < len(rows):
        return rows
    return [dict(r, keep=not r["keep"]) if i == index else r for i, r in enumerate(rows)]


def typed_code(text: str, codeset=None):
    """The code-set validation of `text` when it is typed as a code (one word shaped like an ICD-10-CM, CPT or
    HCPCS code, whether the code sets know it or not); None for words to search. A code-shaped word that is no
    code stays a code (an "unknown" validation): searched as words it added unrelated codes (Z99.999 -> P05.13)."""
    codeset = _codeset(codeset)
    text = (text or "").strip()
    if not text or " " in text:
        return None
    check = codeset.validate(text)
    return None if check.status == "bad_format" else check


def find_code(text: str, codeset=None) -> tuple[str, str, str] | None:
    """(system, code, description) that `text` stands for: a billable code typed as such, else the best billable
    search hit for words; None when nothing matches or the code typed is not billable (a header: the coder
    picks the specific code, see `why_not`)."""
    codeset = _codeset(codeset)
    text = (text or "").strip()[:MAX_QUERY_CHARS]
    if not text:
        return None
    check = typed_code(text, codeset)
    if check is not None:
        return (check.system, check.normalized, codeset.describe(check.normalized)) if check.ok else None
    for hit in codeset.search(text, k=SEARCH_HITS * 2):
        if codeset.validate(hit.code, hit.system).ok:
            return hit.system, hit.code, hit.description
    return None


def search_rows(text: str, codeset=None) -> list[list]:
    """Rows [system, code, description, billable (bool)] of a search as you type (billable ones first)."""
    codeset = _codeset(codeset)
    text = (text or "").strip()[:MAX_QUERY_CHARS]
    if not text:
        return []
    check = typed_code(text, codeset)
    if check is not None and check.status not in ("ok", "not_billable"):  # a mistyped code: its near misses only
        near = [codeset.validate(code) for code in why_not(text, codeset).billable]
        return [[c.system, c.normalized, codeset.describe(c.normalized), True] for c in near]
    rows = [[h.system, h.code, h.description, codeset.validate(h.code, h.system).ok]
            for h in codeset.search(text, k=SEARCH_HITS)]
    return sorted(rows, key=lambda r: not r[3])


def add_code(rows: list[dict], narrative: str, text: str, codeset=None) -> tuple[list[dict], Added]:
    """Add the code `text` stands for (find_code) as a kept row; a code already listed is kept again.
    Returns the rows and what happened."""
    codeset = _codeset(codeset)
    found = find_code(text, codeset)
    if found is None:
        return rows, why_not(text, codeset)
    system, code, description = found
    for i, row in enumerate(rows):
        if row["system"] == system and row["code"] == code:
            return [dict(r, keep=True) if j == i else r for j, r in enumerate(rows)], Added("kept", text, code,
                                                                                          description)
    return [*rows, make_row(narrative, system, code, "", "added", codeset)], Added("added", text, code, description)


def why_not(text: str, codeset=None) -> Added:
    """Why `text` adds no code: a non-billable code (with billable codes under it), a code-shaped word that is
    no known code ("unknown", with billable near misses), or no billable match for words."""
    check = typed_code(text, codeset)
    if check is not None and check.status == "not_billable":
        return Added("not_billable", text, check.normalized, billable=tuple(check.suggestions[:6]))
    if check is not None and not check.ok:
        near = [code for code in check.suggestions if _codeset(codeset).validate(code).ok]
        return Added("unknown", (text or "").strip(), check.normalized, billable=tuple(near[:6]))
    return Added("no_match", (text or "").strip())


def kept_codes(rows: list[dict]) -> dict[str, list[str]]:
    codes = empty_codes()
    for row in rows:
        if row["keep"] and row["code"] not in codes[row["system"]]:
            codes[row["system"]].append(row["code"])
    return codes


def verdict(rows: list[dict], model_codes: dict | None) -> tuple[str, dict[str, list[str]]]:
    """("accept", model codes) when the kept codes are the model's (any order), else ("correct", kept codes)."""
    kept = kept_codes(rows)
    same = all(set(kept[s]) == set((model_codes or {}).get(s, [])) for s in SYSTEMS)
    return ("accept", {s: list((model_codes or {}).get(s, [])) for s in SYSTEMS}) if same else ("correct", kept)


def highlight(narrative: str, rows: list[dict], selected: int | None = None) -> list[tuple[str, str | None]]:
    """The narrative cut into (text, label) pieces: kept codes' spans labelled by code, the selected row's span
    labelled "▶ CODE" (it wins where spans overlap), dropped codes' spans only when selected."""
    spans = []
    for i, row in enumerate(rows):
        if not row.get("span") or (not row["keep"] and i != selected):
            continue
        label = f"▶ {row['code']}" if i == selected else row["code"]
        spans.append((0 if i == selected else 1, tuple(row["span"]), label))
    return labelled_pieces(narrative, [(start, end, label) for _, (start, end), label in sorted(spans)])
