"""The lexical side of retrieval: terms (accents folded, stemmed with Snowball), a BM25 index
(``bm25s``) and the knowledge base's chunk matrix, built once per process from the Chroma
collection and rebuilt when ``kb.json`` changes (every re-index rewrites it).

Terms: text is case- and accent-folded, cut into letter runs and number runs ("16GB" -> "16",
"gb"; "$1,099" -> "1,099"; "6.1" -> "6.1"), stop words dropped (``bm25s``' Spanish and English
lists) and words stemmed with PyStemmer's Snowball stemmer for the knowledge base's language
(Spanish or English, guessed from its stop words), so "reparaciones" and "reparación" meet.
No torch here.
"""

from __future__ import annotations

import math
import re
import threading
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

_RUNS = re.compile(r"[^\W\d_]+|\d+(?:[.,]\d+)*")
_lock = threading.Lock()
_cache: dict[str, tuple[int, Corpus]] = {}


def fold(text: str) -> str:
    """Lower case without accents: "Cámara" -> "camara" (ñ becomes n, as users often type it)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# Words of asking, not of the thing asked about: "¿Cuánto cuesta...?", "¿Me recomiendas...?",
# "Quiero saber...". Documents rarely contain them, so a question's coverage by the documents
# (afinar.rag.grounding) would count them as missing. Both languages, whatever the base's: users mix.
QUESTION_WORDS = {
    "es": "cuanto cuanta cuantos cuantas cual cuales cuando donde como que quien quienes cuesta cuestan costar "
          "vale valen precio precios coste costo cobran cobrais cobra cobrar pagar pago tienen tiene teneis tenes "
          "hay venden vendeis vende ofrecen ofreceis ofrece hacen haceis hace puedo puede pueden podria podeis "
          "quiero quisiera queria necesito necesitaria busco buscaba recomiendas recomienda recomiendan "
          "recomendais recomendarias recomendar recomendacion saber sabe sabes dime decir decirme informacion "
          "info caracteristicas detalles hola gracias favor alguno alguna algun algo tipo exactamente "
          "aproximadamente mas menos mucho sale salen cosa cosas gustaria podeis podrias",
    "en": "how much many what which when where who whom cost costs price prices charge charges pay do does "
          "did have has offer offers sell sells can could would want need looking recommend recommendation "
          "tell know info information details features hi hello thanks please any some kind exactly about "
          "roughly more less",
}


@lru_cache(maxsize=4)
def _language_stop_words(lang: str) -> frozenset[str]:
    from bm25s import stopwords

    return frozenset(fold(w) for w in (stopwords.STOPWORDS_SPANISH if lang == "es" else stopwords.STOPWORDS_EN_PLUS))


@lru_cache(maxsize=4)
def stop_words(lang: str) -> frozenset[str]:
    """``bm25s``' stop words of the language plus the words of asking of both languages."""
    return _language_stop_words(lang) | frozenset(" ".join(QUESTION_WORDS.values()).split())


@lru_cache(maxsize=4)
def _stemmer(lang: str) -> Any:
    import Stemmer

    return Stemmer.Stemmer("spanish" if lang == "es" else "english")


def guess_language(texts: list[str]) -> str:
    """"es" or "en": which language's stop words the texts use more."""
    es, en = _language_stop_words("es"), _language_stop_words("en")
    counts = {"es": 0, "en": 0}
    for text in texts[:2000]:
        for word in _RUNS.findall(fold(text)):
            counts["es"] += word in es
            counts["en"] += word in en
    return "en" if counts["en"] > counts["es"] else "es"


def terms(text: str, lang: str) -> list[str]:
    """The content terms of ``text`` in order (stop words and single letters dropped, words stemmed
    with their accents, which Snowball's Spanish rules need, then folded: "arregláis" -> "arregl")."""
    stop = stop_words(lang)
    stemmer = _stemmer(lang)
    out = []
    for word in _RUNS.findall(text.casefold()):
        if word[0].isdigit():
            out.append(word)
            continue
        folded = fold(word)
        if len(folded) > 1 and folded not in stop:
            out.append(fold(stemmer.stemWord(word)))
    return out


_WORD = re.compile(r"[^\W_]+(?:[-.,][^\W_]+)*")


# Capitalised in English but not names of things a knowledge base sells: months and days.
CALENDAR = frozenset(
    "january february march april may june july august september october november december monday tuesday "
    "wednesday thursday friday saturday sunday enero febrero marzo abril mayo junio julio agosto septiembre "
    "setiembre octubre noviembre diciembre lunes martes miercoles jueves viernes sabado domingo".split())


def _is_quantity(word: str) -> bool:
    """A number of one or two digits, alone or joined to lower-case words ("8", "10-year-old")."""
    digits = "".join(c for c in word if c.isdigit())
    return len(digits) < 3 and not any(c.isupper() for c in word) and (
        word.isdigit() or bool(re.fullmatch(r"\d+(?:[-.,]\d+)*(?:-[^\W\d_]+)+", word)))


def specific_names(question: str, lang: str) -> list[list[str]]:
    """The names a question asks about, each as its terms in order (see :func:`named`)."""
    return [found for _, found in named(question, lang)]


def named(question: str, lang: str) -> list[tuple[str, list[str]]]:
    """(words, terms) of the names a question asks about: runs of adjacent words that have
    a capital letter not starting the sentence or a digit ("iPhone 15 Pro", "Trek Marlin 7",
    "Pixel"), and numbers of three digits or more on their own ("2023"). A number of fewer digits on
    its own is a quantity ("8 años", "our 10-year-old"), not a name; nor are months and days."""
    runs: list[list[str]] = []
    current: list[str] = []
    last_end = -1
    for match in _WORD.finditer(question):
        word = match.group()
        before = question[:match.start()].rstrip()
        start = not before or before[-1] in ".!?¿¡:;\"'«(\n"
        capital = any(c.isupper() for c in (word[1:] if start else word)) and fold(word) not in CALENDAR
        digit = any(c.isdigit() for c in word) and not (_is_quantity(word) and "-" in word)
        adjacent = last_end >= 0 and not question[last_end:match.start()].strip()
        if capital or digit:
            if not (current and adjacent):
                if current:
                    runs.append(current)
                current = []
            current.append(word)
            last_end = match.end()
        else:
            if current:
                runs.append(current)
            current, last_end = [], -1
    if current:
        runs.append(current)
    names: list[tuple[str, list[str]]] = []
    for run in runs:
        if len(run) == 1 and run[0].isdigit() and len(run[0]) < 3:
            continue
        found = terms(" ".join(run), lang)
        if found and found not in [t for _, t in names]:
            names.append((" ".join(run), found))
    return names


def specific_terms(text: str, lang: str) -> list[str]:
    """Every term of the specific names of ``text`` (see :func:`specific_names`), once each."""
    return list(dict.fromkeys(t for name in specific_names(text, lang) for t in name))


@dataclass
class Corpus:
    """Every chunk of a knowledge base, with its terms, BM25 index and (unit) vectors."""

    ids: list[str]
    texts: list[str]
    metas: list[dict]
    vectors: Any  # float32 [n, dim], L2-normalised
    lang: str
    chunk_terms: list[set[str]] = field(default_factory=list)
    df: dict[str, int] = field(default_factory=dict)
    bm25: Any = None

    @classmethod
    def build(cls, ids: list[str], texts: list[str], metas: list[dict], vectors: Any) -> Corpus:
        import bm25s
        import numpy as np

        lang = guess_language(texts)
        tokens = [terms(t, lang) for t in texts]
        corpus = cls(ids, texts, metas, np.asarray(vectors, dtype=np.float32).reshape(len(ids), -1), lang,
                     [set(t) for t in tokens])
        for found in corpus.chunk_terms:
            for term in found:
                corpus.df[term] = corpus.df.get(term, 0) + 1
        if ids:
            corpus.bm25 = bm25s.BM25(k1=1.2, b=0.75)
            corpus.bm25.index([t or [""] for t in tokens], show_progress=False)
        return corpus

    def __len__(self) -> int:
        return len(self.ids)

    def idf(self, term: str) -> float:
        """BM25's idf; a term no chunk has gets the idf of a term in half a chunk (the largest)."""
        n, df = len(self.ids), self.df.get(term, 0)
        return math.log(1 + (n - max(df, 0.5) + 0.5) / (max(df, 0.5) + 0.5))

    def lexical_scores(self, query_terms: list[str]) -> Any:
        import numpy as np

        known = [t for t in query_terms if t in self.df]
        if not known or self.bm25 is None:
            return np.zeros(len(self.ids), dtype=np.float32)
        return self.bm25.get_scores(known)


def corpus_of(kb: Any) -> Corpus:
    """The knowledge base's :class:`Corpus`, cached per process until ``kb.json`` changes."""
    stamp_file = kb.folder / "kb.json"
    stamp = stamp_file.stat().st_mtime_ns if stamp_file.exists() else 0
    key = str(kb.folder)
    with _lock:
        cached = _cache.get(key)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        got = kb.collection().get(include=["documents", "metadatas", "embeddings"])
        vectors = got["embeddings"] if got["embeddings"] is not None and len(got["ids"]) else []
        corpus = Corpus.build(list(got["ids"]), list(got["documents"]), list(got["metadatas"]), vectors)
        _cache[key] = (stamp, corpus)
        return corpus


def forget(kb_folder: Any) -> None:
    with _lock:
        _cache.pop(str(kb_folder), None)
