"""What a page of the studio shows that is not in the page's language: texts of the other
language's catalog entries, and raw identifiers (finding codes, metric keys, status codes).

``foreign_texts(text, lang)`` returns every such piece found in ``text`` (a page's visible text, as
``inner_text`` gives it), each with the catalog key it came from, so a failure says what to fix.
"""

from __future__ import annotations

import re
from functools import lru_cache

from afinar.i18n.messages import CATALOG

# Raw identifiers a learner must never see: a code, a metric key or a status as the program names it.
IDENTIFIER = re.compile(r"(?<![\w./:-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w.(/-])")
# English metric and status words that have Spanish names in the catalog (shown raw in Spanish mode).
RAW_ENGLISH = ("accuracy", "precision", "recall", "train_loss", "valid_loss", "succeeded", "running", "queued",
               "Playground", "The job has successfully completed", "Step ", "training loss", "epoch")
_PLACEHOLDER = re.compile(r"\{[^}]*\}")
_SPLIT = re.compile(r"\{[^}]*\}|\*\*|`|\n|#+ |[«»“”\"()\[\]]")
_WORD = re.compile(r"[^\W\d_]+")


@lru_cache(maxsize=2)
def _vocabulary(lang: str) -> frozenset[str]:
    """Every word of every catalog text in ``lang`` (lower case): a word that both languages use is not foreign."""
    return frozenset(w.lower() for entry in CATALOG.values() for w in _WORD.findall(entry[lang]))


@lru_cache(maxsize=2)
def _patterns(lang: str) -> tuple[tuple[str, str, re.Pattern[str]], ...]:
    """(key, fragment, pattern) for the other language's texts: fragments of several words between
    placeholders, and whole one-word entries (e.g. "Hora", "pérdida") that are not words of ``lang``."""
    other = "en" if lang == "es" else "es"
    own_words = _vocabulary(lang)
    found: dict[str, tuple[str, re.Pattern[str]]] = {}
    for key, entry in CATALOG.items():
        if entry[other] == entry[lang]:
            continue
        own_text = entry[lang]
        for raw in _SPLIT.split(entry[other]):
            fragment = raw.strip(" .,:;!?¿¡-—·✓✗*_")
            words = _WORD.findall(fragment)
            if not words or fragment in own_text:
                continue
            several = len(words) >= 3 and len(fragment) >= 14
            single = (len(words) == 1 and len(fragment) >= 4 and _PLACEHOLDER.search(entry[other]) is None
                      and fragment.lower() not in own_words)
            if several or single:
                flags = re.IGNORECASE if single else 0
                found.setdefault(fragment, (key, re.compile(r"(?<!\w)" + re.escape(fragment) + r"(?!\w)", flags)))
    return tuple((key, fragment, pattern) for fragment, (key, pattern) in found.items())


def foreign_texts(text: str, lang: str, allowed: tuple[str, ...] = ()) -> list[str]:
    """Each piece of ``text`` in the other language or a raw identifier, described for a failure message."""
    problems = [f"{fragment!r} (catalog {key}, {'en' if lang == 'es' else 'es'})"
                for key, fragment, pattern in _patterns(lang) if pattern.search(text) and fragment not in allowed]
    problems += [f"{m!r} (identifier)" for m in sorted(set(IDENTIFIER.findall(text))) if m not in allowed]
    if lang == "es":
        problems += [f"{w!r} (English word)" for w in RAW_ENGLISH
                     if re.search(r"(?<!\w)" + re.escape(w.strip()) + r"(?!\w)", text) and w not in allowed]
    return problems
