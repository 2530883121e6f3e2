"""`afinar rag` end to end on a fixture corpus, with a tiny embedding model built in code (a
bag-of-words BERT, see fixtures/rag/tiny_embedder.py) and, for `ask`, a tiny random chat model:
indexing, re-indexing a changed file, deleting, citations, the no-answer path, a corrupt PDF, eval."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import tiny_chat
from fixtures.rag.pdf import write_pdf
from fixtures.rag.tiny_embedder import write_lexical_embedder

from afinar import rag
from afinar.errors import AfinarError
from afinar.rag.config import IndexConfig

pytestmark = pytest.mark.cli

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "rag" / "corpus"
PDF_PAGES = [["Catálogo de mochilas"], ["La mochila Castor es impermeable y tiene 20 litros."]]
QUESTIONS = ["¿Cuánto cuesta el monitor Halcón?", "¿Qué garantía tiene el teclado Zorro?", "receta de cocina italiana",
             "¿Es impermeable la mochila Castor?", "El monitor Halcón ahora cuesta 250 pesos y es curvo."]


@pytest.fixture(scope="module")
def embedder_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    texts = [p.read_text(encoding="utf-8") for p in CORPUS.rglob("*") if p.is_file()]
    texts += [line for page in PDF_PAGES for line in page] + QUESTIONS
    return write_lexical_embedder(tmp_path_factory.mktemp("embedder") / "lexical", texts)


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    folder = shutil.copytree(CORPUS, tmp_path / "docs")
    write_pdf(folder / "mochilas.pdf", PDF_PAGES)
    return folder


def _config(embedder_dir: Path, **kw) -> IndexConfig:
    return IndexConfig(embedding_model=str(embedder_dir), chunk_size=100, chunk_overlap=20, min_score=0.3, **kw)


def _names(sources: list[str]) -> list[str]:
    return sorted(Path(s).name for s in sources)


def test_index_search_and_citations_point_at_the_chunk(embedder_dir: Path, docs: Path) -> None:
    report = rag.index("tienda", [docs], _config(embedder_dir))
    assert _names(report.added) == ["lamparas.html", "mochilas.pdf", "monitores.txt", "sillas.csv", "teclados.md"]
    assert not report.failed and report.chunks == rag.KnowledgeBase.open("tienda").chunk_count()

    hits = rag.search("tienda", "¿Qué garantía tiene el teclado Zorro?", k=3)
    assert hits[0].name == "teclados.md" and "garantía de dos años" in hits[0].text
    stored = rag.KnowledgeBase.open("tienda").collection().get(ids=[rag.indexer.chunk_id(hits[0].source, hits[0].chunk)])
    assert stored["documents"] == [hits[0].text]  # source + chunk number name exactly this chunk
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)

    pdf_hit = rag.search("tienda", "¿Es impermeable la mochila Castor?", k=1)[0]
    assert (pdf_hit.name, pdf_hit.where) == ("mochilas.pdf", {"page": 2})
    row_hit = rag.search("tienda", "silla Delfín color", k=1)[0]
    assert (row_hit.name, row_hit.where, row_hit.text.splitlines()[0]) == ("sillas.csv", {"row": 3}, "producto: Silla Delfín")

    def fixed_reply(messages: list[dict], on_text) -> dict:
        assert "[1] (monitores.txt)" in messages[-1]["content"]
        for piece in ("El monitor cuesta ", "300 pesos [1]. ", "Ver [9]."):
            on_text(piece)
        return {"text": "El monitor cuesta 300 pesos [1]. Ver [9].", "prompt_tokens": 10, "completion_tokens": 5}

    ans = rag.answer("tienda", "¿Cuánto cuesta el monitor Halcón?", generate=fixed_reply)  # auto: checked
    assert ans.known and ans.citations[0].n == 1
    assert (Path(ans.citations[0].source).name, ans.citations[0].chunk) == ("monitores.txt", 0)
    assert "".join(ans) == "El monitor cuesta 300 pesos [1]. Ver [9]."
    out = ans.as_dict()
    assert out["mode"] == "generative"  # its one fact, 300, is in chunk [1]: the draft is the answer
    assert [c["cited"] for c in out["citations"]] == [True] + [False] * (len(out["citations"]) - 1)  # [9] is no chunk
    assert set(out["citations"][0]) >= {"n", "source", "chunk", "score"}


def test_reindex_skips_unchanged_and_replaces_a_changed_file(embedder_dir: Path, docs: Path) -> None:
    rag.index("tienda", [docs], _config(embedder_dir))
    again = rag.index("tienda", [docs])
    assert len(again.unchanged) == 5 and again.chunks == 0 and not again.added + again.updated

    (docs / "monitores.txt").write_text("El monitor Halcón ahora cuesta 250 pesos y es curvo.", encoding="utf-8")
    (docs / "nuevo.txt").write_text("El paraguas Koala es negro.", encoding="utf-8")
    report = rag.index("tienda", [docs])
    assert _names(report.updated) == ["monitores.txt"] and _names(report.added) == ["nuevo.txt"]
    assert len(report.unchanged) == 4
    collection = rag.KnowledgeBase.open("tienda").collection()
    texts = collection.get(where={"source": str((docs / "monitores.txt").resolve())})["documents"]
    assert texts == ["El monitor Halcón ahora cuesta 250 pesos y es curvo."]  # old chunk gone, not duplicated
    assert collection.count() == rag.KnowledgeBase.open("tienda").chunk_count()


def test_rm_document_and_knowledge_base(embedder_dir: Path, docs: Path, run_cli) -> None:
    rag.index("tienda", [docs], _config(embedder_dir))
    code, out, _ = run_cli("rag", "rm", "tienda", "teclados.md")
    assert code == 0 and "teclados.md" in out
    kb = rag.KnowledgeBase.open("tienda")
    assert "teclados.md" not in _names(list(kb.files))
    assert all(Path(m["source"]).name != "teclados.md" for m in kb.collection().get()["metadatas"])
    assert all(h.name != "teclados.md" for h in rag.search("tienda", "garantía teclado Zorro", k=10))

    code, _, err = run_cli("rag", "rm", "tienda", "nada.md")
    err = " ".join(err.split())
    assert code == 1 and "nada.md" in err and "monitores.txt" in err and "Traceback" not in err
    code, _, _ = run_cli("rag", "rm", "tienda")
    assert code == 0 and rag.list_names() == [] and not kb.folder.exists()
    code, _, err = run_cli("rag", "search", "tienda", "hola")
    err = " ".join(err.split())
    assert code == 1 and "afinar rag index tienda" in err


def test_corrupt_pdf_is_reported_and_the_rest_is_indexed(embedder_dir: Path, docs: Path, run_cli) -> None:
    (docs / "roto.pdf").write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage without xref\n")
    code, out, err = run_cli("rag", "index", "tienda", docs, "--embedding-model", embedder_dir,
                             "--chunk-size", "100", "--chunk-overlap", "20", "--min-score", "0.3")
    assert code == 1
    err = " ".join(err.split())  # rich wraps long lines
    assert "roto.pdf is not a readable PDF" in err and "The other files were indexed" in err
    assert "Traceback" not in err + out
    assert "5 added, 0 updated, 0 unchanged, 1 failed" in out
    assert "roto.pdf" not in _names(list(rag.KnowledgeBase.open("tienda").files))
    assert rag.search("tienda", "¿Cuánto cuesta el monitor Halcón?", k=1)[0].name == "monitores.txt"


def test_no_answer_path_runs_no_model(embedder_dir: Path, docs: Path, run_cli) -> None:
    rag.index("tienda", [docs], _config(embedder_dir))
    # a model that does not exist would fail to load: the no-answer path never loads one
    code, out, err = run_cli("rag", "ask", "tienda", "receta de cocina italiana", "-m", "ft:none:afinar:x:000", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert {k: data[k] for k in ("answer", "known", "mode", "citations")} == {
        "answer": "I don't know: nothing in the knowledge base tienda answers that question.",
        "known": False, "mode": "none", "citations": []}
    assert not data["evidence"]["known"] and data["evidence"]["reason"] in ("few_terms", "not_similar")
    code, out, _ = run_cli("rag", "ask", "tienda", "receta de cocina italiana", "--lang", "es")
    assert out.startswith("No lo sé")
    ans = rag.answer("tienda", "¿Cuánto cuesta el monitor Halcón?", "ft:none:afinar:x:000", min_score=0.99)
    assert not ans.known and ans.messages is None


def test_ask_streams_from_a_real_chat_model(embedder_dir: Path, docs: Path, tmp_path: Path, run_cli) -> None:
    chat_dir = tiny_chat.build(tmp_path / "tiny-chat")
    rag.index("tienda", [docs], _config(embedder_dir))
    ans = rag.answer("tienda", "¿Cuánto cuesta el monitor Halcón?", str(chat_dir), k=2, max_tokens=12)
    pieces = list(ans)
    assert ans.text == "".join(pieces).strip() and ans.result["completion_tokens"] > 0
    assert Path(ans.citations[0].source).name == "monitores.txt"
    code, out, err = run_cli("rag", "ask", "tienda", "¿Cuánto cuesta el monitor Halcón?", "-m", chat_dir,
                             "--k", "2", "--max-tokens", "8", "--min-score", "-1", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["known"] and [c["n"] for c in data["citations"]] == [1, 2]
    assert Path(data["citations"][0]["source"]).name == "monitores.txt" and data["citations"][0]["chunk"] == 0


def test_eval_measures_retrieval_abstention_facts_and_citations(embedder_dir: Path, docs: Path, tmp_path: Path,
                                                                 run_cli) -> None:
    rag.index("tienda", [docs], _config(embedder_dir))
    qa = tmp_path / "qa.jsonl"
    qa.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in [
        {"question": "¿Cuánto cuesta el monitor Halcón?", "source": "monitores.txt", "facts": ["300 pesos"]},
        {"question": "¿Qué garantía tiene el teclado Zorro?", "source": "teclados.md", "facts": ["dos años"]},
        {"question": "¿Es impermeable la mochila Castor?", "source": ["mochilas.pdf"], "facts": ["20 litros"]},
        {"question": "receta de cocina italiana", "answerable": False},
    ]) + "\n", encoding="utf-8")
    code, out, err = run_cli("rag", "eval", "tienda", qa, "--retrieval-only", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert (result["recall_at_k"], result["mrr"]) == (1.0, 1.0)
    assert (result["abstained_when_unanswerable"], result["refused_when_answerable"]) == (1.0, 0.0)

    def echo_first_chunk(messages: list[dict], on_text) -> dict:  # answers with chunk [1], cited
        first = messages[-1]["content"].split("[1] ", 1)[1].split("\n\n[2]", 1)[0]
        return {"text": f"{first} [1]"}

    items = rag.read_qa(qa)
    scored = rag.evaluate("tienda", items, k=2, generate=echo_first_chunk, mode="generative")
    assert scored["facts"] == 1.0 and scored["citations"] == 1.0 and scored["fact_recall"] == 1.0
    assert scored["faithfulness"] == 1.0 and scored["citation_precision"] == 1.0
    assert scored["abstention_precision"] == 1.0
    scored = rag.evaluate("tienda", items, k=2, generate=lambda m, cb: {"text": "No sé [1]"}, mode="generative")
    assert scored["facts"] == 0.0 and scored["citations"] == 0.0 and scored["fact_recall"] == 0.0

    def uncited(messages: list[dict], on_text) -> dict:  # right facts, but citing no context chunk
        return {"text": echo_first_chunk(messages, on_text)["text"].replace("[1]", "[9]")}

    scored = rag.evaluate("tienda", items, k=2, generate=uncited, mode="generative")
    assert scored["facts"] == 1.0 and scored["citations"] == 0.0

    def invents(messages: list[dict], on_text) -> dict:  # a price and a brand no chunk has
        return {"text": "Cuesta 999 pesos en la tienda Gorila [1]."}

    scored = rag.evaluate("tienda", items, k=2, generate=invents, mode="generative")
    assert scored["faithfulness"] == 0.0 and scored["fact_recall"] == 0.0
    # auto: the same unfaithful drafts are replaced by the chunks' own sentences, which hold the facts
    scored = rag.evaluate("tienda", items, k=2, generate=invents)
    assert scored["faithfulness"] == 1.0 and scored["fact_recall"] == 1.0 and scored["extractive_share"] == 1.0
    scored = rag.evaluate("tienda", items, k=2, mode="extractive")  # no chat model at all
    assert scored["fact_recall"] == 1.0 and scored["citations"] == 1.0 and scored["citation_precision"] == 1.0


def test_bad_qa_file_lists_every_problem(tmp_path: Path) -> None:
    qa = tmp_path / "qa.jsonl"
    qa.write_text('{"question": "a", "source": "x.md"}\n{"question": ""}\nnot json\n{"question": "b", "sorce": "y"}\n',
                  encoding="utf-8")
    with pytest.raises(AfinarError) as err:
        rag.read_qa(qa)
    message = err.value.message("en")
    assert "qa.jsonl:2" in message and "qa.jsonl:3" in message and "'sorce'" in message


def test_settings_names_list_and_search_json(embedder_dir: Path, docs: Path, run_cli) -> None:
    rag.index("tienda", [docs], _config(embedder_dir))
    with pytest.raises(AfinarError) as err:
        rag.index("tienda", [docs], IndexConfig(embedding_model=str(embedder_dir), chunk_size=300))
    assert err.value.key == "rag.kb.settings_differ" and "chunk_size" in err.value.message("en")
    with pytest.raises(AfinarError) as err:
        rag.index("../fuera", [docs], _config(embedder_dir))
    assert err.value.key == "rag.kb.bad_name"
    code, _, err_text = run_cli("rag", "index", "otra", docs, "--chunk-size", "200", "--chunk-overlap", "300")
    assert code == 2 and "chunk_overlap" in err_text
    code, out, _ = run_cli("rag", "list", "--json")
    assert [(b["name"], b["files"], b["min_score"]) for b in json.loads(out)] == [("tienda", 5, 0.3)]
    code, out, _ = run_cli("rag", "search", "tienda", "¿Cuánto cuesta el monitor Halcón?", "--k", "2", "--json")
    hits = json.loads(out)
    assert code == 0 and len(hits) == 2 and Path(hits[0]["source"]).name == "monitores.txt"
    code, out, _ = run_cli("rag", "search", "tienda", "silla Delfín", "--k", "3", "--mmr")
    assert code == 0 and "sillas.csv #1 row 3" in out


def test_chroma_gets_our_vectors_only(embedder_dir: Path, docs: Path, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    rag.index("tienda", [docs], _config(embedder_dir))
    rag.search("tienda", "monitor", k=1)
    collection = rag.KnowledgeBase.open("tienda").collection()
    assert collection.configuration["embedding_function"] is None
    assert collection.configuration["hnsw"]["space"] == "cosine"
    assert not (tmp_path / "home" / ".cache" / "chroma").exists()  # Chroma's default ONNX model never fetched


def test_a_relative_embedding_folder_is_stored_absolute(embedder_dir: Path, docs: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(embedder_dir.parent)
    rag.index("tienda", [docs], _config(Path(embedder_dir.name)))
    assert rag.KnowledgeBase.open("tienda").config.embedding_model == str(embedder_dir.resolve())
    rag.index("tienda", [docs], _config(Path(embedder_dir.name)))  # the same folder again: no settings error
    monkeypatch.chdir(docs)
    assert rag.search("tienda", "monitor Halcón", k=1)[0].name == "monitores.txt"


def test_an_answer_streams_from_the_inference_core(embedder_dir: Path, docs: Path, tmp_path: Path) -> None:
    from afinar.serving import default_pool

    rag.index("tienda", [docs], _config(embedder_dir))
    model = str(tiny_chat.build(tmp_path / "tiny"))
    ans = rag.answer("tienda", "¿Cuánto cuesta el monitor Halcón?", model, max_tokens=6)
    pieces = list(ans)
    try:
        assert model in default_pool().loaded()  # the shared pool answered, no private copy of the model
        assert ans.result["completion_tokens"] <= 6 and "".join(pieces).strip() == ans.text
    finally:
        default_pool().evict(model)
