"""Validation of chat fine-tuning data (OpenAI's JSONL format), streamed in one pass.

Text-level problems come from ``records.iter_records``, one example's schema from
``chat_schema.check_example``; this module adds the dataset-level checks: size, duplicates
(by a hash of the messages, so memory stays small), token limits and consistent structure.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import msgspec

from afinar.data.chat_schema import PLAIN_DECODER, PlainExample, check_example, check_plain
from afinar.data.findings import ERROR, WARNING, Report
from afinar.data.records import iter_records
from afinar.data.tokens import DEFAULT_MAX_TOKENS, TokenCounter, load_tokenizer
from afinar.data.validate import ValidateOptions, register_validator


class _DatasetState:
    """Totals gathered in the single pass (kept as plain fields for the report's stats)."""

    def __init__(self) -> None:
        self.with_system = self.without_system = 0
        self.first_without = 0
        self.messages = self.tokens = self.max_example_tokens = self.duplicates = 0
        self.min_messages = 0
        self.max_messages = 0


@register_validator("chat")
def validate_chat(path: Path, options: ValidateOptions, report: Report) -> None:
    counter = load_tokenizer(options.tokenizer) if options.tokenizer else None
    limit = options.max_tokens or (DEFAULT_MAX_TOKENS if counter else None)
    if os.path.getsize(path) == 0:
        report.add(0, "empty_file")
    with open(path, "rb") as fh:
        state, examples = _scan(fh, report, counter, limit)
    report.examples = examples
    _dataset_checks(report, options, state, examples)
    report.stats = _stats(state, examples, counter)


def _scan(fh: Any, report: Report, counter: TokenCounter | None,
          limit: int | None) -> tuple[_DatasetState, int]:
    """The hot loop: everything in locals, one pass, constant memory but for the hash table."""
    add = report.add
    seen: dict[int, int] = {}
    examples = duplicates = with_system = without_system = first_without = 0
    n_messages = total_tokens = max_tokens = max_messages = 0
    min_messages = 1 << 30
    for record in iter_records(fh, add, fast=PLAIN_DECODER):
        examples += 1
        value, line = record.value, record.line
        if type(value) is PlainExample:
            info = check_plain(value, line, add)
            if counter is not None:
                value = msgspec.to_builtins(value)
        else:
            info = check_example(value, line, add)
        if info is None:
            continue
        has_system, chars, messages, key = info
        first = seen.setdefault(key, line)
        if first != line:
            duplicates += 1
            add(line, "duplicate_example", first_line=first)
        n_messages += messages
        if messages > max_messages:
            max_messages = messages
        if messages < min_messages:
            min_messages = messages
        if has_system:
            with_system += 1
        else:
            without_system += 1
            first_without = first_without or line
        # approx_tokens inlined (this loop is the benchmark's hot path): ceil(chars / 2.5) + 5/message
        tokens = counter.count_example(value) if counter else (chars * 2 + 4) // 5 + 5 * messages
        total_tokens += tokens
        if tokens > max_tokens:
            max_tokens = tokens
        if limit is not None and tokens > limit:
            add(line, "too_many_tokens", tokens=tokens, limit=limit, approx="" if counter else "≈")
    state = _DatasetState()
    state.with_system, state.without_system, state.first_without = with_system, without_system, first_without
    state.messages, state.tokens, state.max_example_tokens = n_messages, total_tokens, max_tokens
    state.duplicates, state.max_messages = duplicates, max_messages
    state.min_messages = min_messages if with_system + without_system else 0
    return state, examples


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
            "min": state.min_messages,
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
