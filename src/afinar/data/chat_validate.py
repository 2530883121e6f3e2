"""Validation of chat fine-tuning data (OpenAI's JSONL format), streamed in one pass.

Text-level problems come from the JSONL readers (``jsonl_batches``, ``records``), one example's
schema from ``chat_schema``; the totals and duplicates (by a hash of the messages, 8 bytes an
example) from ``chat_batch``. This module adds the dataset-level checks: size, token limits and
consistent structure.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import msgspec

from afinar.data.chat_batch import ChatTotals, approx_tokens
from afinar.data.chat_schema import DECODE_ERRORS, PLAIN_DECODE, PlainExample
from afinar.data.chat_tools import ToolsDecoder
from afinar.data.findings import Report
from afinar.data.jsonl_batches import Batch, iter_batches
from afinar.data.records import iter_records
from afinar.data.tokens import DEFAULT_MAX_TOKENS, TokenCounter, load_tokenizer
from afinar.data.validate import ValidateOptions, check_example_count, register_validator


@register_validator("chat")
def validate_chat(path: Path, options: ValidateOptions, report: Report) -> None:
    counter = load_tokenizer(options.tokenizer) if options.tokenizer else None
    limit = options.max_tokens or (DEFAULT_MAX_TOKENS if counter else None)
    if os.path.getsize(path) == 0:
        report.add(0, "empty_file")
    with open(path, "rb") as fh:
        totals = _scan(fh, report, counter, limit)
    report.examples = totals.examples
    _dataset_checks(report, options, totals)
    report.stats = _stats(totals, counter)


def _scan(fh: Any, report: Report, counter: TokenCounter | None, limit: int | None,
          fast: bool = True) -> ChatTotals:
    """One pass: clean lines in batches (``jsonl_batches``), the others one record at a time.
    ``fast=False`` reads every line with the general path only (tests compare the two)."""
    add = report.add
    tools = ToolsDecoder()
    totals = ChatTotals(add, limit, "" if counter else "≈", tools)
    if fast and counter is None:
        items = iter_batches(fh, add, ([PLAIN_DECODE, tools], DECODE_ERRORS))
    else:  # a tokenizer counts dicts: only plain examples convert back to one cheaply
        items = iter_records(fh, add, fast=([PLAIN_DECODE], DECODE_ERRORS) if fast else None)
    count_batch = totals.count_batch
    for item in items:
        if type(item) is Batch:
            count_batch(item.values, item.line, item.records)
        else:
            _count_record(totals, item.value, item.line, counter)
    duplicates = totals.duplicates.duplicates()
    for line, first in duplicates:
        add(line, "duplicate_example", first_line=first)
    totals.duplicate_count = len(duplicates)
    return totals


def _count_record(totals: ChatTotals, value: Any, line: int, counter: TokenCounter | None) -> None:
    totals.examples += 1
    info = totals.check(value, line)
    if counter is not None and type(value) is PlainExample:
        value = msgspec.to_builtins(value)
    if info is not None:
        totals.count_one(info, line, counter.count_example(value) if counter else approx_tokens(info))


def _dataset_checks(report: Report, options: ValidateOptions, state: ChatTotals) -> None:
    check_example_count(report, options, state.examples)
    without_system = state.usable - state.with_system
    if state.with_system and without_system:
        report.add(0, "inconsistent_structure", with_system=state.with_system,
                   without_system=without_system, first_without=state.first_without)


def _stats(state: ChatTotals, counter: TokenCounter | None) -> dict[str, Any]:
    examples, usable = state.examples, state.usable
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
        "duplicates": state.duplicate_count,
        "tokens": {
            "total": state.tokens,
            "max_per_example": state.max_example_tokens,
            "method": counter.source if counter else "approximate",
        },
    }
