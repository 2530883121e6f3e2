"""The catalog of base models: a registry of typed entries, one per base, looked up by name.

Nothing here imports torch or transformers: listing the catalog stays instant. Each packaged entry
names the registry package(s) that carry its files, pinned, with the sha256 of every source file, and
the converter that turns them into a standard Hugging Face folder. Hub entries only describe a
suggested hub id (they need internet). The entries are listed in ``afinar.models.entries``, their
types in ``afinar.models.entry``.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from afinar.models.entry import (  # noqa: F401 - the catalog's types, used by its callers as catalog.X
    TASKS,
    Converter,
    ConvertJob,
    Entry,
    License,
    Package,
    Source,
    SourceFile,
)

_REGISTRY: dict[str, Entry] = {}


def register(entry: Entry) -> Entry:
    """Add ``entry`` to the catalog; a bad entry is a programming error and fails at import."""
    problems = []
    if entry.name in _REGISTRY:
        problems.append(f"name {entry.name!r} registered twice")
    bad_tasks = [t for t in entry.tasks + entry.default_for if t not in TASKS]
    if bad_tasks or not entry.tasks:
        problems.append(f"tasks {bad_tasks or entry.tasks!r} not in {TASKS}")
    if entry.packaged and (entry.converter is None or not entry.packages or not entry.sources):
        problems.append("a packaged entry needs packages, sources and a converter")
    if entry.packaged and any(len(s.sha256) != 64 for s in entry.sources):
        problems.append("every packaged source file needs its sha256")
    if entry.source == "hub" and not entry.hub_id:
        problems.append("a hub entry needs hub_id")
    if problems:
        raise ValueError(f"catalog entry {entry.name!r}: " + "; ".join(problems))
    _REGISTRY[entry.name] = entry
    return entry


def _load() -> None:
    if not _REGISTRY:
        from afinar.models.entries import ENTRIES

        for entry in ENTRIES:
            register(entry)


def entries(task: str | None = None) -> list[Entry]:
    """All entries (packaged first, in registration order), optionally only those for ``task``."""
    _load()
    found = [e for e in _REGISTRY.values() if task is None or task in e.tasks]
    return sorted(found, key=lambda e: not e.packaged)


def find(name: str) -> Entry | None:
    _load()
    return _REGISTRY.get(name)


def get(name: str) -> Entry:
    """The entry called ``name``; an AfinarError that suggests close names if there is none."""
    entry = find(name)
    if entry is None:
        raise unknown_name_error(name)
    return entry


def unknown_name_error(name: str) -> Exception:
    """The user error for a name that is neither in the catalog nor in the cache."""
    from afinar.errors import AfinarError

    return AfinarError("models.unknown_name", name=name, choices=offline_choices(), close=close_names(name))


def default_for(task: str) -> Entry:
    """The default offline base for ``task`` (chat, text-classification, image-classification, embedding)."""
    _load()
    for entry in _REGISTRY.values():
        if task in entry.default_for:
            return entry
    raise KeyError(f"no default base model for task {task!r}")


def offline_choices() -> str:
    """The packaged (offline) names, for messages: 'a, b, c'."""
    return ", ".join(e.name for e in entries() if e.packaged)


def close_names(name: str) -> str:
    _load()
    return ", ".join(difflib.get_close_matches(name, list(_REGISTRY), n=3, cutoff=0.5)) or "-"


def iter_hub_ids() -> Iterator[str]:
    _load()
    return (e.hub_id for e in _REGISTRY.values() if e.hub_id)
