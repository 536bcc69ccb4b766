"""Codes tab: search and validate codes across ICD-10-CM, CPT and HCPCS; hierarchy and notes."""

from __future__ import annotations

import html

import gradio as gr

from core.code_lookup import code_card, search_codes, validate_codes
from webapp.auth import ANNOTATOR, user_for
from webapp.common import UserError

SYSTEM_CHOICES = [("All systems", ""), ("ICD-10-CM", "icd10cm"), ("CPT", "cpt"), ("HCPCS", "hcpcs")]
SEARCH_HEADERS = ["system", "code", "description", "score"]
VALIDATE_HEADERS = ["input", "normalized", "system", "status", "message"]
SHOWN_CHILDREN, SHOWN_NOTES = 30, 10


def code_card_markdown(card: dict) -> str:
    """Markdown of core.code_lookup.code_card: description, billable, hierarchy, children and notes."""
    if not card["found"]:
        typed = (card["code"] or "").strip()
        if not typed:
            return "Type a code to look it up (e.g. E11.65, 99214, J3420)."
        # what was typed is shown as text: gr.Markdown renders HTML, and a stray "*" would open emphasis
        message = html.escape(card["message"], quote=False)
        return f"**{html.escape(typed, quote=False)}**: {message}" if "*" not in typed else message
    lines = [f"### {card['code']} ({card['system']})", card["description"], "",
             f"**Billable:** {'yes' if card['billable'] else 'no'}"]
    if card["ancestors"]:  # an ICD-10-CM chapter is a number: "Chapter 4", not a bare "4"
        path = [f"Chapter {a}" if a.isdigit() else a for a in reversed(card["ancestors"])]
        lines.append("**Hierarchy:** " + " › ".join(path) + f" › {card['code']}")
    if card["children"]:
        lines.append("**Children:** " + ", ".join(card["children"][:SHOWN_CHILDREN]))
    for name, notes in card["notes"].items():
        if notes:
            lines.append(f"**{name.replace('_', ' ')}:** " + "; ".join(notes[:SHOWN_NOTES]))
    return "\n\n".join(lines)


def search(text: str, system: str = "", k: int = 20, request: gr.Request = None,
           profile: gr.OAuthProfile | None = None) -> list[list]:
    """Search code descriptions (bm25); API endpoint `/search_codes`."""
    user_for(request, profile, ANNOTATOR, "search codes")
    try:
        return search_codes(text, system or None, int(k))
    except ValueError as exc:
        raise UserError(str(exc)) from exc


def validate(codes: str, system: str = "", request: gr.Request = None,
             profile: gr.OAuthProfile | None = None) -> list[list]:
    """Validate codes separated by commas, spaces or new lines; API endpoint `/validate_codes`."""
    user_for(request, profile, ANNOTATOR, "validate codes")
    try:
        return validate_codes(codes, system or None)
    except ValueError as exc:
        raise UserError(str(exc)) from exc


def show(code: str, request: gr.Request = None, profile: gr.OAuthProfile | None = None) -> str:
    """Markdown card of one code: description, billable, hierarchy, notes."""
    user_for(request, profile, ANNOTATOR, "look up codes")
    return code_card_markdown(code_card(code))


def build_codes_tab() -> None:
    with gr.Row():
        with gr.Column():
            query = gr.Textbox(label="Search descriptions", placeholder="e.g. type 2 diabetes with hyperglycemia")
            system = gr.Dropdown(SYSTEM_CHOICES, value="", label="System")
            k = gr.Slider(5, 100, value=20, step=5, label="Results")
            hits = gr.Dataframe(headers=SEARCH_HEADERS, interactive=False, label="Matches", wrap=True,
                                column_widths=["14%", "14%", "60%", "12%"])
        with gr.Column():
            codes = gr.Textbox(label="Validate codes", placeholder="E11.9, S52.502A, J3420, 99214")
            checks = gr.Dataframe(headers=VALIDATE_HEADERS, interactive=False, label="Validation", wrap=True,
                                  column_widths=["13%", "13%", "13%", "14%", "47%"])
            code = gr.Textbox(label="Show one code", placeholder="E11.65")
            card = gr.Markdown()
    query.submit(search, [query, system, k], hits, api_name="search_codes")
    codes.submit(validate, [codes, system], checks, api_name="validate_codes")
    code.submit(show, code, card, api_name="show_code")
