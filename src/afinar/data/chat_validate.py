"""Validation of chat fine-tuning data (OpenAI's JSONL format), streamed in one pass.

Text-level problems come from ``records.iter_records``, one example's schema from
``chat_schema.check_example``; this module adds the dataset-level checks: size, duplicates
(by a hash of the messages, so memory stays small), token limits and consistent structure.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import orjson

from afinar.data.chat_schema import check_example
from afinar.data.findings import ERROR, WARNING, Report
from afinar.data.records import iter_records
from afinar.data.tokens import DEFAULT_MAX_TOKENS, TokenCounter, approx_tokens, load_tokenizer
from afinar.data.validate import ValidateOptions, register_validator


def example_key(value: dict) -> int:
    """A hash of an example's messages that ignores formatting (spaces, key quoting)."""
    try:
        return hash(orjson.dumps(value.get("messages")))
    except (orjson.JSONEncodeError, TypeError):  # integers beyond 64 bits from the array path
        return hash(json.dumps(value.get("messages"), sort_keys=False, default=str))


class _DatasetState:
    __slots__ = ("seen", "with_system", "without_system", "first_with", "first_without",
                 "messages", "min_messages", "max_messages", "tokens", "max_example_tokens",
                 "duplicates")

    def __init__(self) -> None:
        self.seen: dict[int, int] = {}
        self.with_system = self.without_system = 0
        self.first_with = self.first_without = 0
        self.messages = self.tokens = self.max_example_tokens = self.duplicates = 0
        self.min_messages = 1 << 30
        self.max_messages = 0


@register_validator("chat")
def validate_chat(path: Path, options: ValidateOptions, report: Report) -> None:
    counter = load_tokenizer(options.tokenizer) if options.tokenizer else None
    limit = options.max_tokens or (DEFAULT_MAX_TOKENS if counter else None)
    if os.path.getsize(path) == 0:
        report.add(0, "empty_file")
    state = _DatasetState()
    add = report.add
    examples = 0
    with open(path, "rb") as fh:
        for record in iter_records(fh, add):
            examples += 1
            info = check_example(record.value, record.line, add)
            if info is None:
                continue
            key = example_key(record.value)
            first = state.seen.setdefault(key, record.line)
            if first != record.line:
                state.duplicates += 1
                add(record.line, "duplicate_example", first_line=first)
            _count(state, info, record.line)
            tokens = counter.count_example(record.value) if counter else approx_tokens(info.chars, info.messages)
            state.tokens += tokens
            if tokens > state.max_example_tokens:
                state.max_example_tokens = tokens
            if limit is not None and tokens > limit:
                add(record.line, "too_many_tokens", tokens=tokens, limit=limit,
                    approx="" if counter else "≈")
    report.examples = examples
    _dataset_checks(report, options, state, examples)
    report.stats = _stats(state, examples, counter)


def _count(state: _DatasetState, info: Any, line: int) -> None:
    state.messages += info.messages
    if info.messages < state.min_messages:
        state.min_messages = info.messages
    if info.messages > state.max_messages:
        state.max_messages = info.messages
    if info.has_system:
        state.with_system += 1
        state.first_with = state.first_with or line
    else:
        state.without_system += 1
        state.first_without = state.first_without or line


def _dataset_checks(report: Report, options: ValidateOptions, state: _DatasetState, examples: int) -> None:
    if examples < options.min_examples:
        report.add(0, "too_few_examples", ERROR, count=examples, minimum=options.min_examples)
    elif examples < options.recommended_examples:
        report.add(0, "too_few_examples", WARNING, count=examples, minimum=options.recommended_examples)
    if state.with_system and state.without_system:
        report.add(0, "inconsistent_structure", with_system=state.with_system,
                   without_system=state.without_system, first_without=state.first_without)


def _stats(state: _DatasetState, examples: int, counter: TokenCounter | None) -> dict[str, Any]:
    usable = state.with_system + state.without_system
    return {
        "examples": examples,
        "usable_examples": usable,
        "messages": state.messages,
        "messages_per_example": {
            "min": state.min_messages if usable else 0,
            "mean": round(state.messages / usable, 2) if usable else 0,
            "max": state.max_messages,
        },
        "with_system_message": state.with_system,
        "duplicates": state.duplicates,
        "tokens": {
            "total": state.tokens,
            "max_per_example": state.max_example_tokens,
            "method": counter.source if counter else "approximate",
        },
    }
