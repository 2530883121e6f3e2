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


def test_a_count_the_chunks_never_give_for_that_thing_is_not_answered() -> None:
    offices = ["plan: Private Office (2 people); price_gbp: 520", "plan: Private Office (4 people); price_gbp: 895"]
    assert grounding.quantities_missing("How much would a private office for six people cost?", offices, "en") == \
        ["six people"]
    assert grounding.quantities_missing("What does an office for four people cost?", offices, "en") == []
    classes = ["Paquete Estándar: 20 clases por 660 €."]
    assert grounding.quantities_missing("¿Qué precio tiene el paquete de 25 clases?", classes, "es") == ["25 clases"]
    assert grounding.quantities_missing("¿Y el de 20 clases?", classes, "es") == []


def test_ranges_bounds_units_and_names_are_not_a_missing_count() -> None:
    assert grounding.quantities_missing("Mi hijo tiene 8 niños", ["grupos de 6 a 9 niños"], "es") == []
    assert grounding.quantities_missing("Somos 2 personas", ["salas para 4 personas"], "es") == []  # fewer: not a miss
    assert grounding.quantities_missing("Somos 12 personas", ["salas para más de 10 personas"], "es") == []
    assert grounding.quantities_missing("Somos 12 personas", ["salas hasta 10 personas"], "es") == ["12 personas"]
    # an amount of time or weight falls between the values the documents give, it is not a near miss
    assert grounding.quantities_missing("Un gatito de tres meses", ["permanencia de 12 meses"], "es") == []
    # a number inside a name is the names check's ("Onna 40" is a model, not 40 of something)
    assert grounding.quantities_missing("¿Alquiláis la Onna 40 bicis?", ["Onna 50 bicis"], "es") == []
    assert grounding.quantities_missing("Precio 1,099 euros", ["Precio 1,099 euros"], "es") == []


def test_a_quantity_near_miss_is_not_answered() -> None:
    text = "# Clases de coche\nPaquete de 20 clases: 660 €. Clase suelta: 38 €."
    corpus = Corpus.build(["0"], [text], [{"source": "precios.md", "chunk": 0}], np.eye(1, dtype=np.float32))

    def found(question: str) -> Retrieved:
        return Retrieved([Hit("precios.md", 0, text, 0.9)], corpus, terms(question, "es"),
                         np.ones(1, dtype=np.float32), _Similar(0.9))

    ev = grounding.assess("¿Qué precio tiene el paquete de 25 clases?", found("x"), 0.5)
    assert not ev.known and ev.reason == "names_missing" and ev.names_missing == ["25 clases"]
    assert grounding.assess("¿Qué precio tiene el paquete de 20 clases?", found("x"), 0.5).known
    assert grounding.assess("¿Cuánto cuestan dos clases sueltas?", found("x"), 0.5).known  # no count of clases sueltas


class _Cosines:
    """An embedder stand-in: passages holding ``word`` have cosine 0.9 with the question, others 0.8."""

    def __init__(self, word: str):
        self.word = word

    def embed(self, texts: list[str], kind: str) -> np.ndarray:
        return np.array([[0.9 if self.word in t else 0.8] for t in texts], dtype=np.float32)


def test_extractive_answer_prefers_the_paraphrase_the_embedder_finds_and_a_number_when_asked() -> None:
    chunks = [("clinica.md", "# Hospitalización\nLa hospitalización cuesta 35 € por día.\nSi tu perro se queda "
                              "con nosotros, te llamamos cada día.")]
    corpus = Corpus.build(["0"], [chunks[0][1]], [{"source": "clinica.md", "chunk": 0}], np.eye(1, dtype=np.float32))
    hits = [Hit("clinica.md", 0, chunks[0][1], 0.9)]
    question = "Si mi perro se queda ingresado, ¿cuánto cobráis por día?"
    lexical_only = grounding.best_sentences(question, hits, corpus, 1)
    assert "te llamamos" in lexical_only[0][1]  # shares "perro", "queda", "día": the lexical pick
    found = Retrieved(hits, corpus, terms(question, "es"), np.ones(1, dtype=np.float32), _Cosines("35 €"))
    best = grounding.best_sentences(question, hits, corpus, 1, found.similarity)
    assert "35 €" in best[0][1]
    assert found.similarity(["La hospitalización cuesta 35 € por día."]) == [pytest.approx(0.9)]  # cached
