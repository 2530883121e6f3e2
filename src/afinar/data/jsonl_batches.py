"""JSON Lines read a block at a time, for validators that check many examples at once.

``iter_batches`` reads like ``records.iter_records(fh, add, fast=decoder)`` and reports the same
text-level findings in the same line order, but a block's lines come as one ``Batch`` of typed
values instead of one ``Record`` each; the lines the typed decoders reject are read first, in
order, and come inside the batch as Records, so a few odd lines do not cut it into small ones. Each 64 KB block is split into lines and every line decoded with
``map(decoder, lines)``: no Python code runs per clean line. A line that needs attention (a BOM,
another encoding, a repair, a hint of mojibake, a value the typed decoder rejects, a line too
long) goes through ``records.read_line`` and comes as a Record, exactly as ``iter_records``
gives it.
"""

from __future__ import annotations

from collections.abc import Iterator
from bisect import bisect_right
from itertools import accumulate, repeat
from operator import add
from typing import Any, BinaryIO, NamedTuple

from afinar.data.records import (AddFinding, FastDecoder, LineReader, Record, first_significant_byte,
                                 iter_records, read_line)
from afinar.data.textio import BOM_UTF8, HINT_BYTES, UTF16_BOMS, iter_line_blocks, may_be_mojibake

# Small enough that a block's decoded objects stay in the CPU cache: on the benchmark's files,
# decoding in 1 MB blocks was 1.5-2x slower than in 64 KB ones.
BLOCK_BYTES = 1 << 16


class Batch(NamedTuple):
    line: int  # the line of values[0]; values[i] is at line + i
    values: list[Any]  # the decoder's values, one per line; None for the lines in records
    # (index in values, what read_line made of that line: a Record or None), in line order
    records: list[tuple[int, Record | None]]


def iter_batches(fh: BinaryIO, add: AddFinding, decoder: FastDecoder,
                 check_mojibake: bool = True) -> Iterator[Batch | Record]:
    """Batches of clean lines and Records of the others, in file order (see the module docstring)."""
    head = fh.peek(4)[:4] if hasattr(fh, "peek") else b""
    if head.startswith(UTF16_BOMS) or first_significant_byte(fh) == b"[":
        return iter_records(fh, add, check_mojibake, fast=decoder)
    reader = LineReader(fh, add, check_mojibake, fast=decoder)
    return _batches(reader, _Cursor(reader))


class _Cursor:
    """The file's lines, taken a block's rest at a time (``rest``) or one by one (iteration, as
    ``read_line`` does when it joins a pretty-printed object). Lines a failed join put back on
    ``reader.pending`` come first, as in ``textio.iter_lines``."""

    def __init__(self, reader: LineReader):
        self.reader = reader
        self.blocks = iter_line_blocks(reader.fh, BLOCK_BYTES)
        self.first, self.offset, self.lines, self.pos = 1, 0, [], 0
        self.offsets: list[int] | None = None
        self.loads = 0  # blocks read so far

    def _load(self) -> bool:
        block = next(self.blocks, None)
        if block is None:
            return False
        self.first, self.offset, self.lines = block
        self.pos, self.offsets = 0, None
        self.loads += 1
        self.reader.see_block(self.lines)
        return True

    def rest(self) -> tuple[int, list[bytes | None]] | None:
        """(index in the block, lines) of the lines not yet taken; the cursor stays put."""
        while self.pos >= len(self.lines):
            if not self._load():
                return None
        return self.pos, self.lines[self.pos:] if self.pos else self.lines

    def line(self, index: int) -> tuple[int, int, bytes | None]:
        """(line number, byte offset, bytes) of the block's line ``index``; moves past it."""
        if self.offsets is None:
            lines = self.lines
            self.offsets = [self.offset] if lines[0] is None else list(
                accumulate(map(add, map(len, lines), repeat(1)), initial=self.offset))
        self.pos = index + 1
        return self.first + index, self.offsets[index], self.lines[index]

    def __iter__(self) -> _Cursor:
        return self

    def __next__(self) -> tuple[int, int, bytes | None]:
        pending = self.reader.pending
        if pending:
            return pending.pop()
        while self.pos >= len(self.lines):
            if not self._load():
                raise StopIteration
        return self.line(self.pos)


def _batches(reader: LineReader, cursor: _Cursor) -> Iterator[Batch | Record]:
    pending = reader.pending
    while True:
        while pending:  # lines a failed join put back
            record = read_line(reader, cursor, *pending.pop())
            if record is not None:
                yield record
        rest = cursor.rest()
        if rest is None:
            return
        base, lines = rest
        loads = cursor.loads
        values, odd = _decode(reader.fast, lines, reader.buffer_hinted)
        first = cursor.first + base
        records: list[tuple[int, Record | None]] = []
        for i in odd:
            record = read_line(reader, cursor, *cursor.line(base + i), typed=values[i] is not None)
            if pending and cursor.loads == loads and len(pending) == cursor.pos - (base + i + 1):
                # a join that failed put back the lines it took, all of this block: they are in
                # values already (a cut-off line before complete ones; re-reading them cost a block)
                pending.clear()
                cursor.pos = base + i + 1
            if cursor.pos != base + i + 1 or cursor.loads != loads or pending:
                # it took the lines after it (a pretty-printed object): read on from there
                if i:
                    yield Batch(first, values[:i], records)
                if record is not None:
                    yield record
                break
            values[i] = None
            records.append((i, record))
        else:
            yield Batch(first, values, records)
            cursor.pos = base + len(lines)


def _decode(fast: FastDecoder, lines: list[bytes | None], hinted: bool) -> tuple[list[Any], list[int]]:
    """The decoded value of every line (None where it failed) and the lines for ``read_line``:
    those that failed, those with a hint of mojibake (when the block has one), a BOM."""
    decoders, errors = fast
    if lines[0] is None:  # a line too long comes alone
        return [None], [0]
    values: list[Any] = []
    odd: list[int] = []
    it = iter(lines)
    while True:
        try:
            values.extend(map(decoders[0], it))  # what was decoded before a failure stays in the list
            break
        except errors:
            value = _decode_other(decoders, errors, lines[len(values)])
            if value is None:
                odd.append(len(values))
            values.append(value)
    reader_hints = _hinted_lines(lines) if hinted else []
    if lines[0].startswith(BOM_UTF8):
        reader_hints.append(0)
    if reader_hints:
        odd = sorted(set(odd).union(reader_hints))
    return values, odd


def _decode_other(decoders: list, errors: tuple, line: bytes) -> Any:
    """The line decoded by another of the decoders, which then comes first (files keep a shape
    for long runs of lines); None if none takes it."""
    for k in range(1, len(decoders)):
        try:
            value = decoders[k](line)
        except errors:
            continue
        decoders.insert(0, decoders.pop(k))
        return value
    return None


def _hinted_lines(lines: list[bytes]) -> list[int]:
    """The lines with a hint of mojibake (``may_be_mojibake``), tested one by one only where the
    block holds one of the hint bytes (found by scanning the whole block for each)."""
    block = b"\n".join(lines)
    starts = list(accumulate(map(add, map(len, lines), repeat(1)), initial=0))
    candidates = set()
    for byte in HINT_BYTES:
        at = block.find(byte)
        while at >= 0:
            i = bisect_right(starts, at) - 1
            candidates.add(i)
            at = block.find(byte, starts[i + 1])
    return [i for i in sorted(candidates) if may_be_mojibake(lines[i])]
