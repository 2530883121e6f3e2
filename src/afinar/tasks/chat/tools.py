"""Tools in a chat: how tool definitions, tool calls and tool results become the text a model
reads and writes, the same at training and at answer time.

OpenAI's chat format carries tools as structured fields (``tools`` beside the messages, an
assistant's ``tool_calls``, ``role: "tool"`` results). A chat template that knows tools (it
mentions ``tools`` and ``tool_calls``) renders them its own way. For every other template (the
catalog's bases: SmolLM2's ChatML, the ChatML fallback) they are rendered as text:

- the tool definitions are added to the system message (one is made when there is none), each
  function as one line of JSON under a short instruction;
- an assistant's tool call is written ``<tool_call>{"name": ..., "arguments": {...}}</tool_call>``
  (one per call, no separator), after its text if it has any: this is what the model is trained
  to write and what the server's grammar lets it write (:func:`call_schema`);
- a tool result stays a message of role ``tool``, its content the result's text.

Worked example (ChatML)::

    <|im_start|>system
    Eres el asistente de TechStore.

    You can call these functions. To call one, answer only with <tool_call>{"name": ..., "arguments": {...}}</tool_call>.
    {"name": "stock", "description": "Units in stock", "parameters": {...}}<|im_end|>
    <|im_start|>user
    ¿Queda el iPhone 15?<|im_end|>
    <|im_start|>assistant
    <tool_call>{"name": "stock", "arguments": {"product": "iPhone 15"}}</tool_call><|im_end|>
    <|im_start|>tool
    {"units": 3}<|im_end|>
"""

from __future__ import annotations

import json
import re
from typing import Any

OPEN, CLOSE = "<tool_call>", "</tool_call>"
INSTRUCTION = ("You can call these functions. To call one, answer only with "
               + OPEN + '{"name": ..., "arguments": {...}}' + CLOSE + ".")
# What json.dumps writes by default: the grammar of the server's constrained decoding uses the same.
ITEM_SEPARATOR, KEY_SEPARATOR = ", ", ": "
_CALL = re.compile(re.escape(OPEN) + r"(.*?)" + re.escape(CLOSE), re.DOTALL)


def template_knows_tools(tokenizer: Any) -> bool:
    template = getattr(tokenizer, "chat_template", None) or ""
    return isinstance(template, str) and "tool_calls" in template and "tools" in template


def _text(content: Any) -> str:
    if content is None:
        return ""
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return str(content)


def function_of(tool: dict) -> dict:
    """The function definition of an OpenAI tool (``{"type": "function", "function": {...}}``) or of
    a legacy ``functions`` entry."""
    return tool.get("function", tool) if isinstance(tool, dict) else {}


def arguments_of(call: dict) -> Any:
    """A tool call's arguments as a value (OpenAI sends them as a JSON string)."""
    raw = function_of(call).get("arguments", {})
    if isinstance(raw, str):
        try:
            return json.loads(raw) if raw.strip() else {}
        except json.JSONDecodeError:
            return raw
    return raw


def call_text(call: dict) -> str:
    """One tool call as the model writes it."""
    body = {"name": function_of(call).get("name", ""), "arguments": arguments_of(call)}
    return OPEN + json.dumps(body, ensure_ascii=False) + CLOSE


def tools_text(tools: list[dict]) -> str:
    """The tool definitions as the text added to the system message."""
    lines = []
    for tool in tools:
        fn = function_of(tool)
        entry = {"name": fn.get("name", "")}
        if fn.get("description"):
            entry["description"] = fn["description"]
        entry["parameters"] = fn.get("parameters") or {"type": "object", "properties": {}}
        lines.append(json.dumps(entry, ensure_ascii=False))
    return INSTRUCTION + "\n" + "\n".join(lines)


def render_messages(messages: list[dict], tools: list[dict] | None, native: bool) -> tuple[list[dict], dict]:
    """Messages (and keyword arguments) for ``apply_chat_template``: text content, ``weight`` dropped
    (it only steers the loss mask), developer as system, tools rendered as this module describes.
    ``native``: the template renders tools itself (it gets ``tools=`` and the calls as values)."""
    out: list[dict[str, Any]] = []
    for message in messages:
        role = {"developer": "system"}.get(message.get("role", "user"), message.get("role", "user"))
        item: dict[str, Any] = {"role": role, "content": _text(message.get("content"))}
        calls = message.get("tool_calls") or ([message["function_call"]] if message.get("function_call") else None)
        if role == "function":  # the legacy name of a tool result
            item["role"] = "tool"
        if native:
            if calls:
                item["tool_calls"] = [{"type": "function", "id": c.get("id"),
                                       "function": {"name": function_of(c).get("name", ""),
                                                    "arguments": arguments_of(c)}} for c in calls]
            for key in ("tool_call_id", "name"):
                if message.get(key):
                    item[key] = message[key]
        elif calls:
            item["content"] += "".join(call_text(c) for c in calls)
        out.append(item)
    if not tools:
        return out, {}
    if native:
        return out, {"tools": tools}
    text = tools_text(tools)
    if out and out[0]["role"] == "system":
        out[0] = {**out[0], "content": (out[0]["content"] + "\n\n" + text) if out[0]["content"] else text}
    else:
        out.insert(0, {"role": "system", "content": text})
    return out, {}


def tools_of(example: dict) -> list[dict] | None:
    """A conversation's tools: ``tools``, or the legacy ``functions`` as tools."""
    if example.get("tools"):
        return example["tools"]
    if example.get("functions"):
        return [{"type": "function", "function": f} for f in example["functions"]]
    return None


def render_prompt(tokenizer: Any, messages: list[dict], tools: list[dict] | None = None) -> str:
    """The prompt text that asks the model for the next assistant message."""
    rendered, kwargs = render_messages(messages, tools, template_knows_tools(tokenizer))
    return tokenizer.apply_chat_template(rendered, tokenize=False, add_generation_prompt=True, **kwargs)


# --- what the model wrote ---------------------------------------------------------------------
def parse_calls(text: str) -> tuple[str, list[dict[str, Any]]] | None:
    """``(content, calls)`` when ``text`` is tool calls (after optional text), each call
    ``{"name", "arguments"}`` with arguments as a JSON string; None when it calls no tool."""
    start = text.find(OPEN)
    if start < 0:
        return None
    calls = []
    for match in _CALL.finditer(text, start):
        try:
            body = json.loads(match.group(1))
        except json.JSONDecodeError:
            return None
        if not isinstance(body, dict) or not isinstance(body.get("name"), str):
            return None
        arguments = body.get("arguments", {})
        calls.append({"name": body["name"], "arguments": json.dumps(arguments, ensure_ascii=False)})
    return (text[:start].strip(), calls) if calls else None


def call_schema(tools: list[dict], names: list[str] | None = None) -> dict[str, Any]:
    """The JSON schema of one call: ``{"name": <one of the functions>, "arguments": <its parameters>}``,
    properties in that order (``names``: only these functions)."""
    options, defs = [], {}
    for n, tool in enumerate(tools):
        fn = function_of(tool)
        if names is not None and fn.get("name") not in names:
            continue
        parameters = _hoist_defs(fn.get("parameters") or {"type": "object", "properties": {}}, f"f{n}_", defs)
        options.append({"type": "object", "properties": {"name": {"const": fn.get("name", "")},
                                                         "arguments": parameters},
                        "required": ["name", "arguments"], "additionalProperties": False})
    schema = options[0] if len(options) == 1 else {"anyOf": options}
    return {**schema, "$defs": defs} if defs else schema


def _hoist_defs(parameters: dict, prefix: str, defs: dict) -> dict:
    """A function's parameters schema nested under another: its ``$defs`` move to the root (names
    prefixed per function) and its ``#/$defs/...`` references follow them."""
    own = {**parameters.get("$defs", {}), **parameters.get("definitions", {})}
    if not own:
        return parameters

    def rewrite(node: Any) -> Any:
        if isinstance(node, dict):
            out = {k: rewrite(v) for k, v in node.items() if k not in ("$defs", "definitions")}
            ref = node.get("$ref")
            if isinstance(ref, str):
                for root in ("#/$defs/", "#/definitions/"):
                    if ref.startswith(root):
                        out["$ref"] = "#/$defs/" + prefix + ref[len(root):]
            return out
        if isinstance(node, list):
            return [rewrite(v) for v in node]
        return node

    for name, schema in own.items():
        defs[prefix + name] = rewrite(schema)
    return rewrite(parameters)
