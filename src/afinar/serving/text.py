"""Text out of a stream of token ids: never half a character, never a stop string.

A byte-level tokenizer can end a token in the middle of a UTF-8 character (accents, emoji): the
decoded text then ends in U+FFFD. :class:`Detokenizer` holds such a tail back until the next
token completes it, and drops it when generation ends there (a reply cut at ``max_tokens``).
:class:`StopFilter` holds back just enough text never to emit a stop string or anything after it.
"""

from __future__ import annotations

from typing import Any

REPLACEMENT = "\ufffd"


class Detokenizer:
    """Decode a growing list of generated ids into text deltas of whole characters."""

    def __init__(self, tokenizer: Any):
        self.tokenizer = tokenizer
        self.ids: list[int] = []
        self.text = ""  # what has been handed out

    def _decode(self) -> str:
        return self.tokenizer.decode(self.ids, skip_special_tokens=True, clean_up_tokenization_spaces=False)

    def update(self, ids: list[int]) -> str:
        """The new text after the generated ids became ``ids`` (the whole list so far)."""
        self.ids = list(ids)
        full = self._decode()
        if full.endswith(REPLACEMENT) or not full.startswith(self.text):
            return ""  # an unfinished character (or a re-spelled tail): wait for the next token
        delta, self.text = full[len(self.text):], full
        return delta

    def finish(self) -> str:
        """The last delta once generation has ended: an unfinished character is dropped."""
        full = self._decode().rstrip(REPLACEMENT)
        if not full.startswith(self.text):
            return ""
        delta, self.text = full[len(self.text):], full
        return delta


class StopFilter:
    """Hold back just enough streamed text to never emit a stop string (or anything after it).
    Leading whitespace of the reply is dropped and ``text`` is the reply so far."""

    def __init__(self, stops: list[str]):
        self.stops = [s for s in stops if s]
        self.keep = max((len(s) for s in self.stops), default=1) - 1
        self.buffer, self.text, self.stopped = "", "", False

    def feed(self, piece: str) -> str:
        if self.stopped:
            return ""
        if not self.text and not self.buffer:
            piece = piece.lstrip()
        self.buffer += piece
        hits = [self.buffer.find(s) for s in self.stops if s in self.buffer]
        if hits:
            out, self.buffer, self.stopped = self.buffer[:min(hits)], "", True
        elif self.keep and len(self.buffer) > self.keep:
            out, self.buffer = self.buffer[:-self.keep], self.buffer[-self.keep:]
        elif not self.keep:
            out, self.buffer = self.buffer, ""
        else:
            out = ""
        self.text += out
        return out

    def flush(self) -> str:
        out = "" if self.stopped else self.buffer.rstrip()
        self.text = (self.text + out).strip()
        self.buffer = ""
        return out

