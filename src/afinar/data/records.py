"""Read JSON Lines the way people really write them, reporting text-level problems as it goes.

``iter_records`` streams a file and yields one ``Record`` per JSON value it can recover:
- a clean line parses as is (the fast path: one ``orjson.loads`` on the raw bytes);
- a line in another encoding is decoded with the detected one (``not_utf8``);
- a line ending with a comma is parsed without it (``trailing_comma``);
- a pretty-printed object spread over several lines is joined (``multiline_json``, once, at its
  first line);
- a file that is one JSON array yields each element at the line where it starts (``json_array``).
Problems go to the ``add(line, code, **params)`` callback (``Report.add``), so validate and fix
share this reader and differ only in what they do with the findings.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO, NamedTuple

import orjson

from afinar.data.textio import (BOM_UTF8, MAX_LINE_BYTES, UTF16_BOMS, detect_encoding,
                                fix_mojibake, iter_lines, may_be_mojibake, may_be_mojibake_text,
                                mojibake_sample)

AddFinding = Callable[..., None]
# Optional typed decoders tried first on each line: ([decode(raw) -> value, ...], the errors they
# raise). A line one of them accepts is yielded as its typed value; a line they all reject takes
# the general path. Readers may reorder the list (the one that last worked first).
FastDecoder = tuple[list[Callable[[bytes], Any]], tuple[type[BaseException], ...]]
# A pretty-printed object longer than this is not joined (it is reported line by line instead).
MAX_JOIN_LINES = 10_000
MAX_JOIN_BYTES = 16 * 1024 * 1024
# A whole-file JSON array larger than this is reported but not parsed element by element.
MAX_ARRAY_BYTES = 512 * 1024 * 1024


# The value of a Record for a line that could not be read as JSON (only with keep_invalid=True).
INVALID = object()


class Record(NamedTuple):
    line: int  # first line of the value, 1-based
    end_line: int  # last line (== line for a one-line record)
    value: Any
    raw: bytes | None  # the original line when it was clean JSONL (fix keeps it byte for byte)


_new_record = tuple.__new__  # builds a Record without NamedTuple's Python-level __new__


class LineTooLongError(Exception):
    """A line too long to keep in memory: ``fix`` cannot repair such a file without losing it."""

    def __init__(self, line: int):
        super().__init__(f"line {line} is longer than {MAX_LINE_BYTES >> 20} MB")
        self.line = line


def iter_strings(value: Any) -> Iterator[str]:
    """Every string inside a JSON value (keys excluded), depth first."""
    stack = [value]
    while stack:
        item = stack.pop()
        if type(item) is str:
            yield item
        elif type(item) is dict:
            stack.extend(reversed(list(item.values())))
        elif type(item) is list:
            stack.extend(reversed(item))


def _json_error(text: str) -> tuple[int, int, str, bool]:
    """(line offset, column, message, ended_early) of the first JSON error in ``text``."""
    try:
        json.loads(text)
    except json.JSONDecodeError as err:
        at_end = err.pos >= len(text.rstrip())
        return err.lineno - 1, err.colno, err.msg, at_end
    except RecursionError:
        return 0, 1, "nested too deeply", False
    return 0, 1, "unexpected data", False


def _loads(text: str) -> tuple[bool, Any]:
    try:
        return True, orjson.loads(text)
    except orjson.JSONDecodeError:
        return False, None


class LineReader:
    """State for one pass over a file; see the module docstring."""

    def __init__(self, fh: BinaryIO, add: AddFinding, check_mojibake: bool, keep_invalid: bool = False,
                 fast: FastDecoder | None = None):
        self.fast = fast
        self.keep_invalid = keep_invalid
        self.fh = fh
        self.add = add
        self.check_mojibake = check_mojibake
        self.encoding: str | None = None  # guessed once, for the first non-UTF-8 line
        self.pending: list[tuple[int, int, bytes | None]] = []
        # After a failed join, lines up to here are not joined again (keeps the pass linear).
        self.no_join_until = 0
        # Whether the current block of lines holds any mojibake hint at all (most blocks do not,
        # so their lines skip the per-line test). Lines put back by a failed join are tested one
        # by one, whatever block they came from.
        self.buffer_hinted = True

    def see_block(self, lines: list[bytes | None]) -> None:
        self.buffer_hinted = self.check_mojibake and lines[0] is not None and may_be_mojibake(b"\n".join(lines))

    def _guess(self, raw: bytes) -> str:
        if self.encoding is None:
            sample = raw + self.fh.peek(65536)[:65536] if hasattr(self.fh, "peek") else raw
            guess = detect_encoding(sample)
            self.encoding = "cp1252" if guess.startswith("utf-8") else guess
        return self.encoding

    def decode(self, lineno: int, offset: int, raw: bytes) -> str:
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as err:
            guess = self._guess(raw)
            self.add(lineno, "not_utf8", offset=offset + err.start, guess=guess)
            return raw.decode(guess, errors="replace")

    def mojibake(self, lineno: int, value: Any) -> None:
        """Report the first string of ``value`` that is mojibake, with a before/after sample."""
        for text in iter_strings(value):
            fixed = fix_mojibake(text) if may_be_mojibake_text(text) else None
            if fixed is not None:
                before, after = mojibake_sample(text, fixed)
                self.add(lineno, "mojibake", before=before, after=after)
                return



def iter_records(fh: BinaryIO, add: AddFinding, check_mojibake: bool = True,
                 keep_invalid: bool = False, fast: FastDecoder | None = None) -> Iterator[Record]:
    """Yield the records of ``fh`` (opened in binary mode); see the module docstring.

    With ``keep_invalid`` a line that cannot be read as JSON is yielded too, with value ``INVALID``
    and its text in ``raw``, so ``fix`` can keep it for the user to edit instead of dropping it.
    With ``fast`` (see FastDecoder), clean lines of the expected shape skip the generic decoding.
    """
    # A plain function returning the right generator: one layer less per record on the hot path.
    head = fh.peek(4)[:4] if hasattr(fh, "peek") else b""
    if head.startswith(UTF16_BOMS):
        return _utf16(fh, add, keep_invalid)
    if first_significant_byte(fh) == b"[":
        return _json_array(fh, add)
    return _jsonl(fh, add, check_mojibake, keep_invalid, fast)


def first_significant_byte(fh: BinaryIO) -> bytes:
    if not hasattr(fh, "peek"):
        return b""
    head = fh.peek(4096)[:4096]
    if head.startswith(BOM_UTF8):
        head = head[3:]
    stripped = head.lstrip()
    return stripped[:1]


def _utf16(fh: BinaryIO, add: AddFinding, keep_invalid: bool) -> Iterator[Record]:
    """UTF-16 files (Windows "Unicode" text): report once, then read the decoded text."""
    import io

    add(1, "not_utf8", offset=0, guess="utf-16")
    text = fh.read().decode("utf-16", errors="replace").lstrip("\ufeff")
    inner = io.BufferedReader(io.BytesIO(text.encode("utf-8")))
    yield from iter_records(inner, lambda line, code, *a, **kw: None if code == "bom" else add(line, code, *a, **kw),
                            keep_invalid=keep_invalid)


def _json_array(fh: BinaryIO, add: AddFinding) -> Iterator[Record]:
    raw = fh.read(MAX_ARRAY_BYTES + 1)
    if len(raw) > MAX_ARRAY_BYTES:
        add(1, "json_array", count="?")
        return
    encoding = detect_encoding(raw[:1 << 20])
    if encoding not in ("utf-8", "utf-8-sig"):
        add(1, "not_utf8", offset=0, guess=encoding)
    text = raw.decode(encoding, errors="replace")
    if text.startswith("\ufeff"):
        add(1, "bom")
        text = text[1:]
    yield from _array_elements(text, add)


def _array_elements(text: str, add: AddFinding) -> Iterator[Record]:
    decoder = json.JSONDecoder()
    start = text.find("[")
    if start < 0:  # the bytes looked like an array but decode to something else
        add(1, "invalid_json", column=1, detail="not a JSON document")
        return
    line = 1 + text.count("\n", 0, start)
    array_line, pos, count, records = line, start + 1, 0, []
    n = len(text)
    while True:
        while pos < n and text[pos] in " \t\r\n,":
            if text[pos] == "\n":
                line += 1
            pos += 1
        if pos >= n or text[pos] == "]":
            break
        try:
            value, end = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as err:
            add(err.lineno, "invalid_json", column=err.colno, detail=err.msg)
            break
        except RecursionError:
            add(line, "invalid_json", column=1, detail="nested too deeply")
            break
        end_line = line + text.count("\n", pos, end)
        records.append(Record(line, end_line, value, None))
        count += 1
        line, pos = end_line, end
    add(array_line, "json_array", count=count)
    yield from records


def _jsonl(fh: BinaryIO, add: AddFinding, check_mojibake: bool, keep_invalid: bool,
           fast: FastDecoder | None) -> Iterator[Record]:
    reader = LineReader(fh, add, check_mojibake, keep_invalid, fast)
    lines = iter_lines(fh, pending=reader.pending, on_block=reader.see_block)
    while True:
        yield from _jsonl_lines(reader, lines)
        if not reader.pending:  # a join that failed at the end of the file put lines back
            return
        lines = _drain(reader.pending)


def _drain(pending: list) -> Iterator[tuple[int, int, bytes | None]]:
    while pending:
        yield pending.pop()


def _jsonl_lines(reader: LineReader, lines: Iterator[tuple[int, int, bytes | None]]) -> Iterator[Record]:
    for lineno, offset, raw in lines:
        record = read_line(reader, lines, lineno, offset, raw)
        if record is not None:
            yield record


def read_line(reader: LineReader, lines: Iterator, lineno: int, offset: int, raw: bytes | None,
              typed: bool = True) -> Record | None:
    """The record of one line (None if it holds none); a pretty-printed object may take more
    lines from ``lines``, and a failed join puts them back on ``reader.pending``. ``typed=False``
    skips the typed decoders (the caller saw them fail on this line)."""
    add = reader.add
    if raw is None:
        add(lineno, "line_too_long", limit_mb=MAX_LINE_BYTES >> 20)
        if reader.keep_invalid:
            raise LineTooLongError(lineno)
        return None
    if lineno == 1 and raw.startswith(BOM_UTF8):
        add(1, "bom")
        raw = raw[3:]
        offset += 3
    if typed and reader.fast is not None:
        decoders, fast_errors = reader.fast
        for fast in decoders:
            try:
                value = fast(raw)
            except fast_errors:
                continue
            if reader.buffer_hinted and may_be_mojibake(raw):
                reader.mojibake(lineno, orjson.loads(raw))
            return _new_record(Record, (lineno, lineno, value, raw))
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return _slow_line(reader, lines, lineno, offset, raw)
    if reader.buffer_hinted and may_be_mojibake(raw):
        reader.mojibake(lineno, value)
    return _new_record(Record, (lineno, lineno, value, raw))


def _slow_line(reader: LineReader, lines, lineno: int, offset: int, raw: bytes) -> Record | None:
    """A line that is not one clean JSON value: find out what it is."""
    text = reader.decode(lineno, offset, raw)
    stripped = text.strip()
    if not stripped:
        reader.add(lineno, "blank_line")
        return None
    ok, value = _loads(text)  # it was only the encoding
    if ok:
        return _checked(reader, Record(lineno, lineno, value, None))
    if stripped.endswith(","):
        ok, value = _loads(stripped[:-1])
        if ok:
            reader.add(lineno, "trailing_comma")
            return _checked(reader, Record(lineno, lineno, value, None))
    _, column, message, at_end = _json_error(text)
    if at_end and stripped[0] in "{[" and lineno > reader.no_join_until:
        joined = _join_multiline(reader, lines, lineno, text)
        if joined is not None:
            return joined
    reader.add(lineno, "invalid_json", column=column, detail=message)
    return Record(lineno, lineno, INVALID, text.encode("utf-8")) if reader.keep_invalid else None


def _checked(reader: LineReader, record: Record) -> Record:
    if reader.check_mojibake:
        reader.mojibake(record.line, record.value)
    return record


def _join_multiline(reader: LineReader, lines, lineno: int, first: str) -> Record | None:
    """Join the following lines until they form one JSON value; put them back if they never do.

    The joined text is only parsed once its brackets balance (counted without regard to strings),
    and the join stops at a line that starts with ``{`` and balances on its own (a record of its
    own): a cut-off line followed by complete records took time that grew with the square of the
    join, parsing the growing text at every line."""
    parts, taken, size = [first], [], len(first)
    depth = _depth(first)
    for item in lines:
        taken.append(item)
        n, offset, raw = item
        if raw is None or len(taken) > MAX_JOIN_LINES or size > MAX_JOIN_BYTES:
            break
        text = reader.decode(n, offset, raw)
        line_depth = _depth(text)
        if line_depth == 0 and text.startswith("{"):
            break  # a record of its own at the start of a line: the first line was cut off
        parts.append(text)
        size += len(text)
        depth += line_depth
        if depth > 0:
            continue
        candidate = "\n".join(parts).strip()
        ok, value = _loads(candidate[:-1] if candidate.endswith(",") else candidate)
        if ok:
            reader.add(lineno, "multiline_json", end_line=n)
            return _checked(reader, Record(lineno, n, value, None))
        break
    reader.pending.extend(reversed(taken))
    reader.buffer_hinted = reader.check_mojibake
    if taken:
        reader.no_join_until = taken[-1][0]
    return None


def _depth(text: str) -> int:
    return text.count("{") + text.count("[") - text.count("}") - text.count("]")
