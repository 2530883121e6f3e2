"""Structured outputs, tools and logprobs through the official SDK and LangChain against a real
server on a tiny random model: the constraint, not the model, makes every output valid (sampled at
temperature 1 so that nothing is luck), and each response is checked against OpenAI's spec."""

from __future__ import annotations

import json
import math

import jsonschema
import openai
import pytest

pytestmark = pytest.mark.cli
ASK = [{"role": "user", "content": "¿Cuánto cuesta la MacBook Pro?"}]
PRICE = {"type": "object", "properties": {
    "product": {"type": "string", "maxLength": 12},
    "euros": {"type": "integer", "minimum": 0, "maximum": 5000},
    "color": {"enum": ["azul", "rosa", "negro"]},
    "stock": {"type": "boolean"},
    "sizes": {"type": "array", "items": {"type": "integer", "minimum": 1, "maximum": 9}, "maxItems": 3}},
    "required": ["product", "euros", "color", "stock", "sizes"], "additionalProperties": False}
STOCK = {"type": "function", "function": {
    "name": "stock", "description": "Units in stock of a product",
    "parameters": {"type": "object", "properties": {"product": {"type": "string", "maxLength": 10},
                                                    "store": {"enum": ["Madrid", "Lima"]}},
                   "required": ["product", "store"]}}}
ORDER = {"type": "function", "function": {
    "name": "order", "parameters": {"type": "object", "properties": {"units": {"type": "integer", "minimum": 1,
                                                                               "maximum": 9}},
                                    "required": ["units"]}}}


def test_json_schema_outputs_always_parse_and_validate(server, tiny_model, make_client) -> None:
    client = make_client(server)
    fmt = {"type": "json_schema", "json_schema": {"name": "price", "schema": PRICE, "strict": True}}
    for seed in range(6):
        reply = client.chat.completions.create(model=str(tiny_model), messages=ASK, temperature=1.0, seed=seed,
                                               max_tokens=400, response_format=fmt)
        choice = reply.choices[0]
        assert choice.finish_reason == "stop", choice
        jsonschema.validate(json.loads(choice.message.content), PRICE)
    # json_object: any JSON object, also streamed
    stream = client.chat.completions.create(model=str(tiny_model), messages=ASK, temperature=0, max_tokens=300,
                                            response_format={"type": "json_object"}, stream=True)
    text, reasons = "", []
    for chunk in stream:
        for choice in chunk.choices:
            text += choice.delta.content or ""
            reasons.append(choice.finish_reason)
    if reasons[-1] == "stop":
        assert isinstance(json.loads(text), dict)
    else:  # cut at max_tokens: what was written is still a valid JSON prefix
        assert reasons[-1] == "length" and text.startswith("{")


def test_schema_problems_are_400s_naming_the_keyword(server, tiny_model) -> None:
    client = openai.OpenAI(base_url=server.url + "/v1", api_key="local", max_retries=0)
    bad = {"type": "json_schema", "json_schema": {"name": "x", "schema": {"type": "object", "if": {}, "then": {}}}}
    with pytest.raises(openai.BadRequestError) as err:
        client.chat.completions.create(model=str(tiny_model), messages=ASK, max_tokens=5, response_format=bad)
    assert err.value.body["param"] == "response_format" and '"if"' in err.value.body["message"]
    cases = {
        "response_format": {"response_format": {"type": "xml"}},
        "response_format.json_schema": {"response_format": {"type": "json_schema", "json_schema": {"schema": {}}}},
        "top_logprobs": {"top_logprobs": 3},  # without logprobs
        "tool_choice": {"tool_choice": {"type": "function", "function": {"name": "nope"}}, "tools": [STOCK]},
        "tools[0]": {"tools": [{"type": "function", "function": {"name": "bad name!"}}]},
    }
    for param, kwargs in cases.items():
        with pytest.raises(openai.BadRequestError) as err:
            client.chat.completions.create(model=str(tiny_model), messages=ASK, max_tokens=5, **kwargs)
        assert err.value.body["param"] == param, (param, err.value.body)
    with pytest.raises(openai.BadRequestError) as err:  # tool_choice without tools
        client.chat.completions.create(model=str(tiny_model), messages=ASK, max_tokens=5, tool_choice="required")
    assert err.value.body["param"] == "tool_choice"
    with pytest.raises(openai.BadRequestError) as err:  # OpenAI's range is 0 to 20
        client.chat.completions.create(model=str(tiny_model), messages=ASK, max_tokens=5, logprobs=True,
                                       top_logprobs=21)
    assert err.value.body["param"] == "top_logprobs"


def _valid_call(call, tools: list[dict]) -> dict:
    spec = {t["function"]["name"]: t["function"]["parameters"] for t in tools}[call.function.name]
    arguments = json.loads(call.function.arguments)
    jsonschema.validate(arguments, {**spec, "additionalProperties": False})
    assert call.id.startswith("call_") and call.type == "function"
    return arguments


def test_tool_calls_required_named_auto_and_none(server, tiny_model, make_client) -> None:
    client = make_client(server)
    model, tools = str(tiny_model), [STOCK, ORDER]
    for seed in range(4):
        reply = client.chat.completions.create(model=model, messages=ASK, tools=tools, tool_choice="required",
                                               temperature=1.0, seed=seed, max_tokens=300,
                                               parallel_tool_calls=False)
        choice = reply.choices[0]
        assert choice.finish_reason == "tool_calls" and choice.message.content is None
        assert len(choice.message.tool_calls) == 1
        _valid_call(choice.message.tool_calls[0], tools)
    named = client.chat.completions.create(model=model, messages=ASK, tools=tools, max_tokens=300, temperature=1.0,
                                           tool_choice={"type": "function", "function": {"name": "order"}})
    assert [c.function.name for c in named.choices[0].message.tool_calls] == ["order"]
    assert 1 <= json.loads(named.choices[0].message.tool_calls[0].function.arguments)["units"] <= 9
    # auto: the model chooses; either text without any call marker or valid calls
    for seed in range(4):
        reply = client.chat.completions.create(model=model, messages=ASK, tools=tools, temperature=1.0, seed=seed,
                                               max_tokens=60)
        message = reply.choices[0].message
        if message.tool_calls:
            assert reply.choices[0].finish_reason == "tool_calls"
            for call in message.tool_calls:
                _valid_call(call, tools)
        else:
            assert "<tool_call>" not in (message.content or "")
    none = client.chat.completions.create(model=model, messages=ASK, tools=tools, tool_choice="none", max_tokens=8)
    assert none.choices[0].message.tool_calls is None and none.choices[0].finish_reason in ("stop", "length")


def test_tool_calls_stream_as_deltas_and_results_go_back(server, tiny_model, make_client) -> None:
    client = make_client(server)
    model = str(tiny_model)
    stream = client.chat.completions.create(model=model, messages=ASK, tools=[STOCK], tool_choice="required",
                                            temperature=1.0, seed=3, max_tokens=300, stream=True,
                                            parallel_tool_calls=False)
    calls: dict[int, dict] = {}
    reasons = []
    for chunk in stream:
        for choice in chunk.choices:
            reasons.append(choice.finish_reason)
            for delta in choice.delta.tool_calls or []:
                entry = calls.setdefault(delta.index, {"id": None, "name": "", "arguments": ""})
                if delta.id:
                    assert entry["id"] is None, "the id comes once, in the first delta of a call"
                    entry["id"] = delta.id
                if delta.function and delta.function.name:
                    entry["name"] += delta.function.name
                if delta.function and delta.function.arguments:
                    entry["arguments"] += delta.function.arguments
    assert reasons[-1] == "tool_calls" and list(calls) == [0]
    call = calls[0]
    assert call["name"] == "stock" and call["id"].startswith("call_")
    arguments = json.loads(call["arguments"])
    jsonschema.validate(arguments, STOCK["function"]["parameters"])
    # the same call done one piece at a time equals the whole reply (same seed)
    whole = client.chat.completions.create(model=model, messages=ASK, tools=[STOCK], tool_choice="required",
                                           temperature=1.0, seed=3, max_tokens=300, parallel_tool_calls=False)
    assert json.loads(whole.choices[0].message.tool_calls[0].function.arguments) == arguments

    # the round trip: the assistant's call and the tool's result are rendered into the next prompt
    history = ASK + [{"role": "assistant", "content": None, "tool_calls": [
        {"id": call["id"], "type": "function", "function": {"name": "stock", "arguments": call["arguments"]}}]},
        {"role": "tool", "tool_call_id": call["id"], "content": json.dumps({"units": 3})}]
    after = client.chat.completions.create(model=model, messages=history, tools=[STOCK], max_tokens=8,
                                           tool_choice="none")
    assert after.usage.prompt_tokens > client.chat.completions.create(
        model=model, messages=ASK, max_tokens=1).usage.prompt_tokens + 20


def test_logprobs_are_the_models_own_and_sum_to_the_sequence_score(server, tiny_model, make_client) -> None:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from afinar.tasks.chat.tools import render_prompt

    client = make_client(server)
    model = str(tiny_model)
    reply = client.chat.completions.create(model=model, messages=ASK, temperature=1.0, seed=1, max_tokens=12,
                                           logprobs=True, top_logprobs=3)
    entries = reply.choices[0].logprobs.content
    assert len(entries) == reply.usage.completion_tokens - (reply.choices[0].finish_reason == "stop")
    tok = AutoTokenizer.from_pretrained(model)
    lm = AutoModelForCausalLM.from_pretrained(model).eval()
    prompt = tok(render_prompt(tok, ASK), add_special_tokens=False)["input_ids"]
    for e in entries:
        assert len(e.top_logprobs) == 3
        assert e.top_logprobs[0].logprob >= e.logprob - 1e-6
        assert e.logprob <= 0 and all(t.logprob <= 0 for t in e.top_logprobs)
        assert sum(math.exp(t.logprob) for t in e.top_logprobs) <= 1 + 1e-5
    ids = torch.tensor([prompt + _reply_ids(tok, entries)])
    with torch.no_grad():
        logp = torch.log_softmax(lm(ids).logits[0].float(), -1)
    score = sum(float(logp[len(prompt) + i - 1, t]) for i, t in enumerate(ids[0, len(prompt):].tolist()))
    assert math.isclose(sum(e.logprob for e in entries), score, rel_tol=1e-3, abs_tol=1e-3)

    # streamed: the same entries, chunk by chunk
    stream = client.chat.completions.create(model=model, messages=ASK, temperature=1.0, seed=1, max_tokens=12,
                                            logprobs=True, top_logprobs=3, stream=True)
    streamed = [e for chunk in stream for c in chunk.choices if c.logprobs for e in c.logprobs.content or []]
    assert [e.bytes for e in streamed] == [e.bytes for e in entries]
    assert [round(e.logprob, 4) for e in streamed] == [round(e.logprob, 4) for e in entries]


def _reply_ids(tok, entries) -> list[int]:
    """The generated token ids, from each entry's bytes (each token of a byte-level vocabulary has its own)."""
    table = {bytes(_token_bytes(tok, i)): i for i in range(len(tok))}
    return [table[bytes(e.bytes)] for e in entries]


def _byte_level_alphabet() -> dict[str, int]:
    """Byte-level BPE's printable stand-in for each byte (GPT-2's table), character → byte."""
    kept = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1), *range(ord("®"), ord("ÿ") + 1)]
    shifted = [b for b in range(256) if b not in kept]
    table = {chr(b): b for b in kept}
    table.update({chr(256 + n): b for n, b in enumerate(shifted)})
    return table


def _token_bytes(tok, token: int) -> bytes:
    inverse = _byte_level_alphabet()
    piece = tok.convert_ids_to_tokens(token)
    try:
        return bytes(inverse[c] for c in piece)
    except KeyError:
        return piece.encode()


def test_langchain_structured_output_and_tools_round_trip(server, tiny_model) -> None:
    from langchain_core.messages import HumanMessage, ToolMessage
    from langchain_openai import ChatOpenAI
    from pydantic import BaseModel, Field

    class Price(BaseModel):
        """A product's price."""

        product: str = Field(max_length=12)
        euros: int = Field(ge=0, le=5000)

    class Stock(BaseModel):
        """Units in stock of a product."""

        product: str = Field(max_length=10)

    chat = ChatOpenAI(base_url=server.url + "/v1", api_key="local", model=str(tiny_model), max_tokens=300,
                      temperature=1.0, max_retries=0)
    for seed in range(3):
        price = chat.bind(seed=seed).with_structured_output(Price).invoke("La MacBook Pro cuesta 1999 €")
        assert isinstance(price, Price) and 0 <= price.euros <= 5000
    price = chat.with_structured_output(Price, method="json_schema", strict=True).invoke("precio")
    assert isinstance(price, Price)
    bound = chat.bind_tools([Stock], tool_choice="Stock")
    question = HumanMessage("¿Queda la MacBook?")
    first = bound.invoke([question])
    assert first.tool_calls and first.tool_calls[0]["name"] == "Stock"
    assert len(first.tool_calls[0]["args"]["product"]) <= 10
    answer = chat.bind_tools([Stock]).invoke(
        [question, first, ToolMessage(content='{"units": 3}', tool_call_id=first.tool_calls[0]["id"])])
    assert answer.content is not None or answer.tool_calls


def test_rag_models_refuse_output_controls(server) -> None:
    client = openai.OpenAI(base_url=server.url + "/v1", api_key="local", max_retries=0)
    with pytest.raises(openai.BadRequestError) as err:
        client.chat.completions.create(model="rag:nope", messages=ASK, logprobs=True,
                                       response_format={"type": "json_object"})
    assert err.value.body["param"] in ("logprobs", "response_format")
    assert "logprobs" in err.value.body["message"] and "response_format" in err.value.body["message"]
