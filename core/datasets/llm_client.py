"""Optional LLM-provider generator: an OpenAI-compatible chat client (urllib, no extra dependency) that
rewrites synthetic narratives in a more natural clinical voice while keeping every coded phrase verbatim.

Off by default: it needs THCE_LLM_BASE_URL (e.g. https://api.example.com/v1) and usually THCE_LLM_API_KEY
(THCE_LLM_MODEL names the model). Tests use a fake transport; nothing here runs without those settings.
"""

from __future__ import annotations

import json
import logging
import os
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

from core.datasets.cases import CodedCase
from core.datasets.synthetic import generate_cases

logger = logging.getLogger(__name__)

Transport = Callable[[str, dict, bytes, float], dict]  # (url, headers, body, timeout) -> parsed JSON response

REWRITE_INSTRUCTIONS = (
    "Rewrite this clinical note so it reads like a real physician's note. Keep every phrase listed under "
    "KEEP exactly as written (same words, same order within the phrase). Do not add diagnoses, procedures, "
    "drugs, doses or negations. Reply with the rewritten note only."
)


class LLMError(RuntimeError):
    pass


def urllib_transport(url: str, headers: dict, body: bytes, timeout: float) -> dict:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - user-configured endpoint
        return json.loads(response.read().decode("utf-8"))


@dataclass
class LLMClient:
    base_url: str
    api_key: str | None = None
    model: str = "gpt-4o-mini"
    temperature: float = 0.7
    timeout: float = 60.0
    transport: Transport = urllib_transport

    @classmethod
    def from_env(cls, transport: Transport | None = None) -> LLMClient:
        base_url = os.environ.get("THCE_LLM_BASE_URL", "").strip()
        if not base_url:
            raise LLMError("the LLM generator is off: set THCE_LLM_BASE_URL (and THCE_LLM_API_KEY) to use it")
        return cls(base_url, os.environ.get("THCE_LLM_API_KEY") or None,
                   os.environ.get("THCE_LLM_MODEL", "gpt-4o-mini"), transport=transport or urllib_transport)

    def build_request(self, messages: list[dict]) -> tuple[str, dict, bytes]:
        url = self.base_url.rstrip("/") + "/chat/completions"
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        body = {"model": self.model, "messages": messages, "temperature": self.temperature}
        return url, headers, json.dumps(body).encode("utf-8")

    @staticmethod
    def parse_response(payload: dict) -> str:
        try:
            content = payload["choices"][0]["message"]["content"]
        except (KeyError, IndexError, TypeError):
            error = payload.get("error") if isinstance(payload, dict) else None
            raise LLMError(f"unexpected LLM response: {error or str(payload)[:200]}") from None
        if not isinstance(content, str) or not content.strip():
            raise LLMError("the LLM returned an empty message")
        return content.strip()

    def chat(self, messages: list[dict]) -> str:
        url, headers, body = self.build_request(messages)
        try:
            payload = self.transport(url, headers, body, self.timeout)
        except OSError as exc:
            raise LLMError(f"LLM request to {url} failed: {exc}") from exc
        return self.parse_response(payload)


def rewrite_messages(case: CodedCase) -> list[dict]:
    keep = [e.quote for e in case.evidence if e.quote] + [x.quote for x in case.exclusions or []]
    keep_block = "\n".join(f"- {q}" for q in dict.fromkeys(keep))
    return [{"role": "system", "content": REWRITE_INSTRUCTIONS},
            {"role": "user", "content": f"NOTE:\n{case.narrative}\n\nKEEP:\n{keep_block}"}]


def rewrite_case(case: CodedCase, client: LLMClient) -> CodedCase:
    """The case with an LLM-written narrative, or unchanged when a kept phrase went missing."""
    text = client.chat(rewrite_messages(case))
    lowered = text.lower()
    quotes = [e.quote for e in case.evidence if e.quote] + [x.quote for x in case.exclusions or []]
    missing = [q for q in quotes if q.lower() not in lowered]
    if missing:
        logger.info("case %s: LLM rewrite dropped %d evidence phrase(s); template narrative kept", case.id, len(missing))
        return case
    return replace(case, narrative=text, meta={**case.meta, "generator": f"llm:{client.model}"})


def llm_rewritten_cases(count: int, seed: int = 0, client: LLMClient | None = None) -> Iterator[CodedCase]:
    client = client or LLMClient.from_env()
    for case in generate_cases(count, seed):
        yield rewrite_case(case, client)
