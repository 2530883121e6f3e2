"""Sentence-aware chunking, document loaders and MMR: pure functions, no model."""

from __future__ import annotations

import itertools
import re
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from fixtures.rag.pdf import write_pdf

from afinar.errors import AfinarError
from afinar.rag import loaders
from afinar.rag.chunking import chunk_text, units
from afinar.rag.retrieval import mmr_order

pytestmark = pytest.mark.unit

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "rag" / "corpus"


def test_docstring_example() -> None:
    text = "# iPhone 15\nPantalla de 6.1 pulgadas. Cámara de 48MP. Chip A16. Desde $799."
    assert chunk_text(text, 60, 25) == ["# iPhone 15\nPantalla de 6.1 pulgadas. Cámara de 48MP.",
                                        "# iPhone 15\nCámara de 48MP. Chip A16. Desde $799."]


def test_sentences_are_not_cut_at_decimal_points_or_prices() -> None:
    found = [u.text for u in units("Cuesta $1,999.50 hoy. ¿Tiene 6.1 pulgadas? Sí. Versión 2.0 lista.")]
    assert found == ["Cuesta $1,999.50 hoy.", "¿Tiene 6.1 pulgadas?", "Sí.", "Versión 2.0 lista."]


def test_heading_starts_a_chunk_and_list_items_keep_their_lines() -> None:
    text = "Intro corta.\n\n# Precios\n- uno: $1\n- dos: $2\n\n## Garantía\nDos años."
    assert chunk_text(text, 200, 0) == ["Intro corta.", "# Precios\n- uno: $1\n- dos: $2", "## Garantía\nDos años."]


def test_overlap_repeats_whole_trailing_sentences() -> None:
    sentences = [f"Frase número {i} del texto." for i in range(12)]
    chunks = chunk_text(" ".join(sentences), 100, 40)
    assert len(chunks) > 2
    for prev, nxt in itertools.pairwise(chunks):
        assert nxt.split(". ")[0] + "." in prev  # the next chunk starts with the previous one's tail
    assert chunk_text(" ".join(sentences), 100, 0)[1].startswith("Frase número 3")


def test_a_sentence_longer_than_the_chunk_is_cut_between_words() -> None:
    long = " ".join(["palabra"] * 60) + "."
    chunks = chunk_text(long, 100, 10)
    assert all(len(c) <= 100 for c in chunks)
    assert " ".join(chunks).split() == long.split()


def test_bad_sizes_are_rejected() -> None:
    with pytest.raises(ValueError):
        chunk_text("x", 100, 100)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet="abcdeñ .?!\n#-", min_size=1, max_size=80), min_size=1, max_size=12),
       st.integers(40, 200), st.integers(0, 39))
def test_every_chunk_fits_and_no_word_is_lost(parts: list[str], size: int, overlap: int) -> None:
    text = " ".join(parts)
    chunks = chunk_text(text, size, overlap)
    assert all(len(c) <= size for c in chunks)
    words = re.findall(r"[^\s]+", text)
    joined = " ".join(chunks)
    for word in words:
        if word.strip("#") and not re.fullmatch(r"#+", word):
            assert word in joined


def test_loaders_read_every_format(tmp_path: Path) -> None:
    docs = {p.name: loaders.load(p) for p in loaders.collect_files([CORPUS])}
    assert sorted(docs) == ["lamparas.html", "monitores.txt", "sillas.csv", "teclados.md"]  # .bak skipped
    assert "Test fixture" not in docs["teclados.md"].sections[0].text  # HTML comments dropped from Markdown
    html = docs["lamparas.html"].sections[0].text
    assert "luz cálida & suave" in html and "secreto" not in html
    rows = docs["sillas.csv"].sections
    assert [(r.text, r.where) for r in rows] == [
        ("producto: Silla Tortuga\nprecio: 150 pesos\ncolor: verde", {"row": 2}),
        ("producto: Silla Delfín\nprecio: 220 pesos\ncolor: azul", {"row": 3})]
    pdf = loaders.load(write_pdf(tmp_path / "m.pdf", [["Portada"], ["La mochila Castor (20 litros)."]]))
    assert [(s.text.strip(), s.where) for s in pdf.sections] == [
        ("Portada", {"page": 1}), ("La mochila Castor (20 litros).", {"page": 2})]
    assert len(docs["monitores.txt"].sha256) == 64


def test_corrupt_pdf_and_bad_paths_are_clear_errors(tmp_path: Path) -> None:
    bad = tmp_path / "roto.pdf"
    bad.write_bytes(b"%PDF-1.4\nesto no es un pdf\n")
    with pytest.raises(AfinarError) as err:
        loaders.load(bad)
    assert err.value.key == "rag.load.bad_pdf" and "roto.pdf" in err.value.message("en")
    assert "other files were indexed" in err.value.hint("en")
    with pytest.raises(AfinarError) as err:
        loaders.collect_files([tmp_path / "nada"])
    assert err.value.key == "common.file_not_found"
    doc = tmp_path / "informe.docx"
    doc.write_bytes(b"PK")
    with pytest.raises(AfinarError) as err:
        loaders.collect_files([doc])
    assert err.value.key == "rag.load.unsupported" and ".pdf" in err.value.hint("en")


def test_mmr_skips_near_duplicates() -> None:
    query = np.array([1.0, 0.0, 0.0], dtype=np.float32)
    cands = np.array([[0.9, 0.43, 0.0], [0.9, 0.43, 0.01], [0.8, 0.0, 0.6]], dtype=np.float32)
    cands /= np.linalg.norm(cands, axis=1, keepdims=True)
    assert mmr_order(query, cands, 2, lam=1.0) == [1, 0] or mmr_order(query, cands, 2, lam=1.0) == [0, 1]
    assert mmr_order(query, cands, 2, lam=0.5)[1] == 2  # the duplicate loses to the different chunk
