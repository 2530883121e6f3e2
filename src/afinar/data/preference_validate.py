"""Validation of preference data (OpenAI's DPO format), streamed in one pass.

Text-level problems come from the JSONL reader (``records``), one pair's schema from
``preference.check_pair`` (which checks the messages with the chat schema); duplicates are found
by a hash of the pair (8 bytes a pair, ``duplicates``). The dataset-level checks are chat's: the
same minimum and recommended sizes, and a pair is too long when its prompt plus its longer answer
is over the token limit (the longer of the two sequences a DPO step feeds the model).
"""

from __future__ import annotations

import os
from array import array
from pathlib import Path
from typing import Any

from afinar.data.duplicates import DuplicateFinder
from afinar.data.findings import Report
from afinar.data.preference import PairInfo, check_pair, pair_tokens
from afinar.data.records import iter_records
from afinar.data.stats import percentiles
from afinar.data.tokens import DEFAULT_MAX_TOKENS, TokenCounter, load_tokenizer
from afinar.data.validate import ValidateOptions, check_example_count, register_validator

_TABULAR = {".csv", ".tsv", ".tab", ".xlsx", ".xls", ".parquet"}


class PairTotals:
    """Counters and per-pair token counts (4 bytes each) for the report's stats."""

    def __init__(self) -> None:
        self.examples = self.usable = self.with_system = self.identical = 0
        self.duplicates = DuplicateFinder()
        self.duplicate_count = 0
        self.prompt, self.preferred, self.rejected, self.pair = (array("I") for _ in range(4))


@register_validator("preference")
def validate_preference(path: Path, options: ValidateOptions, report: Report) -> None:
    if path.suffix.lower() in _TABULAR:  # prompt/chosen/rejected columns: say how to convert
        report.add(0, "preference_columns", keys=_header(path))
        return
    counter = load_tokenizer(options.tokenizer) if options.tokenizer else None
    limit = options.max_tokens or (DEFAULT_MAX_TOKENS if counter else None)
    if os.path.getsize(path) == 0:
        report.add(0, "empty_file")
    totals = PairTotals()
    with open(path, "rb") as fh:
        for record in iter_records(fh, report.add):
            totals.examples += 1
            info = check_pair(record.value, record.line, _Counting(report.add, totals))
            if info is not None:
                _count(totals, info, record.value, record.line, report, counter, limit)
    for line, first in totals.duplicates.duplicates():
        report.add(line, "duplicate_example", first_line=first)
        totals.duplicate_count += 1
    report.examples = totals.examples
    _dataset_checks(report, options, totals)
    report.stats = _stats(totals, counter)


class _Counting:
    """``report.add`` that also counts the pairs with identical answers (for the stats)."""

    def __init__(self, add: Any, totals: PairTotals):
        self.add, self.totals = add, totals

    def __call__(self, line: int, code: str, *args: Any, **params: Any) -> None:
        if code == "identical_outputs":
            self.totals.identical += 1
        self.add(line, code, *args, **params)


def _count(totals: PairTotals, info: PairInfo, value: dict, line: int, report: Report,
           counter: TokenCounter | None, limit: int | None) -> None:
    totals.usable += 1
    totals.with_system += info.has_system
    totals.duplicates.add(info.key, line)
    prompt, preferred, rejected = pair_tokens(info, value, counter)
    tokens = prompt + max(preferred, rejected)
    totals.prompt.append(prompt)
    totals.preferred.append(preferred)
    totals.rejected.append(rejected)
    totals.pair.append(tokens)
    if limit is not None and tokens > limit:
        report.add(line, "too_many_tokens", tokens=tokens, limit=limit, approx="" if counter else "≈")


def _header(path: Path) -> str:
    """The first line of a CSV/TSV (its column names), else the file's suffix."""
    if path.suffix.lower() not in (".csv", ".tsv", ".tab"):
        return path.suffix.lower()
    with open(path, "rb") as fh:
        return fh.readline(512).decode("utf-8", "replace").lstrip("\ufeff").strip() or "—"


def _dataset_checks(report: Report, options: ValidateOptions, totals: PairTotals) -> None:
    check_example_count(report, options, totals.examples)


def _stats(totals: PairTotals, counter: TokenCounter | None) -> dict[str, Any]:
    return {
        "examples": totals.examples,
        "usable_examples": totals.usable,
        "with_system_message": totals.with_system,
        "duplicates": totals.duplicate_count,
        "identical_outputs": totals.identical,
        "pair_tokens": percentiles(totals.pair),
        "prompt_tokens": percentiles(totals.prompt),
        "preferred_tokens": percentiles(totals.preferred),
        "non_preferred_tokens": percentiles(totals.rejected),
        "total_tokens": int(sum(totals.prompt) + sum(totals.preferred) + sum(totals.rejected)),
        "token_method": counter.source if counter else "approximate",
    }
