"""Non-word rate of generated text: the share of its words that a spelling dictionary does not know.

A small model trained too hard (or too little) on a few conversations writes words that do not
exist ("tarjetismo", "sábadon"): the rate is a cheap, language-aware measure of fluency. Words of
the training data count as known (names, products, the store's own spelling). The dictionary is
hunspell's, run as the ``hunspell`` program (Debian: ``apt-get install hunspell hunspell-es
hunspell-en-us``); without it the rate is None and the caller says it was not measured. Nothing here
imports torch.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
DICTIONARIES = {"es": "es_ES", "en": "en_US"}
DICT_DIRS = (Path("/usr/share/hunspell"), Path("/usr/share/myspell"), Path("/usr/local/share/hunspell"))
# Function words that tell Spanish from English; enough for the language of a short answer.
_ES = frozenset(["el", "la", "los", "las", "de", "del", "que", "y", "en", "un", "una", "por", "para", "con", "no", "es", "se", "su", "al", "lo", "como", "más", "pero", "sus", "le", "ya", "o", "este", "sí", "porque", "esta", "entre", "cuando", "muy", "sin", "sobre", "también", "me", "hasta", "hay", "donde", "quien", "desde", "todo", "nos", "durante", "todos", "uno", "les", "ni", "contra", "otros", "ese", "eso", "ante", "ellos", "e", "esto", "mí", "antes", "algunos", "qué", "unos", "yo", "otro", "otras", "otra", "él", "tanto", "esa", "estos", "mucho", "quienes", "nada", "muchos", "cual", "poco", "ella", "estar", "estas", "algunas", "algo", "nosotros", "tu", "te", "ti", "tiene", "tenemos", "puedes", "cuesta", "horario"])
_EN = frozenset(["the", "of", "and", "to", "in", "is", "you", "that", "it", "he", "was", "for", "on", "are", "as", "with", "his", "they", "at", "be", "this", "have", "from", "or", "one", "had", "by", "but", "not", "what", "all", "were", "we", "when", "your", "can", "said", "there", "use", "an", "each", "which", "she", "do", "how", "their", "if", "will", "up", "other", "about", "out", "many", "then", "them", "these", "so", "some", "her", "would", "make", "like", "him", "into", "has", "more", "our", "open", "price"])


@dataclass
class Fluency:
    words: int
    unknown: int
    rate: float | None  # unknown / words, None when no dictionary was available
    examples: list[str]  # a few unknown words, to show


def language_of(texts: Iterable[str]) -> str:
    """'es' or 'en', by function words (ties go to Spanish, the course's language)."""
    es = en = 0
    for text in texts:
        for word in WORD.findall(text.lower()):
            es += word in _ES
            en += word in _EN
    return "en" if en > es else "es"


def dictionary_available(lang: str) -> bool:
    name = DICTIONARIES.get(lang)
    return bool(name and shutil.which("hunspell") and any((d / f"{name}.dic").is_file() for d in DICT_DIRS))


def words_of(texts: Iterable[str]) -> list[str]:
    return [w for text in texts for w in WORD.findall(text)]


def nonword_rate(texts: list[str], lang: str, known: Iterable[str] = ()) -> Fluency:
    """How many words of ``texts`` neither the ``lang`` dictionary nor ``known`` contains."""
    words = words_of(texts)
    if not dictionary_available(lang):
        return Fluency(len(words), 0, None, [])
    known_lower = {w.lower() for w in known}
    candidates = sorted({w for w in words if w.lower() not in known_lower})
    unknown = set(_misspelled(candidates, DICTIONARIES[lang])) if candidates else set()
    bad = [w for w in words if w in unknown]
    return Fluency(len(words), len(bad), round(len(bad) / len(words), 4) if words else 0.0,
                   sorted(set(bad))[:10])


def _misspelled(words: list[str], dictionary: str) -> list[str]:
    # -l lists the words it does not know, one per line; -i utf-8 reads the input as UTF-8
    out = subprocess.run(["hunspell", "-d", dictionary, "-i", "utf-8", "-l"], input="\n".join(words),
                         capture_output=True, text=True, encoding="utf-8", check=True, timeout=120)
    return [line.strip() for line in out.stdout.splitlines() if line.strip()]
