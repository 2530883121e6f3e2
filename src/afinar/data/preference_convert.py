"""``afinar data convert --to preference``: prompt/chosen/rejected records → OpenAI's DPO format.

What each input record becomes:
- a table row (CSV, Excel, Parquet, flat JSON) with a prompt column (``--user-col`` or the chat
  names: prompt, pregunta, question, input...), a chosen column (``--chosen-col`` or chosen,
  preferred, elegida, preferida, mejor...) and a rejected one (``--rejected-col`` or rejected,
  rechazada, no_preferida, peor...); ``--system TEXT`` or a system column adds a system message;
- TRL's conversational records, where ``chosen``/``rejected`` are lists of messages: with a
  ``prompt`` list (or text) the lists hold the answer; without one, the messages both lists share
  are the prompt and what follows is each answer;
- records already in OpenAI's format (``preferred_output``) are kept as they are.

Example: the row ``prompt="¿Precio del iPhone 15?", chosen="$799.", rejected="It costs 899."`` becomes
``{"input": {"messages": [{"role": "user", "content": "¿Precio del iPhone 15?"}]},
"preferred_output": [{"role": "assistant", "content": "$799."}],
"non_preferred_output": [{"role": "assistant", "content": "It costs 899."}]}``.
Rows with an empty prompt or answer, or two identical answers, are skipped and listed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from afinar.data.columns import find_column, normalize_name
from afinar.data.convert import ConvertOptions, ConvertResult, column_for, text_of
from afinar.data.preference import same_answer
from afinar.data.tables import Table


def to_preference(table: Table, options: ConvertOptions, result: ConvertResult) -> Iterator[dict]:
    if "preferred_output" in {normalize_name(c) for c in table.columns}:
        result.shape = "preference"
        yield from (record for _, record in table.records)
        return
    chosen = column_for(table, "chosen", options.chosen_col, "--chosen-col")
    rejected = column_for(table, "rejected", options.rejected_col, "--rejected-col", exclude=[chosen])
    prompt = _prompt_column(table, options, [chosen, rejected])
    system = find_column(table.columns, "system", exclude=[c for c in (prompt, chosen, rejected) if c])
    result.columns = {k: v for k, v in (("prompt", prompt), ("chosen", chosen), ("rejected", rejected),
                                         ("system", system)) if v}
    result.shape = "table"
    for line, record in table.records:
        parts = _pair(record.get(prompt) if prompt else None, record.get(chosen), record.get(rejected))
        if parts is None:
            result.skipped_roles.append(line)
            continue
        messages, good, bad = parts
        if not messages or not _answer(good) or not _answer(bad) or same_answer(good, bad) or \
                not text_of(messages[-1].get("content")):
            result.skipped_empty.append(line)
            continue
        if type(record.get(chosen)) is list:
            result.shape = "trl"
        system_text = options.system if options.system is not None else text_of(record.get(system or ""))
        if system_text and messages[0].get("role") != "system":
            messages.insert(0, {"role": "system", "content": system_text})
        yield {"input": {"messages": messages}, "preferred_output": [good],
               "non_preferred_output": [bad]}


def _prompt_column(table: Table, options: ConvertOptions, exclude: list[str]) -> str | None:
    """The prompt column; None only for TRL's implicit prompt (no prompt, answers are lists)."""
    if options.user_col is None and find_column(table.columns, "user", exclude=exclude) is None and \
            all(type(r.get(exclude[0])) is list for _, r in table.records[:20]):
        return None
    return column_for(table, "user", options.user_col, "--user-col", exclude=exclude)


def _pair(prompt: Any, chosen: Any, rejected: Any) -> tuple[list[dict], dict, dict] | None:
    """(input messages, preferred answer, non-preferred answer); None for malformed message lists."""
    if prompt is None and type(chosen) is list and type(rejected) is list:  # TRL's implicit prompt
        shared = 0
        while shared < min(len(chosen), len(rejected)) - 1 and chosen[shared] == rejected[shared]:
            shared += 1
        prompt, chosen, rejected = chosen[:shared], chosen[shared:], rejected[shared:]
    messages = _messages(prompt, "user")
    good, bad = _messages(chosen, "assistant"), _messages(rejected, "assistant")
    if messages is None or good is None or bad is None:
        return None
    if len(good) != 1 or len(bad) != 1 or good[0].get("role") != "assistant" or \
            bad[0].get("role") != "assistant":
        return None
    return messages, good[0], bad[0]


def _messages(value: Any, role: str) -> list[dict] | None:
    """A cell as messages: text (even empty) becomes one message of ``role``; a list of messages
    is kept; None for a list that is not of messages."""
    if type(value) is list:
        if not all(type(m) is dict and "role" in m for m in value):
            return None
        return [dict(m) for m in value]
    return [{"role": role, "content": text_of(value)}]


def _answer(message: dict) -> bool:
    return bool(text_of(message.get("content")) or message.get("tool_calls"))
