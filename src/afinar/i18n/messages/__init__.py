"""All message catalogs, merged. Each module defines ``MESSAGES = {key: {"en": ..., "es": ...}}``.

Modules are listed here once; a key defined twice is a bug and fails at import (and in the tests).
"""

from __future__ import annotations

from importlib import import_module

_MODULES = ("common", "data_findings", "data_tabular", "data_commands", "data_preference", "models", "chat", "chat_recipe", "chat_export",
            "textcls", "server", "server_guard", "serving", "rag", "imgcls", "studio", "studio_events", "api")


def _load() -> dict[str, dict[str, str]]:
    merged: dict[str, dict[str, str]] = {}
    for name in _MODULES:
        module = import_module(f"afinar.i18n.messages.{name}")
        for key, entry in module.MESSAGES.items():
            if key in merged:
                raise RuntimeError(f"message key {key!r} defined twice (in {name})")
            merged[key] = entry
    return merged


CATALOG = _load()
