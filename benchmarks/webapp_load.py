"""Load test of the web app: N concurrent gradio_client users coding narratives through `/code`.

    uv run python benchmarks/webapp_load.py                       # the shipped model (data/models/thce-tiny)
    uv run python benchmarks/webapp_load.py --model path/to/model --users 10 --requests 3

Launches the app in this process on a free port (temp SQLite store, analytics off), warms the model with
one request, then every user sends its requests one after another. Prints one JSON object: latency
p50/p95/max over all requests (queueing included: generation runs at most THCE_GENERATION_CONCURRENCY at
once), throughput, failures. Exits 1 when any request failed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.catalog import example_narratives  # noqa: E402
from core.paths import DEFAULT_MODEL_DIR  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", help="model directory or hub id (default: the shipped data/models/thce-tiny)")
    parser.add_argument("--users", type=int, default=10, help="concurrent clients")
    parser.add_argument("--requests", type=int, default=2, help="requests per user")
    return parser.parse_args()


def pick_model(model: str | None) -> str:
    if model:
        return model
    if DEFAULT_MODEL_DIR.is_dir():
        return str(DEFAULT_MODEL_DIR)
    sys.exit(f"error: the shipped model {DEFAULT_MODEL_DIR} is not there; pass --model DIR")


def launch(model: str):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    from webapp.app import build_demo

    demo = build_demo(model=model)
    _, url, _ = demo.launch(prevent_thread_lock=True, server_name="127.0.0.1", server_port=port, quiet=True)
    return demo, url


def run_user(url: str, narratives: list[str], latencies: list[float], errors: list[str]) -> None:
    from gradio_client import Client

    client = Client(url, verbose=False, download_files=False)
    for narrative in narratives:
        started = time.perf_counter()
        try:
            result = client.predict(narrative, "", "valid", api_name="/code")
            if not isinstance(result, dict) or "codes" not in result:
                raise ValueError("response without codes")
            latencies.append(time.perf_counter() - started)
        except Exception as exc:  # noqa: BLE001 - every failure is counted and reported
            errors.append(f"{type(exc).__name__}: {str(exc)[:200]}")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    args = parse_args()
    model = pick_model(args.model)
    folder = tempfile.mkdtemp(prefix="thce-load-")
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/thce.db"
    texts = example_narratives() or ["58-year-old with type 2 diabetes and hyperglycemia on metformin."]
    demo, url = launch(model)
    from gradio_client import Client

    warm_started = time.perf_counter()
    Client(url, verbose=False, download_files=False).predict(texts[0], "", "valid", api_name="/code")
    warm_s = time.perf_counter() - warm_started
    latencies: list[float] = []
    errors: list[str] = []
    users = [threading.Thread(target=run_user, args=(url, [texts[(u + r) % len(texts)] for r in range(args.requests)],
                                                     latencies, errors)) for u in range(args.users)]
    started = time.perf_counter()
    for user in users:
        user.start()
    for user in users:
        user.join()
    wall = time.perf_counter() - started
    with contextlib.redirect_stdout(sys.stderr):  # keep stdout for the JSON
        demo.close()
    total = args.users * args.requests
    print(json.dumps({
        "model": model, "users": args.users, "requests": total, "ok": len(latencies), "failed": len(errors),
        "errors": errors[:5], "first_request_s": round(warm_s, 3),
        "p50_s": round(statistics.median(latencies), 3) if latencies else None,
        "p95_s": round(percentile(latencies, 0.95), 3) if latencies else None,
        "max_s": round(max(latencies), 3) if latencies else None,
        "wall_s": round(wall, 3), "throughput_rps": round(len(latencies) / wall, 3),
        "generation_concurrency": int(os.environ.get("THCE_GENERATION_CONCURRENCY", "2")),
        "cpus": os.cpu_count(),
    }, indent=2))
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
