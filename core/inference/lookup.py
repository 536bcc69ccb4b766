"""One answer through transformers' `generate`, with prompt-lookup decoding and the answer tracker as a
logits processor and stopping criterion.

Prompt lookup drafts the next tokens by matching the last n-gram against the prompt: the reasoning quotes
the narrative and copies codes from the candidate list, so drafts are often right and several tokens are
accepted per forward pass. `generate` calls a logits processor for every drafted position with that
position's prefix, so the processor derives the tracker state from the prefix it is given
(`TrackerTimeline`), never from call order.

    ids = stream_with_lookup(model, prompt_ids, tracker, max_new_tokens=320, eos_ids={2})
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Iterator

import torch
from transformers import LogitsProcessor, StoppingCriteria
from transformers.generation.streamers import BaseStreamer

from core.inference.tracking import AnswerTracker

logger = logging.getLogger(__name__)

PROMPT_LOOKUP_TOKENS = 8


class TrackerTimeline:
    """Tracker states after each generated token; a prefix that differs from the last one seen (a rejected
    draft) rolls the timeline back to where they agree."""

    def __init__(self, tracker: AnswerTracker, prompt_length: int):
        self.prompt_length = prompt_length
        self.tokens: list[int] = []
        self.states: list[AnswerTracker] = [tracker.copy()]

    def state_for(self, input_ids: torch.Tensor) -> AnswerTracker:
        generated = input_ids[self.prompt_length:].tolist()
        same = 0
        for old, new in zip(self.tokens, generated, strict=False):
            if old != new:
                break
            same += 1
        del self.tokens[same:], self.states[same + 1:]
        for token_id in generated[same:]:
            state = self.states[-1].copy()
            state.feed(token_id)
            self.tokens.append(token_id)
            self.states.append(state)
        return self.states[-1]


class TrackerLogitsProcessor(LogitsProcessor):
    """Masks the scores to the tracker's allowed ids (grammar, forced `</think>`); a finished answer may only end."""

    def __init__(self, timeline: TrackerTimeline, eos_ids: set[int]):
        self.timeline = timeline
        self.eos = torch.tensor(sorted(eos_ids), dtype=torch.long)

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        tracker = self.timeline.state_for(input_ids[0])
        allowed = self.eos if tracker.done else tracker.allowed_ids()
        if allowed is None:
            if bool((scores == scores[0, 0]).all()):
                return scores  # the draft filter's probe with constant logits: the real step decides
            # the tracker's greedy choice: the reasoning style, or </think> when stopping before the answer
            allowed = torch.tensor([tracker.pick(scores[0])], dtype=torch.long)
        masked = torch.full_like(scores, float("-inf"))
        masked[:, allowed] = scores[:, allowed]
        return masked


class TrackerStoppingCriteria(StoppingCriteria):
    """Stops when the tracker's answer is done, or when the consumer went away (`cancelled` set)."""

    def __init__(self, timeline: TrackerTimeline, cancelled: threading.Event | None = None):
        self.timeline = timeline
        self.cancelled = cancelled

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor, **kwargs) -> torch.BoolTensor:
        done = (self.cancelled is not None and self.cancelled.is_set()) or self.timeline.state_for(input_ids[0]).done
        return torch.full((input_ids.shape[0],), done, dtype=torch.bool, device=input_ids.device)


class _QueueStreamer(BaseStreamer):
    """Hands generated token ids to the consuming thread (the first `put` is the prompt)."""

    def __init__(self):
        self.queue: queue.Queue = queue.Queue()
        self._prompt_seen = False

    def put(self, value):
        if not self._prompt_seen:
            self._prompt_seen = True
            return
        for token_id in value.reshape(-1).tolist():
            self.queue.put(int(token_id))

    def end(self):
        self.queue.put(None)


def stream_with_lookup(model, prompt_ids: list[int], tracker: AnswerTracker, max_new_tokens: int, eos_ids: set[int],
                       pad_id: int, lookup_tokens: int = PROMPT_LOOKUP_TOKENS) -> Iterator[int]:
    """Token ids of one greedy answer, as `generate` accepts them (several per step when drafts hold);
    `tracker` is fed each of them. Closing the iterator early (a cancelled request, a client gone) stops the
    generation thread at its next step instead of letting it decode the rest of the answer for nobody."""
    device = next(model.parameters()).device
    timeline = TrackerTimeline(tracker, len(prompt_ids))
    streamer = _QueueStreamer()
    failure: list[BaseException] = []
    cancelled = threading.Event()

    def run() -> None:
        try:
            with torch.inference_mode():
                model.generate(
                    input_ids=torch.tensor([prompt_ids], device=device), max_new_tokens=max_new_tokens,
                    do_sample=False, prompt_lookup_num_tokens=lookup_tokens or None, streamer=streamer,
                    logits_processor=[TrackerLogitsProcessor(timeline, eos_ids)],
                    stopping_criteria=[TrackerStoppingCriteria(timeline, cancelled)], eos_token_id=sorted(eos_ids),
                    pad_token_id=pad_id, temperature=None, top_p=None, top_k=None)
        except BaseException as exc:  # re-raised in the consuming thread
            failure.append(exc)
            streamer.end()

    worker = threading.Thread(target=run, name="thce-generate", daemon=True)
    worker.start()
    try:
        while (token_id := streamer.queue.get()) is not None:
            tracker.feed(token_id)  # the caller's tracker follows the answer, as in the plain loop
            yield token_id
            if token_id in eos_ids:
                break
    finally:  # also on GeneratorExit: the worker stops after the forward pass it is in
        cancelled.set()
        worker.join()
    if failure:
        raise failure[0]
