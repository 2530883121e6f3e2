"""Chat completion parameters the server does not honour are refused with OpenAI's 400 shape,
naming them, never silently ignored; the values that ask for nothing still pass (SDKs and LangChain
send some of them). The official SDK and LangChain against a real server."""

from __future__ import annotations

import openai
import pytest

pytestmark = pytest.mark.cli
ASK = [{"role": "user", "content": "hola"}]


def _refused(client: openai.OpenAI, model: str, **kwargs) -> openai.BadRequestError:
    with pytest.raises(openai.BadRequestError) as err:
        client.chat.completions.create(model=model, messages=kwargs.pop("messages", ASK), max_tokens=2, **kwargs)
    assert err.value.status_code == 400
    return err.value


def test_unhonoured_parameters_are_refused_by_name(server, tiny_model) -> None:
    client = openai.OpenAI(base_url=server.url + "/v1", api_key="local", max_retries=0)
    model = str(tiny_model)
    cases = {
        "presence_penalty": {"presence_penalty": 5},  # out of OpenAI's range, -2 to 2
        "logit_bias": {"logit_bias": {"hola": 100}},  # keys are token ids
        "top_logprobs": {"top_logprobs": 5},  # without logprobs: true
        "response_format": {"response_format": {"type": "json_schema", "json_schema": {"name": "x", "schema": {
            "type": "object", "if": {"type": "object"}, "then": {}}}}},  # a keyword the grammar cannot honour
        "tool_choice": {"tool_choice": "required"},  # without tools
        "functions": {"extra_body": {"functions": [{"name": "f", "parameters": {"type": "object"}}]}},
        "prediction": {"prediction": {"type": "content", "content": "x"}},
        "stream_options": {"stream_options": {"include_usage": True}},  # without stream
        "frobnicate": {"extra_body": {"frobnicate": 1}},  # not an OpenAI parameter at all
        "messages[0].content[1]": {"messages": [{"role": "user", "content": [
            {"type": "text", "text": "¿Qué hay en la foto?"},
            {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}]}]},
    }
    for param, kwargs in cases.items():
        err = _refused(client, model, **kwargs)
        assert err.body["param"] == param, (param, err.body)
        assert err.body["code"]
        assert param.split("[")[0] in err.body["message"] or "image_url" in err.body["message"]

    # every problem of one request in one answer
    err = _refused(client, model, tool_choice="required", top_logprobs=2, extra_body={"prediction": {}})
    for name in ("tool_choice", "top_logprobs", "prediction"):
        assert name in err.body["message"], name
    err = _refused(client, model, logit_bias={"99999999": 5})  # not a token of this model
    assert err.body["param"] == "logit_bias" and "99999999" in err.body["message"]

    # the values that ask for nothing pass, and so does an end-user id
    reply = client.chat.completions.create(model=model, messages=ASK, max_tokens=2, presence_penalty=0,
                                           frequency_penalty=0, logprobs=False, response_format={"type": "text"},
                                           user="learner-7", service_tier="auto", store=False)
    assert reply.choices[0].finish_reason in ("stop", "length")
    parts = [{"type": "text", "text": "ho"}, {"type": "text", "text": "la"}]
    assert client.chat.completions.create(model=model, messages=[{"role": "user", "content": parts}], max_tokens=2)


def test_penalties_and_logit_bias_change_the_output_as_defined(server, tiny_model) -> None:
    from transformers import AutoTokenizer

    client = openai.OpenAI(base_url=server.url + "/v1", api_key="local", max_retries=0)
    model = str(tiny_model)
    z = AutoTokenizer.from_pretrained(model)("Z", add_special_tokens=False)["input_ids"]
    assert len(z) == 1
    bias = {str(z[0]): 1.5}  # a random tiny model's logits are far smaller: Z wins every step

    def zs(**kwargs) -> int:
        text = client.chat.completions.create(model=model, messages=ASK, max_tokens=8, temperature=0,
                                              **kwargs).choices[0].message.content
        return text.count("Z")

    assert zs(logit_bias=bias) == 8
    assert zs(logit_bias=bias, presence_penalty=2) == 1  # once said, Z is 1.5 - 2 below the others
    assert 1 <= zs(logit_bias={str(z[0]): 5}, frequency_penalty=2) <= 3  # 5 - 2c: gone after c = 3
    assert zs(logit_bias={str(z[0]): 100}) == 8
    assert zs(logit_bias={str(z[0]): -100}) == 0
