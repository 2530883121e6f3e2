"""Where Afinar keeps its state: everything lives under AFINAR_HOME (default ~/.afinar)."""

from __future__ import annotations

import os
from pathlib import Path


def afinar_home() -> Path:
    """The state folder. Read on every call so tests and users can point it elsewhere."""
    raw = os.environ.get("AFINAR_HOME")
    home = Path(raw).expanduser() if raw else Path.home() / ".afinar"
    return home


def ensure_home() -> Path:
    home = afinar_home()
    home.mkdir(parents=True, exist_ok=True)
    return home


def models_dir() -> Path:
    return afinar_home() / "models"
