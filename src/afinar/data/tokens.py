"""Token counts: exact with a model's tokenizer (the ``tokenizers`` library, no torch), else approximate.

The approximation is documented and deliberately simple: ``ceil(characters / CHARS_PER_TOKEN)``
for the text plus ``MESSAGE_OVERHEAD`` tokens per message for the chat template's role markers
(ChatML spends ``<|im_start|>role\\n`` … ``<|im_end|>\\n``: about 5 tokens). CHARS_PER_TOKEN was
measured with SmolLM2's tokenizer (the default base) on Spanish: 2.63 characters per token on the
course text, 2.49 on the TechStore examples (see docs/data.md). English text runs at about 4.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from afinar.errors import AfinarError

CHARS_PER_TOKEN = 2.5
MESSAGE_OVERHEAD = 5
# OpenAI's per-example limit for fine-tuning most current chat models.
DEFAULT_MAX_TOKENS = 16_385


def approx_tokens(chars: int, messages: int = 0) -> int:
    """Approximate tokens of ``chars`` characters of text spread over ``messages`` messages."""
    # integer form of ceil(chars / 2.5); chat_validate inlines the same formula
    return (chars * 2 + 4) // 5 + MESSAGE_OVERHEAD * messages


class TokenCounter:
    """Counts tokens of chat examples with a real tokenizer."""

    def __init__(self, tokenizer: Any, source: str):
        self.tokenizer = tokenizer
        self.source = source

    def count_text(self, text: str) -> int:
        return len(self.tokenizer.encode(text, add_special_tokens=False).ids)

    def count_example(self, value: dict) -> int:
        total = 0
        for message in value.get("messages", ()):
            if type(message) is not dict:
                continue
            total += MESSAGE_OVERHEAD
            content = message.get("content")
            if type(content) is str:
                total += self.count_text(content)
            elif type(content) is list:
                total += sum(self.count_text(p["text"]) for p in content
                             if type(p) is dict and type(p.get("text")) is str)
        return total


def load_tokenizer(spec: str) -> TokenCounter:
    """``spec``: a tokenizer.json, a model folder, a catalog name already pulled, or a hub id."""
    from tokenizers import Tokenizer

    path = Path(spec).expanduser()
    if path.is_file():
        return TokenCounter(_from_file(Tokenizer, path), str(path))
    if path.is_dir():
        return TokenCounter(_from_folder(Tokenizer, path), str(path))
    from afinar.models import model_dir  # the cache layout (hub ids are stored as org--name); no torch

    cached = model_dir(spec)
    if cached.is_dir():
        return TokenCounter(_from_folder(Tokenizer, cached), str(cached))
    try:
        return TokenCounter(Tokenizer.from_pretrained(spec), spec)
    except Exception as err:  # the hub client raises many types; all mean "could not get it"
        raise AfinarError("data.tokenizer.not_found", exit_code=2, spec=spec,
                          detail=f"{type(err).__name__}") from err


def _from_folder(tokenizer_cls: Any, folder: Path) -> Any:
    candidate = folder / "tokenizer.json"
    if not candidate.is_file():
        raise AfinarError("data.tokenizer.no_json", exit_code=2, path=str(folder))
    return _from_file(tokenizer_cls, candidate)


def _from_file(tokenizer_cls: Any, path: Path) -> Any:
    try:
        return tokenizer_cls.from_file(str(path))
    except Exception as err:  # tokenizers raises a bare Exception on a malformed file
        raise AfinarError("data.tokenizer.unreadable", exit_code=2, path=str(path),
                          detail=str(err)[:200]) from err
