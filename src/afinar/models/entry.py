"""The types of the model catalog's entries (``afinar.models.catalog`` registers them, the entries
themselves are listed in ``afinar.models.entries``). No torch here."""

from __future__ import annotations

from collections.abc import Callable
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
