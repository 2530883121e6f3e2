"""Benchmark: chat completions through Afinar's OpenAI-compatible API against calling the model's
``generate`` directly in one process — same model, same prompts, same greedy settings, same run.

Peer ("direct"): ``afinar.tasks.chat.predict.load`` + ``generate`` in this process, one prompt after
another. Ours ("api"): ``afinar serve`` started as a subprocess on 127.0.0.1, the official ``openai``
SDK streaming each reply (stream=True), one request after another. Both produce exactly the same
tokens (greedy), so tokens/s compare like for like; the direct side is measured before and after
the API side and averaged, to cancel drift on a shared machine. Overhead = 1 − api/direct.
Then 1, 4 and 16 concurrent streams through the API: time to first token (p50/p95) and aggregate
completion tokens/s (the server runs one generation per model at a time, so concurrency queues).

Usage: python bench/bench_serve.py [--model smollm2-135m-instruct] [--max-tokens 48] [--prompts 6]
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

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


def direct(model: str, prompts: list[str], max_tokens: int) -> tuple[float, int, list[str]]:
    from afinar.tasks.chat.predict import generate, load

    llm, tokenizer, _ = load(model)
    generate(llm, tokenizer, [{"role": "user", "content": "hola"}], max_new_tokens=4)  # warm-up
    texts, tokens, start = [], 0, time.perf_counter()
    for p in prompts:
        out = generate(llm, tokenizer, [{"role": "user", "content": p}], max_new_tokens=max_tokens, temperature=0)
        texts.append(out["text"])
        tokens += out["completion_tokens"]
    return time.perf_counter() - start, tokens, texts


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stream_one(client, model: str, prompt: str, max_tokens: int) -> tuple[float, float, int, str]:
    """(time to first token, total time, completion tokens, text) of one streamed request."""
    start, first, text, tokens = time.perf_counter(), None, [], 0
    stream = client.chat.completions.create(model=model, max_tokens=max_tokens, temperature=0, stream=True,
                                            stream_options={"include_usage": True},
                                            messages=[{"role": "user", "content": prompt}])
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            first = first or time.perf_counter()
            text.append(chunk.choices[0].delta.content)
        if chunk.usage:
            tokens = chunk.usage.completion_tokens
    end = time.perf_counter()
    return (first or end) - start, end - start, tokens, "".join(text)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="smollm2-135m-instruct")
    parser.add_argument("--max-tokens", type=int, default=48)
    parser.add_argument("--prompts", type=int, default=6)
    args = parser.parse_args()
    import torch
    from openai import OpenAI

    from afinar import models

    models.resolve(args.model)  # pulled once into AFINAR_HOME (license shown on first use)
    prompts = PROMPTS[: args.prompts]
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, torch {torch.__version__}, "
          f"threads {torch.get_num_threads()}, {time.strftime('%Y-%m-%d %H:%M')}")
    print(f"model {args.model}, {len(prompts)} prompts, max_tokens {args.max_tokens}, greedy")

    t1, n1, texts = direct(args.model, prompts, args.max_tokens)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "afinar", "serve", "--no-studio", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        client = OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key="local", max_retries=0, timeout=600)
        deadline = time.monotonic() + 60
        while True:
            try:
                client.models.list()
                break
            except Exception:  # noqa: BLE001 - not up yet
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        stream_one(client, args.model, "hola", 4)  # loads the model in the server
        start, api_tokens, api_texts = time.perf_counter(), 0, []
        for p in prompts:
            _, _, n, text = stream_one(client, args.model, p, args.max_tokens)
            api_tokens += n
            api_texts.append(text)
        t_api = time.perf_counter() - start
        t2, n2, _ = direct(args.model, prompts, args.max_tokens)
        same = sum(a.strip() == b.strip() for a, b in zip(api_texts, texts))
        direct_tps = (n1 + n2) / (t1 + t2)
        api_tps = api_tokens / t_api
        print(f"direct generate: {direct_tps:.1f} tok/s ({n1} tokens in {t1:.1f} s, then {n2} in {t2:.1f} s)")
        print(f"API, streaming : {api_tps:.1f} tok/s ({api_tokens} tokens in {t_api:.1f} s); "
              f"identical replies {same}/{len(prompts)}")
        print(f"ratio API / direct = {api_tps / direct_tps:.3f}x  (overhead {100 * (1 - api_tps / direct_tps):.1f} %)")
        for streams in (1, 4, 16):
            jobs = [prompts[i % len(prompts)] for i in range(streams)]
            start = time.perf_counter()
            with cf.ThreadPoolExecutor(streams) as pool:
                results = list(pool.map(lambda p: stream_one(client, args.model, p, args.max_tokens), jobs))
            wall = time.perf_counter() - start
            ttft = sorted(r[0] for r in results)
            p95 = ttft[min(len(ttft) - 1, round(0.95 * (len(ttft) - 1)))]
            print(f"{streams:>2} concurrent streams: TTFT p50 {statistics.median(ttft):.2f} s, p95 {p95:.2f} s; "
                  f"aggregate {sum(r[2] for r in results) / wall:.1f} tok/s")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    main()
