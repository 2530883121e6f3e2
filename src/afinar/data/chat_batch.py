"""The totals of a chat dataset, gathered one example or one batch of clean lines at a time.

A batch (``jsonl_batches.Batch`` of ``PlainExample`` values) is counted with builtins that loop
in C over whole lists (``map``, ``accumulate``, ``compress``), not with Python code per example.
Only the examples that may have a finding (a blank text, no assistant message last) go through
``check_plain`` one by one, in line order, so a batch reports exactly what its examples would
report one at a time (tests/unit/test_property.py checks it on whole files).
"""

from __future__ import annotations

from bisect import bisect_right
from itertools import accumulate, chain, compress, count, groupby, repeat
from operator import add, attrgetter, floordiv, is_not, itemgetter, mul, not_, sub
from typing import Any

from afinar.data.chat_schema import (AddFinding, AssistantMessage, ExampleInfo, PlainExample,
                                     SystemMessage, check_plain)
from afinar.data.chat_tools import ToolsDecoder, check_tools
from afinar.data.duplicates import DuplicateFinder

_messages = attrgetter("messages")
_content = attrgetter("content")
_first = itemgetter(0)
_last = itemgetter(-1)


class ChatTotals:
    """What the dataset-level checks and the report's stats need, as plain counters."""

    def __init__(self, add: AddFinding, limit: int | None, approx: str = "≈",
                 tools: ToolsDecoder | None = None) -> None:
        self.add, self.limit, self.approx = add, limit, approx  # approx: "≈" unless a tokenizer counts
        self.tools = tools or ToolsDecoder()  # knows the ``tools`` of ToolExamples
        self.examples = self.usable = self.with_system = self.first_without = 0
        self.messages = self.tokens = self.max_example_tokens = self.max_messages = 0
        self.min_messages = 1 << 30
        self.duplicates = DuplicateFinder()
        self.duplicate_count = 0  # set once the duplicates are resolved, at the end

    def count_one(self, info: ExampleInfo, line: int, tokens: int) -> None:
        """One usable example (``tokens``: its tokenizer count or approximation)."""
        has_system, _, messages, key = info
        self.duplicates.add(key, line)
        self.usable += 1
        self.messages += messages
        self.max_messages = max(self.max_messages, messages)
        self.min_messages = min(self.min_messages, messages)
        if has_system:
            self.with_system += 1
        elif not self.first_without:
            self.first_without = line
        self.tokens += tokens
        self.max_example_tokens = max(self.max_example_tokens, tokens)
        if self.limit is not None and tokens > self.limit:
            self.add(line, "too_many_tokens", tokens=tokens, limit=self.limit, approx=self.approx)

    def count_batch(self, values: list[Any], line: int) -> None:
        """Examples of consecutive lines from ``line`` (PlainExamples, ToolExamples or runs of
        both), counted with approximate tokens."""
        kind = type(values[0])
        if kind is not PlainExample or not all(map(PlainExample.__instancecheck__, values)):
            start = 0
            for kind, run in groupby(values, type):
                run = list(run)
                if kind is PlainExample:
                    self._count_plain(run, line + start)
                else:
                    self._count_tools(run, line + start)
                start += len(run)
            return
        self._count_plain(values, line)

    def _count_tools(self, values: list[Any], line: int) -> None:
        """ToolExamples, one at a time (each line is long: the checks cost little beside the parse)."""
        self.examples += len(values)
        add, tools, count_one = self.add, self.tools, self.count_one
        for i, value in enumerate(values, line):
            info = check_tools(value, i, add, tools)
            if info is not None:
                count_one(info, i, approx_tokens(info))

    def _count_plain(self, values: list[Any], line: int) -> None:
        """PlainExamples of consecutive lines from ``line``."""
        self.examples += len(values)
        messages = list(map(_messages, values))
        counts = list(map(len, messages))
        if 0 in counts:  # an empty list is not usable: count these one by one (rare)
            for i, value in enumerate(values):
                info = check_plain(value, line + i, self.add)
                if info is not None:
                    self.count_one(info, line + i, approx_tokens(info))
            return
        contents = list(map(_content, chain.from_iterable(messages)))
        ends = list(accumulate(counts))
        self._check_suspects(values, line, messages, contents, ends)
        n, total_messages = len(values), ends[-1]
        self.duplicates.add_run(map(hash, values), line)
        self.usable += n
        self.messages += total_messages
        self.max_messages = max(self.max_messages, max(counts))
        self.min_messages = min(self.min_messages, min(counts))
        firsts = list(map(type, map(_first, messages)))
        with_system = firsts.count(SystemMessage)
        self.with_system += with_system
        if with_system < n and not self.first_without:
            self.first_without = line + next(compress(count(), map(is_not, firsts, repeat(SystemMessage))))
        # approx_tokens per example: ceil(chars / 2.5) + 5 per message, with chars summed per
        # example from running totals over all the texts
        running = list(accumulate(map(len, contents), initial=0))
        at_ends = list(map(running.__getitem__, ends))
        chars = map(sub, at_ends, chain((0,), at_ends))
        tokens = list(map(add, map(floordiv, map(add, map(mul, chars, repeat(2)), repeat(4)), repeat(5)),
                          map(mul, counts, repeat(5))))
        self.tokens += sum(tokens)
        most = max(tokens)
        self.max_example_tokens = max(self.max_example_tokens, most)
        limit = self.limit
        if limit is not None and most > limit:
            for i in compress(count(), map(limit.__lt__, tokens)):  # in line order
                self.add(line + i, "too_many_tokens", tokens=tokens[i], limit=limit, approx="≈")

    def _check_suspects(self, values: list[Any], line: int, messages: list[tuple],
                        contents: list[str], ends: list[int]) -> None:
        """Run ``check_plain`` (for its findings) on the examples that may have one, in order."""
        suspects = set(compress(count(), map(is_not, map(type, map(_last, messages)),
                                             repeat(AssistantMessage))))
        if not all(contents) or any(map(str.isspace, contents)):
            blank = chain(compress(count(), map(not_, contents)), compress(count(), map(str.isspace, contents)))
            suspects.update(bisect_right(ends, k) for k in blank)
        for i in sorted(suspects):
            check_plain(values[i], line + i, self.add)


def approx_tokens(info: ExampleInfo) -> int:
    """ceil(chars / 2.5) + 5 per message (the estimate without a tokenizer)."""
    return (info.chars * 2 + 4) // 5 + 5 * info.messages
