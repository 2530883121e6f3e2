"""API keys and who is calling: every request under ``/v1`` is made by a :class:`Caller`.

Keys come from ``AFINAR_API_KEY`` (the operator's own key: an admin) and from ``afinar keys create``
(``AFINAR_HOME/api_keys.json`` keeps only their SHA-256; ``--admin`` marks a key that sees
everything). Each key has a stable id (``key-`` + the first 12 hex digits of its hash) that is
recorded as the owner of what it creates; a key that is not an admin sees only its own files, jobs
and fine-tuned models. Without keys (the default on 127.0.0.1) there is one user who sees all.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.requests import Request

from afinar import i18n
from afinar.server.errors import error_body, request_lang

ENV_KEY_ID = "key-env"  # the id of AFINAR_API_KEY's key


@dataclass(frozen=True)
class ApiKey:
    sha256: str
    id: str
    admin: bool = False


@dataclass(frozen=True)
class Caller:
    """Who makes a request: ``key_id`` is recorded as owner; ``scope`` filters what they see
    (None: everything, for an admin key or a server without keys)."""

    key_id: str | None = None
    admin: bool = True
    local_models: bool = False  # may name folders of this machine as models (besides --allow-local-models)

    @property
    def scope(self) -> str | None:
        return None if self.admin else self.key_id


OPERATOR = Caller()  # an API request to a server without keys: the single local user
ON_MACHINE = Caller(local_models=True)  # the studio and the CLI, in the operator's own process


def key_id(sha256: str) -> str:
    return "key-" + sha256[:12]


def read_keys(path: Path) -> list[ApiKey]:
    """The keys of ``api_keys.json`` (entries written before ``admin`` existed are not admins)."""
    if not path.is_file():
        return []
    entries = json.loads(path.read_text(encoding="utf-8")).get("keys", [])
    return [ApiKey(e["sha256"], key_id(e["sha256"]), bool(e.get("admin"))) for e in entries]


def identify(given: str, plain_keys: list[str], hashed: list[ApiKey]) -> Caller | None:
    """The caller whose key is ``given``, or None; every stored key is compared in constant time."""
    found: Caller | None = None
    for key in plain_keys:
        if hmac.compare_digest(given.encode(), key.encode()):
            found = Caller(ENV_KEY_ID, admin=True)
    digest = hashlib.sha256(given.encode()).hexdigest()
    for key in hashed:
        if hmac.compare_digest(digest, key.sha256):
            found = Caller(key.id, admin=key.admin)
    return found


def bearer(headers: dict[str, str]) -> str:
    header = headers.get("authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else ""


class KeyCheck:
    """ASGI middleware: under ``/v1`` a valid key is required; the caller goes to ``request.state.caller``."""

    def __init__(self, app: Any, plain_keys: list[str], hashed: list[ApiKey]):
        self.app, self.plain_keys, self.hashed = app, plain_keys, hashed

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/v1/"):
            headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
            given = bearer(headers)
            caller = identify(given, self.plain_keys, self.hashed) if given else None
            if caller is None:
                from fastapi.responses import JSONResponse

                lang = request_lang(headers.get("accept-language"))
                response = JSONResponse(error_body(401, i18n.t("server.auth.bad_key", lang), None, "invalid_api_key"),
                                        status_code=401)
                return await response(scope, receive, send)
            scope.setdefault("state", {})["caller"] = caller
        await self.app(scope, receive, send)


def caller_of(request: Request) -> Caller:
    """The request's caller (a FastAPI dependency); a server without keys has only the operator."""
    return getattr(request.state, "caller", OPERATOR)
