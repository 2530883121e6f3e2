"""Afinar's Python API: what the ``afinar`` command does, from a notebook or a script.

Every name here is also at the package's top level (``import afinar; afinar.train_chat(...)``).
They are the code path of the CLI (``afinar train``, ``compare``, ``predict``, ``export`` call
them), run training as jobs of the one queue, answer through the inference core, and raise the
same ``AfinarError``s, in the user's language (``set_language``). The names are pinned by a test
(``tests/unit/test_python_api.py``): a rename is a visible change. Reference: docs/python.md.
"""

from __future__ import annotations

from pathlib import Path

from afinar import i18n
from afinar.api.chat import Comparison, chat, compare
from afinar.api.data import convert, estimate, example_cats_dogs, fix, validate
from afinar.api.export import export_gguf, export_hf, export_ollama, export_space
from afinar.api.predict import predict, predict_file
from afinar.api.rag import rag_ask, rag_eval, rag_index, rag_search
from afinar.api.runs import Run
from afinar.api.show import show
from afinar.api.train import train_chat, train_image_classifier, train_text_classifier
from afinar.errors import AfinarError

__all__ = [
    "AfinarError", "Comparison", "Run", "chat", "compare", "convert", "estimate", "example_cats_dogs", "export_gguf", "export_hf",
    "export_ollama", "export_space", "fix", "open_run", "predict", "predict_file", "pull_model", "rag_ask",
    "rag_eval", "rag_index", "rag_search", "set_language", "show", "train_chat", "train_image_classifier",
    "train_text_classifier", "validate",
]


def set_language(lang: str | None) -> None:
    """Messages, errors and tables in ``"es"`` or ``"en"`` (``None``: back to ``AFINAR_LANG`` / the locale)."""
    if lang is not None and lang not in i18n.LANGS:
        raise AfinarError("api.language.bad", lang=lang)
    i18n.set_lang(lang)


def open_run(path: str | Path) -> Run:
    """A run folder written earlier (by the API, the CLI, the studio or the server)."""
    return Run.open(path)


def pull_model(name: str, *, accept_license: bool = False) -> Path:
    """Install a catalog base (or download a hub id) into the model cache; its license is shown
    first. Training and chat pull what they need themselves; this does it ahead of time."""
    from afinar import models
    from afinar.models.progress import RichReporter

    return models.pull(name, accept_license=accept_license, reporter=RichReporter())
