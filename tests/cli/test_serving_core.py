"""Every answer goes through one inference core (afinar.serving): `afinar chat`, the studio without
a server, RAG; and the core's own refusals (nothing downloaded, limits checked first)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import tiny_chat  # noqa: E402

pytestmark = pytest.mark.cli
ASK = [{"role": "user", "content": "¿Tienen iPhone 15?"}]


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(tiny_chat.build(tmp_path_factory.mktemp("core") / "tiny", context=256))


@pytest.fixture
def pool():
    from afinar.serving import default_pool

    default_pool().close()  # no model left loaded by an earlier test
    yield default_pool()
    default_pool().close()


def test_cli_chat_answers_through_the_shared_pool(run_cli, model: str, pool) -> None:
    code, out, err = run_cli("chat", "-m", model, "-p", "¿Tienen iPhone 15?", "--max-tokens", "5")
    assert code == 0, err
    assert pool.loaded() == [model]
    again = pool.generate(model, ASK, max_tokens=5, temperature=0)
    assert out.strip() == again["text"] and again["completion_tokens"] <= 5


def test_studio_without_server_answers_through_the_shared_pool(model: str, pool) -> None:
    from afinar.studio.local import LocalBackend

    text = "".join(LocalBackend().chat_stream(model, ASK, max_tokens=5, temperature=0.0))
    assert pool.loaded() == [model] and text == pool.generate(model, ASK, max_tokens=5, temperature=0)["text"]


def test_limits_refusals_and_cancellation(model: str, pool) -> None:
    from afinar.serving import ContextTooLong, QueueFull
    from afinar.serving.resolve import ModelUnavailable

    engine = pool.get(model)
    assert engine.context == 256
    with pytest.raises(ContextTooLong) as over:
        engine.submit([{"role": "user", "content": "hola " * 300}])
    assert over.value.context == 256 and over.value.prompt > 256
    with pytest.raises(ModelUnavailable) as missing:
        pool.get("gemma-3-270m")  # in the catalog, not pulled: never installed by an answer
    assert "afinar models pull" in missing.value.message("en")
    default = engine.submit(ASK)  # no max_tokens: what fits in the context
    assert default.max_tokens == 256 - len(default.prompt_ids)
    default.cancel()
    engine.max_pending = 2
    try:
        first, second = engine.submit(ASK, max_tokens=200), engine.submit(ASK, max_tokens=200)
        with pytest.raises(QueueFull):
            engine.submit(ASK, max_tokens=5)
        started = time.monotonic()
        first.cancel()
        assert first.run()["completion_tokens"] < 200 and time.monotonic() - started < 2
        assert engine.submit(ASK, max_tokens=3, temperature=0).run()["completion_tokens"] <= 3  # room again
        second.cancel()
    finally:
        engine.max_pending = 64
    assert engine.busy == 0


def test_seeded_sampling_repeats_and_greedy_batches_match_one_at_a_time(model: str, pool) -> None:
    from afinar.tasks.chat.predict import generate, load

    engine = pool.get(model)
    one = engine.submit(ASK, max_tokens=12, temperature=0.9, seed=7).run()
    assert one == engine.submit(ASK, max_tokens=12, temperature=0.9, seed=7).run()
    llm, tokenizer, _ = load(model)
    prompts = [[{"role": "user", "content": f"¿Precio del producto {i}?"}] for i in range(6)]
    batched = pool.answer_all(model, prompts, max_tokens=10, temperature=0)
    for result, messages in zip(batched, prompts):
        alone = generate(llm, tokenizer, messages, max_new_tokens=10)["text"]
        assert alone.rstrip("\ufffd").startswith(result["text"])  # a cut character is dropped, nothing else


def test_a_transformers_whose_batching_engine_takes_other_settings_answers_one_at_a_time(
        model: str, pool, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    # transformers 5.17 (found on a GPU machine) has no ContinuousBatchingConfig(page_size=...):
    # `afinar chat` crashed with a TypeError instead of serving the model one request at a time
    from transformers.generation import configuration_utils

    class Older:
        def __init__(self, **kwargs):
            raise TypeError("ContinuousBatchingConfig.__init__() got an unexpected keyword argument 'page_size'")

    monkeypatch.setattr(configuration_utils, "ContinuousBatchingConfig", Older)
    engine = pool.get(model)
    with caplog.at_level("WARNING", logger="afinar.serving"):
        first = engine.submit(ASK, max_tokens=6, temperature=0).run()["text"]
    assert not engine.batching and "one request at a time" in caplog.text and "page_size" in caplog.text
    assert engine.submit(ASK, max_tokens=6, temperature=0).run()["text"] == first
