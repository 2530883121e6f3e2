"""The RAG rules that decide what a user reads: terms and names of a question, when to say "I don't
know", which sentences answer, and which facts of a draft the chunks do not support."""

from __future__ import annotations

import numpy as np
import pytest

from afinar.rag import grounding
from afinar.rag.lexical import Corpus, guess_language, specific_names, terms
from afinar.rag.retrieval import Hit, Retrieved

CHUNKS = [
    ("marcas.md", "# Montaña\nTrek Marlin 5 Gen 3: aluminio, frenos hidráulicos. 699 €.\nTrek Marlin 6 Gen 3: 849 €."),
    ("garantia.txt", "El desgaste normal no está cubierto: cubiertas, cámaras, pastillas, cadena, cassette y puños."),
    ("horario.md", "# Horario del taller\n- De lunes a viernes: de 9:30 a 13:30.\n- Sábados: de 10:00 a 14:00."),
]
ROWS = [("tarifas.csv", "servicio: Reparación de pinchazo\nprecio_eur: 8\ntiempo_estimado: 20 min")]


class _Similar:
    """An embedder stand-in whose passages all have cosine ``value`` with the question."""

    def __init__(self, value: float):
        self.value = value

    def embed(self, texts: list[str], kind: str) -> np.ndarray:
        return np.full((len(texts), 1), self.value, dtype=np.float32)


def _found(question: str, similarity: float = 0.9) -> Retrieved:
    chunks = CHUNKS + ROWS
    corpus = Corpus.build([str(i) for i in range(len(chunks))], [t for _, t in chunks],
                          [{"source": s, "chunk": 0} for s, _ in chunks], np.eye(len(chunks), dtype=np.float32))
    hits = [Hit(s, 0, t, 0.9) for s, t in CHUNKS] + [Hit(s, 0, t, 0.9, {"row": 2}) for s, t in ROWS]
    return Retrieved(hits, corpus, terms(question, corpus.lang), np.ones(1, dtype=np.float32), _Similar(similarity))


def test_terms_fold_accents_stem_with_them_and_split_numbers_from_units() -> None:
    assert terms("¿Cuánto me cobráis por arreglar 2 pinchazos de 16GB?", "es") == ["arregl", "2", "pinchaz", "16", "gb"]
    assert terms("He pinchado; ¿lo arregláis?", "es") == ["pinch", "arregl"]  # stemmed before folding
    assert terms("How much are the meeting rooms?", "en") == ["meet", "room"]
    assert guess_language(["El taller de la tienda está en la plaza"]) == "es"
    assert guess_language(["The workshop is in the square and it is open"]) == "en"


@pytest.mark.parametrize(("question", "names"), [
    ("¿Cuánto cuesta la Trek Marlin 7?", [["trek", "marlin", "7"]]),
    ("Mi hijo tiene 8 años, ¿qué bici le recomendáis?", []),  # a small number alone is a quantity
    ("¿Os queda alguna Orbea Onna 40 del modelo 2023?", [["orbe", "onna", "40"], ["2023"]]),
    ("¿Cuánta RAM tiene la MacBook Pro?", [["ram"], ["macbook", "pro"]]),
    ("Tarifas para el sábado", []),  # a capital that starts the sentence names nothing
])
def test_specific_names_of_a_question(question: str, names: list[list[str]]) -> None:
    assert specific_names(question, "es") == names


def test_has_name_allows_one_word_between_but_not_another_number() -> None:
    seq = [terms("Samsung Galaxy S24 Ultra y Trek Marlin 5 Gen 3", "es")]
    assert grounding.has_name(terms("Samsung S24", "es"), seq)
    assert grounding.has_name(terms("Trek Marlin 5", "es"), seq)
    assert not grounding.has_name(terms("Trek Marlin 7", "es"), seq)


def test_a_name_the_chunks_never_mention_is_not_answered() -> None:
    ev = grounding.assess("¿Cuánto cuesta la Trek Marlin 7?", _found("x"), 0.5)
    assert not ev.known and ev.reason == "names_missing" and ev.names_missing == ["Trek Marlin 7"]
    assert grounding.assess("¿Cuánto cuesta la Trek Marlin 5?", _found("x"), 0.5).known


def test_a_price_question_needs_a_number_next_to_its_focus() -> None:
    # the cassette is only named in a list of wear parts, with no number: no price to give
    ev = grounding.assess("¿Qué me cobráis por cambiar el cassette?", _found("x"), 0.5)
    assert not ev.known and ev.reason == "no_number"
    ev = grounding.assess("He pinchado, ¿cuánto cuesta arreglarlo?", _found("x"), 0.5)  # "pinch" meets "pinchaz"
    assert ev.known, ev


def test_the_best_sentence_must_reach_min_score() -> None:
    assert grounding.assess("¿A qué hora abre el taller los sábados?", _found("x", 0.9), 0.845).known
    ev = grounding.assess("¿A qué hora abre el taller los sábados?", _found("x", 0.80), 0.845)
    assert not ev.known and ev.reason == "not_similar" and ev.sentence_score == pytest.approx(0.80)
    ev = grounding.assess("receta de tortilla", _found("x", 0.99), 0.845)  # no sentence shares a term
    assert not ev.known and ev.reason == "few_terms"


def test_extractive_answer_quotes_the_best_sentences_with_their_numbers() -> None:
    found = _found("x")
    text = grounding.extract("¿A qué hora abre el taller los sábados?", found.hits, found.corpus)
    assert text.splitlines()[0] == "Horario del taller: Sábados: de 10:00 a 14:00. [3]"
    text = grounding.extract("¿Cuánto cuesta reparar un pinchazo?", found.hits, found.corpus)
    assert text.splitlines()[0] == ("servicio: Reparación de pinchazo; precio_eur: 8; tiempo_estimado: 20 min [4]")
    text = grounding.extract("¿Qué vale la Marlin 6?", found.hits, found.corpus)
    assert text.splitlines()[0] == "Montaña: Trek Marlin 6 Gen 3: 849 €. [1]"


def test_unsupported_facts_of_a_draft() -> None:
    sources = [t for _, t in CHUNKS]
    assert grounding.unsupported("La Trek Marlin 5 cuesta 699 € [1].", sources, "¿Precio?", "es") == []
    assert grounding.unsupported("La Trek Marlin 5 cuesta 799 € [1].", sources, "¿Precio?", "es") == ["799"]
    assert grounding.unsupported("Pregunta en Decathlon [2].", sources, "¿Precio?", "es") == ["decathlon"]
    assert grounding.facts_of("Sí, claro [1].", "es") == []  # citation markers are not facts
