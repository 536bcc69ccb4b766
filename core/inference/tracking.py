"""Follow one answer as it is generated: find `</think>`, follow the JSON, say when it is complete and
(with a grammar) which tokens may come next.

Used by the decoding loop as both a stopping criterion (the answer ends at the `}` that closes the JSON
object after the reasoning) and a logits constraint (`AnswerGrammar`). A reasoning budget can force
`</think>` after N reasoning tokens, so a rambling model still gets to answer. With `stop_at_answer` the
answer is done at `</think>`: the caller writes the JSON line from the codes the reasoning cites
(core.prompts.answer_from_reasoning).
"""

from __future__ import annotations

import copy
import logging

import torch

from core.constraints import START_STATE, AnswerGrammar, State, TokenVocabulary
from core.inference.style import SHORTENED, ReasoningStyle, open_quote
from core.prompts import THINK_CLOSE

logger = logging.getLogger(__name__)

THINK_CLOSING_TEXT = "\n" + THINK_CLOSE + "\n"


class AnswerTracker:
    def __init__(self, vocab: TokenVocabulary, grammar: AnswerGrammar | None = None,
                 think_budget: int | None = None, style: ReasoningStyle | None = None, stop_at_answer: bool = False):
        self.vocab = vocab
        self.stop_at_answer = stop_at_answer
        self.grammar = grammar
        self.think_budget = think_budget
        self.style = style
        self.phase = "start"  # start -> think -> answer
        self.done = False
        self.state: State | None = None
        self.think_tokens = 0
        self._tail = ""
        self._line = ""
        self._lines: set[str] = set()
        self._forced: list[int] = []
        self._depth, self._in_string, self._escaped = 0, False, False

    def copy(self) -> AnswerTracker:
        """An independent tracker in the same state (the grammar and vocabulary are shared)."""
        twin = copy.copy(self)
        twin._lines, twin._forced = set(self._lines), list(self._forced)
        return twin

    def allowed_ids(self) -> torch.Tensor | None:
        """None: any token; else the only ids the next token may take."""
        if self.done:
            return None
        if self._forced:
            return torch.tensor(self._forced[:1], dtype=torch.long)
        if self.grammar is not None and self.phase == "answer" and self.state is not None:
            allowed = self.grammar.allowed_ids(self.state)
            return allowed if allowed.numel() else None
        return None

    def pick(self, logits: torch.Tensor) -> int:
        """The greedy next token, given one row of logits, under the forced text, the grammar and the
        reasoning style (core.inference.style)."""
        allowed = self.allowed_ids()
        if allowed is not None:
            return int(allowed[logits[allowed].argmax()])
        if self.style is not None and self.phase != "answer" and not self.done:
            banned = self.style.banned_after(self._line)
            if banned is not None:
                logits = logits.clone()
                logits[banned] = float("-inf")
            if self.style.source is not None and open_quote(self._line) is not None:
                return self.style.next_quote_token(self._line, logits, self.vocab.texts)
            token_id = self.redirect(int(logits.argmax()))
            if self.vocab.text(token_id)[:1] in (" ", "\n") and self.style.reason_is_long(self._line):
                return self.style.close_reason_id  # a "(reason)" of reason_words words: closed before the next
            return token_id
        return self.redirect(int(logits.argmax()))

    def redirect(self, token_id: int) -> int:
        """The token to emit instead of the model's free choice: under a grammar, a model that wants to
        stop before answering is made to close its reasoning and answer."""
        if self.grammar is not None and self.phase != "answer" and token_id in self.vocab.eos_ids:
            self._forced = self.vocab.encode(THINK_CLOSING_TEXT)
            logger.debug("the model stopped before answering: closing </think>")
            return self._forced[0]
        return token_id

    def feed(self, token_id: int) -> None:
        if self.done:
            return
        if token_id in self.vocab.eos_ids:
            self.done = True
            return
        if self._forced and self._forced[0] == token_id:
            self._forced.pop(0)
        text = self.vocab.text(token_id)
        if self.phase == "answer":
            self._feed_answer(text)
        else:
            self._feed_reasoning(text)

    def _feed_reasoning(self, text: str) -> None:
        self.think_tokens += 1
        if self.phase == "start" and text.strip():
            if text.lstrip().startswith("{"):  # no reasoning at all: the answer starts right away
                self._start_answer(text)
                return
            self.phase = "think"
        self._tail += text
        index = self._tail.find(THINK_CLOSE)
        if index >= 0:
            self._start_answer(self._tail[index + len(THINK_CLOSE):])
            return
        self._tail = self._tail[-len(THINK_CLOSE):]
        repeated = self._repeats_a_line(text)
        if self._forced:
            return
        if self.think_budget is not None and self.think_tokens >= self.think_budget:
            self._forced = self.vocab.encode(THINK_CLOSING_TEXT)
            logger.debug("reasoning budget of %d tokens spent: closing </think>", self.think_budget)
        elif repeated:
            self._forced = self.vocab.encode(THINK_CLOSING_TEXT)
            logger.debug("the reasoning repeated a line: closing </think>")
        elif self.style is not None and self.style.quote_is_long(open_quote(self._line) or ""):
            self._forced = self.vocab.encode(SHORTENED)

    def _repeats_a_line(self, text: str) -> bool:
        """True when `text` completes a reasoning line that was already written (a model stuck in a loop)."""
        *finished, self._line = (self._line + text).split("\n")
        repeated = False
        for line in (x.strip() for x in finished):
            repeated = repeated or line in self._lines
            if line:
                self._lines.add(line)
        return repeated

    def _start_answer(self, text: str) -> None:
        self.phase = "answer"
        self._forced = []
        if self.stop_at_answer:
            self.done = True
            return
        self.state = START_STATE if self.grammar is not None else None
        self._feed_answer(text)

    def _feed_answer(self, text: str) -> None:
        if self.grammar is not None and self.state is not None:
            self.state = self.grammar.run(self.state, text)
            if self.state is None:
                logger.debug("the answer left the grammar; continuing unconstrained")
            elif self.grammar.is_done(self.state):
                self.done = True
        for ch in text:
            self._track_braces(ch)

    def _track_braces(self, ch: str) -> None:
        if self._in_string:
            if self._escaped:
                self._escaped = False
            elif ch == "\\":
                self._escaped = True
            elif ch == '"':
                self._in_string = False
        elif ch == '"':
            self._in_string = True
        elif ch == "{":
            self._depth += 1
        elif ch == "}" and self._depth > 0:
            self._depth -= 1
            if self._depth == 0:
                self.done = True
