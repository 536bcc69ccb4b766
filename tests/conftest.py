"""Shared fixtures. `tiny_model_dir`: a random 2-layer Llama and a small byte-level BPE tokenizer with a
ChatML template and <think> tokens, saved once per test session (any test that needs "a model" uses it)."""

from __future__ import annotations

import pytest

CHAT_TEMPLATE = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n{{ message['content'] }}<|im_end|>\n"
    "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
TRAINING_TEXT = [
    "<think>\nThe narrative says type 2 diabetes with hyperglycemia -> E11.65.\n</think>",
    '{"icd10cm": ["E11.65", "Z79.84", "I10"], "cpt": ["99214", "83036"], "hcpcs": ["J3420"]}',
    "58-year-old with type 2 diabetes and hyperglycemia on metformin, HbA1c 9.1%.",
    "Patient denies chest pain. History of hypertension. Fracture of the left radius, initial encounter.",
    "You are THCE, a certified medical coder. Read the clinical narrative and assign billing codes.",
    "Narrative: Candidate codes: icd10cm: cpt: hcpcs: ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789 .,;:",
]


def build_tiny_model(out_dir, hidden_size: int = 32, num_layers: int = 2, seed: int = 0):
    """Save a random Llama + tokenizer to `out_dir` and return it (usable by from_pretrained)."""
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    raw = Tokenizer(models.BPE())
    raw.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    raw.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=600, special_tokens=SPECIAL_TOKENS,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    raw.train_from_iterator(TRAINING_TEXT * 4, trainer=trainer)
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=raw, eos_token="<|im_end|>",
                                        pad_token="<|endoftext|>", bos_token="<|im_start|>")
    tokenizer.add_tokens(["<think>", "</think>"])
    tokenizer.chat_template = CHAT_TEMPLATE
    torch.manual_seed(seed)
    config = LlamaConfig(vocab_size=len(tokenizer), hidden_size=hidden_size, intermediate_size=2 * hidden_size,
                         num_hidden_layers=num_layers, num_attention_heads=4, num_key_value_heads=2,
                         max_position_embeddings=4096, tie_word_embeddings=True, initializer_range=0.5,
                         eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id,
                         bos_token_id=tokenizer.bos_token_id)
    LlamaForCausalLM(config).save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    return out_dir


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory):
    return build_tiny_model(tmp_path_factory.mktemp("tiny-model"))


@pytest.fixture(scope="session")
def generator(tiny_model_dir):
    """A Generator over the tiny random model (tests/inference, tests/pipeline)."""
    from core.inference import get_generator

    return get_generator(str(tiny_model_dir), device="cpu")


@pytest.fixture(scope="session")
def retriever(tmp_path_factory):
    """The default retriever (no fitted one: bm25 over the code sets with the built-in weights)."""
    from core.retrieval import default_retriever

    return default_retriever(tmp_path_factory.mktemp("no-fitted-retriever"))


@pytest.fixture
def make_pipeline(generator, retriever):
    """Pipeline(tiny generator, default retriever) with short budgets."""
    from core.pipeline import Pipeline

    def make(constrain: str = "valid", **kwargs):
        kwargs.setdefault("max_new_tokens", 96)
        kwargs.setdefault("think_budget", 24)
        return Pipeline(generator, retriever, constrain=constrain, **kwargs)

    return make
