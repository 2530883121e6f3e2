"""What a chat completion request asks of its output (structured outputs, tools, logprobs), checked
as OpenAI checks it, and the reply in OpenAI's shape: ``tool_calls`` with ``finish_reason``
``tool_calls``, ``logprobs.content``, and tool calls streamed as deltas (the function's name first,
then its arguments as they are written).
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from typing import Any

from afinar.server.errors import ApiError
from afinar.serving.logprobs import MAX_TOP
from afinar.tasks.chat.tools import CLOSE, OPEN, parse_calls

NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
CHOICES = ("none", "auto", "required")


@dataclass(frozen=True)
class OutputPlan:
    """``controls`` for the inference core, and how to read its text back: ``calls`` (tool calls
    may be in it) and ``logprobs`` (asked for)."""

    controls: Any
    calls: bool
    logprobs: bool


def plan(body: Any, shaping: Any, errors: list[ApiError]) -> OutputPlan:
    """The request's output controls; every problem in them, with the request's other ``errors``,
    as one 400 (``raise_all``)."""
    from afinar.server.errors import raise_all
    from afinar.serving.engine import Controls

    errors = list(errors)
    top = body.top_logprobs
    if top and not body.logprobs:
        errors.append(ApiError(400, "server.chat.top_logprobs_without_logprobs", param="top_logprobs",
                               code="invalid_value", top=top))
    logprobs = min(int(top or 0), MAX_TOP) if body.logprobs else None
    schema, json_mode = _response_format(body.response_format, errors)
    tools = _tools(body.tools, errors)
    choice, names = _tool_choice(body.tool_choice, tools, errors)
    _tool_calls_in_messages(body.messages, errors)
    raise_all(errors)
    structure = None
    calls = bool(tools) and choice != "none"
    parallel = body.parallel_tool_calls is not False
    try:
        if calls:
            from afinar.serving.structured import Structure

            structure = Structure.tools(tools, "auto" if choice == "auto" else "function" if names else "required",
                                        names, parallel and not names, text_schema=schema)
        elif json_mode:
            from afinar.serving.structured import Structure

            structure = Structure.json(schema)
    except ValueError as err:  # a schema that is not a JSON object
        raise ApiError(400, "server.chat.bad_response_format", param="response_format", code="invalid_value",
                       detail=str(err)) from err
    controls = Controls(shaping=shaping, structure=structure, logprobs=logprobs,
                        tools=tools if calls else None)
    return OutputPlan(controls, calls, logprobs is not None)


def _response_format(value: Any, errors: list[ApiError]) -> tuple[dict | None, bool]:
    """(schema, json_mode): json_object is (None, True)."""
    if value is None:
        return None, False

    def bad(detail: str, param: str = "response_format") -> tuple[None, bool]:
        errors.append(ApiError(400, "server.chat.bad_response_format", param=param, code="invalid_value",
                               detail=detail))
        return None, False

    kind = value.get("type") if isinstance(value, dict) else None
    if kind == "text":
        return None, False
    if kind == "json_object":
        return None, True
    if kind != "json_schema":
        return bad(f"type {json.dumps(kind)} is not one of them")
    spec = value.get("json_schema")
    if not isinstance(spec, dict) or not isinstance(spec.get("name"), str) or not NAME.fullmatch(spec["name"]):
        return bad("json_schema.name is missing or not letters, digits, _ or -", "response_format.json_schema")
    schema = spec.get("schema", {"type": "object"})
    if not isinstance(schema, dict):
        return bad("json_schema.schema must be a JSON object", "response_format.json_schema.schema")
    return closed(schema), True


def _tools(value: Any, errors: list[ApiError]) -> list[dict]:
    if not value:
        return []
    tools, seen = [], set()
    for i, tool in enumerate(value):
        fn = tool.get("function") if isinstance(tool, dict) else None
        detail = None
        if not isinstance(tool, dict) or tool.get("type", "function") != "function" or not isinstance(fn, dict):
            detail = f"tools[{i}] is not a function tool"
        elif not isinstance(fn.get("name"), str) or not NAME.fullmatch(fn["name"]):
            detail = f"tools[{i}].function.name {json.dumps(fn.get('name'))} is not a valid name"
        elif fn["name"] in seen:
            detail = f"the name {fn['name']!r} is used twice"
        elif fn.get("parameters") is not None and not isinstance(fn["parameters"], dict):
            detail = f"tools[{i}].function.parameters must be a JSON schema object"
        if detail:
            errors.append(ApiError(400, "server.chat.bad_tool", param=f"tools[{i}]", code="invalid_value",
                                   detail=detail))
            continue
        seen.add(fn["name"])
        parameters = closed(fn.get("parameters") or {"type": "object", "properties": {}})
        tools.append({"type": "function", "function": {**fn, "parameters": parameters}})
    return tools


def _tool_choice(value: Any, tools: list[dict], errors: list[ApiError]) -> tuple[str, list[str] | None]:
    """("none" | "auto" | "required", the named function or None)."""
    names = [t["function"]["name"] for t in tools]

    def bad(detail: str) -> tuple[str, None]:
        errors.append(ApiError(400, "server.chat.bad_tool_choice", param="tool_choice", code="invalid_value",
                               detail=detail))
        return "none", None

    if value is None:
        return ("auto" if tools else "none"), None
    if isinstance(value, str):
        if value not in CHOICES:
            return bad(f"{json.dumps(value)} is not one of them")
        if value != "none" and not tools:
            return bad("the request has no tools")
        return value, None
    fn = value.get("function") if isinstance(value, dict) else None
    if not isinstance(fn, dict) or value.get("type") != "function":
        return bad("it is neither a string nor a function choice")
    if fn.get("name") not in names:
        return bad(f"the request has no tool named {json.dumps(fn.get('name'))}")
    return "required", [fn["name"]]


def _tool_calls_in_messages(messages: list[Any], errors: list[ApiError]) -> None:
    for i, message in enumerate(messages):
        calls = (message.model_extra or {}).get("tool_calls")
        if calls is None:
            continue
        problem = None
        if message.role != "assistant":
            problem = "only assistant messages make tool calls"
        elif not isinstance(calls, list):
            problem = "tool_calls must be a list"
        else:
            for call in calls:
                fn = call.get("function") if isinstance(call, dict) else None
                if not isinstance(fn, dict) or not isinstance(fn.get("name"), str):
                    problem = "a call has no function name"
                elif not isinstance(fn.get("arguments", ""), str):
                    problem = "arguments must be a JSON text (a string)"
        if problem:
            errors.append(ApiError(400, "server.chat.bad_tool_call", param=f"messages[{i}].tool_calls",
                                   code="invalid_value", detail=problem))


def closed(schema: Any) -> Any:
    """A schema whose objects with listed ``properties`` take no other keys unless it says so
    (``additionalProperties`` absent means false), as vLLM's grammar backend does by default: a
    model constrained by the schema then never invents keys (OpenAI's strict mode requires it)."""
    if isinstance(schema, list):
        return [closed(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    literal = ("enum", "const", "default", "examples")  # values, not schemas
    out = {k: v if k in literal or k == "properties" else closed(v) for k, v in schema.items()}
    if isinstance(schema.get("properties"), dict):  # a mapping of names to schemas
        out["properties"] = {k: closed(v) for k, v in schema["properties"].items()}
        out.setdefault("additionalProperties", False)
    return out


# --- the reply --------------------------------------------------------------------------------
def call_id() -> str:
    return "call_" + secrets.token_hex(12)


def message_of(result: dict[str, Any], output: OutputPlan) -> tuple[dict[str, Any], str, dict | None]:
    """(message, finish_reason, logprobs) of a whole reply."""
    message: dict[str, Any] = {"role": "assistant", "content": result["text"], "refusal": None}
    reason = result["finish_reason"]
    parsed = parse_calls(result["text"]) if output.calls else None
    if parsed is not None:
        content, calls = parsed
        message["content"] = content or None
        message["tool_calls"] = [{"id": call_id(), "type": "function", "function": c} for c in calls]
        if reason == "stop":
            reason = "tool_calls"
    logprobs = {"content": result.get("logprobs") or [], "refusal": None} if output.logprobs else None
    return message, reason, logprobs


_HEADER = re.compile(r'\{"name": "([A-Za-z0-9_-]*)", "arguments": ')
_HOLD = len("}" + CLOSE)  # the end of a call: held back until it comes


class ToolStream:
    """Streamed text → OpenAI deltas: ``{"content": ...}`` for an answer in text, and for tool calls
    ``{"tool_calls": [{"index", "id", "type", "function": {"name", "arguments": ""}}]}`` once a
    call's name is written, then ``{"tool_calls": [{"index", "function": {"arguments": piece}}]}``
    as its arguments are."""

    def __init__(self) -> None:
        self.buffer, self.mode = "", None  # None: not yet known whether the reply calls tools
        self.index, self.sent, self.open = -1, 0, False  # the call being written; its arguments sent so far
        self.called = False

    def feed(self, piece: str) -> list[dict]:
        self.buffer += piece
        if self.mode is None:
            head = self.buffer.lstrip()
            if head.startswith(OPEN):
                self.mode, self.buffer = "calls", head
            elif OPEN.startswith(head):
                return []  # could still become a call
            else:
                self.mode = "text"
        if self.mode == "text":
            out, self.buffer = self.buffer, ""
            return [{"content": out}] if out else []
        return self._calls(final=False)

    def finish(self) -> list[dict]:
        if self.mode is None and self.buffer.strip():
            self.mode = "text"
        if self.mode == "text":
            out, self.buffer = self.buffer, ""
            return [{"content": out}] if out else []
        return self._calls(final=True) if self.mode == "calls" else []

    def _calls(self, final: bool) -> list[dict]:
        deltas = []
        while True:
            if not self.open:
                start = self.buffer.find(OPEN)
                match = _HEADER.match(self.buffer, start + len(OPEN)) if start >= 0 else None
                if match is None:
                    return deltas
                self.index += 1
                self.open, self.called = True, True
                self.buffer, self.sent = self.buffer[match.end():], 0
                deltas.append({"tool_calls": [{"index": self.index, "id": call_id(), "type": "function",
                                               "function": {"name": match.group(1), "arguments": ""}}]})
            end = self.buffer.find("}" + CLOSE)
            if end >= 0:
                args, self.buffer, self.open = self.buffer[:end], self.buffer[end + _HOLD:], False
            else:
                args = self.buffer if final else self.buffer[:max(len(self.buffer) - _HOLD, 0)]
            if len(args) > self.sent:
                deltas.append({"tool_calls": [{"index": self.index, "function": {"arguments": args[self.sent:]}}]})
                self.sent = len(args)
            if self.open:
                return deltas
