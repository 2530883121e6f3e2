"""Tool-calling chat examples, decoded and type-checked in C like the plain ones (``chat_schema``).

The shape: ``{"messages": [...], "tools": [...], "parallel_tool_calls": ...}`` where an assistant
message may carry ``tool_calls`` (then its content may be null or absent) and a tool message a
``tool_call_id``. ``tools`` holds arbitrary JSON Schemas, so it stays raw bytes (``msgspec.Raw``):
a file repeats the same ``tools`` on every line, and each distinct one is parsed once
(``ToolsDecoder``) for its findings and for its part of the duplicate key, which is the hash of
its canonical JSON (sorted keys), exactly as ``chat_schema.check_example`` computes it from the
parsed value. A line of any other shape fails to decode and takes the general path; findings and
duplicate keys are the same either way (tests/unit/test_property.py).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
import orjson

from afinar.data.chat_schema import (
    AddFinding,
    ExampleInfo,
    FunctionMessage,
    SystemMessage,
    ToolMessage,
    UserMessage,
    canonical,
    tools_problem,
)

UNSET = msgspec.UNSET


class _Frozen(msgspec.Struct, frozen=True, forbid_unknown_fields=True, gc=False):
    pass


class CallFunction(_Frozen):
    name: str
    arguments: str


class ToolCall(_Frozen):
    function: CallFunction
    id: str | msgspec.UnsetType = UNSET
    type: str | msgspec.UnsetType = UNSET


class CallingAssistantMessage(_Frozen, tag_field="role", tag="assistant"):
    """An assistant message that may call tools (content null or absent when it does)."""

    content: str | None | msgspec.UnsetType = UNSET
    name: str | msgspec.UnsetType = UNSET
    weight: Literal[0, 1] | msgspec.UnsetType = UNSET
    tool_calls: Annotated[tuple[ToolCall, ...], msgspec.Meta(min_length=1)] | msgspec.UnsetType = UNSET


ToolsMessage = SystemMessage | UserMessage | CallingAssistantMessage | ToolMessage | FunctionMessage


class ToolExample(_Frozen):
    """A chat example with top-level ``tools`` (required: without them a line is plain or general)."""

    messages: tuple[ToolsMessage, ...]
    tools: msgspec.Raw
    parallel_tool_calls: bool | None | msgspec.UnsetType = UNSET


TOOL_KEYS = frozenset({"messages", "tools", "parallel_tool_calls"})
_MAX_CACHED = 4096  # distinct ``tools`` values remembered (a file usually has a handful)


class ToolsDecoder:
    """Decodes a line into a ToolExample and knows each distinct ``tools``'s (key, problem).

    A ``tools`` value orjson cannot read (an integer beyond 64 bits) makes the line fail here, as
    the general path's ``orjson.loads`` fails on it: both paths then read it the same slow way."""

    def __init__(self) -> None:
        self._decode = msgspec.json.Decoder(ToolExample).decode
        self._seen: dict[bytes, tuple[int, str | None]] = {}

    def __call__(self, raw: bytes) -> ToolExample:
        example = self._decode(raw)
        self.tools(example)
        return example

    def tools(self, example: ToolExample) -> tuple[int, str | None]:
        """(hash of the canonical JSON, finding detail or None) of the example's ``tools``."""
        raw = bytes(example.tools)
        known = self._seen.get(raw)
        if known is None:
            try:
                value = orjson.loads(raw)
            except orjson.JSONDecodeError as err:
                raise msgspec.DecodeError(str(err)) from err
            if len(self._seen) >= _MAX_CACHED:
                self._seen.clear()
            known = self._seen[raw] = (hash(canonical(value)), tools_problem(value, "tools"))
        return known


def tool_key(messages: tuple, tools_hash: int, parallel: Any) -> int:
    return hash((messages, tools_hash, parallel))


def check_tools(example: ToolExample, line: int, add: AddFinding, decoder: ToolsDecoder) -> ExampleInfo | None:
    """``check_example`` for a ToolExample: the same findings in the same order, the same info."""
    messages = example.messages
    if not messages:
        add(line, "missing_messages_list", field="messages")
        return None
    tools_hash, problem = decoder.tools(example)
    if problem:
        add(line, "invalid_tools", field="tools", key="tools", detail=problem)
    chars = 0
    has_assistant = False
    i = 0
    for message in messages:
        content = message.content
        if type(message) is CallingAssistantMessage:
            has_assistant = True
            if content is None or content is UNSET:
                if message.tool_calls is UNSET:
                    field = f"messages[{i}].content"
                    if content is None:
                        add(line, "missing_content", field=field, index=i + 1)
                    else:
                        add(line, "message_missing_key", field=field, index=i + 1, key="content")
                i += 1
                continue
        if not content or content.isspace():
            add(line, "empty_content", field=f"messages[{i}].content", index=i + 1)
        chars += len(content)
        i += 1
    if not has_assistant:
        add(line, "example_missing_assistant_message", field="messages")
    return ExampleInfo(type(messages[0]) is SystemMessage, chars, len(messages),
                       tool_key(messages, tools_hash, example.parallel_tool_calls))


def general_key(value: dict) -> int | None:
    """The key ``check_tools`` gives ``value`` if a line holding it decodes as a ToolExample, else None."""
    if "tools" not in value or not TOOL_KEYS.issuperset(value):
        return None
    parallel = value.get("parallel_tool_calls", UNSET)
    if not (parallel is UNSET or parallel is None or type(parallel) is bool):
        return None
    tools = canonical(value["tools"])
    if type(tools) is not bytes:  # orjson cannot write it, so it could not have read it
        return None
    try:
        messages = msgspec.convert(value["messages"], tuple[ToolsMessage, ...])
    except msgspec.ValidationError:
        return None
    return tool_key(messages, hash(tools), parallel)
