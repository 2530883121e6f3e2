"""Afinar: a local, private, free fine-tuning studio.

The Python API (``afinar.validate``, ``afinar.train_chat``, ``afinar.chat``, ``afinar.rag_ask``…,
listed in ``afinar.api.__all__`` and docs/python.md) is imported on first use, so ``import
afinar`` and ``afinar --help`` stay light (no torch).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:  # for type checkers and editors; at run time the names load on first use
    from afinar.api import *


# The public names of ``afinar.api`` (its ``__all__``; a test keeps the two equal). Listed here so
# that ``from afinar import i18n`` and other submodule imports never load the API.
API_NAMES = frozenset({
    "AfinarError", "Comparison", "Run", "chat", "compare", "convert", "estimate", "example_cats_dogs", "export_gguf", "export_hf",
    "export_ollama", "export_space", "fix", "open_run", "predict", "predict_file", "pull_model", "rag_ask",
    "rag_eval", "rag_index", "rag_search", "set_language", "show", "train_chat", "train_image_classifier",
    "train_text_classifier", "validate",
})


def __getattr__(name: str) -> Any:
    if name not in API_NAMES:
        raise AttributeError(f"module 'afinar' has no attribute {name!r}")
    # not `from afinar import api`: that would ask this module's __getattr__ again
    from importlib import import_module

    return getattr(import_module("afinar.api"), name)


def __dir__() -> list[str]:
    return sorted([*globals(), *API_NAMES])
