"""The shape of the reasoning lines, enforced while decoding: quotes copied from the narrative, short quotes,
one code at a time after the arrow.

A reasoning line is `"quote" -> CODE.` (see core/datasets/reasoning.py). A small model left alone drifts from
it in ways that cost time and trust: it paraphrases the "quote" (then nothing in the narrative backs the code),
copies a whole clause into it, or writes the candidate's description after the code in parentheses (about a
third of the tokens of an answer on CodiEsp), or hedges between two codes (`-> 99203/99205`, `-> 99202-99205`).
`ReasoningStyle` holds the three checks; `AnswerTracker` applies
them token by token:

- **verbatim quotes**: inside a quote, the next token must keep the quote a substring of the narrative
  (case and runs of whitespace ignored). The model's best such token among its top `TOP_K` is taken; when none
  qualifies the quote is closed.
- **short quotes**: a quote that reaches `quote_words` words is closed with ` ..."` (the training data's mark
  for a shortened quote).
- **no alternative** right after a code on a reasoning line (a token starting with "/", "-" or ","), and **no
  "(description)" after an ICD-10-CM code**: the model writes `.` or `;` instead. A CPT or HCPCS code may take a
  short "(reason)", as the training lines write them (the visit level's basis, a drug's units), closed with ")"
  once it holds `reason_words` words (THCE_REASON_WORDS, default 6; "0" bans "(" after every code).

    style = ReasoningStyle.for_narrative(vocab, narrative)
    tracker = AnswerTracker(vocab, grammar, think_budget, style=style)

The patterns of a line live in core.reasoning_lines, which also checks whole training answers against them
(`style_conflicts`), so the data the model learns from is data the style lets it write.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

from core.constants import QUOTE_WORDS, SHORTENED_QUOTE_MARK
from core.reasoning_lines import (
    OPEN_REASON,
    REASON_WORDS,
    code_at_end,
    is_procedure,
    normalize,
    quote_in,
    quote_word_count,
)

TOP_K = 24  # tokens tried, best first, for a verbatim quote before the quote is closed
SHORTENED = SHORTENED_QUOTE_MARK + '"'
REASON_ENV = "THCE_REASON_WORDS"  # "0": no "(reason)" after any code (the stricter style before 2026-11-30)


def reason_words_default() -> int | None:
    import os

    value = os.environ.get(REASON_ENV, "").strip()
    words = int(value) if value else REASON_WORDS
    return words if words > 0 else None


@dataclass
class ReasoningStyle:
    after_code_ids: torch.Tensor  # tokens banned right after a procedure code: "/", "-", "," (and "(" when strict)
    quote_id: int  # the token of '"' alone (closes a quote that cannot go on verbatim)
    quote_words: int | None = QUOTE_WORDS
    source: str | None = None  # the normalized narrative quotes must come from (None: no verbatim check)
    top_k: int = TOP_K
    reason_words: int | None = None  # a "(reason)" after a code is allowed and closed at this many words
    close_reason_id: int | None = None  # the token of ")" alone
    after_icd_ids: torch.Tensor | None = None  # tokens banned right after an ICD-10-CM code (None: after_code_ids)
    _seen: dict[str, bool] = field(default_factory=dict, repr=False)

    @classmethod
    def for_narrative(cls, vocab, narrative: str | None, quote_words: int | None = QUOTE_WORDS,
                      reason_words: int | None = None) -> ReasoningStyle:
        if reason_words is None:
            reason_words = reason_words_default()
        banned = vocab.alternative_code_ids if reason_words else vocab.after_code_ids
        return cls(after_code_ids=banned, quote_id=vocab.quote_id, quote_words=quote_words,
                   source=normalize(narrative) if narrative else None, reason_words=reason_words or None,
                   close_reason_id=vocab.encode(")")[0] if reason_words else None, after_icd_ids=vocab.after_code_ids)

    def reason_is_long(self, line: str) -> bool:
        """True when `line` ends inside a "(reason)" after a code that holds `reason_words` words already."""
        if not self.reason_words:
            return False
        match = OPEN_REASON.search(line)
        return bool(match) and len(match.group(2).split()) >= self.reason_words

    def banned_after(self, line: str) -> torch.Tensor | None:
        """The token ids `line` may not go on with: `after_icd_ids` right after an ICD-10-CM code (when a reason
        may follow procedure codes), `after_code_ids` right after any other code, None elsewhere."""
        code = code_at_end(line)
        if code is None:
            return None
        if self.reason_words and self.after_icd_ids is not None and not is_procedure(code):
            return self.after_icd_ids
        return self.after_code_ids

    def quote_is_long(self, quote: str) -> bool:
        return self.quote_words is not None and quote_word_count(quote) > self.quote_words

    def quote_ok(self, quote: str) -> bool:
        """True when `quote` (the text after an opening '"', so far) is a substring of the narrative."""
        if self.source is None:
            return True
        if quote not in self._seen:
            self._seen[quote] = quote_in(self.source, quote)
        return self._seen[quote]

    def next_quote_token(self, line: str, logits: torch.Tensor, texts: list[str]) -> int:
        """The best token among the top ones that keeps the open quote of `line` verbatim, else the one that
        closes the quote."""
        for token_id in torch.topk(logits, min(self.top_k, logits.numel())).indices.tolist():
            if self.line_ok(line + texts[token_id]):
                return int(token_id)
        return self.quote_id

    def line_ok(self, line: str) -> bool:
        """Every quote of `line` (the last one possibly still open) is verbatim."""
        parts = line.split('"')
        return all(self.quote_ok(parts[i]) for i in range(1, len(parts), 2))


def open_quote(line: str) -> str | None:
    """The text after the last '"' of `line` when that quote is still open, else None."""
    if line.count('"') % 2 == 0:
        return None
    return line[line.rindex('"') + 1:]
