"""Latency and throughput of the coding engine on CPU (prints JSON).

    uv run python benchmarks/latency.py                  # default model (or a random one of its shape) + SmolLM2-135M shape
    uv run python benchmarks/latency.py --only default --narratives 6 --out latency.json
    uv run python benchmarks/latency.py --only model --narratives 20     # the shipped model on CodiEsp dev,
                                                                          # plain loop vs prompt lookup
                                                                          # (THCE_REASONING_STYLE=0: without the reasoning style;
                                                                          #  THCE_ANSWER=generated: the model writes the JSON line)

Narratives and reference answers are the stage_2 samples in data/examples. With the shipped default model
(data/models/thce-tiny) generation runs as in `thce code`. Random-weight stand-ins (the tiny preset shape,
and SmolLM2-135M's shape) say nothing sensible, so each generates exactly as many tokens as the reference
answer has: the timing is that of a realistic answer. The constraint section times the grammar work per
token (allowed-token lookup and masked argmax) while replaying the reference answers.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from core.inference.tracking import AnswerTracker  # noqa: E402
from core.paths import DEFAULT_MODEL_DIR, EXAMPLES_DIR  # noqa: E402
from core.pipeline import Pipeline  # noqa: E402
from core.prompts import narrative_from_messages  # noqa: E402


def reference_cases(n: int) -> list[tuple[str, str]]:
    rows = [json.loads(line) for line in (EXAMPLES_DIR / "sample_stage_2.jsonl").read_text().splitlines() if line]
    return [(narrative_from_messages(r["messages"]), r["messages"][-1]["content"]) for r in rows[:n]]


def build_random_model(out_dir: Path, shape, tokenizer, vocab_size: int | None = None) -> Path:
    from training.model_init import init_model, llama_config

    config = llama_config(shape, vocab_size=vocab_size) if vocab_size else llama_config(shape, tokenizer)
    config.update({"bos_token_id": tokenizer.bos_token_id, "eos_token_id": tokenizer.eos_token_id,
                   "pad_token_id": tokenizer.pad_token_id})
    init_model(config, seed=0).save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    return out_dir


def project_tokenizer():
    from training.tokenizer import corpus_texts, train_tokenizer

    files = sorted(str(p) for p in EXAMPLES_DIR.glob("sample_stage_*.jsonl"))
    return train_tokenizer(corpus_texts(files), vocab_size=8192, model_max_length=8192)


VARIANTS = (("fp32", "float32", False), ("int8", "float32", True), ("bf16", "bfloat16", False))


class FixedLength(AnswerTracker):
    """Generates exactly `n` tokens (eos, and ids past the tokenizer, are replaced by ordinary tokens):
    a random model's stand-in for a real answer."""

    def __init__(self, vocab, n: int):
        super().__init__(vocab)
        self.remaining = n
        self.tokenizer_size = len(vocab._tokenizer)

    def redirect(self, token_id: int) -> int:
        token_id %= self.tokenizer_size
        return 3 if token_id in self.vocab.eos_ids else token_id

    def feed(self, token_id: int) -> None:
        self.remaining -= 1
        self.done = self.remaining <= 0


class FixedLengthPipeline(Pipeline):
    def __init__(self, *args, lengths: dict[str, int], **kwargs):
        super().__init__(*args, **kwargs)
        self.lengths = lengths

    def tracker(self, request):
        return FixedLength(self.generator.vocab, self.lengths[request.narrative])


def make_pipeline(generator, retriever, cases, random_weights: bool, constrain="valid"):
    if not random_weights:
        return Pipeline(generator, retriever, constrain=constrain)
    lengths = {n.strip(): len(generator.vocab.encode(a)) + 1 for n, a in cases}
    return FixedLengthPipeline(generator, retriever, constrain="none", lengths=lengths)


class CountingGenerator:
    """Wraps a Generator: counts streamed tokens and notes when the first one came."""

    def __init__(self, generator):
        self._generator = generator
        self.tokens, self.first_token_at = 0, None

    def __getattr__(self, name):
        return getattr(self._generator, name)

    def stream(self, *args, **kwargs):
        for token_id in self._generator.stream(*args, **kwargs):
            if self.tokens == 0:
                self.first_token_at = time.perf_counter()
            self.tokens += 1
            yield token_id


def time_narratives(pipe, cases) -> dict:
    """p50/p90 end to end (pipe.stream), time to first token and to first shown text, decode speed."""
    counter = pipe.generator = CountingGenerator(pipe.generator)
    totals, first_tokens, first_texts, rates, new_tokens = [], [], [], [], []
    try:
        for narrative, _ in cases:
            counter.tokens, counter.first_token_at = 0, None
            start = time.perf_counter()
            first_text = None
            for chunk in pipe.stream(narrative):
                if first_text is None and isinstance(chunk, str):
                    first_text = time.perf_counter() - start
            total = time.perf_counter() - start
            first_token = counter.first_token_at - start
            totals.append(total)
            first_tokens.append(first_token)
            first_texts.append(first_text if first_text is not None else total)
            new_tokens.append(counter.tokens)
            rates.append((counter.tokens - 1) / max(total - first_token, 1e-9))
    finally:
        pipe.generator = counter._generator
    return {"narratives": len(cases), "p50_s": _p(totals, 50), "p90_s": _p(totals, 90),
            "first_token_p50_s": _p(first_tokens, 50), "first_text_p50_s": _p(first_texts, 50),
            "decode_tokens_per_s_p50": round(statistics.median(rates), 1),
            "mean_new_tokens": round(statistics.mean(new_tokens), 1),
            "mean_prompt_tokens": round(statistics.mean(len(pipe.prepare(n).prompt_ids) for n, _ in cases), 1)}


def time_batches(pipe, cases, sizes) -> dict:
    out = {}
    for size in sizes:
        start = time.perf_counter()
        for first in range(0, len(cases), size):
            pipe.code_batch([n for n, _ in cases[first:first + size]])
        out[f"batch_{size}_narratives_per_s"] = round(len(cases) / (time.perf_counter() - start), 2)
    return out


def time_constraints(generator, retriever, cases) -> dict:
    """Grammar cost per answer token, replaying the reference answers (cold: first visit of each state)."""
    import torch

    from core.constraints import AnswerGrammar, candidate_tries

    start = time.perf_counter()
    valid = generator.valid_grammar
    out = {"valid_grammar_build_s": round(time.perf_counter() - start, 3)}
    logits = torch.randn(len(generator.vocab.texts))
    for mode in ("valid", "candidates"):
        for temperature in ("cold", "warm"):
            per_token = []
            for narrative, answer in cases:
                if mode == "candidates":
                    from core.prompts import parse_output

                    gold = [(s, c) for s, codes in parse_output(answer).codes.items() for c in codes]
                    offered = [(c.system, c.code) for c in retriever.retrieve(narrative, k=8)] + gold
                    grammar = AnswerGrammar(generator.vocab, candidate_tries(offered))
                else:
                    grammar = valid
                    if temperature == "cold":
                        grammar._allowed.clear()
                per_token.append(_replay(generator, grammar, answer, logits))
            out[f"{mode}_{temperature}_ms_per_token"] = round(1000 * statistics.mean(per_token), 3)
    return out


def _replay(generator, grammar, answer: str, logits) -> float:
    tracker = generator.tracker(grammar)
    tokens = generator.vocab.encode(answer)
    start = time.perf_counter()
    for token_id in tokens:
        allowed = tracker.allowed_ids()
        if allowed is not None:
            int(allowed[logits[allowed].argmax()])
        tracker.feed(token_id)
    return (time.perf_counter() - start) / len(tokens)


def hf_generate_tokens_per_s(loaded, prompt_ids, n: int = 32) -> float:
    import torch

    ids = torch.tensor([prompt_ids])
    with torch.inference_mode():
        start = time.perf_counter()
        loaded.model.generate(ids, max_new_tokens=1, do_sample=False)
        prefill = time.perf_counter() - start
        start = time.perf_counter()
        loaded.model.generate(ids, max_new_tokens=n, min_new_tokens=n, do_sample=False)
        return round((n - 1) / (time.perf_counter() - start - prefill), 1)


def _p(values, q) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))], 3)


def get_retriever(model_dir: Path | None):
    try:
        from core.retrieval import default_retriever
    except ImportError:  # retrieval not built yet: bm25 over the code sets
        sys.path.insert(0, str(REPO / "tests" / "engine"))
        from conftest import SearchRetriever

        return SearchRetriever()
    return default_retriever(model_dir)


def bench_default(args, cases, work: Path) -> tuple[dict, object]:
    import torch

    from core.inference import get_generator
    from training.model_init import ModelShape

    random_weights = not DEFAULT_MODEL_DIR.is_dir()
    tokenizer = project_tokenizer() if random_weights else None
    model_dir = build_random_model(work / "tiny", ModelShape(max_position_embeddings=2048), tokenizer) \
        if random_weights else DEFAULT_MODEL_DIR
    retriever = get_retriever(None if random_weights else model_dir)
    result = {"model": "random weights, tiny preset shape" if random_weights else str(model_dir)}
    for key, dtype, quantize in VARIANTS:
        generator = get_generator(str(model_dir), device="cpu", dtype=dtype, quantize=quantize)
        pipe = make_pipeline(generator, retriever, cases, random_weights)
        time_narratives(pipe, cases[:2])  # warm-up: prefix cache, grammar, retriever
        result[key] = time_narratives(pipe, cases)
        result[key].update(time_batches(pipe, cases, args.batch_sizes))
    generator = get_generator(str(model_dir), device="cpu")
    result["parameters"] = sum(p.numel() for p in generator.model.parameters())
    result["threads"] = torch.get_num_threads()
    result["constraints"] = time_constraints(generator, retriever, cases)
    if not random_weights:
        for mode in ("none", "candidates"):
            result[f"constrain_{mode}"] = time_narratives(Pipeline(generator, retriever, constrain=mode), cases)
    return result, (tokenizer, retriever)


def bench_smol(args, cases, work: Path, tokenizer, retriever) -> dict:
    import torch

    from core.inference import get_generator
    from training.model_init import SMOLLM2_135M_SHAPE, SMOLLM2_VOCAB_SIZE

    tokenizer = tokenizer or project_tokenizer()
    model_dir = build_random_model(work / "smol", SMOLLM2_135M_SHAPE, tokenizer, vocab_size=SMOLLM2_VOCAB_SIZE)
    cases = cases[: args.smol_narratives]
    result = {"model": "random weights, SmolLM2-135M shape (vocab 49152)"}
    for name, dtype, quantize in [v for v in VARIANTS if v[0] in args.smol_variants]:
        generator = get_generator(str(model_dir), device="cpu", dtype=dtype, quantize=quantize)
        pipe = make_pipeline(generator, retriever, cases, random_weights=True)
        time_narratives(pipe, cases[:1])
        result[name] = time_narratives(pipe, cases)
        if name == "fp32":
            prompt = pipe.prepare(cases[0][0]).prompt_ids
            result["hf_generate_fp32_tokens_per_s"] = hf_generate_tokens_per_s(generator.loaded, prompt)
        if name == "int8":
            result[name].update(time_batches(pipe, cases, [1, 4]))
    result["threads"] = torch.get_num_threads()
    return result


def _threads() -> int:
    import torch

    return torch.get_num_threads()


def bench_model(args) -> dict:
    """A trained model as `thce code --stream` runs it, on narratives of a dataset spec, once per prompt-lookup
    setting (0: the plain cached loop; N: transformers' generate with N drafted tokens)."""
    from core.datasets import load_cases
    from core.pipeline import get_pipeline

    pipe = get_pipeline(args.model)
    cases = [(c["narrative"], "") for c in load_cases(args.dataset)[: args.narratives]]
    result = {"model": pipe.model_id, "dataset": args.dataset, "reasoning_style": pipe.style, "answer": pipe.answer,
              "int8": pipe.generator.loaded.quantized, "threads": _threads()}
    time_narratives(pipe, cases[:1])  # warm-up: grammar, retriever, caches
    for tokens in args.prompt_lookup:
        pipe.generator.prompt_lookup = tokens
        result[f"prompt_lookup_{tokens}"] = time_narratives(pipe, cases)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--narratives", type=int, default=12)
    parser.add_argument("--smol-narratives", type=int, default=4)
    parser.add_argument("--smol-variants", nargs="+", default=[v[0] for v in VARIANTS],
                        choices=[v[0] for v in VARIANTS])
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[1, 4, 8])
    parser.add_argument("--threads", type=int, default=None,
                        help="Sets THCE_NUM_THREADS (default: the engine's choice: 1 for small models).")
    parser.add_argument("--only", choices=("default", "smol", "model"), default=None,
                        help="Run one part only; 'model': --model on --dataset narratives, per --prompt-lookup.")
    parser.add_argument("--model", default=None, help="With --only model: model folder (default: the shipped one).")
    parser.add_argument("--dataset", default="codiesp:../shared/datasets/codiesp/dev",
                        help="With --only model: the narratives (a case spec, e.g. synthetic:20:7).")
    parser.add_argument("--prompt-lookup", type=int, nargs="+", default=[0, 8],
                        help="With --only model: drafted tokens per step to compare (0 = the plain loop).")
    parser.add_argument("--out", type=Path, default=None, help="Also write the JSON here.")
    args = parser.parse_args()
    if args.threads:
        os.environ["THCE_NUM_THREADS"] = str(args.threads)
    cases = reference_cases(args.narratives)
    report = {"cpu_count": os.cpu_count(), "threads_setting": args.threads, "load_before": os.getloadavg()}
    tokenizer, retriever = None, None
    if args.only == "model":
        report["model"] = bench_model(args)
    with tempfile.TemporaryDirectory() as tmp:
        if args.only in (None, "default"):
            report["default"], (tokenizer, retriever) = bench_default(args, cases, Path(tmp))
        if args.only in (None, "smol"):
            retriever = retriever or get_retriever(None)
            report["smollm2_135m_shape"] = bench_smol(args, cases, Path(tmp), tokenizer, retriever)
    report["load_after"] = os.getloadavg()
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
