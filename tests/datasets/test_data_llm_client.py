import json

import pytest

from core.datasets.llm_client import LLMClient, LLMError, rewrite_case
from core.datasets.synthetic import generate_cases


class FakeTransport:
    def __init__(self, reply):
        self.reply, self.requests = reply, []

    def __call__(self, url, headers, body, timeout):
        self.requests.append((url, headers, json.loads(body), timeout))
        if isinstance(self.reply, Exception):
            raise self.reply
        return self.reply


def _reply(text):
    return {"choices": [{"message": {"role": "assistant", "content": text}}]}


def test_request_is_an_openai_compatible_chat_completion():
    transport = FakeTransport(_reply("  hello  "))
    client = LLMClient("https://llm.example/v1/", "secret", "tiny-model", temperature=0.2, transport=transport)
    assert client.chat([{"role": "user", "content": "hi"}]) == "hello"
    url, headers, body, _ = transport.requests[0]
    assert url == "https://llm.example/v1/chat/completions"
    assert headers["Authorization"] == "Bearer secret"
    assert body == {"model": "tiny-model", "messages": [{"role": "user", "content": "hi"}], "temperature": 0.2}


@pytest.mark.parametrize("payload", [{"error": {"message": "quota"}}, {"choices": []}, _reply("   ")])
def test_bad_responses_raise_a_clear_error(payload):
    with pytest.raises(LLMError):
        LLMClient("http://x", transport=FakeTransport(payload)).chat([])


def test_network_failures_become_llm_errors():
    with pytest.raises(LLMError, match="failed"):
        LLMClient("http://x", transport=FakeTransport(OSError("refused"))).chat([])


def test_the_client_is_off_without_configuration(monkeypatch):
    monkeypatch.delenv("THCE_LLM_BASE_URL", raising=False)
    with pytest.raises(LLMError, match="THCE_LLM_BASE_URL"):
        LLMClient.from_env()


def test_a_rewrite_is_kept_only_when_every_evidence_phrase_survives():
    case = next(iter(generate_cases(1, seed=9)))
    phrases = [e.quote for e in case.evidence] + [x.quote for x in case.exclusions]
    faithful = "Dr. note. " + " ... ".join(phrases)
    kept = rewrite_case(case, LLMClient("http://x", transport=FakeTransport(_reply(faithful))))
    assert kept.narrative == faithful and kept.codes == case.codes and kept.meta["generator"].startswith("llm:")
    lossy = rewrite_case(case, LLMClient("http://x", transport=FakeTransport(_reply("Patient seen."))))
    assert lossy.narrative == case.narrative
