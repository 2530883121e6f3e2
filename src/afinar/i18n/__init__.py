"""User-facing text in Spanish and English.

Every message a user can see has a key in the catalogs under ``afinar.i18n.messages``; each entry
holds both languages. The language comes from ``--lang``, then ``AFINAR_LANG``, then the locale.

Counted phrases have one entry per CLDR plural category (``KEY.one``, ``KEY.other``; Spanish may add
``KEY.many``) and go through ``tn``, which picks the form with Babel's plural rules; numbers go
through ``number`` (Babel's locale formats: 10.008 / 10,008).
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


def number(value: float, lang: str | None = None, /, digits: int = 3, exact: bool = False) -> str:
    """``value`` written the way ``lang`` writes numbers (es: 10.008 and 0,25; en: 10,008 and 0.25),
    with at most ``digits`` decimals (exactly ``digits`` when ``exact``)."""
    from babel.numbers import format_decimal

    decimals = ("0" if exact else "#") * digits
    return format_decimal(value, format="#,##0." + decimals if digits else "#,##0", locale=lang or get_lang())


def plural_form(count: float, lang: str | None = None) -> str:
    """The CLDR plural category of ``count`` in ``lang`` (one, many, other...)."""
    from babel import Locale

    return Locale.parse(lang or get_lang()).plural_form(abs(count))


def tn(key: str, count: float, lang: str | None = None, /, **params: object) -> str:
    """The counted message ``key`` for ``count`` ("1 error" / "3 errores"): the entry ``KEY.<category>``
    for ``count``'s plural category, or ``KEY.other``; ``{count}`` is the number in ``lang``'s format."""
    lang = lang or get_lang()
    form = f"{key}.{plural_form(count, lang)}"
    return t(form if form in CATALOG else f"{key}.other", lang, count=number(count, lang), **params)
