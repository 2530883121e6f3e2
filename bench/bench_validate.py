"""Benchmark: `afinar data validate` against the OpenAI cookbook's checks on stdlib json.

Builds a chat JSONL of realistic Spanish conversations (>= 200 MB by default, cached in
bench/_data/), then runs, each in its own process pinned to one CPU core:
  - ours:      `python -m afinar data validate FILE --json` (schema checks, mojibake scan,
               duplicates by hash; no tokenizer)
  - reference: the checks of OpenAI's data-preparation cookbook over `json.loads`, written the way
               the cookbook does it (load every line, then check), in plain Python.
It prints MB/s for both, the ratio ours/reference, and both peak RSS values. With --big-gb N it
also validates an N GB file and reports our peak RSS (streaming: it must not grow with the file).

Usage: python bench/bench_validate.py [--mb 200] [--big-gb 1] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "_data"

REFERENCE = r'''
import json, sys
from collections import defaultdict
path = sys.argv[1]
with open(path, encoding="utf-8") as f:
    dataset = [json.loads(line) for line in f]
format_errors = defaultdict(int)
for ex in dataset:
    if not isinstance(ex, dict):
        format_errors["data_type"] += 1
        continue
    messages = ex.get("messages", None)
    if not messages:
        format_errors["missing_messages_list"] += 1
        continue
    for message in messages:
        if "role" not in message or "content" not in message:
            format_errors["message_missing_key"] += 1
        if any(k not in ("role", "content", "name", "function_call", "weight") for k in message):
            format_errors["message_unrecognized_key"] += 1
        if message.get("role", None) not in ("system", "user", "assistant", "function"):
            format_errors["unrecognized_role"] += 1
        content = message.get("content", None)
        function_call = message.get("function_call", None)
        if (not content and not function_call) or not isinstance(content, str):
            format_errors["missing_content"] += 1
    if not any(message.get("role", None) == "assistant" for message in messages):
        format_errors["example_missing_assistant_message"] += 1
print(json.dumps({"examples": len(dataset), "errors": dict(format_errors)}))
'''

# The same checks, streamed line by line (no list of every example in memory): the fairer peer.
REFERENCE_STREAMING = REFERENCE.replace(
    "with open(path, encoding=\"utf-8\") as f:\n    dataset = [json.loads(line) for line in f]",
    "dataset = (json.loads(line) for line in open(path, encoding=\"utf-8\"))",
).replace("len(dataset)", "-1")

_WORDS = ("el la los las un una de del que en y a por para con sin sobre laptop precio garantía "
          "envío tienda modelo memoria batería pantalla cámara pulgadas años meses disponible "
          "recomiendo programar estudiante descuento colores especificaciones rendimiento "
          "procesador almacenamiento gráficos teclado audífonos cargador funda ¿ ? ¡ ! , . "
          "también además perfecto excelente información pedido cliente").split()


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(n)).capitalize()


def build(path: Path, target_bytes: int, seed: int = 0) -> None:
    """Write conversations until the file reaches ``target_bytes`` (1 in 50 is a duplicate)."""
    rng = random.Random(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    written, recent = 0, []
    with open(tmp, "w", encoding="utf-8") as f:
        while written < target_bytes:
            if recent and rng.random() < 0.02:
                line = rng.choice(recent)
            else:
                messages = [{"role": "system", "content": "Eres el asistente de ventas de TechStore."}]
                for _ in range(rng.choice((1, 1, 1, 2, 3))):
                    messages.append({"role": "user", "content": _sentence(rng, rng.randint(5, 30))})
                    messages.append({"role": "assistant", "content": _sentence(rng, int(rng.lognormvariate(3.5, 0.6)))})
                line = json.dumps({"messages": messages}, ensure_ascii=False) + "\n"
                if len(recent) < 1000:
                    recent.append(line)
            f.write(line)
            written += len(line.encode("utf-8"))
    tmp.rename(path)


def dataset(size_mb: int) -> Path:
    path = DATA / f"chat_{size_mb}mb.jsonl"
    if not path.exists():
        print(f"building {path} ...", flush=True)
        build(path, size_mb * 1024 * 1024)
    return path


def run_pinned(cmd: list[str]) -> tuple[float, int, str]:
    """(seconds, peak RSS in MB, stdout) of ``cmd`` run on one CPU core.

    The seconds are the child's CPU time (user + system), which on one pinned core equals its wall
    time when the machine is otherwise idle and is far less disturbed when it is not; the wall
    time is printed beside it."""
    core = sorted(os.sched_getaffinity(0))[0]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            preexec_fn=lambda: os.sched_setaffinity(0, {core}))
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    proc.returncode = code
    if code not in (0, 1):
        raise SystemExit(f"{' '.join(cmd[:5])} failed with exit code {code}")
    cpu = usage.ru_utime + usage.ru_stime
    print(f"  {cmd[1] if cmd[1] != '-c' else 'reference'}: cpu {cpu:.2f} s, wall {wall:.2f} s", flush=True)
    return cpu, usage.ru_maxrss // 1024, out.decode()


def ours(path: Path) -> list[str]:
    return [sys.executable, "-m", "afinar", "data", "validate", str(path), "--json", "--lang", "en"]


def reference(path: Path, streaming: bool = False) -> list[str]:
    return [sys.executable, "-c", REFERENCE_STREAMING if streaming else REFERENCE, str(path)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=int, default=200, help="size of the timed file (default 200)")
    parser.add_argument("--big-gb", type=float, default=1.0, help="size of the memory check file, 0 to skip")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each (best is kept)")
    parser.add_argument("--json", dest="json_out", help="also write the results to this file")
    args = parser.parse_args()

    path = dataset(args.mb)
    size_mb = path.stat().st_size / 1e6
    results = {"machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
               "python": platform.python_version(), "file_mb": round(size_mb, 1),
               "date": time.strftime("%Y-%m-%d")}
    ref_times, ref_rss, stream_times = [], 0, []
    for _ in range(args.repeat):
        wall, rss, out = run_pinned(reference(path))
        ref_times.append(wall)
        ref_rss = max(ref_rss, rss)
        stream_times.append(run_pinned(reference(path, streaming=True))[0])
    our_times, our_rss = [], 0
    for _ in range(args.repeat):
        wall, rss, out = run_pinned(ours(path))
        our_times.append(wall)
        our_rss = max(our_rss, rss)
        report = json.loads(out)
    ref_best, our_best, stream_best = min(ref_times), min(our_times), min(stream_times)
    results.update({
        "examples": report["examples"], "duplicates_found": report["stats"]["duplicates"],
        "ours_s": round(our_best, 2), "ours_mb_s": round(size_mb / our_best, 1),
        "reference_s": round(ref_best, 2), "reference_mb_s": round(size_mb / ref_best, 1),
        "ratio_ours_over_reference": round(ref_best / our_best, 2),
        "reference_peak_rss_mb": ref_rss, "ours_peak_rss_mb": our_rss,
        "reference_streaming_s": round(stream_best, 2),
        "reference_streaming_mb_s": round(size_mb / stream_best, 1),
        "ratio_ours_over_streaming_reference": round(stream_best / our_best, 2),
    })
    print(f"file: {path.name} ({size_mb:.0f} MB, {report['examples']:,} examples)")
    print(f"reference (json.loads + cookbook checks): {ref_best:.2f} s = {size_mb / ref_best:.0f} MB/s, peak RSS {ref_rss} MB")
    print(f"same checks, streamed line by line:       {stream_best:.2f} s = {size_mb / stream_best:.0f} MB/s")
    print(f"afinar data validate:                     {our_best:.2f} s = {size_mb / our_best:.0f} MB/s, peak RSS {our_rss} MB")
    print(f"ratio (ours / reference throughput): {ref_best / our_best:.2f}x "
          f"(vs the streamed variant: {stream_best / our_best:.2f}x)")
    if args.big_gb:
        big = dataset(int(args.big_gb * 1024))
        wall, rss, _ = run_pinned(ours(big))
        big_mb = big.stat().st_size / 1e6
        results.update({"big_file_mb": round(big_mb), "big_ours_s": round(wall, 1),
                        "big_ours_mb_s": round(big_mb / wall, 1), "big_ours_peak_rss_mb": rss})
        print(f"memory check: {big_mb:.0f} MB in {wall:.1f} s ({big_mb / wall:.0f} MB/s), peak RSS {rss} MB")
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
