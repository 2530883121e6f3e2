"""The one exception type a user sees: a translated message, an optional fix hint, an exit code."""

from __future__ import annotations

from afinar import i18n


class AfinarError(Exception):
    """A problem the user can fix. ``key`` names a catalog message; ``key + '.hint'`` is used if present.

    The CLI prints it without a traceback; the API turns it into OpenAI's error shape.
    """

    def __init__(self, key: str, *, exit_code: int = 1, hint_key: str | None = None, **params: object):
        self.key = key
        self.params = params
        self.exit_code = exit_code
        self.hint_key = hint_key or (key + ".hint" if i18n.has(key + ".hint") else None)
        super().__init__(self.message("en"))

    def message(self, lang: str | None = None) -> str:
        """The message in ``lang``; a parameter that is itself an AfinarError (a reason) is translated too."""
        params = {k: (v.message(lang) if isinstance(v, AfinarError) else v) for k, v in self.params.items()}
        return i18n.t(self.key, lang, **params)

    def hint(self, lang: str | None = None) -> str | None:
        return i18n.t(self.hint_key, lang, **self.params) if self.hint_key else None

    def __str__(self) -> str:
        """The message in the current language (``args[0]`` keeps the English one, for logs)."""
        return self.message()

    def _render_traceback_(self) -> list[str]:
        """What Jupyter shows instead of a traceback: the message and the hint, as the CLI prints them."""
        lines = [f"{i18n.t('common.error_prefix')}: {self.message()}"]
        hint = self.hint()
        if hint:
            lines.append(f"{i18n.t('common.hint_prefix')}: {hint}")
        return lines
