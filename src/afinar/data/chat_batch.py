"""The totals of a chat dataset, gathered one example or one batch of clean lines at a time.

A batch (``jsonl_batches.Batch`` of ``PlainExample`` values) is counted with builtins that loop
in C over whole lists (``map``, ``accumulate``, ``compress``), not with Python code per example.
Only the examples that may have a finding (a blank text, no assistant message last) go through
``check_plain`` one by one, in line order, so a batch reports exactly what its examples would
report one at a time (tests/unit/test_property.py checks it on whole files).
"""

from __future__ import annotations

from bisect import bisect_right
from itertools import accumulate, chain, compress, count, repeat
from operator import add, attrgetter, floordiv, is_not, itemgetter, mul, not_, sub
from collections.abc import Sequence
from typing import Any

from afinar.data.chat_schema import (AddFinding, AssistantMessage, ExampleInfo, PlainExample,
                                     SystemMessage, check_example, check_plain)
from afinar.data.chat_tools import ToolExample, ToolsDecoder, check_tools
from afinar.data.duplicates import NO_KEY, DuplicateFinder

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

    def check(self, value: Any, line: int) -> ExampleInfo | None:
        """The schema findings of one decoded value (typed or general) and its info."""
        kind = type(value)
        if kind is PlainExample:
            return check_plain(value, line, self.add)
        if kind is ToolExample:
            return check_tools(value, line, self.add, self.tools)
        return check_example(value, line, self.add)

    def count_one(self, info: ExampleInfo, line: int, tokens: int, keep_key: bool = True) -> None:
        """One usable example (``tokens``: its tokenizer count or approximation)."""
        has_system, _, messages, key = info
        if keep_key:
            self.duplicates.add(key, line)
        self.usable += 1
        self.messages += messages
        self.max_messages = max(self.max_messages, messages)
        self.min_messages = min(self.min_messages, messages)
        if has_system:
            self.with_system += 1
        elif not self.first_without or line < self.first_without:
            self.first_without = line
        self.tokens += tokens
        self.max_example_tokens = max(self.max_example_tokens, tokens)
        if self.limit is not None and tokens > self.limit:
            self.add(line, "too_many_tokens", tokens=tokens, limit=self.limit, approx=self.approx)

    def count_batch(self, values: list[Any], line: int, records: list[tuple[int, Any]] = ()) -> None:
        """The examples of consecutive lines from ``line``: ``values[i]`` is line + i's decoded
        value, or None where ``records`` holds what the general reader made of that line (a
        Record, or None for no example). Counted with approximate tokens; findings in line order."""
        if records:
            good_at = list(compress(count(), values))  # typed values are truthy, holes None
            good = list(map(values.__getitem__, good_at))
        else:
            good_at, good = None, values
        if not good or not all(map(PlainExample.__instancecheck__, good)) or not all(map(_messages, good)):
            self._count_each(values, line, dict(records))  # tool calls, empty lists: one by one
            return
        self.examples += len(good)
        suspects, tokens, without = self._count_plain(good)
        at = (lambda k: line + k) if good_at is None else (lambda k: line + good_at[k])
        if without >= 0:
            self._without(at(without))
        limit = self.limit
        over = [] if limit is None or max(tokens) <= limit else list(compress(count(), map(limit.__lt__, tokens)))
        if not records:
            self.duplicates.add_run(map(hash, values), line)
            for k in suspects:
                check_plain(values[k], line + k, self.add)
            for k in over:  # in line order
                self.add(line + k, "too_many_tokens", tokens=tokens[k], limit=limit, approx="≈")
            return
        keys = list(map(hash, values))
        todo: dict[int, Any] = dict(records)
        for k in chain(suspects, over):
            todo[good_at[k]] = k
        suspect = set(suspects)
        for i in sorted(todo):  # the records' findings and the batch's, merged in line order
            item = todo[i]
            if type(item) is int:
                if item in suspect:
                    suspect.discard(item)
                    check_plain(good[item], line + i, self.add)
                if limit is not None and tokens[item] > limit:
                    self.add(line + i, "too_many_tokens", tokens=tokens[item], limit=limit, approx="≈")
            else:
                keys[i] = self._count_record(item, line + i)
        self.duplicates.add_run(keys, line)

    def _count_record(self, record: Any, line: int) -> int:
        """A line the general reader read (None: no example there); its duplicate key or NO_KEY."""
        if record is None:
            return NO_KEY
        self.examples += 1
        info = self.check(record.value, line)
        if info is None:
            return NO_KEY
        self.count_one(info, line, approx_tokens(info), keep_key=False)
        return info.key

    def _count_each(self, values: list[Any], line: int, records: dict[int, Any]) -> None:
        """One example at a time (each tool-calling line is long: the checks cost little beside its parse)."""
        keys = []
        for i, value in enumerate(values):
            if value is None:
                keys.append(self._count_record(records[i], line + i))
                continue
            self.examples += 1
            info = self.check(value, line + i)
            if info is None:
                keys.append(NO_KEY)
                continue
            self.count_one(info, line + i, approx_tokens(info), keep_key=False)
            keys.append(info.key)
        self.duplicates.add_run(keys, line)

    def _without(self, line: int) -> None:
        if not self.first_without or line < self.first_without:
            self.first_without = line

    def _count_plain(self, values: list[Any]) -> tuple[list[int], list[int], int]:
        """Counts PlainExamples (each with at least one message); returns the indices of those
        that may have a finding (in order), every one's approximate tokens, and the index of the
        first without a system message (-1 if none)."""
        messages = list(map(_messages, values))
        counts = list(map(len, messages))
        contents = list(map(_content, chain.from_iterable(messages)))
        n, m = len(values), counts[0]
        same = counts.count(m) == n  # most files have one shape: as many messages in every example
        ends = range(m, m * n + 1, m) if same else list(accumulate(counts))
        suspects = _suspects(messages, contents, ends)
        self.usable += n
        self.messages += ends[-1]
        self.max_messages = max(self.max_messages, max(counts))
        self.min_messages = min(self.min_messages, min(counts))
        firsts = list(map(type, map(_first, messages)))
        with_system = firsts.count(SystemMessage)
        self.with_system += with_system
        without = -1
        if with_system < n:
            without = next(compress(count(), map(is_not, firsts, repeat(SystemMessage))))
        # approx_tokens per example: ceil(chars / 2.5) + 5 per message = (2 chars + 25 messages + 4) // 5,
        # chars summed per example from the texts' lengths
        lengths = list(map(len, contents))
        if same:
            chars = lengths[0::m]
            for j in range(1, m):
                chars = map(add, chars, lengths[j::m])
            weights = map(add, map(mul, chars, repeat(2)), repeat(25 * m + 4))
        else:
            running = list(accumulate(lengths, initial=0))
            at_ends = list(map(running.__getitem__, ends))
            chars = map(sub, at_ends, chain((0,), at_ends))
            weights = map(add, map(add, map(mul, chars, repeat(2)), map(mul, counts, repeat(25))), repeat(4))
        tokens = list(map(floordiv, weights, repeat(5)))
        self.tokens += sum(tokens)
        self.max_example_tokens = max(self.max_example_tokens, max(tokens))
        return suspects, tokens, without


def _suspects(messages: list[tuple], contents: list[str], ends: Sequence[int]) -> list[int]:
    """The examples that may have a finding (a blank text, no assistant message last), in order."""
    lasts = list(map(type, map(_last, messages)))
    suspects = set()
    if lasts.count(AssistantMessage) < len(lasts):
        suspects.update(compress(count(), map(is_not, lasts, repeat(AssistantMessage))))
    if not all(contents) or any(map(str.isspace, contents)):
        blank = chain(compress(count(), map(not_, contents)), compress(count(), map(str.isspace, contents)))
        if type(ends) is range:  # as many messages in every example: the k-th text is in example k // m
            suspects.update(map(floordiv, blank, repeat(ends.step)))
        else:
            suspects.update(bisect_right(ends, k) for k in blank)
    return sorted(suspects)


def approx_tokens(info: ExampleInfo) -> int:
    """ceil(chars / 2.5) + 5 per message (the estimate without a tokenizer)."""
    return (info.chars * 2 + 4) // 5 + 5 * info.messages
