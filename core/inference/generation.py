"""Greedy generation with a reused system-prompt cache, in-place KV cache, streaming and batching.

`Generator.stream` yields token ids one at a time (batch of one); `Generator.generate_batch` decodes
several prompts together. Batched prompts share the cached prefix and are laid out as
[prefix][padding][own tokens]: the attention mask hides the padding and the position ids skip it, so
every row sees exactly the positions it would see alone.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from functools import cached_property

import torch

from core.constraints import AnswerGrammar, TokenVocabulary, valid_code_tries
from core.inference.kvcache import PrefixCache, common_prefix, new_cache
from core.inference.loading import LoadedModel
from core.inference.lookup import PROMPT_LOOKUP_TOKENS, stream_with_lookup
from core.inference.style import ReasoningStyle
from core.inference.tracking import AnswerTracker
from core.prompts import SYSTEM_PROMPT

logger = logging.getLogger(__name__)

_PROBE_USERS = ("Narrative:\nalpha", "Narrative:\nzulu")


PROMPT_LOOKUP_ENV = "THCE_PROMPT_LOOKUP"  # drafted tokens per step for one answer (0: the plain loop)


def prompt_lookup_tokens() -> int:
    import os

    value = os.environ.get(PROMPT_LOOKUP_ENV, "").strip()
    if not value:
        return PROMPT_LOOKUP_TOKENS
    if not value.isdigit():
        raise ValueError(f"{PROMPT_LOOKUP_ENV} must be a whole number of tokens, not {value!r}")
    return int(value)


class Generator:
    def __init__(self, loaded: LoadedModel, prompt_lookup: int | None = None):
        self.loaded = loaded
        self.prompt_lookup = prompt_lookup_tokens() if prompt_lookup is None else prompt_lookup
        self.model = loaded.model
        self.tokenizer = loaded.tokenizer
        self.device = torch.device(loaded.device)

    # ---- prompts --------------------------------------------------------------------------------
    def prompt_ids(self, messages: list[dict]) -> list[int]:
        text = self.tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
        return list(self.tokenizer(text, add_special_tokens=False)["input_ids"])

    @cached_property
    def prefix(self) -> PrefixCache | None:
        """The cached keys/values of the tokens every prompt starts with (the system prompt)."""
        probes = [self.prompt_ids([{"role": "system", "content": SYSTEM_PROMPT},
                                   {"role": "user", "content": user}]) for user in _PROBE_USERS]
        shared = common_prefix(*probes)[:-1]  # the last shared token may merge differently
        if len(shared) < 2:
            return None
        logger.info("caching a %d-token prompt prefix", len(shared))
        return PrefixCache.compute(self.model, shared)

    # ---- vocabulary and constraints -------------------------------------------------------------
    @cached_property
    def eos_ids(self) -> set[int]:
        ids = {self.tokenizer.eos_token_id}
        configured = getattr(getattr(self.model, "generation_config", None), "eos_token_id", None)
        ids.update(configured if isinstance(configured, list) else [configured])
        for token in ("<|im_end|>", "<|endoftext|>", "</s>"):
            token_id = self.tokenizer.convert_tokens_to_ids(token)
            if isinstance(token_id, int) and token_id != self.tokenizer.unk_token_id:
                ids.add(token_id)
        return {int(i) for i in ids if i is not None}

    @cached_property
    def vocab(self) -> TokenVocabulary:
        return TokenVocabulary(self.tokenizer, self.eos_ids, size=self.model.config.vocab_size)

    @cached_property
    def valid_grammar(self) -> AnswerGrammar:
        """The grammar over every valid code (its per-state token sets are cached here)."""
        return AnswerGrammar(self.vocab, valid_code_tries())

    def tracker(self, grammar: AnswerGrammar | None = None, think_budget: int | None = None,
                narrative: str | None = None, style: bool = False, stop_at_answer: bool = False) -> AnswerTracker:
        """A tracker for one answer; `style` enforces the reasoning style (core.inference.style), with quotes
        checked against `narrative` when it is given; `stop_at_answer` ends the answer at `</think>`."""
        shape = ReasoningStyle.for_narrative(self.vocab, narrative) if style else None
        return AnswerTracker(self.vocab, grammar, think_budget, style=shape, stop_at_answer=stop_at_answer)

    def decode(self, token_ids: list[int]) -> str:
        return self.tokenizer.decode(token_ids, skip_special_tokens=False, clean_up_tokenization_spaces=False)

    # ---- decoding -------------------------------------------------------------------------------
    def stream(self, prompt: list[int], tracker: AnswerTracker | None = None,
               max_new_tokens: int = 256) -> Iterator[int]:
        """Token ids of one greedy continuation, as they are chosen: with prompt lookup through
        `generate` (core.inference.lookup), else with the plain cached loop below."""
        if self.prompt_lookup:
            yield from stream_with_lookup(self.model, prompt, tracker or self.tracker(), max_new_tokens,
                                          self.eos_ids, self.vocab_pad, self.prompt_lookup)
            return
        for step in self._decode([prompt], [tracker or self.tracker()], max_new_tokens):
            if step[0] is not None:
                yield step[0]

    def generate_batch(self, prompts: list[list[int]], trackers: list[AnswerTracker] | None = None,
                       max_new_tokens: int | list[int] = 256) -> list[list[int]]:
        """Greedy continuations of several prompts (`max_new_tokens` may differ per row)."""
        trackers = trackers or [self.tracker() for _ in prompts]
        outputs: list[list[int]] = [[] for _ in prompts]
        for step in self._decode(prompts, trackers, max_new_tokens):
            for row, token_id in enumerate(step):
                if token_id is not None:
                    outputs[row].append(token_id)
        return outputs

    @torch.inference_mode()
    def _decode(self, prompts: list[list[int]], trackers: list[AnswerTracker],
                max_new_tokens: int | list[int]) -> Iterator[list[int | None]]:
        limits = max_new_tokens if isinstance(max_new_tokens, list) else [max_new_tokens] * len(prompts)
        prefix = self.prefix if self.prefix is not None and all(map(self.prefix.matches, prompts)) else None
        if prefix is None and len(prompts) > 1:  # rows cannot share a prefix: decode them one by one
            for row, prompt in enumerate(prompts):
                for step in self._decode([prompt], [trackers[row]], limits[row]):
                    yield [step[0] if i == row else None for i in range(len(prompts))]
            return
        batch = _BatchInputs(prompts, prefix, max(limits), self.model.config.num_hidden_layers, self.device)
        logits = self._forward(batch.first_input(), batch)
        for step in range(max(limits)):
            for tracker, limit in zip(trackers, limits, strict=True):
                tracker.done = tracker.done or step >= limit
            chosen = self._choose(logits, trackers)
            yield chosen
            if step + 1 == max(limits) or all(t.done for t in trackers):
                return
            next_ids = [token_id if token_id is not None else self.vocab_pad for token_id in chosen]
            logits = self._forward(torch.tensor([next_ids], device=self.device).T, batch.advance())

    @cached_property
    def vocab_pad(self) -> int:
        return int(self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else 0)

    def _forward(self, input_ids: torch.Tensor, batch: _BatchInputs) -> torch.Tensor:
        out = self.model(input_ids=input_ids, attention_mask=batch.mask, position_ids=batch.position_ids,
                         cache=batch.cache, use_cache=True, logits_to_keep=1)
        return out.logits[:, -1, :]

    def _choose(self, logits: torch.Tensor, trackers: list[AnswerTracker]) -> list[int | None]:
        """Greedy choice per row within its tracker's allowed ids; None for finished rows."""
        chosen: list[int | None] = []
        for row, tracker in enumerate(trackers):
            if tracker.done:
                chosen.append(None)
                continue
            token_id = tracker.pick(logits[row])
            tracker.feed(token_id)
            chosen.append(token_id)
        return chosen


class _BatchInputs:
    """Cache, attention mask and position ids of a batch laid out as [prefix][padding][tokens]."""

    def __init__(self, prompts: list[list[int]], prefix: PrefixCache | None, max_new_tokens: int,
                 num_layers: int, device: torch.device):
        start = len(prefix.token_ids) if prefix is not None else 0
        tails = [prompt[start:] for prompt in prompts]
        width = max(len(tail) for tail in tails)
        capacity = start + width + max_new_tokens + 1
        self.cache = prefix.new_cache(len(prompts), capacity) if prefix else new_cache(num_layers, capacity)
        self.device = device
        self.ids = torch.zeros((len(prompts), width), dtype=torch.long)
        mask = torch.zeros((len(prompts), start + width), dtype=torch.long)
        mask[:, :start] = 1
        for row, tail in enumerate(tails):
            self.ids[row, width - len(tail):] = torch.tensor(tail, dtype=torch.long)
            mask[row, start + width - len(tail):] = 1
        self.padded = bool((mask == 0).any())
        self._mask = mask.to(device)
        self._positions = (mask.cumsum(dim=1) - 1).clamp(min=0)[:, start:].to(device)

    @property
    def mask(self) -> torch.Tensor | None:
        return self._mask if self.padded else None  # no padding: the causal mask alone is right

    @property
    def position_ids(self) -> torch.Tensor:
        return self._positions

    def first_input(self) -> torch.Tensor:
        return self.ids.to(self.device)

    def advance(self) -> _BatchInputs:
        """Extend the mask and positions by one generated token per row."""
        ones = torch.ones((self._mask.shape[0], 1), dtype=self._mask.dtype, device=self.device)
        self._mask = torch.cat([self._mask, ones], dim=1)
        self._positions = self._positions[:, -1:] + 1
        return self
