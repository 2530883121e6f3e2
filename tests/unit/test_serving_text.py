"""Text out of token streams (afinar.serving.text): whole characters only, stop strings held back."""

from __future__ import annotations

import pytest

from afinar.serving.text import Detokenizer, StopFilter
from afinar.tasks.chat.tools import render_messages

pytestmark = pytest.mark.unit


class ByteTokenizer:
    """One token per UTF-8 byte, decoded like a byte-level BPE (a broken tail becomes U+FFFD)."""

    def encode(self, text: str) -> list[int]:
        return list(text.encode("utf-8"))

    def decode(self, ids: list[int], **_: object) -> str:
        return bytes(ids).decode("utf-8", errors="replace")


def test_deltas_never_split_a_character_and_a_cut_tail_is_dropped() -> None:
    tok = ByteTokenizer()
    text = "Sí, el envío a Cádiz cuesta 5 € 😀"
    ids = tok.encode(text)
    detok = Detokenizer(tok)
    deltas = [detok.update(ids[:n]) for n in range(1, len(ids) + 1)]
    assert all("\ufffd" not in d for d in deltas)
    assert "".join(deltas) + detok.finish() == text
    cut = Detokenizer(tok)  # max_tokens reached in the middle of the emoji's four bytes
    pieces = [cut.update(ids[:n]) for n in range(1, len(ids) - 1)]
    assert "".join(pieces) + cut.finish() == text[:-1]


def test_stop_strings_are_held_back_and_never_emitted() -> None:
    stops = StopFilter(["FIN", "\n\n"])
    out = [stops.feed(p) for p in ("  Hola", ", ya F", "I", "N y más")]
    assert "".join(out) + stops.flush() == "Hola, ya " and stops.stopped and stops.text == "Hola, ya"
    plain = StopFilter([])
    plain.feed(" uno"), plain.feed(" dos "), plain.flush()
    assert plain.text == "uno dos" and not plain.stopped


def test_messages_become_template_messages() -> None:
    given = [{"role": "developer", "content": "Sé breve."},
             {"role": "user", "content": [{"type": "text", "text": "Ho"}, {"type": "text", "text": "la"}]}]
    assert render_messages(given, None, native=False) == ([{"role": "system", "content": "Sé breve."},
                                                           {"role": "user", "content": "Hola"}], {})
