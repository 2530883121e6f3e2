"""Benchmark: what a structured output costs — decoding tokens/s with and without a grammar, same
model, same prompts, same run, through Afinar's inference core (``afinar.serving``) in process.

For each prompt (extraction questions a client would ask for JSON) three requests, greedy:
  - **json_schema**: ``response_format`` with a strict JSON schema (llguidance's grammar masks each
    step, ``afinar.serving.structured``); it ends when the JSON is complete;
  - **free, one at a time**: the same prompt without a schema, ``max_tokens`` set to the tokens the
    constrained reply took, through the same one-at-a-time ``model.generate`` path a constrained
    request takes (a ``seed`` sends it there): the cost of the grammar alone;
  - **free, batched**: the same without seed, through continuous batching (what the request would
    take without a schema): the cost a client sees.
Tokens/s = completion tokens / wall time of the request (prompt included, the same in all three:
a tool call's free runs have the tools in their prompt too).
Alternating, ``--repeats`` times, best kept. Goal: json_schema ≥ 0.85× the free one-at-a-time
tokens/s (≤ 15 % slower). A tool call (``tool_choice: required``) is measured the same way.

Usage: python bench/bench_structured.py [--model smollm2-135m-instruct] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import platform
import time

PROMPTS = [
    "Extrae el producto y el precio: «La MacBook Air M2 cuesta 1.199 euros y hay 4 en stock.»",
    "Devuelve en JSON el producto, el precio en euros y si hay stock: el iPhone 15 de 128 GB sale a 799 €.",
    "Extract product, price and stock as JSON: the Galaxy Tab S9 costs 899 euros, 2 left in Madrid.",
    "Dame el producto y el precio del Kindle Paperwhite, que cuesta 169 euros y está agotado.",
]
SCHEMA = {"type": "object", "properties": {"product": {"type": "string", "maxLength": 40},
                                           "euros": {"type": "number"}, "in_stock": {"type": "boolean"}},
          "required": ["product", "euros", "in_stock"], "additionalProperties": False}
TOOLS = [{"type": "function", "function": {"name": "stock", "description": "Units of a product in a store",
                                           "parameters": {"type": "object", "properties": {
                                               "product": {"type": "string", "maxLength": 40},
                                               "store": {"enum": ["Madrid", "Barcelona", "Online"]}},
                                               "required": ["product", "store"], "additionalProperties": False}}}]


def timed(pool, model: str, messages: list[dict], **params) -> tuple[float, int, dict]:
    start = time.perf_counter()
    result = pool.submit(model, messages, stream=False, temperature=0, **params).run()
    return time.perf_counter() - start, result["completion_tokens"], result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="smollm2-135m-instruct")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    from afinar.serving.engine import Controls
    from afinar.serving.pool import ModelPool
    from afinar.serving.structured import Structure

    pool = ModelPool()
    kinds = {"json_schema": Controls(structure=Structure.json(SCHEMA)),
             "tool call": Controls(structure=Structure.tools(TOOLS, "required", parallel=False), tools=TOOLS)}
    # warm-up: load, the grammar tokenizer, both paths
    timed(pool, args.model, [{"role": "user", "content": "hola"}], max_tokens=4, controls=kinds["json_schema"])
    timed(pool, args.model, [{"role": "user", "content": "hola"}], max_tokens=4)
    print(f"machine: {platform.node()} · {os.cpu_count()} CPUs · load {os.getloadavg()[0]:.2f} · "
          f"{time.strftime('%Y-%m-%d %H:%M')} · model {args.model}")
    for kind, controls in kinds.items():
        best: dict[str, list[float]] = {"constrained": [], "free, one at a time": [], "free, batched": []}
        tokens = {name: 0 for name in best}
        for prompt in PROMPTS:
            messages = [{"role": "user", "content": prompt}]
            times: dict[str, float] = {}
            for _ in range(args.repeats):
                wall, n, result = timed(pool, args.model, messages, controls=controls, max_tokens=200)
                times["constrained"] = min(times.get("constrained", wall), wall)
                tokens_c = n
                same_prompt = Controls(tools=controls.tools)  # the tools are in the prompt, not in the decoding
                wall, n1, _ = timed(pool, args.model, messages, max_tokens=tokens_c, seed=0, controls=same_prompt)
                times["free, one at a time"] = min(times.get("free, one at a time", wall), wall)
                wall, n2, _ = timed(pool, args.model, messages, max_tokens=tokens_c, controls=same_prompt)
                times["free, batched"] = min(times.get("free, batched", wall), wall)
            for name, n in (("constrained", tokens_c), ("free, one at a time", n1), ("free, batched", n2)):
                best[name].append(times[name])
                tokens[name] += n
            print(f"  {kind:11s} {tokens_c:3d} tokens  {result['text'][:90]!r}")
        rates = {name: tokens[name] / sum(walls) for name, walls in best.items()}
        print(f"{kind}: " + " · ".join(f"{name} {rate:.1f} tok/s" for name, rate in rates.items()))
        print(f"  ratio constrained / free one at a time = {rates['constrained'] / rates['free, one at a time']:.3f}"
              f" (goal ≥ 0.85) · / free batched = {rates['constrained'] / rates['free, batched']:.3f}")
    pool.close()


if __name__ == "__main__":
    main()
