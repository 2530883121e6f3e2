"""Errors in OpenAI's shape: ``{"error": {"message", "type", "param", "code"}}`` with its status codes.

Messages are the project's own translated messages (Spanish or English, from the request's
``Accept-Language``), so an API user and a studio user read the same explanation.
"""

from __future__ import annotations

from typing import Any

from afinar import i18n
from afinar.errors import AfinarError

TYPES = {400: "invalid_request_error", 401: "invalid_request_error", 403: "invalid_request_error",
         404: "invalid_request_error", 421: "invalid_request_error",
         409: "invalid_request_error", 413: "invalid_request_error", 422: "invalid_request_error",
         429: "rate_limit_error", 500: "server_error", 503: "server_error"}


class ApiError(AfinarError):
    """An HTTP error with a message key from the catalog (``server.*``) and OpenAI's fields.
    Being an AfinarError, the CLI (``afinar jobs``) prints it like any other user error."""

    def __init__(self, http_status: int, key: str, /, *, param: str | None = None, code: str | None = None,
                 **params: Any):  # positional-only, so a message may have its own {status} placeholder
        super().__init__(key, **params)
        self.status, self.param, self.code = http_status, param, code
        self.headers: dict[str, str] | None = None  # e.g. Retry-After on a 429

    def text(self, lang: str | None) -> str:
        """The message in ``lang``; a parameter that is itself an AfinarError (a reason) is translated too."""
        params = {k: (v.message(lang) if isinstance(v, AfinarError) else v) for k, v in self.params.items()}
        return i18n.t(self.key, lang, **params)

    def body(self, lang: str | None) -> dict[str, Any]:
        return error_body(self.status, self.text(lang), self.param, self.code)


class ApiErrors(ApiError):
    """Several problems of one request, reported together (``param`` and ``code`` of the first)."""

    def __init__(self, errors: list[ApiError]):
        first = errors[0]
        super().__init__(first.status, first.key, param=first.param, code=first.code, **first.params)
        self.errors = errors

    def text(self, lang: str | None) -> str:
        head = i18n.t("server.several_problems", lang, count=len(self.errors))
        return head + " " + " ".join(f"({n}) {e.text(lang)}" for n, e in enumerate(self.errors, 1))


def raise_all(errors: list[ApiError]) -> None:
    """Raise the one problem, or all of them together; nothing when the list is empty."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise ApiErrors(errors)


def error_body(status: int, message: str, param: str | None = None, code: str | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": TYPES.get(status, "invalid_request_error"),
                      "param": param, "code": code}}


def request_lang(accept_language: str | None) -> str:
    """es or en from an Accept-Language header (first supported language wins); default: AFINAR_LANG."""
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()[:2]
        if tag in i18n.LANGS:
            return tag
    return i18n.get_lang()


def validation_error_body(errors: list[dict[str, Any]], lang: str) -> dict[str, Any]:
    """Every problem pydantic found, in one message; ``param`` is the first field (OpenAI has one).
    A body that is not JSON at all says so, with the position, instead of naming a field."""
    broken = [e for e in errors if e.get("type") == "json_invalid"]
    if broken:
        where = [p for p in broken[0].get("loc", ()) if isinstance(p, int)]
        message = i18n.t("server.invalid_json", lang, position=where[0] if where else "?",
                         detail=broken[0].get("ctx", {}).get("error", broken[0].get("msg", "")))
        return error_body(400, message, None, "invalid_json")
    problems = []
    for e in errors:
        loc = [str(p) for p in e.get("loc", ()) if p not in ("body", "query", "path", "form")]
        problems.append((".".join(loc) or None, e.get("msg", "")))
    if len(problems) == 1:
        param, detail = problems[0]
        message = i18n.t("server.bad_request", lang, param=param or "-", detail=detail)
    else:
        listed = "; ".join(f"'{param or '-'}': {detail}" for param, detail in problems)
        message = i18n.t("server.bad_requests", lang, count=len(problems), problems=listed)
    return error_body(400, message, problems[0][0] if problems else None, "invalid_request")
