"""The pieces of structured outputs and tool calls that need no model: the call format and its
parser, the schema of a call, closed schemas, the grammars themselves on a real tokenizer, and the
streaming of tool calls as OpenAI deltas."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import tiny_chat

from afinar.server.outputs import ToolStream, closed
from afinar.tasks.chat.tools import call_schema, call_text, parse_calls

pytestmark = pytest.mark.unit
STOCK = {"type": "function", "function": {"name": "stock", "parameters": {
    "type": "object", "properties": {"item": {"$ref": "#/$defs/Item"}}, "required": ["item"],
    "$defs": {"Item": {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}}}}}


def test_a_call_is_written_and_read_back() -> None:
    call = {"id": "c1", "type": "function", "function": {"name": "stock", "arguments": '{"item": {"name": "Año"}}'}}
    text = call_text(call)
    assert text == '<tool_call>{"name": "stock", "arguments": {"item": {"name": "Año"}}}</tool_call>'
    assert parse_calls(text + text) == ("", [{"name": "stock", "arguments": '{"item": {"name": "Año"}}'}] * 2)
    assert parse_calls("Hola") is None
    assert parse_calls("<tool_call>{broken</tool_call>") is None


def test_the_schema_of_a_call_keeps_each_functions_definitions() -> None:
    schema = call_schema([STOCK, {"type": "function", "function": {"name": "other"}}])
    assert [o["properties"]["name"]["const"] for o in schema["anyOf"]] == ["stock", "other"]
    arguments = schema["anyOf"][0]["properties"]["arguments"]
    assert arguments["properties"]["item"]["$ref"] == "#/$defs/f0_Item" and "$defs" not in arguments
    assert schema["$defs"]["f0_Item"]["properties"]["name"] == {"type": "string"}
    assert call_schema([STOCK], ["stock"])["properties"]["name"] == {"const": "stock"}


def test_closed_schemas_take_no_invented_keys_unless_they_say_so() -> None:
    schema = closed({"type": "object", "properties": {"a": {"type": "object", "properties": {"b": {}}},
                                                      "c": {"type": "object"}},
                     "additionalProperties": True, "$defs": {"X": {"properties": {"y": {}}}}})
    assert schema["additionalProperties"] is True  # said so
    assert schema["properties"]["a"]["additionalProperties"] is False
    assert "additionalProperties" not in schema["properties"]["c"]  # no properties listed: any object
    assert schema["$defs"]["X"]["additionalProperties"] is False


@pytest.fixture(scope="module")
def grammar_tokenizer(tmp_path_factory):
    from transformers import AutoTokenizer

    from afinar.serving.structured import grammar_tokenizer

    folder = tiny_chat.build(tmp_path_factory.mktemp("tiny") / "m")
    tok = AutoTokenizer.from_pretrained(str(folder))
    return tok, grammar_tokenizer(tok, {tok.eos_token_id})


def _accepts(structure, tokenizer, text: str) -> bool:
    from llguidance import LLMatcher

    tok, lltok = tokenizer
    matcher = LLMatcher(lltok, structure.grammar, log_level=0)
    return matcher.consume_tokens(tok(text, add_special_tokens=False)["input_ids"]) and matcher.is_accepting()


def test_grammars_accept_what_they_describe_and_nothing_else(grammar_tokenizer) -> None:
    from afinar.serving.structured import Structure, UnsupportedSchema

    price = Structure.json({"type": "object", "properties": {"euros": {"type": "integer", "maximum": 5000}},
                            "required": ["euros"], "additionalProperties": False})
    assert _accepts(price, grammar_tokenizer, '{"euros": 799}')
    assert not _accepts(price, grammar_tokenizer, '{"euros": 9999}')
    assert not _accepts(price, grammar_tokenizer, '{"euros":799}')  # compact separators, as json.dumps
    assert _accepts(Structure.json(None), grammar_tokenizer, '{"a": [1, {"b": null}]}')
    tools = [STOCK]
    call = '<tool_call>{"name": "stock", "arguments": {"item": {"name": "iPhone"}}}</tool_call>'
    auto = Structure.tools(tools, "auto")
    assert _accepts(auto, grammar_tokenizer, "Hola, ¿qué tal?")
    assert _accepts(auto, grammar_tokenizer, call)
    assert not _accepts(auto, grammar_tokenizer, "Hola <tool_call>")  # text never holds a half call
    required = Structure.tools(tools, "required", parallel=False)
    assert not _accepts(required, grammar_tokenizer, "Hola")
    assert _accepts(required, grammar_tokenizer, call) and not _accepts(required, grammar_tokenizer, call + call)
    assert _accepts(Structure.tools(tools, "required"), grammar_tokenizer, call + call)
    with pytest.raises(UnsupportedSchema) as err:
        Structure.json({"type": "object", "not": {}}).check(grammar_tokenizer[1])
    assert '"not"' in err.value.message("en") and err.value.param == "response_format"


def test_tool_calls_stream_as_openai_deltas() -> None:
    text = ('<tool_call>{"name": "stock", "arguments": {"item": {"name": "iPhone 15"}}}</tool_call>'
            '<tool_call>{"name": "stock", "arguments": {"item": {"name": "Año"}}}</tool_call>')
    stream, deltas = ToolStream(), []
    for i in range(0, len(text), 3):  # pieces of any size, cut anywhere
        deltas += stream.feed(text[i:i + 3])
    deltas += stream.finish()
    calls: dict[int, dict] = {}
    for delta in deltas:
        assert "content" not in delta
        for part in delta["tool_calls"]:
            entry = calls.setdefault(part["index"], {"name": "", "arguments": "", "ids": 0})
            entry["ids"] += "id" in part
            entry["name"] += part["function"].get("name", "")
            entry["arguments"] += part["function"].get("arguments", "")
    assert stream.called and [c["ids"] for c in calls.values()] == [1, 1]
    assert [json.loads(c["arguments"]) for c in calls.values()] == [{"item": {"name": "iPhone 15"}},
                                                                    {"item": {"name": "Año"}}]
    plain = ToolStream()
    assert plain.feed("<to") == [] and plain.feed("do bien") == [{"content": "<todo bien"}]
    assert plain.finish() == [] and not plain.called
