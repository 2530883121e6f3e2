"""Structured outputs: a reply that must be JSON valid against a schema, any JSON object, or tool
calls, decoded under a grammar so that every token keeps it valid (constraint, not luck).

The grammar library is llguidance (measured against outlines-core and xgrammar on this CPU:
``bench/bench_grammar.py``, docs/serve.md says why). At each decoding step :class:`Constraint`
advances the request's matcher by the token just chosen and masks every token the grammar does
not allow next; once the grammar is complete only the end-of-sequence token is left. JSON is
written compactly, the way ``json.dumps`` does (``", "`` and ``": "``, no other whitespace), which
is also how tool calls are written in training data (``afinar.tasks.chat.tools``).

Tool calls (``tool_choice`` other than ``none``) are ``<tool_call>{"name": ..., "arguments": ...}
</tool_call>``, the arguments valid against the named function's parameters; with ``auto`` the
model may instead answer in text that never contains ``<tool_call>`` (or, with a ``json_schema``
response format as well, JSON of that schema).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from afinar.errors import AfinarError
from afinar.tasks.chat.tools import (
    CLOSE,
    ITEM_SEPARATOR,
    KEY_SEPARATOR,
    OPEN,
    call_schema,
)

JSON_OPTIONS = {"whitespace_flexible": False, "item_separator": ITEM_SEPARATOR, "key_separator": KEY_SEPARATOR}
_PLAIN_TEXT = r"/(.|\n)*/ & ~/(.|\n)*" + OPEN + r"(.|\n)*/"


class UnsupportedSchema(AfinarError):
    """A schema (``param`` says whose) the grammar compiler refuses, with its reason (the keyword)."""

    def __init__(self, param: str, detail: str):
        self.param = param
        super().__init__("serving.unsupported_schema", where=param, detail=detail)


@dataclass(frozen=True)
class Structure:
    """What a request's reply must be: ``grammar`` (llguidance's), ``kind`` (json_schema,
    json_object or tools) and ``param``, the request parameter it comes from."""

    grammar: str
    kind: str
    param: str

    @staticmethod
    def json(schema: dict | None) -> Structure:
        """JSON valid against ``schema``; None: any JSON object (``json_object``)."""
        from llguidance import LLMatcher

        if schema is None:
            return Structure(LLMatcher.grammar_from_json_schema({"type": "object"}, overrides=JSON_OPTIONS),
                             "json_object", "response_format")
        return Structure(LLMatcher.grammar_from_json_schema(schema, overrides=JSON_OPTIONS), "json_schema",
                         "response_format")

    @staticmethod
    def tools(tools: list[dict], choice: str, names: list[str] | None = None, parallel: bool = True,
              text_schema: dict | None = None) -> Structure:
        """Tool calls: ``choice`` "required" (one or more calls, one when not ``parallel``), "auto"
        (text or calls; ``text_schema``: the text is JSON of it) or "function" (only ``names``)."""
        from llguidance import LLMatcher

        schema = {**call_schema(tools, names), "x-guidance": JSON_OPTIONS}
        calls = "call+" if parallel else "call"
        lines = [f'call: "{OPEN}" %json {json.dumps(schema, ensure_ascii=False)} "{CLOSE}"']
        if choice == "auto":
            if text_schema is not None:
                answer = {**text_schema, "x-guidance": JSON_OPTIONS}
                lines += [f"start: answer | {calls}", f"answer: %json {json.dumps(answer, ensure_ascii=False)}"]
            else:
                lines += [f"start: TEXT | {calls}", f"TEXT: {_PLAIN_TEXT}"]
        else:
            lines.append(f"start: {calls}")
        return Structure(LLMatcher.grammar_from_lark("\n".join(lines) + "\n"), "tools", "tools")

    def check(self, tokenizer: Any) -> None:
        """UnsupportedSchema when the grammar cannot be built (a schema keyword it does not know)."""
        from llguidance import LLMatcher

        failed, messages = LLMatcher.validate_grammar_with_warnings(self.grammar, tokenizer)
        if failed:
            raise UnsupportedSchema(self.param, "; ".join(messages)[:500])


def grammar_tokenizer(hf_tokenizer: Any, eos_ids: set[int]) -> Any:
    """llguidance's view of a model's tokenizer (about half a second to build: an engine keeps it)."""
    import llguidance.hf

    return llguidance.hf.from_tokenizer(hf_tokenizer, eos_token=sorted(eos_ids))


class Constraint:
    """The logits processor (``transformers.LogitsProcessor``'s call signature) that keeps one
    request's reply inside its grammar."""

    def __init__(self, structure: Structure, tokenizer: Any, prompt_len: int, eos_ids: set[int]):
        import torch
        from llguidance import LLMatcher

        self.matcher = LLMatcher(tokenizer, structure.grammar, log_level=0)
        self.prompt_len, self.consumed = prompt_len, 0
        self.words = (tokenizer.vocab_size + 31) // 32
        self.bitmask = torch.zeros((1, self.words), dtype=torch.int32)
        self.shifts = torch.arange(32, dtype=torch.int32)
        self.eos = sorted(eos_ids)

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        import torch
        from llguidance.torch import fill_next_token_bitmask

        new = input_ids[0, self.prompt_len + self.consumed:].tolist()
        if new:
            self.matcher.consume_tokens(new)
            self.consumed += len(new)
        if self.matcher.is_error():  # cannot happen while only allowed tokens are chosen: end the reply
            allowed = torch.zeros(scores.shape[-1], dtype=torch.bool)
            allowed[self.eos] = True
        else:
            fill_next_token_bitmask(self.matcher, self.bitmask)
            bits = (self.bitmask.unsqueeze(-1) >> self.shifts) & 1
            allowed = bits.reshape(-1).bool()
            vocab = scores.shape[-1]
            allowed = allowed[:vocab] if allowed.numel() >= vocab else torch.cat(
                [allowed, torch.zeros(vocab - allowed.numel(), dtype=torch.bool)])
        return scores.masked_fill(~allowed.to(scores.device), float("-inf"))
