"""The schema of one chat example in OpenAI's fine-tuning format, checked without raising.

Accepts what OpenAI accepts: roles system/user/assistant/tool (and legacy function), ``name``,
``weight`` 0/1 on assistant messages, ``tool_calls``/``tool_call_id``, ``refusal``, content as a
string or a list of content parts, top-level ``tools``, ``parallel_tool_calls`` and legacy
``functions``. Codes follow OpenAI's data-preparation cookbook where it has a name for the problem.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, NamedTuple

import msgspec
import orjson

ROLES = frozenset({"system", "user", "assistant", "tool", "function"})
MESSAGE_KEYS = frozenset({"role", "content", "name", "weight", "tool_calls", "tool_call_id",
                          "function_call", "refusal"})
TOP_KEYS = frozenset({"messages", "tools", "functions", "parallel_tool_calls"})
_PART_TYPES = frozenset({"text", "image_url", "input_audio", "file"})

AddFinding = Callable[..., None]


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object" if isinstance(value, dict) else type(value).__name__


class ExampleInfo(NamedTuple):
    """What the dataset-level checks need to know about one usable example."""

    has_system: bool
    chars: int
    messages: int
    key: int  # hash of the example's content (roles, texts, other fields), for duplicates


# The shapes almost every line has, decoded and type-checked in C by msgspec: messages of any role
# with string content, plus an optional string ``name``, ``weight`` 0/1 on assistant messages and
# a string ``tool_call_id`` on tool messages. The role is the tag that picks the struct, so a field
# a role may not have (a weight on a user message) fails to decode, like anything else that is not
# one of these shapes (tool calls, content parts, wrong types): that line takes the general path
# (``check_example``), and findings are the same either way. Frozen structs hash in C, their type
# (the role) included: ``hash(example)`` is the duplicate key.
class _Plain(msgspec.Struct, frozen=True, forbid_unknown_fields=True, gc=False, tag_field="role"):
    content: str
    name: str | msgspec.UnsetType = msgspec.UNSET


class SystemMessage(_Plain, tag="system"):
    pass


class UserMessage(_Plain, tag="user"):
    pass


class AssistantMessage(_Plain, tag="assistant"):
    weight: Literal[0, 1] | msgspec.UnsetType = msgspec.UNSET


class ToolMessage(_Plain, tag="tool"):
    tool_call_id: str | msgspec.UnsetType = msgspec.UNSET


class FunctionMessage(_Plain, tag="function"):
    pass


PlainMessage = SystemMessage | UserMessage | AssistantMessage | ToolMessage | FunctionMessage


class PlainExample(msgspec.Struct, frozen=True, forbid_unknown_fields=True, gc=False):
    """``{"messages": [...]}`` with messages of the shapes above."""

    messages: tuple[PlainMessage, ...]


# For records.iter_records(fast=...): the decoder and the errors meaning "not this shape".
PLAIN_DECODE = msgspec.json.Decoder(PlainExample).decode
DECODE_ERRORS = (msgspec.DecodeError, UnicodeDecodeError)


def plain_key(example: PlainExample) -> int:
    """Duplicate key of a plain example (its hash: roles, texts and the optional fields)."""
    return hash(example)


def check_plain(example: PlainExample, line: int, add: AddFinding) -> ExampleInfo | None:
    """``check_example`` for a PlainExample: same findings, same ExampleInfo (key included)."""
    messages = example.messages
    if not messages:
        add(line, "missing_messages_list", field="messages")
        return None
    chars = 0
    has_assistant = False
    i = 0
    for message in messages:
        content = message.content
        if type(message) is AssistantMessage:
            has_assistant = True
        if not content or content.isspace():
            add(line, "empty_content", field=f"messages[{i}].content", index=i + 1)
        chars += len(content)
        i += 1
    if not has_assistant:
        add(line, "example_missing_assistant_message", field="messages")
    return ExampleInfo(type(messages[0]) is SystemMessage, chars, len(messages), hash(example))


def check_example(value: Any, line: int, add: AddFinding) -> ExampleInfo | None:
    """Report every schema problem of ``value`` at ``line``; return its info, or None if unusable."""
    if type(value) is not dict:
        add(line, "data_type", type=json_type(value))
        return None
    messages = value.get("messages")
    if type(messages) is not list or not messages:
        add(line, "missing_messages_list", field="messages")
        return None
    if len(value) > 1:
        _check_top_level(value, line, add)
    has_assistant = False
    chars = 0
    i = -1
    parts: list[Any] = []  # what the duplicate key is made of
    append = parts.append
    for message in messages:
        i += 1
        # Fast path for the common message {"role": ..., "content": "non-empty text"}.
        if type(message) is dict and len(message) == 2:
            content = message.get("content")
            if type(content) is str and content and not content.isspace():
                role = message.get("role")
                if role == "assistant":
                    has_assistant = True
                elif role not in ROLES:
                    role = None
                if role is not None:
                    chars += len(content)
                    append(role)
                    append(content)
                    continue
        append(canonical(message))
        if type(message) is not dict:
            add(line, "message_not_object", field=f"messages[{i}]", index=i + 1, type=json_type(message))
            continue
        role = message.get("role")
        if role == "assistant":
            has_assistant = True
        chars += _check_message(message, role, i, line, add)
    if not has_assistant:
        add(line, "example_missing_assistant_message", field="messages")
    if len(value) > 1:
        append(canonical({k: v for k, v in value.items() if k != "messages"}))
    first = messages[0]
    return ExampleInfo(type(first) is dict and first.get("role") == "system", chars, len(messages),
                       _example_key(value, parts))


def _example_key(value: dict, parts: list[Any]) -> int:
    """The key ``check_plain`` (or ``chat_tools.check_tools``) gives when ``value`` has its shape,
    else a hash of ``parts``."""
    if len(value) == 1:
        try:
            return plain_key(msgspec.convert(value, PlainExample))
        except msgspec.ValidationError:
            pass  # not the plain shape (extra keys, tool calls, content parts...): use the parts
    elif "tools" in value:
        from afinar.data.chat_tools import general_key

        key = general_key(value)
        if key is not None:
            return key
    return hash(tuple(parts))


def canonical(value: Any) -> bytes | str:
    """A stable text for anything that is not a plain {"role", "content"} message."""
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    except (orjson.JSONEncodeError, TypeError):  # integers beyond 64 bits, from the array path
        return repr(value)


def _check_top_level(value: dict, line: int, add: AddFinding) -> None:
    for key in value:
        if key not in TOP_KEYS:
            add(line, "example_unrecognized_key", field=key, key=key)
    for key in ("tools", "functions"):
        if key in value:
            problem = tools_problem(value[key], key)
            if problem:
                add(line, "invalid_tools", field=key, key=key, detail=problem)
    ptc = value.get("parallel_tool_calls")
    if ptc is not None and not isinstance(ptc, bool):
        add(line, "invalid_tools", field="parallel_tool_calls", key="parallel_tool_calls",
            detail="parallel_tool_calls must be true or false")


def _check_message(message: dict, role: Any, i: int, line: int, add: AddFinding) -> int:
    """Checks one message; returns the number of characters of text it carries."""
    prefix = f"messages[{i}]"
    index = i + 1
    if not MESSAGE_KEYS.issuperset(message):
        for key in message:
            if key not in MESSAGE_KEYS:
                add(line, "message_unrecognized_key", field=f"{prefix}.{key}", index=index, key=key)
    if role is None:
        add(line, "message_missing_key", field=f"{prefix}.role", index=index, key="role")
    elif role not in ROLES:
        add(line, "unrecognized_role", field=f"{prefix}.role", index=index, role=role)
    calls_tool = "tool_calls" in message or "function_call" in message
    if "weight" in message:
        weight = message["weight"]
        if role != "assistant" or type(weight) is not int or weight not in (0, 1):
            add(line, "invalid_weight", field=f"{prefix}.weight", index=index, value=weight)
    if "tool_calls" in message:
        problem = _tool_calls_problem(message["tool_calls"])
        if problem:
            add(line, "invalid_tool_calls", field=f"{prefix}.tool_calls", index=index, detail=problem)
    if "content" not in message:
        if not calls_tool:
            add(line, "message_missing_key", field=f"{prefix}.content", index=index, key="content")
        return 0
    content = message["content"]
    if type(content) is str:
        if not content or content.isspace():
            add(line, "empty_content", field=f"{prefix}.content", index=index)
        return len(content)
    if content is None and calls_tool:
        return 0
    if type(content) is list:
        return _check_parts(content, prefix, index, line, add)
    add(line, "missing_content", field=f"{prefix}.content", index=index)
    return 0


def _check_parts(parts: list, prefix: str, index: int, line: int, add: AddFinding) -> int:
    chars = 0
    ok = bool(parts)
    for part in parts:
        if type(part) is not dict or part.get("type") not in _PART_TYPES:
            ok = False
        elif part["type"] == "text":
            text = part.get("text")
            if type(text) is not str:
                ok = False
            else:
                chars += len(text)
    if not ok:
        add(line, "missing_content", field=f"{prefix}.content", index=index)
    return chars


def _tool_calls_problem(calls: Any) -> str | None:
    if type(calls) is not list or not calls:
        return "tool_calls must be a non-empty list"
    for n, call in enumerate(calls):
        if type(call) is not dict:
            return f"item {n + 1} is not an object"
        function = call.get("function")
        if type(function) is not dict or type(function.get("name")) is not str:
            return f"item {n + 1} needs function.name"
        if type(function.get("arguments")) is not str:
            return f"item {n + 1}: function.arguments must be a JSON string"
    return None


def tools_problem(tools: Any, key: str) -> str | None:
    if type(tools) is not list or not tools:
        return f"{key} must be a non-empty list"
    for n, tool in enumerate(tools):
        spec = tool.get("function") if key == "tools" and type(tool) is dict else tool
        if type(spec) is not dict or type(spec.get("name")) is not str:
            return f"item {n + 1} needs a function name"
    return None
