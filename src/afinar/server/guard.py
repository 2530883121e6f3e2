"""What stands in front of every route: the Host and Origin checks, and the last-resort 500.

A server on 127.0.0.1 is reachable by every web page the user opens: a page cannot read the
answers without CORS, but it can *send* "simple" requests (a form POST, a multipart upload) and,
through DNS rebinding (a name of the attacker's that resolves to 127.0.0.1), even read them. So:

- ``Host`` must be an IP literal, ``localhost``, the bound name, or a name given with
  ``--allowed-host`` (``*`` turns the check off, for a reverse proxy that checks it itself); any
  other name is a 421. A rebinding page always sends its own name, so it never gets through.
- A state-changing request (POST, PUT, PATCH, DELETE) sent by a browser (it has ``Origin``, or
  ``Sec-Fetch-Site`` says cross-site) must come from the server's own origin (the studio) or from
  an origin given with ``--cors-origin``; anything else is a 403, keys or not. Programs (the SDK,
  curl, LangChain) send no ``Origin`` and are not affected.

These are written by hand as two small ASGI middlewares: Starlette's TrustedHostMiddleware has no
notion of "any IP literal" and answers in plain text, not OpenAI's error shape.
"""

from __future__ import annotations

import ipaddress
import logging
from typing import Any
from urllib.parse import urlsplit

from fastapi.responses import JSONResponse

from afinar import i18n
from afinar.server.errors import error_body, request_lang

UNSAFE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
log = logging.getLogger("afinar.server")


def split_host(value: str) -> tuple[str, int | None]:
    """``name:port`` / ``[::1]:port`` → (lower-case name without brackets, port or None)."""
    try:
        parts = urlsplit("//" + value.strip())
        return (parts.hostname or "").rstrip("."), parts.port
    except ValueError:  # a port that is not a number
        return "", None


def is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def host_allowed(host_header: str, bound: str, allowed: list[str]) -> bool:
    if "*" in allowed:
        return True
    name, _ = split_host(host_header)
    if not name:
        return False
    return is_ip(name) or name == "localhost" or name == bound.lower() or name in {a.lower() for a in allowed}


def origin_allowed(origin: str, host_header: str, scheme: str, cors_origins: list[str]) -> bool:
    """Same origin as the request (the studio's own pages) or one of ``--cors-origin``."""
    if "*" in cors_origins or origin.rstrip("/") in {o.rstrip("/") for o in cors_origins}:
        return True
    try:
        parts = urlsplit(origin)
        origin_port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    except ValueError:
        return False
    host, port = split_host(host_header)
    port = port or {"http": 80, "https": 443}.get(scheme)
    return bool(host) and parts.scheme == scheme and (parts.hostname or "") == host and origin_port == port


def _refuse(scope: dict, status: int, key: str, code: str, lang: str, **params: Any) -> JSONResponse:
    return JSONResponse(error_body(status, i18n.t(key, lang, **params), None, code), status_code=status)


class RequestGuard:
    """ASGI middleware: the Host check for every request, the Origin check for state-changing ones,
    and the size of a request body (by its Content-Length)."""

    def __init__(self, app: Any, bound_host: str, allowed_hosts: list[str], cors_origins: list[str],
                 max_body_bytes: int = 32 * 2**20, max_upload_bytes: int = 512 * 2**20):
        self.app, self.bound, self.allowed, self.cors = app, bound_host, allowed_hosts, cors_origins
        self.max_body, self.max_upload = max_body_bytes, max_upload_bytes

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        lang = request_lang(headers.get("accept-language"))
        host = headers.get("host", "")
        if not host_allowed(host, self.bound, self.allowed):
            name = split_host(host)[0] or host
            response = _refuse(scope, 421, "server.guard.bad_host", "host_not_allowed", lang, host=name[:100])
            return await response(scope, receive, send)
        length = headers.get("content-length", "")
        limit = self.max_upload + 2**20 if scope.get("path") == "/v1/files" else self.max_body
        if length.isdigit() and int(length) > limit:  # refused before a byte of the body is read
            response = _refuse(scope, 413, "server.guard.body_too_large", "request_too_large", lang,
                               size=int(length) // 2**20, limit=limit // 2**20)
            return await response(scope, receive, send)
        method = scope.get("method", "GET")
        origin = headers.get("origin")
        browser_cross = headers.get("sec-fetch-site") in ("cross-site", "same-site")
        if scope["type"] == "websocket" or method in UNSAFE_METHODS:
            scheme = "https" if scope.get("scheme") in ("https", "wss") else "http"
            if (origin is not None and not origin_allowed(origin, host, scheme, self.cors)) \
                    or (origin is None and browser_cross):
                response = _refuse(scope, 403, "server.guard.bad_origin", "origin_not_allowed", lang,
                                   origin=(origin or headers.get("sec-fetch-site", ""))[:100])
                return await response(scope, receive, send)
        await self.app(scope, receive, send)


class CatchAll:
    """ASGI middleware: an unexpected error becomes a 500 in OpenAI's shape and the connection stays
    usable (Starlette's own handler re-raises, and uvicorn then closes the keep-alive connection)."""

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = False

        async def tracked(message: dict) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except Exception as err:
            log.exception("unhandled error on %s", scope.get("path"))
            if started:  # the status line is out: nothing better can be said
                raise
            headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
            message = i18n.t("server.internal", request_lang(headers.get("accept-language")),
                             error=type(err).__name__)
            await JSONResponse(error_body(500, message), status_code=500)(scope, receive, send)
