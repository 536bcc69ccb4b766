"""Constrained decoding of the JSON answer: only well-formed answers with valid (or candidate) codes.

After `</think>` the model must write `{"icd10cm": [...], "cpt": [...], "hcpcs": [...]}`. `AnswerGrammar`
is a small character-level state machine of that object whose string values walk a `CodeTrie` of the
allowed codes of the key's system (every billable code for constrain="valid", the retrieved candidates
for constrain="candidates"); keys walk a trie of the system names. `AnswerGrammar.allowed_ids(state)`
simulates each plausible vocabulary token from a state and keeps those that stay inside the grammar, so a
token may close one code and open the next (`", "`). Results are cached per state, so a state costs one
vocabulary scan the first time and a dict lookup after that.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from functools import cached_property, lru_cache

import torch

from core.codes import get_codeset
from core.prompts import SYSTEMS

logger = logging.getLogger(__name__)

CONSTRAIN_MODES = ("none", "valid", "candidates")
WHITESPACE = frozenset(" \n\t\r")
PUNCTUATION = frozenset('{}[]":,')
CODE_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.")
ANSWER_ALPHABET = WHITESPACE | PUNCTUATION | CODE_CHARS | frozenset("".join(SYSTEMS))

# A state is (mode, system index or -1, trie node, bitmask of keys used, codes in this list, whitespace run).
OBJ_OPEN, KEY_OR_END, KEY_START, KEY, COLON, LIST_OPEN = range(6)
VALUE_OR_END, VALUE_START, VALUE, AFTER_VALUE, AFTER_LIST, DONE = range(6, 12)
_STRUCTURAL: dict[int, dict[str, int]] = {
    OBJ_OPEN: {"{": KEY_OR_END},
    KEY_OR_END: {'"': KEY, "}": DONE},
    KEY_START: {'"': KEY},
    COLON: {":": LIST_OPEN},
    LIST_OPEN: {"[": VALUE_OR_END},
    VALUE_OR_END: {'"': VALUE, "]": AFTER_LIST},
    VALUE_START: {'"': VALUE},
    AFTER_VALUE: {",": VALUE_START, "]": AFTER_LIST},
    AFTER_LIST: {",": KEY_START, "}": DONE},
}
_LIST_MODES = (VALUE_OR_END, VALUE_START, VALUE, AFTER_VALUE)
MAX_CODES_PER_SYSTEM = 16
MAX_WHITESPACE_RUN = 4
State = tuple[int, int, int, int, int, int]
START_STATE: State = (OBJ_OPEN, -1, 0, 0, 0, 0)


class CodeTrie:
    """A character trie of code strings (node 0 is the root)."""

    def __init__(self, words: Iterable[str] = ()):
        self.children: list[dict[str, int]] = [{}]
        self.terminal: list[bool] = [False]
        self.size = 0
        for word in words:
            self.add(word)

    def add(self, word: str) -> int:
        node = 0
        for ch in word:
            nxt = self.children[node].get(ch)
            if nxt is None:
                nxt = len(self.children)
                self.children[node][ch] = nxt
                self.children.append({})
                self.terminal.append(False)
            node = nxt
        if not self.terminal[node]:
            self.terminal[node] = True
            self.size += 1
        return node

    def step(self, node: int, ch: str) -> int:
        return self.children[node].get(ch, -1)

    def __contains__(self, word: str) -> bool:
        node = 0
        for ch in word:
            node = self.step(node, ch)
            if node < 0:
                return False
        return self.terminal[node]


@lru_cache(maxsize=2)
def valid_code_tries() -> dict[str, CodeTrie]:
    """Tries of every valid billable code per system (built once per process)."""
    codeset = get_codeset()
    return {system: CodeTrie(codeset.codes(system, billable_only=True)) for system in SYSTEMS}


def candidate_tries(codes: Iterable[tuple[str, str]]) -> dict[str, CodeTrie]:
    """Tries over (system, code) pairs, e.g. the retrieved candidates of one narrative."""
    tries = {system: CodeTrie() for system in SYSTEMS}
    for system, code in codes:
        if system in tries:
            tries[system].add(code)
    return tries


class TokenVocabulary:
    """The text of every token id, bucketed by first character for the grammar's token scans."""

    def __init__(self, tokenizer, eos_ids: Iterable[int], size: int | None = None):
        texts = tokenizer.batch_decode([[i] for i in range(len(tokenizer))], clean_up_tokenization_spaces=False)
        self.texts: list[str] = list(texts) + [""] * max(0, (size or 0) - len(texts))
        self.eos_ids = frozenset(int(i) for i in eos_ids)
        special = set(getattr(tokenizer, "all_special_ids", [])) | set(self.eos_ids)
        self.by_first_char: dict[str, list[int]] = defaultdict(list)
        for token_id, text in enumerate(self.texts):
            if text and token_id not in special and set(text) <= ANSWER_ALPHABET:
                self.by_first_char[text[0]].append(token_id)
        self._tokenizer = tokenizer

    def text(self, token_id: int) -> str:
        return self.texts[token_id] if 0 <= token_id < len(self.texts) else ""

    def encode(self, text: str) -> list[int]:
        return list(self._tokenizer(text, add_special_tokens=False)["input_ids"])

    def _ids_starting_with(self, firsts: tuple[str, ...]) -> torch.Tensor:
        """Ids of the tokens whose text starts with one of `firsts` after optional spaces."""
        return torch.tensor([i for i, t in enumerate(self.texts) if t.lstrip(" ")[:1] in firsts], dtype=torch.long)

    @cached_property
    def after_code_ids(self) -> torch.Tensor:
        """Ids of the tokens whose text starts with "(", "/", "-" or "," after optional spaces: what may not
        follow a code on a reasoning line (a description, or a second code offered as an alternative)."""
        return self._ids_starting_with(("(", "/", "-", ","))

    @cached_property
    def alternative_code_ids(self) -> torch.Tensor:
        """`after_code_ids` without "(": what may not follow a code when a short reason may."""
        return self._ids_starting_with(("/", "-", ","))

    @cached_property
    def quote_id(self) -> int:
        """The id of the token '"' alone."""
        return self.encode('"')[0]


class AnswerGrammar:
    """The answer object as a state machine over characters, with per-state allowed-token sets.

    Each system key appears at most once, a list holds at most MAX_CODES_PER_SYSTEM codes and whitespace
    runs are short, so a constrained answer always ends."""

    def __init__(self, vocab: TokenVocabulary, tries: dict[str, CodeTrie]):
        self.vocab = vocab
        self.systems = list(SYSTEMS)
        self.tries = [tries.get(system) or CodeTrie() for system in self.systems]
        self.keys = CodeTrie()
        self.key_system = {self.keys.add(system): i for i, system in enumerate(self.systems)}
        self.all_keys = (1 << len(self.systems)) - 1
        self.key_reach = [0] * len(self.keys.children)  # bitmask of the keys below each key-trie node
        for i, system in enumerate(self.systems):
            node = 0
            for ch in system:
                self.key_reach[node] |= 1 << i
                node = self.keys.step(node, ch)
            self.key_reach[node] |= 1 << i
        self._allowed: dict[State, torch.Tensor] = {}

    def step(self, state: State, ch: str) -> State | None:
        mode, system, node, used, count, spaces = state
        if mode == KEY:
            if ch == '"':
                found = self.key_system.get(node)
                return (COLON, found, 0, used | 1 << found, 0, 0) if found is not None else None
            nxt = self.keys.step(node, ch)
            return (KEY, -1, nxt, used, 0, 0) if nxt >= 0 and self.key_reach[nxt] & ~used else None
        if mode == VALUE:
            trie = self.tries[system]
            if ch == '"':
                return (AFTER_VALUE, system, 0, used, count + 1, 0) if trie.terminal[node] else None
            nxt = trie.step(node, ch)
            return (VALUE, system, nxt, used, count, 0) if nxt >= 0 else None
        if ch in WHITESPACE:
            ok = mode != DONE and spaces < MAX_WHITESPACE_RUN
            return (mode, system, node, used, count, spaces + 1) if ok else None
        target = _STRUCTURAL.get(mode, {}).get(ch)
        if target is None or (target in (KEY, KEY_START) and used == self.all_keys):
            return None
        if target in (VALUE, VALUE_START) and (count >= MAX_CODES_PER_SYSTEM or not self.tries[system].size):
            return None
        return (target, system, 0, used, count if target in _LIST_MODES else 0, 0)

    def run(self, state: State | None, text: str) -> State | None:
        for ch in text:
            if state is None:
                return None
            state = self.step(state, ch)
        return state

    def _first_chars(self, state: State) -> Iterable[str]:
        mode, system, node = state[:3]
        if mode == KEY:
            return list(self.keys.children[node]) + ['"']
        if mode == VALUE:
            return list(self.tries[system].children[node]) + ['"']
        return list(WHITESPACE) + list(_STRUCTURAL.get(mode, {}))

    def allowed_ids(self, state: State) -> torch.Tensor:
        """Token ids that keep the answer inside the grammar from `state` (eos only once it is done)."""
        cached = self._allowed.get(state)
        if cached is None:
            if state[0] == DONE:
                ids = sorted(self.vocab.eos_ids)
            else:
                ids = sorted(token_id for ch in self._first_chars(state)
                             for token_id in self.vocab.by_first_char.get(ch, ())
                             if self.run(state, self.vocab.texts[token_id]) is not None)
            cached = self._allowed[state] = torch.tensor(ids, dtype=torch.long)
            if not ids:
                logger.warning("no token continues the answer grammar from state %s", state)
        return cached

    def is_done(self, state: State | None) -> bool:
        return state is not None and state[0] == DONE
