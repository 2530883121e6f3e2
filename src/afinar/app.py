"""The one application ``afinar serve`` runs: the HTTP API (``afinar.server``) with the web studio
(``afinar.studio``) mounted beside it at ``/``, both over the same ``Service`` (jobs, files, models).

This is the only module that knows both: the API and the studio sit side by side over the shared
core and import nothing of each other (the import-linter contracts in pyproject.toml).
"""

from __future__ import annotations

import logging
from typing import Any

from afinar.server.app import Settings
from afinar.server.app import create_app as create_api
from afinar.server.auth import identify


def create_app(settings: Settings | None = None) -> Any:
    """The API, and the studio at ``/`` when ``settings.studio``."""
    settings = settings or Settings()
    app = create_api(settings)
    if settings.studio:
        mount_studio(app, settings)
    return app


def mount_studio(app: Any, settings: Settings) -> None:
    """The studio on the API's service. Behind a required key it asks for one too (any user name,
    the key as password); it sees every file, job and model, so only an admin key opens it."""

    def admin_key(_user: str, password: str) -> bool:
        caller = identify(password, settings.api_keys, settings.keys)
        return caller is not None and caller.admin

    try:
        import gradio as gr

        from afinar.studio import build_studio
        from afinar.studio.app import CSS

        auth = admin_key if settings.require_key else None
        gr.mount_gradio_app(app, build_studio(app.state.service), path="/", css=CSS, footer_links=[], auth=auth,
                            auth_message="Afinar: API key (admin) / clave de API (de administración)")
    except Exception:  # the API must come up even when the studio cannot: said in the log
        logging.getLogger("afinar.server").exception("the web studio could not be mounted; serving the API only")
