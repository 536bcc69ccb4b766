"""The coding pipeline: narrative -> candidates -> prompt -> generation -> parse -> validate -> result."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass

from core.codes import get_codeset
from core.constants import CANDIDATES_PER_SYSTEM, MAX_NARRATIVE_CHARS
from core.constraints import CONSTRAIN_MODES, AnswerGrammar, candidate_tries
from core.pipeline.items import build_items, final_codes, ranked_lists, support_scores
from core.pipeline.result import CodingResult
from core.pipeline.rules_step import apply_coding_rules
from core.prompts import Candidate, ParsedOutput, answer_from_reasoning, build_messages, parse_output

logger = logging.getLogger(__name__)

MAX_NEW_TOKENS = 320
MIN_NEW_TOKENS = 96  # a prompt that leaves less room than this in the model's context is refused
THINK_BUDGET = 224  # reasoning tokens before </think> is forced, leaving room for the JSON answer
ANSWER_RESERVE = 64  # tokens kept for the JSON answer after a forced </think> (answer "generated")
CLOSE_RESERVE = 8  # tokens kept for a forced </think> (answer "reasoning": the JSON line is not generated)
RANKED_PER_SYSTEM = 50


STYLE_ENV = "THCE_REASONING_STYLE"  # "0": reasoning lines as the model writes them (the ablation)
ANSWER_ENV = "THCE_ANSWER"  # "generated": the model writes the JSON line too (the ablation)
ANSWER_MODES = ("reasoning", "generated")


def reasoning_style_default() -> bool:
    import os

    return os.environ.get(STYLE_ENV, "1").strip().lower() not in ("0", "false", "no", "off")


def answer_mode_default() -> str:
    import os

    mode = os.environ.get(ANSWER_ENV, "").strip().lower() or ANSWER_MODES[0]
    if mode not in ANSWER_MODES:
        raise ValueError(f"{ANSWER_ENV} must be one of {', '.join(ANSWER_MODES)}, not {mode!r}")
    return mode


def check_narrative(narrative) -> str:
    """The narrative, or ValueError naming what is wrong with it."""
    if not isinstance(narrative, str):
        raise ValueError(f"narrative must be text, not {type(narrative).__name__}")
    if not narrative.strip():
        raise ValueError("narrative is empty")
    if len(narrative) > MAX_NARRATIVE_CHARS:
        raise ValueError(f"narrative is {len(narrative):,} characters long; the limit is {MAX_NARRATIVE_CHARS:,} "
                         "(the model's context is small): shorten or split it")
    return narrative.strip()


@dataclass
class _Request:
    narrative: str
    candidates: list[Candidate]
    rank: dict[str, list[tuple[str, float]]]
    messages: list[dict]
    prompt_ids: list[int]
    max_new_tokens: int


class Pipeline:
    """`generator` None: the retriever-only ablation (the decision rule without the model's votes).
    `rules` False: the answer without the coding rules' edits (core.rules), the ablation of that last step.
    `style` False: reasoning lines as the model writes them, without core.inference.style's checks (verbatim,
    short quotes, no "(description)" after a code); None follows THCE_REASONING_STYLE (on unless "0").
    `answer` "reasoning": generation stops at `</think>` and the JSON line is the codes the reasoning cites
    (so the reasoning carries the answer, and the ~30% of tokens the JSON line took are not generated);
    "generated": the model writes the JSON line; None follows THCE_ANSWER (default "reasoning")."""

    def __init__(self, generator, retriever, constrain: str = "valid", max_new_tokens: int = MAX_NEW_TOKENS,
                 think_budget: int | None = THINK_BUDGET, name: str | None = None, rules: bool = True,
                 style: bool | None = None, answer: str | None = None):
        if constrain not in CONSTRAIN_MODES:
            raise ValueError(f"constrain must be one of {', '.join(CONSTRAIN_MODES)}, not {constrain!r}")
        answer = answer_mode_default() if answer is None else answer
        if answer not in ANSWER_MODES:
            raise ValueError(f"answer must be one of {', '.join(ANSWER_MODES)}, not {answer!r}")
        self.answer = answer
        self.generator = generator
        self.retriever = retriever
        self.constrain = constrain
        self.max_new_tokens = max_new_tokens
        self.think_budget = think_budget
        self.name = name
        self.rules = rules
        self.style = reasoning_style_default() if style is None else style

    @property
    def model_id(self) -> str:
        if self.generator is None:
            return f"{self.name or 'retriever'} (retriever only, no model)"
        return self.generator.loaded.model_id

    def prepare(self, narrative: str) -> _Request:
        """Validate the narrative, retrieve candidates and build the prompt (ValueError when unusable)."""
        text = check_narrative(narrative)
        rank = self.retriever.rank(text, k=RANKED_PER_SYSTEM)  # retrieval runs once: candidates come from it
        candidates = self.retriever.candidates(rank, k=CANDIDATES_PER_SYSTEM)
        messages = build_messages(text, candidates)
        if self.generator is None:
            return _Request(text, candidates, rank, messages, [], 0)
        prompt_ids = self.generator.prompt_ids(messages)
        context = self.generator.loaded.context_length
        room = min(self.max_new_tokens, context - len(prompt_ids))
        if room < min(MIN_NEW_TOKENS, self.max_new_tokens):
            raise ValueError(f"narrative is too long for model {self.model_id}: the prompt takes "
                             f"{len(prompt_ids):,} of its {context:,}-token context, leaving too little room "
                             "for an answer: shorten or split it")
        return _Request(text, candidates, rank, messages, prompt_ids, room)

    def tracker(self, request: _Request):
        grammar = None
        if self.constrain == "valid":
            grammar = self.generator.valid_grammar
        elif self.constrain == "candidates":
            pairs = [(c.system, c.code) for c in request.candidates]
            grammar = AnswerGrammar(self.generator.vocab, candidate_tries(pairs))
        budget = None
        if self.think_budget is not None:
            reserve = ANSWER_RESERVE if self.answer == "generated" else CLOSE_RESERVE
            budget = max(1, min(self.think_budget, request.max_new_tokens - reserve))
        return self.generator.tracker(grammar, budget, narrative=request.narrative, style=self.style,
                                      stop_at_answer=self.answer == "reasoning")

    def code(self, narrative: str) -> CodingResult:
        start = time.perf_counter()
        request = self.prepare(narrative)
        token_ids = [] if self.generator is None else list(
            self.generator.stream(request.prompt_ids, self.tracker(request), request.max_new_tokens))
        return self.finish(request, token_ids, time.perf_counter() - start)

    def stream(self, narrative: str) -> Iterator[str | CodingResult]:
        """Text chunks as they are generated, then the CodingResult."""
        start = time.perf_counter()
        request = self.prepare(narrative)
        token_ids: list[int] = []
        shown = ""
        if self.generator is None:
            yield self.finish(request, token_ids, time.perf_counter() - start)
            return
        for token_id in self.generator.stream(request.prompt_ids, self.tracker(request), request.max_new_tokens):
            token_ids.append(token_id)
            text = self._text(token_ids)
            if len(text) > len(shown) and not text.endswith("\ufffd"):  # wait for whole UTF-8 characters
                yield text[len(shown):]
                shown = text
        rest = self._raw(token_ids)[len(shown):]
        if rest:  # what was held back (an incomplete character at the very end) and the answer line
            yield rest
        yield self.finish(request, token_ids, time.perf_counter() - start)

    def code_batch(self, narratives: list[str]) -> list[CodingResult | ValueError]:
        """Code several narratives in one batched generation; bad inputs come back as their ValueError."""
        start = time.perf_counter()
        requests: list[_Request | ValueError] = []
        for narrative in narratives:
            try:
                requests.append(self.prepare(narrative))
            except ValueError as exc:
                requests.append(exc)
        good = [r for r in requests if isinstance(r, _Request)]
        outputs: list[list[int]] = [[] for _ in good]
        if self.generator is not None and good:
            outputs = self.generator.generate_batch([r.prompt_ids for r in good], [self.tracker(r) for r in good],
                                                    [r.max_new_tokens for r in good])
        share = (time.perf_counter() - start) / max(len(good), 1)
        finished = iter(self.finish(r, ids, share) for r, ids in zip(good, outputs, strict=True))
        return [r if isinstance(r, ValueError) else next(finished) for r in requests]

    def _text(self, token_ids: list[int]) -> str:
        if self.generator is None:
            return ""
        eos = self.generator.eos_ids
        return self.generator.decode([t for t in token_ids if t not in eos])

    def _raw(self, token_ids: list[int]) -> str:
        """The answer: the generated text, and the JSON line of the reasoning's codes when the model
        stopped at `</think>` (answer "reasoning")."""
        text = self._text(token_ids)
        return text + answer_from_reasoning(text) if self.answer == "reasoning" and text else text

    def finish(self, request: _Request, token_ids: list[int], latency_s: float) -> CodingResult:
        codeset = get_codeset()
        raw = self._raw(token_ids)
        parsed = parse_output(raw) if self.generator is not None else ParsedOutput(ok=True)
        support = support_scores(request.rank)
        items = build_items(codeset, parsed, request.narrative, request.candidates, support,
                            getattr(self.retriever, "decision", None), request.rank)
        codes, edits, skipped = final_codes(items), [], []
        if self.rules:
            codes, edits, skipped = apply_coding_rules(codeset, items, codes, request.narrative, support,
                                                       parsed.reasoning)
        model_items = [item for item in items if item.source == "model"]
        return CodingResult(
            codes=codes, items=items, ranked=ranked_lists(codes, request.rank, support),
            reasoning=parsed.reasoning, raw=raw, valid=parsed.ok and all(i.valid for i in model_items),
            latency_s=latency_s, repairs=parsed.repairs, error=None if parsed.ok else parsed.error,
            model_id=self.model_id, prompt=request.messages, rules_applied=self.rules, rule_edits=edits,
            rules_skipped=skipped)
