import json

from training.tokenizer import EOS_TOKEN, PAD_TOKEN, THINK_TOKENS, read_chat_template, train_tokenizer

TEXTS = ["Patient with type 2 diabetes E11.65 and hypertension I10 seen for 99214.",
         "<think>\n\"diabetes\" -> E11.65\n</think>\n{\"icd10cm\": [\"E11.65\"], \"cpt\": [], \"hcpcs\": []}"] * 30
MESSAGES = [
    {"role": "system", "content": "You are THCE."},
    {"role": "user", "content": "Narrative:\nType 2 diabetes with hyperglycemia."},
    {"role": "assistant", "content": "<think>\n\"diabetes\" -> E11.65\n</think>\n{\"icd10cm\": [\"E11.65\"]}"},
]


def test_special_and_think_tokens():
    tok = train_tokenizer(TEXTS, vocab_size=400)
    assert tok.convert_tokens_to_ids([PAD_TOKEN, "<|im_start|>", EOS_TOKEN]) == [0, 1, 2]
    assert tok.eos_token == EOS_TOKEN and tok.pad_token == PAD_TOKEN
    for token in THINK_TOKENS:  # atomic, and kept as text when special tokens are skipped
        assert tok(token, add_special_tokens=False).input_ids == [tok.convert_tokens_to_ids(token)]
    ids = tok("<think>x</think>", add_special_tokens=False).input_ids
    assert tok.decode(ids, skip_special_tokens=True) == "<think>x</think>"


def test_digits_are_split_one_by_one():
    tok = train_tokenizer(TEXTS, vocab_size=400)
    pieces = tok.convert_ids_to_tokens(tok("E11.65", add_special_tokens=False).input_ids)
    assert [p for p in pieces if p.isdigit()] == ["1", "1", "6", "5"]


def test_chat_template_masks_the_answer_and_its_stop_token():
    tok = train_tokenizer(TEXTS, vocab_size=400)
    out = tok.apply_chat_template(MESSAGES, tokenize=True, return_dict=True, return_assistant_tokens_mask=True)
    trained = tok.decode([i for i, m in zip(out["input_ids"], out["assistant_masks"], strict=True) if m])
    assert trained == MESSAGES[2]["content"] + "<|im_end|>\n"


def test_prompt_render_is_a_prefix_of_the_full_render():
    tok = train_tokenizer(TEXTS, vocab_size=400)
    prompt = tok.apply_chat_template(MESSAGES[:2], tokenize=False, add_generation_prompt=True)
    full = tok.apply_chat_template(MESSAGES, tokenize=False)
    assert full.startswith(prompt) and prompt.endswith("<|im_start|>assistant\n")
    assert "<|im_start|>system\nYou are THCE.<|im_end|>\n" in full


def test_training_is_reproducible_and_saved_with_the_template(tmp_path):
    from transformers import AutoTokenizer

    first, second = train_tokenizer(TEXTS, vocab_size=400), train_tokenizer(TEXTS, vocab_size=400)
    assert first.get_vocab() == second.get_vocab()
    first.save_pretrained(tmp_path)
    loaded = AutoTokenizer.from_pretrained(tmp_path)
    assert loaded.chat_template == read_chat_template()
    assert loaded("E11.65 <think>").input_ids == first("E11.65 <think>").input_ids
    assert json.loads((tmp_path / "tokenizer_config.json").read_text())["eos_token"] == EOS_TOKEN
