"""Benchmark: chat completions from many clients at once — Afinar's server against the library's own
OpenAI server and against calling ``generate`` in process, same model, same prompts, same run.

- (a) **Afinar**: ``afinar serve`` (a subprocess on 127.0.0.1), its inference core batching
  concurrent requests (transformers' continuous batching).
- (b) **transformers serve** (peer): the library's own OpenAI-compatible server, in its strongest
  setting here (``--continuous-batching``, float32 like ours, the same KV-cache page size, number
  of pages and tokens per step as ours, the model preloaded).
- (c) **sequential** (peer): ``afinar.tasks.chat.predict.generate`` in this process, one request
  after another (what a server without batching does at best).

Each level of 1, 4 and 16 clients sends max(6, 2 × clients) requests (the prompts cycled, greedy,
``max_tokens`` new tokens at most) through the official ``openai`` SDK, non-streaming; a client
sends its next request when its reply is in. Reported per level: aggregate completion tokens/s
and p50/p95 request latency; sequential: the same for one request at a time. Ratios printed:
Afinar at 16 clients / sequential (goal ≥ 3) and / transformers serve at 16 (goal ≥ 1); Afinar's
p50 latency at 1 client / sequential p50 (goal ≤ 1.10). Both servers are up at once but only one
works at a time, alternating, each level measured ``--repeats`` times (best kept).

Usage: python bench/bench_serve.py [--model smollm2-135m-instruct] [--tiny] [--max-tokens 48] [--repeats 2]
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PROMPTS = [
    "¿Qué laptop me recomiendas para programar?",
    "¿Tienen iPhone 15 en stock?",
    "¿Cuál es la política de garantía?",
    "What is the capital of France?",
    "Dame tres ideas para una cena rápida.",
    "Explain what fine-tuning is in one paragraph.",
    "¿Cómo devuelvo un producto defectuoso?",
    "Write a haiku about the sea.",
]
LEVELS = (1, 4, 16)
# the KV cache and step size Afinar's core uses (afinar.serving.backends), given to the peer too
CB_FLAGS = ["--cb-block-size", "32", "--cb-num-blocks", "1056", "--cb-max-batch-tokens", "512"]


def jobs_for(clients: int) -> list[str]:
    return [PROMPTS[i % len(PROMPTS)] for i in range(max(6, 2 * clients))]


def summary(wall: float, tokens: int, latencies: list[float]) -> dict[str, float]:
    ordered = sorted(latencies)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"tps": tokens / wall, "p50": statistics.median(ordered), "p95": p95, "tokens": tokens, "wall": wall}


def sequential(folder: str, max_tokens: int) -> tuple[dict[str, float], dict[str, str]]:
    from afinar.tasks.chat.predict import generate, load

    llm, tokenizer, _ = load(folder)
    generate(llm, tokenizer, [{"role": "user", "content": "hola"}], max_new_tokens=4)  # warm-up
    texts, latencies, tokens, start = {}, [], 0, time.perf_counter()
    for prompt in jobs_for(max(LEVELS)):
        began = time.perf_counter()
        out = generate(llm, tokenizer, [{"role": "user", "content": prompt}], max_new_tokens=max_tokens)
        latencies.append(time.perf_counter() - began)
        tokens += out["completion_tokens"]
        texts[prompt] = out["text"]
    return summary(time.perf_counter() - start, tokens, latencies), texts


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def clients_run(url: str, model: str, clients: int, max_tokens: int) -> tuple[dict[str, float], dict[str, str]]:
    from openai import OpenAI

    client = OpenAI(base_url=url, api_key="local", max_retries=0, timeout=900)
    texts: dict[str, str] = {}

    def one(prompt: str) -> tuple[float, int]:
        began = time.perf_counter()
        reply = client.chat.completions.create(model=model, max_tokens=max_tokens, temperature=0,
                                               messages=[{"role": "user", "content": prompt}])
        texts[prompt] = (reply.choices[0].message.content or "").strip()
        return time.perf_counter() - began, reply.usage.completion_tokens

    start = time.perf_counter()
    with cf.ThreadPoolExecutor(clients) as pool:
        done = list(pool.map(one, jobs_for(clients)))
    return summary(time.perf_counter() - start, sum(n for _, n in done), [t for t, _ in done]), texts


def start_server(command: list[str], url: str, model: str, log: Path) -> subprocess.Popen:
    """Start a server and wait until it answers (model loaded)."""
    from openai import OpenAI

    with open(log, "wb") as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    client, deadline = OpenAI(base_url=url, api_key="local", max_retries=0, timeout=600), time.monotonic() + 300
    while True:
        try:
            client.chat.completions.create(model=model, max_tokens=4, messages=[{"role": "user", "content": "hola"}])
            return proc
        except Exception:  # noqa: BLE001 - not up yet (or still loading the model)
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError(f"{command[:3]} did not start:\n{log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.5)


def best(a: dict[str, float] | None, b: dict[str, float]) -> dict[str, float]:
    return b if a is None or b["tps"] > a["tps"] else a


def bench_model(name: str, folder: str, max_tokens: int, work: Path, repeats: int) -> None:
    """Both servers run side by side (one works at a time): each level is measured ``repeats``
    times, alternating Afinar and the peer, and each keeps its best run (a shared machine's noise
    only ever slows a run down). Sequential runs before and after; its best is kept too."""
    print(f"\n## {name} ({folder}), {max_tokens} new tokens at most, greedy, best of {repeats}")
    seq, seq_texts = sequential(folder, max_tokens)
    ours_port, peer_port = free_port(), free_port()
    peer_bin = shutil.which("transformers", path=str(Path(sys.executable).parent)) or "transformers"
    urls = {"Afinar": f"http://127.0.0.1:{ours_port}/v1", "peer": f"http://127.0.0.1:{peer_port}/v1"}
    procs = [start_server([sys.executable, "-m", "afinar", "serve", "--no-studio", "--allow-local-models",
                           "--port", str(ours_port)], urls["Afinar"], folder, work / "afinar.log"),
             start_server([peer_bin, "serve", "--continuous-batching", "--dtype", "float32", "--device", "cpu",
                           "--host", "127.0.0.1", "--port", str(peer_port), *CB_FLAGS, folder],
                          urls["peer"], folder, work / "peer.log")]
    results: dict[str, dict[int, dict[str, float]]] = {"Afinar": {}, "peer": {}}
    texts: dict[str, dict[str, str]] = {}
    try:
        for clients in LEVELS:
            for _ in range(repeats):
                for who, url in urls.items():
                    run, texts[who] = clients_run(url, folder, clients, max_tokens)
                    results[who][clients] = best(results[who].get(clients), run)
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=60)
    seq = best(seq, sequential(folder, max_tokens)[0])
    ours, peer = results["Afinar"], results["peer"]
    print("| path | clients | requests | tokens/s | latency p50 | latency p95 |")
    print("|---|---|---|---|---|---|")
    print(f"| sequential generate (in process) | 1 at a time | {len(jobs_for(max(LEVELS)))} | {seq['tps']:.1f} | "
          f"{seq['p50']:.2f} s | {seq['p95']:.2f} s |")
    for label, rows in (("Afinar", ours), ("transformers serve --continuous-batching", peer)):
        for clients, r in rows.items():
            print(f"| {label} | {clients} | {len(jobs_for(clients))} | {r['tps']:.1f} | {r['p50']:.2f} s | "
                  f"{r['p95']:.2f} s |")
    same = sum(texts["Afinar"].get(p) == seq_texts[p].strip() for p in seq_texts)
    same_peer = sum(texts["peer"].get(p) == seq_texts[p].strip() for p in seq_texts)
    top = max(LEVELS)
    print(f"greedy replies equal to sequential: Afinar {same}/{len(seq_texts)}, peer {same_peer}/{len(seq_texts)}")
    print(f"ratio Afinar@{top} / sequential tokens/s = {ours[top]['tps'] / seq['tps']:.2f}x (goal >= 3)")
    print(f"ratio Afinar@{top} / transformers serve@{top} tokens/s = {ours[top]['tps'] / peer[top]['tps']:.2f}x "
          f"(goal >= 1)")
    print(f"ratio Afinar@1 / sequential latency p50 = {ours[1]['p50'] / seq['p50']:.2f}x (goal <= 1.10)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="smollm2-135m-instruct", help="a catalog name or a model folder")
    parser.add_argument("--tiny", action="store_true", help="also a tiny random model built here")
    parser.add_argument("--only-tiny", action="store_true")
    parser.add_argument("--max-tokens", type=int, default=48)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    import torch

    from afinar import models

    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, torch {torch.__version__}, "
          f"threads {torch.get_num_threads()}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
          f"load {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if args.tiny or args.only_tiny:
            sys.path.insert(0, str(REPO / "tests"))
            import tiny_chat

            bench_model("tiny random Llama (2 layers, d=64)", str(tiny_chat.build(work / "tiny", hidden=64)),
                        args.max_tokens, work, args.repeats)
        if not args.only_tiny:
            folder = str(models.resolve(args.model))  # pulled once into AFINAR_HOME (license shown)
            bench_model(args.model, folder, args.max_tokens, work, args.repeats)


if __name__ == "__main__":
    sys.path.insert(0, str(REPO / "src"))
    main()
