"""``afinar data convert``: tables and other people's formats → OpenAI chat JSONL or text,label CSV
(and preference pairs: ``preference_convert``).

What each input record becomes (``chat_shape`` decides, flags first):
- a table row (CSV, Excel, Parquet, flat JSON): ``--user-col``/``--assistant-col`` or the recognized
  names (pregunta/question/prompt/input/... and respuesta/answer/response/output/...) →
  ``{"messages": [system?, user, assistant]}``; ``--system TEXT`` or a system column adds the system message;
- Alpaca (``instruction``, optional ``input``, ``output``) → user = instruction + blank line + input,
  after the turns of an optional ``history`` of ``[question, answer]`` pairs;
- ShareGPT (``conversations`` of ``{"from", "value"}``): human→user, gpt→assistant, system→system;
- records that already have ``messages`` are kept (``--system`` is added when they lack one).

Example: the row ``pregunta="¿Precio del iPhone 15?", respuesta="$799"`` becomes
``{"messages": [{"role": "user", "content": "¿Precio del iPhone 15?"}, {"role": "assistant", "content": "$799"}]}``.
Rows with an empty question or answer are skipped and listed. The input is never overwritten.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from afinar.data.columns import find_column, normalize_name
from afinar.data.tables import Table, read_table
from afinar.data.textcls_checks import problem
from afinar.errors import AfinarError

SHAREGPT_ROLES = {"human": "user", "user": "user", "gpt": "assistant", "assistant": "assistant",
                  "chatgpt": "assistant", "bard": "assistant", "bing": "assistant",
                  "model": "assistant", "system": "system"}


@dataclass
class ConvertOptions:
    to: str = "chat"  # "chat", "text-classification" or "preference"
    user_col: str | None = None  # for preference data: the prompt
    assistant_col: str | None = None
    chosen_col: str | None = None
    rejected_col: str | None = None
    system: str | None = None
    text_col: str | None = None
    label_col: str | None = None
    sheet: str | None = None


@dataclass
class ConvertResult:
    source: Path
    output: Path
    format: str  # what the input was read as, e.g. "CSV (';', cp1252)"
    task: str
    shape: str  # "table", "alpaca", "sharegpt" or "messages"; preference: "table", "trl" or "preference"
    columns: dict[str, str] = field(default_factory=dict)  # role → column used
    written: int = 0
    skipped_empty: list[int] = field(default_factory=list)  # lines with an empty text/answer/label
    skipped_roles: list[int] = field(default_factory=list)  # unknown speaker or malformed turns


def convert_file(source: str | Path, output: str | Path, options: ConvertOptions) -> ConvertResult:
    """Convert ``source`` into ``output`` (see the module docstring); raises AfinarError on bad input."""
    source, output = Path(source), Path(output)
    if not source.is_file():
        raise AfinarError("common.file_not_found", path=str(source))
    if output.exists() and output.resolve() == source.resolve():
        raise AfinarError("convert.same_file", path=str(output))
    table = read_table(source, options.sheet)
    result = ConvertResult(source, output, table.format, options.to, "table")
    rows = _TARGETS[options.to](table, options, result)
    writer = _write_jsonl if options.to != "text-classification" or \
        output.suffix.lower() in (".jsonl", ".json") else _write_csv
    result.written = writer(output, rows)
    return result


# ---- chat


def chat_shape(table: Table, options: ConvertOptions) -> str:
    """Which kind of records ``table`` holds: "messages", "sharegpt", "alpaca" or "table"."""
    if options.user_col or options.assistant_col:
        return "table"
    names = {normalize_name(c) for c in table.columns}
    if "messages" in names:
        return "messages"
    if "conversations" in names:
        return "sharegpt"
    if {"instruction", "output"} <= names:
        return "alpaca"
    return "table"


def _to_chat(table: Table, options: ConvertOptions, result: ConvertResult) -> Iterator[dict]:
    result.shape = chat_shape(table, options)
    if result.shape == "table":
        user = column_for(table, "user", options.user_col, "--user-col")
        assistant = column_for(table, "assistant", options.assistant_col, "--assistant-col", exclude=[user])
        system = find_column(table.columns, "system", exclude=[user, assistant])
        result.columns = {"user": user, "assistant": assistant} | ({"system": system} if system else {})
    for line, record in table.records:
        messages = _SHAPES[result.shape](record, result)
        if messages is None:
            result.skipped_roles.append(line)
            continue
        if not _complete(messages):
            result.skipped_empty.append(line)
            continue
        system_text = options.system if options.system is not None else \
            text_of(record.get(result.columns.get("system", "")))
        if system_text and messages[0]["role"] != "system":
            messages.insert(0, {"role": "system", "content": system_text})
        yield _with_extras(record, messages, result.shape)


def _from_table(record: dict, result: ConvertResult) -> list[dict] | None:
    return [{"role": "user", "content": text_of(record.get(result.columns["user"]))},
            {"role": "assistant", "content": text_of(record.get(result.columns["assistant"]))}]


def _from_alpaca(record: dict, result: ConvertResult) -> list[dict] | None:
    """Alpaca; an optional ``history`` of ``[question, answer]`` pairs (LLaMA-Factory) comes first."""
    fields = {normalize_name(k): v for k, v in record.items()}
    prompt = "\n\n".join(p for p in (text_of(fields.get("instruction")), text_of(fields.get("input"))) if p)
    system = text_of(fields.get("system"))
    messages = [{"role": "system", "content": system}] if system else []
    history = fields.get("history") or []
    if not isinstance(history, list) or not all(isinstance(h, list) and len(h) == 2 for h in history):
        return None
    for question, answer in history:
        messages += [{"role": "user", "content": text_of(question)},
                     {"role": "assistant", "content": text_of(answer)}]
    return messages + [{"role": "user", "content": prompt},
                       {"role": "assistant", "content": text_of(fields.get("output"))}]


def _from_sharegpt(record: dict, result: ConvertResult) -> list[dict] | None:
    turns = next((v for k, v in record.items() if normalize_name(k) == "conversations"), None)
    if not isinstance(turns, list):
        return []
    messages = []
    system = text_of(record.get("system"))
    if system:
        messages.append({"role": "system", "content": system})
    for turn in turns:
        if not isinstance(turn, dict):
            return None
        role = SHAREGPT_ROLES.get(str(turn.get("from", turn.get("role", ""))).strip().lower())
        if role is None:
            return None
        messages.append({"role": role, "content": text_of(turn.get("value", turn.get("content")))})
    return messages


def _from_messages(record: dict, result: ConvertResult) -> list[dict] | None:
    messages = next((v for k, v in record.items() if normalize_name(k) == "messages"), None)
    if not isinstance(messages, list) or not all(isinstance(m, dict) for m in messages):
        return []
    return [dict(m) for m in messages]


_SHAPES: dict[str, Callable[[dict, ConvertResult], list[dict] | None]] = {
    "table": _from_table, "alpaca": _from_alpaca, "sharegpt": _from_sharegpt,
    "messages": _from_messages,
}


def _complete(messages: list[dict]) -> bool:
    """At least one user and one assistant message, none of them empty."""
    roles = {m.get("role") for m in messages}
    has_text = all(text_of(m.get("content")) or m.get("tool_calls") for m in messages
                   if m.get("role") in ("user", "assistant"))
    return {"user", "assistant"} <= roles and has_text


def _with_extras(record: dict, messages: list[dict], shape: str) -> dict:
    if shape != "messages":
        return {"messages": messages}
    out = {k: v for k, v in record.items() if normalize_name(k) != "messages"}
    return {"messages": messages, **out}


# ---- text classification


def _to_textcls(table: Table, options: ConvertOptions, result: ConvertResult) -> Iterator[dict]:
    text = column_for(table, "text", options.text_col, "--text-col")
    label = column_for(table, "label", options.label_col, "--label-col", exclude=[text])
    result.columns = {"text": text, "label": label}
    for line, record in table.records:
        pair = {"text": text_of(record.get(text)), "label": text_of(record.get(label))}
        if not pair["text"] or not pair["label"]:
            result.skipped_empty.append(line)
            continue
        yield pair


def _to_preference(table: Table, options: ConvertOptions, result: ConvertResult) -> Iterator[dict]:
    from afinar.data.preference_convert import to_preference  # it builds on this module's helpers

    return to_preference(table, options, result)


_TARGETS: dict[str, Callable[[Table, ConvertOptions, ConvertResult], Iterator[dict]]] = {
    "chat": _to_chat, "text-classification": _to_textcls, "preference": _to_preference,
}
TARGETS = tuple(_TARGETS)


# ---- shared


def column_for(table: Table, role: str, given: str | None, flag: str,
            exclude: tuple[str | None, ...] | list[str | None] = ()) -> str:
    """The column for ``role``: the one named with ``flag`` (exact, then ignoring case/accents) or a
    recognized name; AfinarError listing the columns when there is none."""
    if given is not None:
        match = given if given in table.columns else next(
            (c for c in table.columns if normalize_name(c) == normalize_name(given)), None)
    else:
        match = find_column(table.columns, role, exclude=[e for e in exclude if e])
    if match is None:
        raise AfinarError("convert.missing_column", role=problem(f"convert.role.{role}"),
                          columns=", ".join(map(str, table.columns)) or "—", flag=flag)
    return match


def text_of(value: Any) -> str:
    """A cell or field as message text: strings stripped, 3.0 → "3", lists/objects as JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _write_jsonl(path: Path, rows: Iterator[dict]) -> int:
    def lines() -> Iterator[str]:
        for row in rows:
            yield json.dumps(row, ensure_ascii=False) + "\n"

    return write_atomic(path, lines())


def _write_csv(path: Path, rows: Iterator[dict]) -> int:
    import io

    def lines() -> Iterator[str]:
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(["text", "label"])
        yield buf.getvalue()
        for row in rows:
            buf.seek(0)
            buf.truncate()
            writer.writerow([row["text"], row["label"]])
            yield buf.getvalue()

    return write_atomic(path, lines(), header=1)


def write_atomic(path: Path, lines: Iterable[str], header: int = 0) -> int:
    """Write ``lines`` (UTF-8) to ``path`` through a temporary file, so an error leaves no half-written
    output; returns how many were written, less ``header``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    count = 0
    try:
        with open(tmp, "w", encoding="utf-8", newline="") as fh:
            for text in lines:
                fh.write(text)
                count += 1
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return count - header
