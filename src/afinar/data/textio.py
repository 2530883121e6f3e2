"""Reading user text files as they really are: unknown encodings, BOMs, mojibake, endless lines.

Lines are numbered from 1, as an editor shows them. Files are streamed in chunks, so memory does
not grow with the file; a single line longer than ``MAX_LINE_BYTES`` is reported and skipped.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable, Iterator
from typing import BinaryIO

BOM_UTF8 = codecs.BOM_UTF8
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
MAX_LINE_BYTES = 64 * 1024 * 1024
CHUNK_BYTES = 1 << 20

# UTF-8 text that was decoded as Latin-1 / CP1252 / Mac Roman and encoded again always contains
# one of these characters: "Ã", "Â" and "â" from CP1252 and Latin-1 ("Ã©", "Â¿", "â€™"); "√", "¬",
# "‚" and Apple's logo (U+F8FF) from Mac Roman ("√©", "¬ø", "‚Äô", emoji). Text with none of them
# is not mojibake, so the slow confirmation with ftfy only runs on the few lines that have one.
# (Single-character `in` tests on str are memchr scans: much faster than a regex over bytes.)


def iter_line_blocks(fh: BinaryIO, chunk_bytes: int = CHUNK_BYTES,
                     max_line: int = MAX_LINE_BYTES) -> Iterator[tuple[int, int, list[bytes | None]]]:
    """Yield ``(first_line, first_offset, lines)``: the complete lines of each read, in order,
    without their newlines. A line over ``max_line`` bytes comes alone, as ``[None]`` (its content
    is dropped). A line longer than a read is gathered in pieces and joined once (no copying that
    grows with the square of its length)."""
    lineno, offset = 1, 0
    carry: list[bytes] = []  # the pieces of an unfinished line
    carried = 0  # its length so far (counted even once its content is dropped)
    long_lines = False  # whether the last read held lines of 1 KB or more on average
    while True:
        chunk = fh.read(chunk_bytes)
        if not chunk:
            break
        lines: list[bytes | None] = _split_long(chunk) if long_lines else chunk.split(b"\n")
        long_lines = len(chunk) >= _LONG_LINE * len(lines)
        tail = lines.pop()
        if carried and lines:  # the first line ends an unfinished one
            size = carried + len(lines[0])
            if size > max_line:
                yield lineno, offset, [None]
                lineno, offset = lineno + 1, offset + size + 1
                del lines[0]
            else:
                carry.append(lines[0])
                lines[0] = b"".join(carry)
            carry, carried = [], 0
        if lines:
            yield lineno, offset, lines
            lineno += len(lines)
            offset += sum(map(len, lines)) + len(lines)
        if tail:
            carried += len(tail)
            if carried <= max_line:
                carry.append(tail)
            else:
                carry.clear()
    if carried:
        yield lineno, offset, [b"".join(carry) if carried <= max_line else None]


# bytes.split compares byte by byte; find() runs memchr, so past this many bytes a line on
# average, finding each newline and slicing is faster (2-3x on 7 KB lines) than split.
_LONG_LINE = 512


def _split_long(chunk: bytes) -> list[bytes]:
    """``chunk.split(b"\\n")``, by find() and slices."""
    lines = []
    find, start = chunk.find, 0
    end = find(b"\n")
    while end >= 0:
        lines.append(chunk[start:end])
        start = end + 1
        end = find(b"\n", start)
    lines.append(chunk[start:])
    return lines


def iter_lines(fh: BinaryIO, chunk_bytes: int = CHUNK_BYTES, max_line: int = MAX_LINE_BYTES,
               pending: list | None = None,
               on_block: Callable[[list], None] | None = None) -> Iterator[tuple[int, int, bytes | None]]:
    """Yield ``(line_number, byte_offset, line_bytes)`` without the trailing newline.

    A line over ``max_line`` bytes is yielded once as ``None`` (its content is dropped).
    ``pending``, if given, is a push-back stack: items a caller put back are yielded again
    (last pushed first) before the next line of the file. ``on_block``, if given, sees the lines
    of each read (``iter_line_blocks``) before they are yielded.
    """
    pending = pending if pending is not None else []
    for lineno, offset, lines in iter_line_blocks(fh, chunk_bytes, max_line):
        while pending:  # lines put back from the last block come before on_block sees the next one
            yield pending.pop()
        if on_block is not None:
            on_block(lines)
        for line in lines:
            while pending:
                yield pending.pop()
            yield lineno, offset, line
            lineno += 1
            offset += len(line) + 1 if line is not None else 0
    while pending:
        yield pending.pop()


def detect_encoding(raw: bytes) -> str:
    """Best guess of the encoding of ``raw`` (a sample). UTF-8 when it decodes as UTF-8."""
    if raw.startswith(BOM_UTF8):
        return "utf-8-sig"
    if raw.startswith(UTF16_BOMS):
        return "utf-16"
    try:
        raw.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(raw).best()
    if best is None:
        return "cp1252"
    name = best.encoding.lower().replace("-", "_")
    # On short Spanish samples the detector often names a neighbouring Latin code page (Central
    # European, Turkish, Latin-1). Western European Windows text (CP1252, a superset of Latin-1's
    # printable range) is by far the most likely source; keep the guess only if CP1252 cannot
    # decode the bytes at all.
    if name in _LATIN_NEIGHBOURS:
        try:
            raw.decode("cp1252")
            return "cp1252"
        except UnicodeDecodeError:
            return name
    return name


_LATIN_NEIGHBOURS = frozenset({"cp1250", "cp1252", "cp1254", "cp1257", "latin_1", "iso8859_1",
                               "iso8859_2", "iso8859_9", "iso8859_13", "iso8859_15"})


def decode_text(raw: bytes) -> tuple[str, str, bool]:
    """Decode a whole (small) file: returns ``(text, encoding, had_bom)``."""
    encoding = detect_encoding(raw)
    had_bom = raw.startswith(BOM_UTF8) or raw.startswith(UTF16_BOMS)
    text = raw.decode(encoding, errors="replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    return text, encoding, had_bom


# A byte of each hint character's UTF-8 form that Spanish text rarely has (see may_be_mojibake).
HINT_BYTES = (b"\x83", b"\x82", b"\xa2", b"\x88", b"\xac", b"\x9a", b"\xef")


def may_be_mojibake(line: bytes) -> bool:
    """Cheap test on raw UTF-8 bytes. Every hint character's UTF-8 form holds one of a few bytes
    that Spanish text rarely has (0x83 in "Ã", 0x82 "Â", 0xA2 "â", 0x88 "√", 0xAC "¬", 0x9A "‚",
    0xEF U+F8FF): single-byte scans (memchr) rule most text out, and only the rest is decoded and
    scanned for the characters themselves (multi-byte searches on bytes measured far slower)."""
    if line.isascii() or not (b"\x83" in line or b"\x82" in line or b"\xa2" in line or b"\x88" in line
                              or b"\xac" in line or b"\x9a" in line or b"\xef" in line):
        return False
    return may_be_mojibake_text(line.decode("utf-8", "replace"))


def may_be_mojibake_text(text: str) -> bool:
    return ("Ã" in text or "Â" in text or "â" in text or "√" in text or "¬" in text
            or "‚" in text or "\uf8ff" in text)


def fix_mojibake(text: str) -> str | None:
    """The repaired text if ``text`` is UTF-8 that was decoded with the wrong codec, else None."""
    from ftfy import fix_encoding

    fixed = fix_encoding(text)
    return fixed if fixed != text else None


def mojibake_sample(text: str, fixed: str, words: int = 3) -> tuple[str, str]:
    """The first few damaged words and their repair, for messages ("canciÃ³n" → "canción")."""
    before, after = text.split(), fixed.split()
    if len(before) == len(after):
        pairs = [(b, a) for b, a in zip(before, after) if b != a][:words]
        if pairs:
            return " ".join(p[0] for p in pairs), " ".join(p[1] for p in pairs)
    i = 0
    while i < min(len(text), len(fixed)) and text[i] == fixed[i]:
        i += 1
    return text[max(0, i - 8):i + 16].strip(), fixed[max(0, i - 8):i + 16].strip()
