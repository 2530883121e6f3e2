"""Sentence-aware chunking: whole sentences packed into chunks of at most ``size`` characters, with
about ``overlap`` characters of trailing sentences repeated at the start of the next chunk.

Worked example (size 60, overlap 25)::

    "# iPhone 15\\nPantalla de 6.1 pulgadas. Cámara de 48MP. Chip A16. Desde $799."
    -> ["# iPhone 15\\nPantalla de 6.1 pulgadas. Cámara de 48MP.",
        "# iPhone 15\\nCámara de 48MP. Chip A16. Desde $799."]

Rules: a Markdown heading (``#`` line) always starts a new chunk, and the nearest heading is
repeated at the top of every chunk of its section (the chunk keeps its context); list items and
lines are units of their own; a sentence longer than ``size`` is cut between words. Sizes count
characters (about 4 per token for Spanish and English with e5's tokenizer), so chunking needs no
tokenizer. No torch here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DEFAULT_SIZE = 500
DEFAULT_OVERLAP = 80

_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'»”)\]]*\s+(?=[¿¡\"'«“(\[A-ZÁÉÍÓÚÑÜ0-9*-])")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+\S")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s+")


@dataclass(frozen=True)
class Unit:
    text: str
    heading: bool = False
    breaks_before: bool = False  # first unit of a paragraph


def _sentences(lines: list[str], out: list[Unit], first: bool) -> bool:
    """Append the sentences of the joined ``lines`` to ``out``; returns whether the next unit is first."""
    joined = " ".join(lines).strip()
    lines.clear()
    for sentence in _SENTENCE_END.split(joined) if joined else []:
        if sentence.strip():
            out.append(Unit(sentence.strip(), breaks_before=first))
            first = False
    return first


def units(text: str, keep_lines: bool = False) -> list[Unit]:
    """The text as headings and sentences, in order. ``keep_lines``: every line is a unit of its
    own (CSV rows as ``column: value`` lines); otherwise lines of a paragraph are joined (wrapped prose)."""
    out: list[Unit] = []
    for paragraph in re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\r", "\n")):
        first = True
        buffer: list[str] = []
        for line in paragraph.split("\n"):
            if not line.strip():
                continue
            if _HEADING.match(line):
                first = _sentences(buffer, out, first)
                out.append(Unit(line.strip(), heading=True, breaks_before=True))
                first = True
            elif keep_lines or _LIST_ITEM.match(line) or line.lstrip().startswith("|"):
                first = _sentences(buffer, out, first)
                _sentences([line.strip()], out, True)
                first = False
            else:
                buffer.append(line.strip())
        _sentences(buffer, out, first)
    return out


def _split_long(text: str, size: int) -> list[str]:
    """Cut a too-long sentence between words (between characters if a single word is too long)."""
    pieces: list[str] = []
    current = ""
    for word in text.split():
        while len(word) > size:
            if current:
                pieces.append(current)
                current = ""
            pieces.append(word[:size])
            word = word[size:]
        if current and len(current) + 1 + len(word) > size:
            pieces.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    if current:
        pieces.append(current)
    return pieces


def chunk_text(text: str, size: int = DEFAULT_SIZE, overlap: int = DEFAULT_OVERLAP, *,
               keep_lines: bool = False) -> list[str]:
    """Split ``text`` into chunks of at most ``size`` characters (see the module docstring)."""
    if size < 20 or not 0 <= overlap < size:
        raise ValueError(f"need size >= 20 and 0 <= overlap < size (got size={size}, overlap={overlap})")
    chunks: list[str] = []
    heading = ""
    body: list[tuple[str, str]] = []  # (separator before, text)

    def prefix() -> str:
        return heading + "\n" if heading else ""

    def length(parts: list[tuple[str, str]]) -> int:
        return len(prefix()) + sum(len(p) + 1 for _, p in parts)

    def emit() -> None:
        if body:
            chunks.append((prefix() + body[0][1] + "".join(sep + p for sep, p in body[1:])).strip())
        elif heading:  # a heading with no text under it is kept on its own, not lost
            chunks.append(heading)

    for unit in units(text, keep_lines):
        if unit.heading:
            emit()
            body = []
            if len(unit.text) < size // 2:
                heading = unit.text
                continue
            heading = ""  # too long to repeat on every chunk: an ordinary paragraph
        budget = size - len(prefix())
        sep = "\n" if unit.breaks_before or _LIST_ITEM.match(unit.text) else " "
        for piece in _split_long(unit.text, budget) if len(unit.text) > budget else [unit.text]:
            if body and length(body) + len(piece) > size:
                emit()
                body = _tail(body, overlap, size - len(prefix()) - len(piece) - 1)
            body.append((sep, piece))
            sep = " "
    emit()
    return chunks


def _tail(parts: list[tuple[str, str]], overlap: int, room: int) -> list[tuple[str, str]]:
    """The last sentences of ``parts`` whose length fits in ``overlap`` (and in ``room``)."""
    kept: list[tuple[str, str]] = []
    total = 0
    for sep, part in reversed(parts):
        if total + len(part) + 1 > min(overlap, room):
            break
        kept.insert(0, (sep, part))
        total += len(part) + 1
    return kept
