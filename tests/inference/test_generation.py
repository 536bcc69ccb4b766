"""Generation: prefix-cache reuse, the growing KV cache and batching give the same greedy tokens as a
plain forward pass; streaming yields tokens one by one."""

import torch

from core.inference.kvcache import BufferedLayer
from core.prompts import build_messages

NARRATIVES = [
    "58-year-old with type 2 diabetes and hyperglycemia on metformin, HbA1c 9.1%",
    "Chest pain.",
    "72-year-old man fell from standing at home and has a closed nondisplaced fracture of the left radial "
    "shaft, initial encounter. X-ray of the forearm, two views.",
]


def _reference_greedy(generator, prompt_ids, n):
    """Greedy tokens from full forward passes without any cache (slow and obviously right)."""
    ids = list(prompt_ids)
    with torch.inference_mode():
        for _ in range(n):
            logits = generator.model(input_ids=torch.tensor([ids]), use_cache=False).logits[0, -1]
            ids.append(int(logits.argmax()))
    return ids[len(prompt_ids):]


def test_buffered_layer_matches_concatenation():
    layer = BufferedLayer(capacity=2)
    chunks = [torch.randn(2, 3, n, 4) for n in (3, 1, 1, 5)]
    for chunk in chunks:
        keys, values = layer.update(chunk, chunk * 2)
    expected = torch.cat(chunks, dim=2)
    assert torch.equal(keys, expected) and torch.equal(values, expected * 2)
    assert layer.get_seq_length() == 10


def test_prefix_is_cached_and_matches_prompts(generator):
    prefix = generator.prefix
    assert prefix is not None and len(prefix.token_ids) > 20
    assert all(prefix.matches(generator.prompt_ids(build_messages(n))) for n in NARRATIVES)


def test_stream_equals_uncached_greedy_decoding(generator):
    prompt = generator.prompt_ids(build_messages(NARRATIVES[0]))
    streamed = list(generator.stream(prompt, generator.tracker(), max_new_tokens=12))
    assert streamed == _reference_greedy(generator, prompt, len(streamed))
    assert len(streamed) == 12


def test_batch_equals_one_by_one(generator):
    prompts = [generator.prompt_ids(build_messages(n)) for n in NARRATIVES]
    assert len({len(p) for p in prompts}) == 3  # different lengths: the batch is padded
    batched = generator.generate_batch(prompts, max_new_tokens=16)
    alone = [list(generator.stream(p, generator.tracker(), max_new_tokens=16)) for p in prompts]
    assert batched == alone


def test_batch_rows_stop_independently(generator):
    prompts = [generator.prompt_ids(build_messages(n)) for n in NARRATIVES[:2]]
    trackers = [generator.tracker(generator.valid_grammar, think_budget=2), generator.tracker()]
    out = generator.generate_batch(prompts, trackers, max_new_tokens=64)
    assert trackers[0].done and len(out[0]) < 64
    assert generator.decode(out[0]).rstrip().endswith("}")


def test_prompt_lookup_gives_the_plain_loops_tokens(generator):
    """generate() with prompt-lookup drafts and the tracker as logits processor = the plain cached loop,
    with and without the answer grammar and the reasoning budget."""
    lookup = generator.prompt_lookup
    try:
        for narrative in NARRATIVES:
            prompt = generator.prompt_ids(build_messages(narrative))
            for grammar, budget in ((None, None), (generator.valid_grammar, 6)):
                runs = []
                for tokens in (0, 8):
                    generator.prompt_lookup = tokens
                    tracker = generator.tracker(grammar, budget)
                    runs.append(list(generator.stream(prompt, tracker, max_new_tokens=48)))
                assert runs[0] == runs[1] and runs[0]
    finally:
        generator.prompt_lookup = lookup


def test_closing_a_prompt_lookup_stream_early_stops_its_generation_thread(generator):
    """A cancelled request (Gradio closes the stream, a client goes away) must not leave `generate` decoding the
    rest of the answer in the background: before, each abandoned stream kept a thread busy on the CPU."""
    import threading

    lookup = generator.prompt_lookup
    try:
        generator.prompt_lookup = 8
        prompt = generator.prompt_ids(build_messages(NARRATIVES[2]))
        stream = generator.stream(prompt, generator.tracker(None, None), max_new_tokens=4000)
        next(stream)
        stream.close()
        assert not [t for t in threading.enumerate() if t.name == "thce-generate"]
    finally:
        generator.prompt_lookup = lookup
