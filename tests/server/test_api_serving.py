"""The inference core behind the API, driven by the official SDK against a real server: limits
checked before any work, a bounded queue, cancellation when a client goes away, no download for an
unknown name (any outbound connection fails the test), and SIGTERM."""

from __future__ import annotations

import concurrent.futures as cf
import os
import signal
import time
from pathlib import Path

import httpx
import openai
import pytest
from serverkit import together_and_alone, wait_for
from tiny_chat import build as build_tiny

pytestmark = pytest.mark.cli
ASK = [{"role": "user", "content": "¿Tienen iPhone 15 en stock?"}]

# Loaded into the server's interpreter (PYTHONPATH): any connection or name lookup that leaves this
# machine is written to a log and refused.
NETWORK_GUARD = '''
import os, socket
_log = os.environ["AFINAR_TEST_NET_LOG"]
def _local(host):
    return isinstance(host, str) and (host.startswith("127.") or host in ("localhost", "::1", "0.0.0.0", ""))
def _note(what):
    with open(_log, "a") as fh:
        fh.write(what + "\\n")
_connect, _connect_ex, _getaddrinfo = socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo
def connect(self, address):
    if self.family != socket.AF_UNIX and not _local(address[0]):
        _note(f"connect {address!r}")
        raise OSError("outbound connection refused by the test")
    return _connect(self, address)
def connect_ex(self, address):
    if self.family != socket.AF_UNIX and not _local(address[0]):
        _note(f"connect_ex {address!r}")
        return 111
    return _connect_ex(self, address)
def getaddrinfo(host, *args, **kwargs):
    if not _local(host if isinstance(host, str) else str(host)):
        _note(f"getaddrinfo {host!r}")
        raise socket.gaierror("name lookup refused by the test")
    return _getaddrinfo(host, *args, **kwargs)
socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo = connect, connect_ex, getaddrinfo
'''


@pytest.fixture(scope="module")
def talker(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random model that never ends a greedy reply by itself (its end-of-turn logit is held at 0,
    below the largest of the others), so a reply runs to max_tokens: long generations on demand
    (30,000 tokens take about a minute here)."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    folder = build_tiny(tmp_path_factory.mktemp("talker") / "talker", hidden=64, context=32768)
    model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32)
    eos = AutoTokenizer.from_pretrained(folder).eos_token_id
    with torch.no_grad():
        model.lm_head.weight[eos].zero_()
    model.save_pretrained(folder, safe_serialization=True)
    return folder


def _live_client(server, timeout: float = 120):
    """The SDK without the recording hook (which reads every response whole, streams included)."""
    return openai.OpenAI(base_url=server.url + "/v1", api_key="local", max_retries=0, timeout=timeout)


def _busy(server) -> int:
    return sum(httpx.get(server.url + "/health", timeout=10).json()["requests_in_progress"].values())


def _open_stream(client, model: Path, max_tokens: int = 30000):
    stream = client.chat.completions.create(model=str(model), messages=ASK, max_tokens=max_tokens,
                                            temperature=0, stream=True)
    chunks = iter(stream)
    next(chunks), next(chunks)  # the role chunk and the first text: it is generating
    return stream, chunks


def test_limits_queue_and_disconnects(servers, talker):
    server = servers.start("--max-queue", "3")
    client = _live_client(server)
    first, first_chunks = _open_stream(client, talker)

    started = time.monotonic()  # a prompt over the context: refused before any work, others keep going
    with pytest.raises(openai.BadRequestError) as too_long:
        client.chat.completions.create(model=str(talker), max_tokens=10,
                                       messages=[{"role": "user", "content": "palabra " * 62_500}])
    assert time.monotonic() - started < 2
    error = too_long.value.body
    assert error["code"] == "context_length_exceeded" and error["param"] == "messages"
    assert "maximum context length is 32768 tokens" in error["message"]
    assert next(first_chunks).choices[0].delta.content is not None  # the first stream still flows
    with pytest.raises(openai.BadRequestError) as over:  # prompt + max_tokens over the context
        client.chat.completions.create(model=str(talker), messages=ASK, max_tokens=32760)
    assert over.value.body["code"] == "context_length_exceeded"

    others = [_open_stream(client, talker) for _ in range(2)]
    assert _busy(server) == 3
    with pytest.raises(openai.RateLimitError) as full:  # the queue holds 3
        client.chat.completions.create(model=str(talker), messages=ASK, max_tokens=5)
    assert full.value.response.headers["retry-after"].isdigit()
    assert full.value.body["code"] == "rate_limit_exceeded"

    for stream, _ in [(first, first_chunks), *others]:  # clients that go away free the model
        stream.close()
    wait_for(lambda: _busy(server) == 0, 3, 0.05, what="the closed streams' generations to stop")
    started = time.monotonic()
    reply = client.chat.completions.create(model=str(talker), messages=ASK, max_tokens=5, temperature=0)
    assert reply.choices[0].finish_reason == "length" and time.monotonic() - started < 5

    with cf.ThreadPoolExecutor(1) as pool:  # a plain request whose client times out is cancelled too
        impatient = _live_client(server, timeout=1.0)
        waiting = pool.submit(impatient.chat.completions.create, model=str(talker), messages=ASK,
                              max_tokens=30000, temperature=0)
        with pytest.raises(openai.APITimeoutError):
            waiting.result()
    wait_for(lambda: _busy(server) == 0, 3, 0.05, what="the abandoned request's generation to stop")


def test_greedy_replies_of_sixteen_clients_match_one_at_a_time(server, make_client, talker):
    client = make_client(server)
    things = ["iPhone", "MacBook", "monitor", "teclado", "garantía", "envío", "laptop", "azul"]
    prompts = [f"{things[i % 8]} {things[(i * 3 + 1) % 8]} {i * 37 % 100}" for i in range(16)]
    together, alone = together_and_alone(client, str(talker), prompts, 24)
    assert len(set(alone)) >= 12  # replies differ enough that a mix-up would show
    same = sum(a == b for a, b in zip(together, alone))
    # batched float rounding may flip a near-tie and change a reply from there on; it must stay rare
    assert same >= 14, list(zip(together, alone))


def test_unknown_models_are_404s_without_any_network_attempt(servers, make_client, tiny_model, tmp_path):
    from fixtures.models.tiny_bert import write_tiny_bert

    guard, log = tmp_path / "guard", tmp_path / "network.log"
    guard.mkdir()
    (guard / "sitecustomize.py").write_text(NETWORK_GUARD, encoding="utf-8")
    log.write_text("", encoding="utf-8")
    env = {"PYTHONPATH": os.pathsep.join([str(guard), os.environ.get("PYTHONPATH", "")]),
           "AFINAR_TEST_NET_LOG": str(log), "HF_HUB_OFFLINE": "0", "TRANSFORMERS_OFFLINE": "0"}
    server = servers.start(env=env)
    client = make_client(server, strict=False)
    for name in ("gpt-4o", "nope", "HuggingFaceTB/SmolLM2-360M-Instruct", "gemma-3-270m", "smollm2-135m-instruct"):
        with pytest.raises(openai.NotFoundError) as missing:
            client.chat.completions.create(model=name, messages=ASK, max_tokens=2)
        assert missing.value.body["code"] == "model_not_found" and missing.value.body["param"] == "model"
        assert "afinar models pull" in missing.value.body["message"]
        with pytest.raises(openai.NotFoundError):
            client.embeddings.create(model=name, input="hola")
    with pytest.raises(openai.BadRequestError) as chat_as_embedder:
        client.embeddings.create(model=str(tiny_model), input="hola")
    assert chat_as_embedder.value.body["code"] == "model_not_supported"
    assert "not an embedding model" in chat_as_embedder.value.body["message"]
    encoder = write_tiny_bert(tmp_path / "tiny-embed", ["hola mundo", "adiós"])
    with pytest.raises(openai.BadRequestError) as embedder_as_chat:
        client.chat.completions.create(model=str(encoder), messages=ASK, max_tokens=2)
    assert "not a chat model" in embedder_as_chat.value.body["message"]
    assert client.chat.completions.create(model=str(tiny_model), messages=ASK, max_tokens=2).choices
    assert "sitecustomize" not in server.output()  # the guard loaded without complaint
    assert log.read_text(encoding="utf-8") == ""  # nothing tried to leave the machine


def test_sigterm_stops_the_server_within_10_seconds_mid_generation(servers, talker):
    server = servers.start()
    client = _live_client(server)
    stream, chunks = _open_stream(client, talker)
    started = time.monotonic()
    server.proc.send_signal(signal.SIGTERM)
    server.proc.wait(timeout=10)
    assert time.monotonic() - started < 10
    received = 0
    try:
        for _ in chunks:
            received += 1
    except (openai.APIError, httpx.HTTPError):
        pass
    stream.close()
    assert received < 29000  # it ended early: the generation was cancelled, not run to max_tokens
