"""Base models: the catalog (packaged offline bases + hub ids), the cache, pulls and importers.

Python API used by the task, RAG and server modules (none of it imports torch until it converts)::

    from afinar import models

    folder = models.resolve("smollm2-135m-instruct")    # catalog name: pulled on first use
    folder = models.resolve("Qwen/Qwen2.5-0.5B-Instruct")  # hub id: downloaded once (needs internet)
    folder = models.resolve("/path/to/hf-folder")        # local folder with config.json + safetensors
    entry = models.catalog.get("multilingual-e5-small")  # typed Entry: tasks, license, packages...
    base = models.catalog.default_for("chat")            # default offline base per task
    models.catalog.entries(task="image-classification")  # list the catalog
    models.pull("gemma-3-270m", accept_license=True)     # explicit pull (gemma needs the license accepted)
    models.import_gguf(Path("model.gguf"), "my-model")   # any GGUF transformers can read -> HF folder
    models.license_of("smollm2-135m-instruct")           # License(name, url, requires_acceptance)

Folders are standard Hugging Face folders (``AutoModel*.from_pretrained(folder)``), except image
bases, which are Afinar image folders: ``models.vision.folder.load_image_model(folder)`` gives the
plain-torch network with torchvision's parameter names and its preprocessing recipe. Every folder
has ``afinar-model.json``: source package and version, sha256 of the source files, license,
converter and version, checksums of the folder's files.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from afinar.models import catalog

if TYPE_CHECKING:
    from afinar.models.catalog import License
    from afinar.models.progress import Reporter

__all__ = ["catalog", "resolve", "pull", "import_gguf", "license_of", "model_dir"]


def resolve(name_or_path: str | Path, *, accept_license: bool = False, reporter: Reporter | None = None) -> Path:
    """A ready local folder for a catalog name, a cached name, a local folder or a hub id."""
    from afinar.models.resolver import resolve as _resolve

    return _resolve(name_or_path, accept_license=accept_license, reporter=reporter)


def pull(name: str, *, accept_license: bool = False, reporter: Reporter | None = None, **kwargs: Any) -> Path:
    """Install, verify and convert a packaged entry (or download a hub id) into the cache."""
    from afinar.models.puller import pull as _pull

    return _pull(name, accept_license=accept_license, reporter=reporter, **kwargs)


def import_gguf(path: Path, name: str, *, force: bool = False, reporter: Reporter | None = None) -> Path:
    """Convert a local GGUF file into the cache as ``name``."""
    from afinar.models.importer import import_gguf as _import

    return _import(path, name, force=force, reporter=reporter)


def license_of(name_or_path: str | Path) -> License | None:
    from afinar.models.resolver import license_of as _license_of

    return _license_of(name_or_path)


def model_dir(name: str) -> Path:
    """Where ``name`` lives (or would live) in the cache."""
    from afinar.models.cache import model_dir as _model_dir

    return _model_dir(name)
