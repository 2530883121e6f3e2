"""Dataset statistics: sizes, messages, token distribution, roles, labels, duplicates.

Token counts use the base model's tokenizer when given, else the documented approximation
(``afinar.data.tokens``). Percentiles are nearest-rank.
"""

from __future__ import annotations

from array import array
from collections import Counter
from pathlib import Path
from typing import Any

from afinar.data.chat_schema import check_example
from afinar.data.records import iter_records
from afinar.data.tokens import TokenCounter, approx_tokens
from afinar.errors import AfinarError


def percentiles(values: array | list, points: tuple[int, ...] = (50, 90)) -> dict[str, int | float]:
    """min, the given nearest-rank percentiles, max and mean of ``values`` (zeros when empty)."""
    if not values:
        return {"min": 0, **{f"p{p}": 0 for p in points}, "max": 0, "mean": 0}
    ordered = sorted(values)
    n = len(ordered)
    out: dict[str, int | float] = {"min": ordered[0]}
    for p in points:
        out[f"p{p}"] = ordered[max(0, -(-p * n // 100) - 1)]
    out["max"] = ordered[-1]
    out["mean"] = round(sum(ordered) / n, 1)
    return out


def chat_stats(path: str | Path, counter: TokenCounter | None = None) -> dict[str, Any]:
    path = Path(path)
    if not path.is_file():
        raise AfinarError("common.file_not_found", path=str(path))
    tokens, assistant_tokens, messages = array("I"), array("I"), array("I")
    roles: Counter[str] = Counter()
    seen: set[int] = set()
    duplicates = records = with_system = 0

    def ignore(*args: Any, **kwargs: Any) -> None:
        return None

    with open(path, "rb") as fh:
        for record in iter_records(fh, ignore, check_mojibake=False):
            records += 1
            info = check_example(record.value, record.line, ignore)
            if info is None:
                continue
            key = info.key
            duplicates += key in seen
            seen.add(key)
            with_system += info.has_system
            msgs = [m for m in record.value["messages"] if type(m) is dict]
            roles.update(str(m.get("role")) for m in msgs)
            messages.append(len(msgs))
            tokens.append(counter.count_example(record.value) if counter
                          else approx_tokens(info.chars, info.messages))
            assistant_tokens.append(sum(_message_tokens(m, counter) for m in msgs
                                        if m.get("role") == "assistant" and m.get("weight", 1) != 0))
    return {
        "file": str(path),
        "task": "chat",
        "records": records,
        "examples": len(tokens),
        "messages_per_example": percentiles(messages),
        "tokens_per_example": percentiles(tokens),
        "total_tokens": int(sum(tokens)),
        "trainable_assistant_tokens": int(sum(assistant_tokens)),
        "roles": dict(roles.most_common()),
        "with_system_message": with_system,
        "duplicates": duplicates,
        "token_method": counter.source if counter else "approximate",
    }


def _message_tokens(message: dict, counter: TokenCounter | None) -> int:
    content = message.get("content")
    if type(content) is list:
        content = " ".join(p.get("text", "") for p in content if type(p) is dict)
    text = content if type(content) is str else ""
    return counter.count_text(text) if counter else approx_tokens(len(text))
