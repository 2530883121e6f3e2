"""User-facing text in Spanish and English.

Every message a user can see has a key in the catalogs under ``afinar.i18n.messages``; each entry
holds both languages. The language comes from ``--lang``, then ``AFINAR_LANG``, then the locale.
"""

from __future__ import annotations

import os

from afinar.i18n.messages import CATALOG

LANGS = ("es", "en")
_current: str | None = None


def detect_lang() -> str:
    """AFINAR_LANG wins; otherwise a Spanish locale gives Spanish and anything else English."""
    env = os.environ.get("AFINAR_LANG", "").strip().lower()
    if env[:2] in LANGS:
        return env[:2]
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(var, "").strip().lower()
        if value:
            return "es" if value.startswith("es") else "en"
    return "en"


def set_lang(lang: str | None) -> None:
    global _current
    if lang is not None and lang not in LANGS:
        raise ValueError(f"unsupported language {lang!r}; choose one of {LANGS}")
    _current = lang


def get_lang() -> str:
    return _current or detect_lang()


def has(key: str) -> bool:
    return key in CATALOG


def t(key: str, lang: str | None = None, /, **params: object) -> str:
    """The message ``key`` in ``lang`` (default: the current language), formatted with ``params``."""
    entry = CATALOG[key]
    text = entry[lang or get_lang()]
    return text.format(**params) if params else text
