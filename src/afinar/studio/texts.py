"""Every visible text of the studio goes through here, so the es/en switch can relabel the page.

``Texts`` creates components with their label (or value, info, placeholder) taken from the
catalog in the page's starting language and remembers which catalog key each text came from.
When the language radio changes, ``relabel(lang)`` returns one ``gr.update`` per remembered
component with the texts in the new language. Handlers get the language as an input and
translate their own output with ``tr(key, lang)``; what a button said is also returned as a
function of the language (``said(key, **params)``, or any ``f(lang)``), kept in a ``gr.State``, and
``said_again`` writes it in the new language when the language changes.
"""

from __future__ import annotations

from functools import partial
from typing import Any, Callable

from afinar import i18n


def tr(key: str, lang: str | None, /, **params: Any) -> str:
    """The catalog text ``key`` in ``lang`` (es or en; anything else falls back to Spanish)."""
    return i18n.t(key, lang if lang in i18n.LANGS else "es", **params)


def said(key: str, /, **params: Any) -> Callable[[str], str]:
    """A message as a function of the language: shown now, and again when the language changes."""
    return partial(_said, key, params)


def _said(key: str, params: dict[str, Any], lang: str) -> str:
    return tr(key, lang, **params)


def said_again(what: Callable[[str], Any] | None, lang: str, outputs: int = 1) -> Any:
    """What a button said (``what(lang)``), in the page's new language; nothing said: no change."""
    import gradio as gr

    if what is None:
        return gr.update() if outputs == 1 else (gr.update(),) * outputs
    return what(lang)


def pick_lang(accept_language: str | None, default: str = "es") -> str:
    """The first of es/en in an Accept-Language header, honouring q-values; ``default`` otherwise."""
    ranked: list[tuple[float, int, str]] = []
    for n, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        lang = tag.strip().lower()[:2]
        if lang in i18n.LANGS and q > 0:
            ranked.append((-q, n, lang))
    return min(ranked)[2] if ranked else default


class Texts:
    """A registry of (component, {attribute: catalog key}) for the language switch."""

    def __init__(self, lang: str):
        self.lang = lang
        self.entries: list[tuple[Any, dict[str, str]]] = []

    def t(self, key: str, **params: Any) -> str:
        return tr(key, self.lang, **params)

    def make(self, cls: Any, key: str | None = None, *, attr: str = "label", info: str | None = None,
             placeholder: str | None = None, tchoices: list[tuple[str, str]] | None = None,
             texts: dict[str, str] | None = None, **kwargs: Any) -> Any:
        """``cls(**kwargs)`` with ``attr`` (label by default), ``info``, ``placeholder``, the
        ``tchoices`` (pairs of catalog key and value: the choices) and ``texts`` (any other
        attribute: catalog key, e.g. a plot's ``x_title``) translated."""
        keys: dict[str, Any] = dict(texts or {})
        if key is not None:
            keys[attr] = key
        if info is not None:
            keys["info"] = info
        if placeholder is not None:
            keys["placeholder"] = placeholder
        for name, k in keys.items():
            kwargs[name] = self.t(k)
        if tchoices is not None:
            keys["choices"] = tchoices
            kwargs["choices"] = [(self.t(k), v) for k, v in tchoices]
        component = cls(**kwargs)
        self.entries.append((component, keys))
        return component

    @property
    def components(self) -> list[Any]:
        return [c for c, _ in self.entries]

    def relabel(self, lang: str) -> list[Any]:
        import gradio as gr

        return [gr.update(**{attr: _translate(key, lang) for attr, key in keys.items()}) for _, keys in self.entries]


def _translate(key: Any, lang: str) -> Any:
    if isinstance(key, list):
        return [(tr(k, lang), v) for k, v in key]
    return tr(key, lang)
