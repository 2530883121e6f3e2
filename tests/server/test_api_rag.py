"""Knowledge bases through the API: `POST /v1/rag/{name}/search`, and chat completions with
model="rag:NAME:CHAT_MODEL" (answer + sources + citations), from the SDK and from LangChain."""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import pytest
from fixtures.rag.tiny_embedder import write_lexical_embedder

from afinar import rag
from afinar.rag.config import IndexConfig

pytestmark = pytest.mark.cli
CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "rag" / "corpus"
QUESTION = "¿Qué garantía tiene el teclado Zorro?"


@pytest.fixture
def knowledge_base(tmp_path: Path) -> str:
    texts = [p.read_text(encoding="utf-8") for p in CORPUS.rglob("*") if p.is_file()] + [QUESTION, "receta italiana"]
    embedder = write_lexical_embedder(tmp_path / "lexical", texts)
    docs = shutil.copytree(CORPUS, tmp_path / "docs")
    rag.index("tienda", [docs], IndexConfig(embedding_model=str(embedder), chunk_size=100, chunk_overlap=20,
                                            min_score=0.3))
    return "tienda"


def test_search_and_grounded_chat_with_citations(knowledge_base, server, make_client, tiny_model):
    hits = httpx.post(f"{server.url}/v1/rag/{knowledge_base}/search", json={"query": QUESTION, "k": 2},
                      timeout=120).json()["data"]
    assert Path(hits[0]["source"]).name == "teclados.md" and "garantía de dos años" in hits[0]["text"]
    assert httpx.post(f"{server.url}/v1/rag/nada/search", json={"query": "x"}, timeout=60).status_code == 404

    client = make_client(server)
    model = f"rag:{knowledge_base}:{tiny_model}"
    assert f"rag:{knowledge_base}" in [m.id for m in client.models.list()]
    reply = client.chat.completions.create(model=model, max_tokens=6,
                                           messages=[{"role": "user", "content": QUESTION}])
    content = reply.choices[0].message.content
    assert "\n\nSources:\n[" in content and "teclados.md" in content.split("Sources:")[1]
    citations = reply.model_extra["citations"]
    assert Path(citations[0]["source"]).name == "teclados.md" and citations[0]["n"] == 1

    chunks = list(client.chat.completions.create(model=model, max_tokens=6, stream=True,
                                                 messages=[{"role": "user", "content": QUESTION}]))
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == content
    assert chunks[-1].model_extra["citations"] == citations

    unknown = client.chat.completions.create(model=model, messages=[{"role": "user", "content": "receta italiana"}])
    assert unknown.choices[0].message.content.startswith("I don't know")
    assert unknown.usage.completion_tokens == 0  # no model ran

    from langchain_openai import ChatOpenAI

    chat = ChatOpenAI(base_url=server.url + "/v1", api_key="local", model=model, max_tokens=6, max_retries=0,
                      temperature=0)
    assert chat.invoke(QUESTION).content == content  # LangChain users get the same answer


def test_rag_modes_through_the_api(knowledge_base, server, make_client, tiny_model):
    client = make_client(server)
    model = f"rag:{knowledge_base}:{tiny_model}"
    ask = [{"role": "user", "content": QUESTION}]
    # extractive: the chunk's own sentence, cited, with no chat model run
    reply = client.chat.completions.create(model=model, messages=ask, extra_body={"rag_mode": "extractive"})
    content = reply.choices[0].message.content
    assert "garantía de dos años" in content and "[1]" in content and reply.usage.completion_tokens == 0
    meta = reply.model_extra["rag"]
    assert meta["mode"] == "extractive" and meta["known"] and meta["evidence"]["reason"] == "answered"
    assert reply.model_extra["citations"][0]["cited"]
    # auto (default): the tiny random model's draft states no fact of the chunks, so it is replaced
    reply = client.chat.completions.create(model=model, messages=ask, max_tokens=8)
    assert reply.model_extra["rag"]["mode"] == "extractive" and "garantía de dos años" in reply.choices[0].message.content
    assert reply.usage.completion_tokens > 0  # the draft was generated, then checked
    assert reply.choices[0].finish_reason == "stop"  # the quote is whole, even if the draft was cut at 8
    # generative: the model's text as it wrote it
    reply = client.chat.completions.create(model=model, messages=ask, max_tokens=4,
                                           extra_body={"rag_mode": "generative"})
    assert reply.model_extra["rag"]["mode"] == "generative"
    # the extension is refused, not ignored, for a model that is not rag:, and a bad value is a 400
    for body in ({"model": str(tiny_model), "rag_mode": "extractive"}, {"model": model, "rag_mode": "mixed"}):
        r = httpx.post(f"{server.url}/v1/chat/completions", json={**body, "messages": ask}, timeout=60)
        assert r.status_code == 400, r.text
        assert r.json()["error"]["param"] in ("rag_mode", "body.rag_mode") or "rag_mode" in r.text
