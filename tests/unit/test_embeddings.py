"""The shared sentence embedder on a tiny random BERT built in code: shapes, normalisation, pooling,
prefixes, order preservation, batching, token counts, thread safety and the shared cache."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from fixtures.models.tiny_bert import write_tiny_bert

pytestmark = pytest.mark.unit

TEXTS = ["El iPhone 15 cuesta $799.", "La MacBook Pro M2 tiene chip M2.", "AirPods Pro con cancelación de ruido.",
         "hola", "query: passage: hola"]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tiny_bert(tmp_path_factory.mktemp("tiny-embed"), TEXTS, hidden=32, layers=2)


@pytest.fixture(scope="module")
def embedder(folder: Path):
    from afinar.embeddings import Embedder

    return Embedder.load(str(folder))


def _reference(emb, texts: list[str]) -> np.ndarray:
    """Mean pooling written out by hand, one text at a time (no padding involved)."""
    import torch

    rows = []
    with torch.inference_mode():
        for text in texts:
            enc = emb.tokenizer([text], return_tensors="pt")
            hidden = emb.model(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"]).last_hidden_state
            vec = hidden[0].mean(0)
            rows.append((vec / vec.norm()).numpy())
    return np.stack(rows)


def test_shape_dtype_and_unit_norm(embedder) -> None:
    vecs = embedder.embed(TEXTS)
    assert vecs.shape == (len(TEXTS), embedder.dim) == (5, 32)
    assert vecs.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, rtol=1e-5)


def test_batched_and_padded_equals_one_by_one_mean_pooling(embedder) -> None:
    batched = embedder.embed(TEXTS, batch_size=2)
    np.testing.assert_allclose(batched, _reference(embedder, TEXTS), atol=1e-5)


def test_order_is_kept_and_empty_input_gives_empty_array(embedder) -> None:
    forward = embedder.embed(TEXTS)
    backward = embedder.embed(TEXTS[::-1])
    np.testing.assert_allclose(forward, backward[::-1], atol=1e-6)
    assert embedder.embed([]).shape == (0, embedder.dim)


def test_non_e5_model_has_no_prefixes(embedder) -> None:
    np.testing.assert_allclose(embedder.embed(["hola"], kind="query"), embedder.embed(["hola"], kind="passage"))
    with pytest.raises(ValueError):
        embedder.embed(["hola"], kind="document")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        embedder.embed("hola")  # type: ignore[arg-type]


def test_e5_folder_gets_query_and_passage_prefixes(folder: Path, tmp_path: Path) -> None:
    import shutil

    from afinar.embeddings import Embedder

    e5 = shutil.copytree(folder, tmp_path / "my-e5-model")
    emb = Embedder.load(str(e5))
    assert emb.prefixes == {"query": "query: ", "passage": "passage: ", "raw": ""}
    np.testing.assert_allclose(emb.embed(["hola"], kind="query"), _reference(emb, ["query: hola"]), atol=1e-5)
    np.testing.assert_allclose(emb.embed(["hola"], kind="passage"), _reference(emb, ["passage: hola"]), atol=1e-5)
    assert emb.count_tokens(["hola"], kind="query") == [emb.count_tokens(["hola"])[0] + 2]


def test_count_tokens_counts_special_tokens_and_does_not_truncate(embedder) -> None:
    assert embedder.count_tokens(["hola"]) == [3]  # [CLS] hola [SEP]
    long = " ".join(["hola"] * 500)
    assert embedder.count_tokens([long]) == [502]
    assert embedder.max_length == 128  # the tiny config's positions
    assert embedder.embed([long]).shape == (1, 32)  # truncated, not an error


def test_threads_get_the_same_vectors(embedder) -> None:
    expected = embedder.embed(TEXTS)
    results: list[np.ndarray] = []

    def work() -> None:
        for _ in range(5):
            results.append(embedder.embed(TEXTS, batch_size=2))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 20
    for got in results:
        np.testing.assert_allclose(got, expected, atol=1e-5)


def test_shared_embedder_is_loaded_once(folder: Path) -> None:
    from afinar.embeddings import clear_cache, get_embedder

    clear_cache()
    first = get_embedder(str(folder))
    assert get_embedder(str(folder)) is first
    clear_cache()
    assert get_embedder(str(folder)) is not first
    clear_cache()


def test_missing_folder_is_a_user_error(tmp_path: Path) -> None:
    from afinar.embeddings import Embedder
    from afinar.errors import AfinarError

    with pytest.raises(AfinarError):
        Embedder.load(str(tmp_path / "nowhere" / "model"))


def test_one_thread_when_the_machine_is_busy_and_the_setting_is_restored(
        embedder, monkeypatch: pytest.MonkeyPatch) -> None:
    import torch

    from afinar import embeddings

    seen: list[int] = []
    forward = embedder.model.forward

    def spy(*args, **kwargs):
        seen.append(torch.get_num_threads())
        return forward(*args, **kwargs)

    before = torch.get_num_threads()
    torch.set_num_threads(2)
    embedder.model.forward = spy
    try:
        monkeypatch.setattr(embeddings, "machine_busy", lambda: True)
        busy = embedder.embed(["hola"], kind="query")
        monkeypatch.setattr(embeddings, "machine_busy", lambda: False)
        idle = embedder.embed(["hola"], kind="query")
        assert seen == [1, 2] and torch.get_num_threads() == 2
        np.testing.assert_allclose(busy, idle, atol=1e-6)
    finally:
        del embedder.model.forward
        torch.set_num_threads(before)
