"""Shared helpers of the web app tests: a fake coding result and coder, a free port."""

from __future__ import annotations

import socket

from core.prompts import build_messages, format_answer

FAKE_CODES = {"icd10cm": ["E11.65"], "cpt": ["99214"], "hcpcs": []}
FAKE_REASONING = "type 2 diabetes with hyperglycemia -> E11.65; established patient visit -> 99214"
FAKE_EDIT = {"action": "drop", "system": "icd10cm", "code": "R73.9", "rule": "integral_symptom",
             "guideline": "ICD-10-CM Official Guidelines I.B.5", "reason": "hyperglycemia is part of E11.65: not coded"}
NARRATIVE = "58-year-old with type 2 diabetes and hyperglycemia on metformin, HbA1c 9.1%. Established patient."


def fake_result(narrative: str) -> dict:
    """A CodingResult.to_dict()-shaped answer, without a model."""
    return {"codes": FAKE_CODES, "items": [], "reasoning": FAKE_REASONING,
            "raw": format_answer(FAKE_REASONING, FAKE_CODES), "valid": True, "latency_s": 0.01,
            "model_id": "fake-model", "prompt": build_messages(narrative), "repairs": [], "error": None,
            "rules_applied": True, "rule_edits": [FAKE_EDIT]}


class FakeCoder:
    """Counts calls; returns fake_result."""

    def __init__(self):
        self.calls = 0

    def __call__(self, narrative: str) -> dict:
        self.calls += 1
        return fake_result(narrative)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]

USERS = "alice:alice-pw,bob:bob-pw,carol:carol-pw"  # bob and carol are admins in the `users` fixture
ADMINS = "bob,carol"


def as_user(name: str | None):
    """A request as Gradio passes it to a callback once `name` logged in (None: nobody logged in)."""
    import gradio as gr

    return gr.Request(username=name)
