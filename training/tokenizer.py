"""Byte-level BPE tokenizer for the tiny preset, trained on the project's own corpus.

SmolLM2-style: ChatML special tokens (`<|endoftext|>`, `<|im_start|>`, `<|im_end|>`), digits split one by
one (codes like E11.65 stay compositional), and `<think>`/`</think>` as ordinary added tokens, so they are
atomic but still decode as text (`skip_special_tokens=True` keeps them). The chat template of
training/chat_template.jinja is stored in the tokenizer, so a saved model directory is self-contained.

    from training.tokenizer import train_tokenizer, corpus_texts
    tokenizer = train_tokenizer(corpus_texts(["stage_1.jsonl"]), vocab_size=8192)
    tokenizer.save_pretrained("outputs/tokenizer")
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator
from pathlib import Path

logger = logging.getLogger(__name__)

CHAT_TEMPLATE_PATH = Path(__file__).with_name("chat_template.jinja")
PAD_TOKEN, BOS_TOKEN, EOS_TOKEN = "<|endoftext|>", "<|im_start|>", "<|im_end|>"
SPECIAL_TOKENS = [PAD_TOKEN, BOS_TOKEN, EOS_TOKEN]  # ids 0, 1, 2 as in SmolLM2
THINK_TOKENS = ["<think>", "</think>"]


def read_chat_template(path: str | Path | None = None) -> str:
    path = Path(path) if path else CHAT_TEMPLATE_PATH
    if not path.is_file():
        raise FileNotFoundError(f"chat template not found: {path}")
    return path.read_text(encoding="utf-8")


def record_texts(record: dict) -> Iterator[str]:
    """The message contents of one stage record (stage_1/2 `messages`, stage_3 `prompt`/`chosen`/`rejected`)."""
    for key in ("messages", "prompt", "chosen", "rejected", "completion"):
        value = record.get(key)
        if isinstance(value, str):
            yield value
        elif isinstance(value, list):
            yield from (m["content"] for m in value if isinstance(m, dict) and isinstance(m.get("content"), str))


def stage_file_texts(paths: Iterable[str | Path]) -> Iterator[str]:
    for path in paths:
        with Path(path).open(encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    yield from record_texts(json.loads(line))


def code_description_texts() -> Iterator[str]:
    """One line per code of every system: "E11.9 Type 2 diabetes mellitus without complications"."""
    from core.codes import SYSTEMS, get_codeset

    codeset = get_codeset()
    for system in SYSTEMS:
        for code in codeset.codes(system, billable_only=False):
            yield f"{code} {codeset.describe(code)}"


def corpus_texts(stage_files: Iterable[str | Path], include_code_descriptions: bool = True) -> Iterator[str]:
    yield from stage_file_texts(stage_files)
    if include_code_descriptions:
        yield from code_description_texts()


def _bpe_backend(texts: Iterable[str], vocab_size: int, min_frequency: int):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers

    backend = Tokenizer(models.BPE())
    backend.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.Digits(individual_digits=True), pre_tokenizers.ByteLevel(add_prefix_space=False)]
    )
    backend.decoder = decoders.ByteLevel()
    backend.post_processor = processors.ByteLevel(trim_offsets=False)
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        min_frequency=min_frequency,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    backend.train_from_iterator(texts, trainer=trainer)
    return backend


def train_tokenizer(texts: Iterable[str], vocab_size: int = 8192, min_frequency: int = 2,
                    model_max_length: int = 1024, chat_template_file: str | Path | None = None):
    """Train a ByteLevel BPE tokenizer and wrap it as a transformers fast tokenizer with the chat template."""
    from tokenizers import AddedToken
    from transformers import PreTrainedTokenizerFast

    backend = _bpe_backend(texts, vocab_size, min_frequency)
    backend.add_tokens([AddedToken(t, special=False, normalized=False) for t in THINK_TOKENS])
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=backend,
        bos_token=BOS_TOKEN,
        eos_token=EOS_TOKEN,
        pad_token=PAD_TOKEN,
        unk_token=PAD_TOKEN,
        model_max_length=model_max_length,
        chat_template=read_chat_template(chat_template_file),
        clean_up_tokenization_spaces=False,
    )
    logger.info("trained BPE tokenizer: %d tokens", len(tokenizer))
    return tokenizer


def load_tokenizer(name_or_path: str, chat_template_file: str | Path | None = None, local_files_only: bool = False):
    """Load a tokenizer; a given template file replaces its chat template; a missing pad token becomes eos."""
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(name_or_path, local_files_only=local_files_only)
    if chat_template_file:
        tokenizer.chat_template = read_chat_template(chat_template_file)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer
