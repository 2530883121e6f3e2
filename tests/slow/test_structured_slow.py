"""Slow: structured outputs and tool calls from the real default base through a running server —
the official SDK and LangChain get JSON that parses and validates, and tool calls whose arguments
fit the functions, every time."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import jsonschema
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))
from serverkit import Servers  # noqa: E402

pytestmark = pytest.mark.slow
MODEL = "smollm2-135m-instruct"
PRICE = {"type": "object", "properties": {"product": {"type": "string", "maxLength": 60}, "euros": {"type": "number"},
                                          "in_stock": {"type": "boolean"}},
         "required": ["product", "euros", "in_stock"], "additionalProperties": False}
QUESTIONS = ["Extrae producto, precio y stock: «La MacBook Air M2 cuesta 1199 euros y hay 4 en stock.»",
             "Devuelve en JSON el producto y el precio: el iPhone 15 de 128 GB sale a 799 €, agotado.",
             "Extract product, price and stock: the Galaxy Tab S9 costs 899 euros, 2 left."]


@pytest.fixture
def server(afinar_home: Path, tmp_path: Path):
    from afinar.models import pull
    from afinar.models.progress import QuietReporter

    pull(MODEL, reporter=QuietReporter())  # answers never download: pulled first
    pool = Servers(afinar_home, tmp_path)
    yield pool.start(local_models=False)
    pool.close()


def test_smollm2_structured_outputs_and_tools_through_the_sdk_and_langchain(server) -> None:
    import openai
    from langchain_openai import ChatOpenAI
    from pydantic import BaseModel, Field

    client = openai.OpenAI(base_url=server.url + "/v1", api_key="local", max_retries=0)
    fmt = {"type": "json_schema", "json_schema": {"name": "price", "schema": PRICE, "strict": True}}
    for question in QUESTIONS:
        reply = client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": question}],
                                               response_format=fmt, max_tokens=120, temperature=0)
        assert reply.choices[0].finish_reason == "stop"
        jsonschema.validate(json.loads(reply.choices[0].message.content), PRICE)

    stock = {"type": "function", "function": {"name": "consultar_stock", "description": "Unidades en una tienda",
                                              "parameters": {"type": "object", "properties": {
                                                  "producto": {"type": "string", "maxLength": 60},
                                                  "tienda": {"enum": ["Madrid", "Barcelona", "Online"]}},
                                                  "required": ["producto", "tienda"]}}}
    reply = client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content":
                                           "¿Queda el iPhone 15 en Madrid?"}], tools=[stock],
                                           tool_choice="required", max_tokens=120, temperature=0)
    (call,) = reply.choices[0].message.tool_calls
    assert reply.choices[0].finish_reason == "tool_calls" and call.function.name == "consultar_stock"
    arguments = json.loads(call.function.arguments)
    jsonschema.validate(arguments, stock["function"]["parameters"])

    class Price(BaseModel):
        """A product's price."""

        product: str = Field(max_length=60)
        euros: float

    chat = ChatOpenAI(base_url=server.url + "/v1", api_key="local", model=MODEL, max_tokens=120, temperature=0,
                      max_retries=0)
    price = chat.with_structured_output(Price).invoke(QUESTIONS[0])
    assert isinstance(price, Price)
    assert chat.bind_tools([Price], tool_choice="Price").invoke(QUESTIONS[1]).tool_calls[0]["name"] == "Price"
