"""The catalog of base models: a registry of typed entries, one per base, looked up by name.

Nothing here imports torch or transformers: listing the catalog stays instant. Each packaged entry
names the registry package(s) that carry its files, pinned, with the sha256 of every source file, and
the converter that turns them into a standard Hugging Face folder. Hub entries only describe a
suggested hub id (they need internet). Entries register themselves in ``afinar.models.entries``.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from afinar.models.progress import Reporter

TASKS = ("chat", "text-classification", "image-classification", "embedding")
Source = Literal["packaged", "hub", "imported"]


@dataclass(frozen=True)
class License:
    """A model's license. ``terms_file`` (inside the package) is copied next to the converted model."""

    name: str
    url: str
    requires_acceptance: bool = False
    terms_file: SourceFile | None = None


@dataclass(frozen=True)
class Package:
    """A pinned registry package. ``no_deps`` installs it with ``pip --no-deps`` (see MODELS.md)."""

    name: str
    version: str
    module: str
    no_deps: bool = False

    @property
    def requirement(self) -> str:
        return f"{self.name}=={self.version}"


@dataclass(frozen=True)
class SourceFile:
    """A file inside an installed package, located without importing it, with its expected sha256."""

    module: str
    relpath: str
    sha256: str = ""


@dataclass(frozen=True)
class ConvertJob:
    """What a converter receives: the located source files (in ``entry.sources`` order) and the
    empty folder to fill. ``reporter`` shows progress; converters call ``reporter.step(key)``."""

    entry: Entry
    sources: tuple[Path, ...]
    out_dir: Path
    work_dir: Path
    reporter: Reporter


Converter = Callable[[ConvertJob], "dict[str, Any]"]


@dataclass(frozen=True)
class Entry:
    """One base model. ``tasks[0]`` is its main task; ``default_for`` lists tasks it is the default of.

    ``convert_steps`` is how many ``reporter.step`` calls the converter makes (for the progress bar).
    """

    name: str
    tasks: tuple[str, ...]
    params: int
    languages: tuple[str, ...]
    license: License
    size_mb: int
    source: Source = "packaged"
    packages: tuple[Package, ...] = ()
    sources: tuple[SourceFile, ...] = ()
    converter: Converter | None = None
    converter_version: int = 1
    convert_steps: int = 1
    hub_id: str = ""
    default_for: tuple[str, ...] = ()
    notes: dict[str, str] = field(default_factory=dict)

    @property
    def task(self) -> str:
        return self.tasks[0]

    @property
    def packaged(self) -> bool:
        return self.source == "packaged"


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
        import afinar.models.entries  # noqa: F401  (registers the entries)


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
