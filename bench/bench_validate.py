"""Benchmark: `afinar data validate` on a matrix of realistic chat shapes, against two peers.

For each shape it writes a chat JSONL (generated Spanish conversations, --mb MB, under --dir,
deleted at the end unless --keep), then runs, each in its own process pinned to one CPU core
and interleaved so that all three see the same machine load:
  - stdlib: `json.loads` per line + the checks of OpenAI's data-preparation cookbook (role,
    content, assistant present), streamed line by line: the plain Python loop anyone writes;
  - orjson: the same loop over `orjson.loads`, the fastest general JSON parser for Python;
  - ours:   `python -m afinar data validate FILE --json --task chat` (every check in
    docs/data.md, mojibake scan, duplicates; no tokenizer), the command a user runs;
  - ours (library): the same `validate()` called from a `python -c` script like the peers', so
    without the CLI's start-up (click, the message catalogs and the data package: ~0.1 s).
The main figure is MB/s of CPU time (user + system of the process, start-up included): other
sessions share this machine, and CPU time is far less disturbed by them than wall time (printed
beside it). Validation runs on one core; it does not parallelise, so there is no all-cores row.
With --big-gb N it also validates an N GB file of the shape with the most examples per MB and
reports our peak RSS (the goal: < 200 MB at 1 GB; memory must not follow the file).

Usage: python bench/bench_validate.py [--mb 150] [--repeat 2] [--shapes a,b] [--big-gb 1] [--json OUT]
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

PEER = r'''
import sys
from {module} import loads
errors = examples = 0
with open(sys.argv[1], "rb") as f:
    for line in f:
        examples += 1
        try:
            ex = loads(line)
        except ValueError:
            errors += 1
            continue
        messages = ex.get("messages") if isinstance(ex, dict) else None
        if not messages or not isinstance(messages, list):
            errors += 1
            continue
        for message in messages:
            if not isinstance(message, dict) or "role" not in message or "content" not in message:
                errors += 1
                continue
            if message["role"] not in ("system", "user", "assistant", "tool", "function"):
                errors += 1
            content = message["content"]
            if (not content and not message.get("tool_calls")) or not isinstance(content, (str, type(None))):
                errors += 1
        if not any(isinstance(m, dict) and m.get("role") == "assistant" for m in messages):
            errors += 1
print(examples, errors)
'''

_WORDS = ("el la los las un una de del que en y a por para con sin sobre laptop precio garantía "
          "envío tienda modelo memoria batería pantalla cámara pulgadas años meses disponible "
          "recomiendo programar estudiante descuento colores especificaciones rendimiento "
          "procesador almacenamiento gráficos teclado audífonos cargador funda ¿ ? ¡ ! , . "
          "también además perfecto excelente información pedido cliente").split()
_SYSTEM = "Eres el asistente de ventas de TechStore. Responde en español, con amabilidad."
_TOOLS = [{"type": "function", "function": {
    "name": "buscar_producto", "description": "Busca un producto de la tienda por su modelo",
    "parameters": {"type": "object", "properties": {"modelo": {"type": "string"}}, "required": ["modelo"]}}}]


def _text(rng: random.Random, lo: int, hi: int) -> str:
    return " ".join(rng.choices(_WORDS, k=rng.randint(lo, hi))).capitalize()


def _turns(rng: random.Random, turns: int, user: tuple[int, int], assistant: tuple[int, int]) -> list[dict]:
    out = []
    for _ in range(turns):
        out.append({"role": "user", "content": _text(rng, *user)})
        out.append({"role": "assistant", "content": _text(rng, *assistant)})
    return out


def system_es(rng: random.Random) -> dict:
    return {"messages": [{"role": "system", "content": _SYSTEM}, *_turns(rng, 1, (5, 25), (10, 50))]}


def no_system_es(rng: random.Random) -> dict:
    return {"messages": _turns(rng, rng.choice((1, 1, 2, 3)), (5, 25), (10, 60))}


def short_es(rng: random.Random) -> dict:
    return {"messages": _turns(rng, 1, (2, 6), (3, 10))}


def long_es(rng: random.Random) -> dict:
    document = _text(rng, 400, 1500)
    return {"messages": [{"role": "system", "content": _SYSTEM},
                         {"role": "user", "content": "Resume este texto: " + document},
                         {"role": "assistant", "content": _text(rng, 40, 120)}]}


def name_weight(rng: random.Random) -> dict:
    messages = [{"role": "system", "content": _SYSTEM}]
    for turn in _turns(rng, rng.choice((2, 3)), (5, 25), (10, 40)):
        if turn["role"] == "user":
            turn["name"] = rng.choice(("ana", "luis", "sofia"))
        else:
            turn["weight"] = 0
        messages.append(turn)
    messages[-1]["weight"] = 1
    return {"messages": messages}


def tools(rng: random.Random) -> dict:
    call = f"call_{rng.randrange(10**8)}"
    model = rng.choice(("X1", "Pro 14", "Air 13", "Nova 5"))
    return {"messages": [
        {"role": "system", "content": _SYSTEM},
        {"role": "user", "content": _text(rng, 5, 25)},
        {"role": "assistant", "content": None, "tool_calls": [{"id": call, "type": "function", "function": {
            "name": "buscar_producto", "arguments": json.dumps({"modelo": model})}}]},
        {"role": "tool", "tool_call_id": call, "content": json.dumps({"precio": rng.randrange(200, 2000), "stock": rng.randrange(9)})},
        {"role": "assistant", "content": _text(rng, 10, 50)}], "tools": _TOOLS}


def _broken(rng: random.Random, example: dict, recent: list[str]) -> str:
    """One line with a finding: the usual mistakes of hand-made files."""
    messages = example["messages"]
    kind = rng.randrange(8)
    if kind == 0:
        messages[-1]["content"] = ""
    elif kind == 1:
        messages.pop()
    elif kind == 2:
        messages[-1]["content"] = messages[-1]["content"].encode("utf-8").decode("latin-1")  # mojibake
    elif kind == 3:
        messages[1]["role"] = "bot"
    elif kind == 4:
        messages[1]["weight"] = 1
    elif kind == 5 and recent:
        return rng.choice(recent)
    line = json.dumps(example, ensure_ascii=False)
    if kind == 6:
        return line + ","
    if kind == 7:
        return line[: len(line) // 2]
    return line


SHAPES = {
    "system_es": (system_es, "system + user + assistant, accented Spanish"),
    "no_system_es": (no_system_es, "1-3 user/assistant turns, no system prompt"),
    "short_es": (short_es, "one short turn: many examples per MB"),
    "long_es": (long_es, "a 3-10 KB document to summarise: long lines"),
    "name_weight": (name_weight, "`name` on user turns, `weight` on assistant turns"),
    "tools": (tools, "tool calls: assistant tool_calls, a tool answer, top-level tools"),
    "findings_5pct": (system_es, "system_es with 5 % of lines with findings"),
}


def build(path: Path, shape: str, target_bytes: int, seed: int = 0) -> None:
    """Write examples of ``shape`` until the file reaches ``target_bytes`` (1 in 50 a duplicate)."""
    make = SHAPES[shape][0]
    rng = random.Random(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    written, recent = 0, []
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        while written < target_bytes:
            if recent and rng.random() < 0.02:
                line = rng.choice(recent)
            elif shape == "findings_5pct" and rng.random() < 0.05:
                line = _broken(rng, make(rng), recent)
            else:
                line = json.dumps(make(rng), ensure_ascii=False)
                if len(recent) < 1000:
                    recent.append(line)
            f.write(line + "\n")
            written += len(line.encode("utf-8")) + 1
    tmp.rename(path)  # an interrupted build leaves no file that looks complete


def build_big(path: Path, shape: str, target_bytes: int, seed: int = 0) -> None:
    """Like ``build`` but fast enough for gigabytes: 20,000 generated examples, repeated with a
    running number put before the first text so that every line differs (1 in 50 a duplicate)."""
    rng = random.Random(seed)
    pool = [json.dumps(SHAPES[shape][0](rng), ensure_ascii=False) for _ in range(20_000)]
    tmp = path.with_suffix(".tmp")
    written, n = 0, 0
    with open(tmp, "w", encoding="utf-8") as f:
        while written < target_bytes:
            lines = [pool[i % len(pool)].replace('"content": "', f'"content": "{n + i} ', 1)
                     for i in range(10_000)]
            for i in range(0, len(lines), 50):
                lines[i] = lines[i - 7] if i else lines[i]
            chunk = "\n".join(lines) + "\n"
            f.write(chunk)
            written += len(chunk.encode("utf-8"))
            n += len(lines)
    tmp.rename(path)


def run_pinned(cmd: list[str]) -> tuple[float, float, int, str]:
    """(CPU seconds, wall seconds, peak RSS in MB, stdout) of ``cmd`` run on one CPU core."""
    core = sorted(os.sched_getaffinity(0))[-1]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            preexec_fn=lambda: os.sched_setaffinity(0, {core}))
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    proc.returncode = code
    if code not in (0, 1):
        raise SystemExit(f"{' '.join(cmd[:6])} failed with exit code {code}")
    return usage.ru_utime + usage.ru_stime, wall, usage.ru_maxrss // 1024, out.decode()


LIBRARY = r'''
import sys
from afinar.data.validate import ValidateOptions, validate
report = validate(sys.argv[1], ValidateOptions(task="chat"))
print(report.examples, len(report.findings))
'''


def commands(path: Path) -> dict[str, list[str]]:
    return {
        "library": [sys.executable, "-c", LIBRARY, str(path)],
        "stdlib": [sys.executable, "-c", PEER.format(module="json"), str(path)],
        "orjson": [sys.executable, "-c", PEER.format(module="orjson"), str(path)],
        "ours": [sys.executable, "-m", "afinar", "data", "validate", str(path), "--json", "--task", "chat",
                 "--lang", "en"],
    }


def measure(path: Path, repeat: int) -> dict:
    size_mb = path.stat().st_size / 1e6
    best: dict[str, tuple[float, float, int]] = {}
    for _ in range(repeat):  # interleaved: each program sees the same load
        for name, cmd in commands(path).items():
            cpu, wall, rss, out = run_pinned(cmd)
            if name not in best or cpu < best[name][0]:
                best[name] = (cpu, wall, rss)
            if name == "ours":
                report = json.loads(out)
            elif name == "library":
                library_counts = out.split()
    row = {"file_mb": round(size_mb, 1), "examples": report["examples"],
           "findings": len(report["errors"]) + len(report["warnings"])}
    assert library_counts == [str(row["examples"]), str(row["findings"])], (library_counts, row)
    for name, (cpu, wall, rss) in best.items():
        row[f"{name}_cpu_mb_s"] = round(size_mb / cpu, 1)
        row[f"{name}_wall_mb_s"] = round(size_mb / wall, 1)
        row[f"{name}_peak_rss_mb"] = rss
    for name in ("ours", "library"):
        row[f"{name}_over_stdlib"] = round(best["stdlib"][0] / best[name][0], 2)
        row[f"{name}_over_orjson"] = round(best["orjson"][0] / best[name][0], 2)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=int, default=150, help="size of each shape's file (default 150)")
    parser.add_argument("--repeat", type=int, default=2, help="interleaved runs of each program (best is kept)")
    parser.add_argument("--shapes", default=",".join(SHAPES), help="comma-separated subset of: " + ", ".join(SHAPES))
    parser.add_argument("--big-gb", type=float, default=0, help="also check peak RSS on a file this big (0: skip)")
    parser.add_argument("--dir", default="/tmp/afinar-bench-validate", help="where the generated files go")
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    parser.add_argument("--json", dest="json_out", help="also write the results to this file")
    args = parser.parse_args()

    folder = Path(args.dir)
    results = {"machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
               "python": platform.python_version(), "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
               "load_before": [round(x, 2) for x in os.getloadavg()], "shapes": {}}
    print(f"{'shape':<14} {'MB':>5} {'stdlib':>7} {'orjson':>7} {'ours':>7} {'library':>7} {'ours/stdlib':>11} "
          f"{'ours/orjson':>11} {'lib/stdlib':>10} {'lib/orjson':>10} {'ours RSS':>8}   (MB/s of CPU time, one core)",
          flush=True)
    for shape in args.shapes.split(","):
        path = folder / f"{shape}_{args.mb}mb.jsonl"
        if not path.exists():
            build(path, shape, args.mb * 1_000_000)
        row = measure(path, args.repeat)
        row["load"] = round(os.getloadavg()[0], 2)
        results["shapes"][shape] = row
        print(f"{shape:<14} {row['file_mb']:>5.0f} {row['stdlib_cpu_mb_s']:>7.0f} {row['orjson_cpu_mb_s']:>7.0f} "
              f"{row['ours_cpu_mb_s']:>7.0f} {row['library_cpu_mb_s']:>7.0f} {row['ours_over_stdlib']:>10.2f}x "
              f"{row['ours_over_orjson']:>10.2f}x {row['library_over_stdlib']:>9.2f}x {row['library_over_orjson']:>9.2f}x "
              f"{row['ours_peak_rss_mb']:>5} MB   (wall: {row['stdlib_wall_mb_s']:.0f} / {row['orjson_wall_mb_s']:.0f}"
              f" / {row['ours_wall_mb_s']:.0f} / {row['library_wall_mb_s']:.0f}; load {row['load']})", flush=True)
        if not args.keep:
            path.unlink()
    if args.big_gb:
        big = folder / f"short_es_{args.big_gb:g}gb.jsonl"
        if not big.exists():
            build_big(big, "short_es", int(args.big_gb * 1e9))
        cpu, wall, rss, _ = run_pinned(commands(big)["ours"])
        big_mb = big.stat().st_size / 1e6
        results["big"] = {"file_mb": round(big_mb), "cpu_mb_s": round(big_mb / cpu, 1),
                          "wall_mb_s": round(big_mb / wall, 1), "peak_rss_mb": rss}
        print(f"memory check: short_es, {big_mb:.0f} MB in {cpu:.1f} s CPU ({big_mb / cpu:.0f} MB/s), "
              f"peak RSS {rss} MB", flush=True)
        if not args.keep:
            big.unlink()
    results["load_after"] = [round(x, 2) for x in os.getloadavg()]
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
