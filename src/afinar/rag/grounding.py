"""Whether the retrieved chunks can answer a question, and answers that state only what they say.

**Abstention.** A chunk's cosine similarity does not tell a question the documents answer from a
near miss (a catalog's chunk about the Marlin 5 scores as high for "the Marlin 7"), so the
decision takes four checks, each of which means the same thing on any corpus, and a bar:

- every *name* in the question (adjacent words with a digit or a capital letter that does not
  start the sentence: "Pixel 8", "Trek Marlin 7", and numbers of 3+ digits: "2023") must occur,
  in order, in a retrieved chunk or its file name: a catalog that never names the Pixel 8 cannot
  say what it costs;
- every *count* in the question ("an office for six people", "un paquete de 25 clases") whose
  noun the retrieved chunks also count must be among their values or ranges (a count smaller than
  all of them, and units of time or measure, are left alone): a near miss the documents' words cover;
- a question that asks for a number (a price, "how many", a time) needs a retrieved sentence that
  holds the question's focus (its rarer terms the chunks have) and a number the question does
  not: "the cassette with the part" in a list of wear parts is not a price;
- at least one sentence must share the question's terms, and the best of them must reach the
  knowledge base's ``min_score`` as the question's cosine with that *sentence* (a chunk mixes
  several topics; its best sentence is what answers). The e5 default was set on four corpora and
  measured on four written afterwards, in two rounds (docs/rag.md).

**Grounding.** The facts of an answer are its names and numbers (the same rule). A generated draft
is shown only when every fact it states occurs in a cited chunk (or in the question), it states at
least one, and it gives a number when the question asks for one; otherwise the answer is
**extractive**: the retrieved sentences that share the most (idf-weighted) terms with the question
and are nearest to it by the embedder's cosine, preferring one with a number when it asks for one,
quoted with their ``[n]`` (:func:`best_sentences`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from afinar.rag.lexical import Corpus, fold, named, specific_terms, terms

BEST = 3  # sentences judged: the question's best-matching ones among the retrieved chunks
FOCUS = 0.5  # a question's focus: its terms the chunks have, of at least this share of the rarest one's idf
CONTEXT_WEIGHT = 0.8  # a question term found only in a sentence's heading or file name counts this much
# Questions whose answer is a number (a price, a quantity, a time), in both languages, accents folded.
_NUMERIC = re.compile(r"\b(cuant[oa]s?|precios?|cuestan?|valen?|cobr\w*|tarifas?|que hora|horarios?|"
                      r"how (much|many|long|old)|prices?|costs?|fees?|charges?|what time|rates?)\b")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
MAX_SENTENCES = 2
# Choosing the extractive answer's sentences (best_sentences); set on the eight tuning corpora of
# docs/rag.md, then measured once on two held out.
DENSE_WEIGHT = 0.25  # score per DENSE_STEP of cosine a sentence is above or below the best one
DENSE_STEP = 0.05
NO_NUMBER = 0.3  # taken from a sentence with no new number when the question asks for one
CUT = 0.5  # a second sentence must score within this share of the first one
SHORT = 160  # characters: a best sentence shorter than this is shown with the next one
_CITE = re.compile(r"\s*\[\d{1,3}\]")


@dataclass
class Evidence:
    """Why a question was answered or not, as ``afinar rag ask --json`` and ``eval`` show it."""

    known: bool
    reason: str  # answered | nothing_found | names_missing | few_terms | no_number | not_similar
    coverage: float = 0.0
    missing: list[str] = field(default_factory=list)  # question terms no retrieved chunk has
    names_missing: list[str] = field(default_factory=list)  # names (and counts: "six people") no retrieved chunk has
    sentence_score: float = 0.0  # cosine of the question with the best-matching retrieved sentence

    def as_dict(self) -> dict[str, Any]:
        return {"known": self.known, "reason": self.reason, "sentence_score": round(self.sentence_score, 4),
                "coverage": round(self.coverage, 3), "missing": self.missing, "names_missing": self.names_missing}


def chunk_terms(text: str, source: str, lang: str) -> set[str]:
    """A chunk's terms and its file name's ("macbook-pro-m2.md" names what its rows are about)."""
    return set(terms(text, lang)) | set(terms(_stem_of(source), lang))


def _stem_of(source: str) -> str:
    return Path(source).stem.replace("-", " ").replace("_", " ")


def has_name(name: list[str], sequences: list[list[str]]) -> bool:
    """Whether the terms of ``name`` occur in order in one of ``sequences``, at most one other term
    between two of them ("Samsung Galaxy S24" has "Samsung S24"; "Trek Marlin 5" has no "Marlin 7")."""
    for seq in sequences:
        for start, term in enumerate(seq):
            if term != name[0]:
                continue
            at, ok = start, True
            for want in name[1:]:
                window = seq[at + 1:at + 3]
                if want not in window:
                    ok = False
                    break
                at = at + 1 + window.index(want)
            if ok:
                return True
    return False


def _covered(term: str, found: set[str]) -> bool:
    """A term is covered by an equal term, or one of 4+ letters that it starts or that starts it
    ("pinch" meets "pinchaz", "hor" meets "horari": stemming leaves such pairs of a family apart)."""
    if term in found:
        return True
    if term[0].isdigit() or len(term) < 3:
        return False
    return any(len(f) >= 4 and not f[0].isdigit() and (f.startswith(term) or (len(term) >= 4 and term.startswith(f)))
               for f in found)


def assess(question: str, found: Any, min_score: float) -> Evidence:
    """Can the retrieved chunks (``found``: a :class:`~afinar.rag.retrieval.Retrieved`) answer
    ``question``? (see the module doc)."""
    hits = found.hits
    corpus = found.corpus
    if not hits:
        return Evidence(False, "nothing_found")
    lang = corpus.lang
    sequences = [terms(hit.text, lang) for hit in hits] + [terms(_stem_of(hit.source), lang) for hit in hits]
    seen = {t for seq in sequences for t in seq}
    wanted = list(dict.fromkeys(terms(question, lang)))
    missing = [t for t in wanted if not _covered(t, seen)]
    weight = {t: corpus.idf(t) for t in wanted}
    total = sum(weight.values())
    coverage = 1.0 if not total else sum(weight[t] for t in wanted if t not in missing) / total
    evidence = Evidence(False, "answered", coverage, missing, [])
    evidence.names_missing = [words for words, name in named(question, lang) if not has_name(name, sequences)]
    evidence.names_missing += quantities_missing(question, [hit.text for hit in hits], lang)
    best = best_sentences(question, hits, corpus, max_sentences=BEST)
    if best:
        evidence.sentence_score = max(found.similarity([text for _, text in best]))
    if evidence.names_missing:
        evidence.reason = "names_missing"
    elif not best:
        evidence.reason = "few_terms"
    elif expects_number(question) and not _states_number(question, best, wanted, missing, corpus):
        evidence.reason = "no_number"
    elif evidence.sentence_score < min_score:
        evidence.reason = "not_similar"
    else:
        evidence.known = True
    return evidence


# Number words a customer writes instead of digits ("a private office for six people"); "one",
# "un", "una" are left out: they are articles far more often than quantities.
_NUMBER_WORDS = {w: str(n) for words in (
    "_ _ two three four five six seven eight nine ten eleven twelve",
    "_ _ dos tres cuatro cinco seis siete ocho nueve diez once doce") for n, w in enumerate(words.split()) if n > 1}
_WORD_RUN = re.compile(r"[^\W\d_]+")
# Words that make a number a bound ("más de 8 años", "less than 6 weeks"), as marker terms.
_BOUNDS = ((re.compile(r"\b(mas de|mayores de|a partir de|desde|minimo|more than|over|from|at least|minimum)\b"),
            " zzfrom "), (re.compile(r"\b(menos de|hasta|maximo|max|less than|under|up to|until|maximum)\b"), " zzupto "))


# Units of time and measure: "tres meses", "30 kilos" are an amount asked about, not a counted thing
# the documents list (an age, a weight, a notice period falls between the values they give).
_UNITS = ("ano anos mes meses semana semanas dia dias noche noches hora horas minuto minutos kilo kilos kg gramos "
          "metro metros km kilometro kilometros euro euros litro litros year years month months week weeks day days "
          "night nights hour hours minute minutes metre metres meter meters mile miles pound pounds")


@lru_cache(maxsize=4)
def _unit_terms(lang: str) -> frozenset[str]:
    return frozenset(terms(_UNITS, lang))


def _quantity_terms(text: str, lang: str) -> list[str]:
    """The terms of ``text`` with number words as digits ("seis personas" -> "6", "person") and
    bounds as markers; a sentence or clause end is a "|" term (it breaks adjacency)."""
    text = fold(_WORD_RUN.sub(lambda m: _NUMBER_WORDS.get(fold(m.group()), m.group()), text))
    for pattern, marker in _BOUNDS:
        text = pattern.sub(marker, text)
    return [t for part in re.split(r"[.;:?!,](?:\s|$)|[¿¡()|\n]|\s-\s", text) for t in (*terms(part, lang), "|")]


def _counted(seq: list[str], units: frozenset[str] = frozenset()) -> dict[str, list[tuple[float, float]]]:
    """For each term right after a number in ``seq`` ("20 clases", "6 people"): the values it has,
    as ranges ("de 6 a 9 años": 6 to 9; "más de 8 años": 8 and up)."""
    out: dict[str, list[tuple[float, float]]] = {}
    for i, term in enumerate(seq[:-1]):
        value = _as_number(term)
        if value is None:
            continue
        low = high = value
        before = seq[i - 1] if i else ""
        if before == "zzfrom":
            high = float("inf")
        elif before == "zzupto":
            low = float("-inf")
        elif _as_number(before) is not None and _as_number(before) < value:
            low = _as_number(before)  # the second end of a range: "6 9 anos"
        noun = seq[i + 1]
        if noun != "|" and _as_number(noun) is None and not noun.startswith("zz") and noun not in units:
            out.setdefault(noun, []).append((low, high))
    return out


def _as_number(term: str) -> float | None:
    try:
        return float(term.replace(",", "."))
    except ValueError:
        return None


def quantities_missing(question: str, texts: list[str], lang: str) -> list[str]:
    """The question's counted things ("seis personas", "un paquete de 25 clases") whose noun the
    texts count too, but never with this number (nor in a range or bound holding it): a near miss
    the documents' words cover ("Private Office (4 people)" for an office for six). A count smaller
    than all the documents give is not one ("dos clases" where a package has 20: single classes
    may be sold). A number that is part of a
    name ("Onna 40") is the names check's."""
    for words, _ in named(question, lang):
        if any(c.isupper() for c in words):
            question = question.replace(words, " ")
    asked = _counted(_quantity_terms(question, lang), _unit_terms(lang))
    have: dict[str, list[tuple[float, float]]] = {}
    for text in texts:
        for term, values in _counted(_quantity_terms(text, lang)).items():
            have.setdefault(term, []).extend(values)
    missing = []
    for term, values in asked.items():
        if term in have:
            for low, _ in values:
                if low > min(lo for lo, _ in have[term]) and not any(lo <= low <= hi for lo, hi in have[term]):
                    missing.append(_as_written(question, low, term, lang))
    return list(dict.fromkeys(missing))


def _as_written(question: str, value: float, term: str, lang: str) -> str:
    """The question's own words for a count ("six people"), else its number and term."""
    for match in re.finditer(r"(?=\b((\d+(?:[.,]\d+)*|[^\W\d_]+)\s+(?:de\s+|of\s+)?([^\W\d_]+)))", question):
        number = _NUMBER_WORDS.get(fold(match.group(2)), match.group(2))
        if _as_number(number) == value and terms(match.group(3), lang) == [term]:
            return match.group(1)
    return f"{value:g} {term}"


def facts_of(text: str, lang: str) -> list[str]:
    """The facts an answer states: its numbers and names, as terms (citation markers left out)."""
    return specific_terms(_CITE.sub("", text), lang)


def unsupported(text: str, sources: list[str], question: str, lang: str) -> list[str]:
    """Facts of ``text`` that none of ``sources`` (nor the question) contains."""
    known: set[str] = set(terms(question, lang))
    for source in sources:
        known |= set(terms(source, lang))
    return [f for f in facts_of(text, lang) if f not in known]


def _sentences(hit: Any) -> list[tuple[str, str, str]]:
    """(context, sentence, next sentence) of a chunk: a CSV row is one sentence ("column: value;
    ..."), other chunks their sentences and list items, each with its section heading as context."""
    from afinar.rag.chunking import units

    if "row" in hit.where:
        return [("", "; ".join(line.strip() for line in hit.text.splitlines() if line.strip()), "")]
    out: list[tuple[str, str]] = []
    heading = ""
    for unit in units(hit.text):
        if unit.heading:
            heading = unit.text.lstrip("#").strip()
        else:
            out.append((heading, unit.text))
    return [(c, t, out[i + 1][1] if i + 1 < len(out) and out[i + 1][0] == c else "")
            for i, (c, t) in enumerate(out)]


def _shown(text: str) -> str:
    return text.lstrip("-*+• ").strip()


def _states_number(question: str, best: list[tuple[int, str]], wanted: list[str], missing: list[str],
                   corpus: Corpus) -> bool:
    """Whether a best sentence holding the question's focus (its rarest term the chunks have)
    states a number the question does not: a price question about the cassette needs a sentence
    that names the cassette and gives a number, not the cassette in a list of wear parts."""
    covered = [t for t in wanted if t not in missing]
    top = max((corpus.idf(t) for t in covered), default=0.0)
    focus = [t for t in covered if corpus.idf(t) >= FOCUS * top]
    asked = set(_NUMBER.findall(question))
    for _, text in best:
        own = set(terms(text, corpus.lang))
        if set(_NUMBER.findall(text)) - asked and any(_covered(t, own) for t in focus):
            return True
    return False


def states_a_number(text: str) -> bool:
    """Whether ``text`` gives a number (citation markers left out)."""
    return bool(_NUMBER.search(_CITE.sub("", text)))


def expects_number(question: str) -> bool:
    """Whether the question asks for a number: a price, a quantity, a duration, a time."""
    return bool(_NUMERIC.search(fold(question)))


def best_sentences(question: str, hits: list[Any], corpus: Corpus, max_sentences: int = MAX_SENTENCES,
                   similarity: Any = None) -> list[tuple[int, str]]:
    """(n, text) of the retrieved sentences that best answer ``question``.

    A sentence's score is the share of the question's idf-weighted terms it holds (``CONTEXT_WEIGHT``
    for those only in its heading or file name); with ``similarity`` (the question's cosine with
    texts, ``Retrieved.similarity``) every sentence also gets ``DENSE_WEIGHT`` per ``DENSE_STEP`` of
    cosine it is above or below the best one, so a paraphrase ("ingresado" for "hospitalización") can
    win; when the question asks for a number, a sentence without a new one loses ``NO_NUMBER``. A
    short chosen sentence brings the next one of its section along (a price often follows the name).
    """
    lang = corpus.lang
    wanted = set(terms(question, lang))
    total = sum(corpus.idf(t) for t in wanted) or 1.0
    scored: list[list[Any]] = []  # [score, n, context, sentence, following]
    for n, hit in enumerate(hits, 1):
        for context, sentence, following in _sentences(hit):
            own = set(terms(sentence, lang))
            near = set(terms(context, lang)) | chunk_terms("", hit.source, lang)
            score = sum(corpus.idf(t) if _covered(t, own) else CONTEXT_WEIGHT * corpus.idf(t) if _covered(t, near)
                        else 0.0 for t in wanted)
            if score > 0 or similarity is not None:
                scored.append([score / total, n, context, sentence, following])
    if similarity is not None and scored:
        cosines = similarity([f"{c}: {t}" if c else t for _, _, c, t, _ in scored])
        top = max(cosines)
        for item, cosine in zip(scored, cosines):
            item[0] += DENSE_WEIGHT * (cosine - top) / DENSE_STEP
    if expects_number(question):
        asked = set(_NUMBER.findall(question))
        for item in scored:
            if not set(_NUMBER.findall(item[3])) - asked:
                item[0] -= NO_NUMBER
    scored.sort(key=lambda s: (-s[0], s[1]))
    chosen: list[list[Any]] = []
    for item in scored:
        if len(chosen) == max_sentences or (chosen and item[0] < chosen[0][0] - CUT * abs(chosen[0][0])):
            break
        if not any(item[3] in (c[3], c[4]) for c in chosen):
            chosen.append(item)
    out = []
    for _, n, context, sentence, following in chosen:
        shown = _shown(sentence)
        if following and len(shown) < SHORT and not any(following == c[3] for c in chosen):
            shown = f"{shown} {_shown(following)}"
        if context and not set(terms(context, lang)) <= set(terms(shown, lang)):
            shown = f"{context}: {shown}"
        out.append((n, shown))
    return out


def extract(question: str, hits: list[Any], corpus: Corpus, max_sentences: int = MAX_SENTENCES,
            similarity: Any = None) -> str:
    """The extractive answer: :func:`best_sentences`, each followed by its ``[n]``."""
    return "\n".join(f"{text} [{n}]" for n, text in best_sentences(question, hits, corpus, max_sentences, similarity))
