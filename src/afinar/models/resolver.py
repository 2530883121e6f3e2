"""``resolve``: any way of naming a base model -> a ready local folder.

Accepted, in this order: a catalog name (packaged entries are pulled on demand), a name already in
the cache (imported GGUF, earlier hub download), an existing local folder, a hub id (``org/name``).
"""

from __future__ import annotations

from pathlib import Path

from afinar.errors import AfinarError
from afinar.models import cache, catalog
from afinar.models.catalog import License
from afinar.models.hub import looks_like_hub_id
from afinar.models.progress import Reporter


def check_local_folder(path: Path) -> Path:
    """A local model folder must have config.json and safetensors weights (pickle is never loaded)."""
    folder = path.expanduser().resolve()
    if not folder.is_dir() or not (folder / "config.json").is_file():
        raise AfinarError("models.folder_not_model", path=str(folder))
    if not any(folder.glob("*.safetensors")):
        raise AfinarError("models.folder_no_safetensors", path=str(folder), choices=catalog.offline_choices())
    return folder


def _looks_like_path(name: str) -> bool:
    return name.startswith((".", "/", "~", "\\")) or name.count("/") > 1 or "\\" in name


def resolve(
    name_or_path: str | Path, *, accept_license: bool = False, reporter: Reporter | None = None
) -> Path:
    """The folder of a ready model for ``name_or_path`` (see the module docstring for what is accepted).

    Packaged entries are pulled (installed and converted) the first time; their license is shown
    through ``reporter`` (default: a rich notice on stderr). Hub ids download once into the cache;
    offline they raise AfinarError listing the packaged choices.
    """
    if reporter is None:
        from afinar.models.progress import RichReporter

        reporter = RichReporter()
    if isinstance(name_or_path, Path):
        return check_local_folder(name_or_path)
    name = name_or_path.strip()
    entry = catalog.find(name)
    if entry is not None:
        from afinar.models.puller import pull

        return pull(name, accept_license=accept_license, reporter=reporter, verify_cached=False)
    if looks_like_hub_id(name) and cache.is_ready(name):
        return cache.model_dir(name)
    path = Path(name).expanduser()
    if path.exists():
        return check_local_folder(path)
    if _looks_like_path(name):
        raise AfinarError("models.path_missing", path=str(path))
    if looks_like_hub_id(name):
        from afinar.models.hub import pull_hub

        return pull_hub(name, reporter=reporter)
    raise AfinarError("models.bad_hub_id", name=name, choices=catalog.offline_choices())


def license_of(name_or_path: str | Path) -> License | None:
    """The license of a catalog entry or a cached model (None for a plain local folder)."""
    entry = catalog.find(str(name_or_path))
    if entry is not None:
        return entry.license
    manifest = cache.read_manifest(cache.model_dir(str(name_or_path))) if looks_like_hub_id(str(name_or_path)) else None
    if manifest and "license" in manifest:
        lic = manifest["license"]
        return License(lic.get("name", ""), lic.get("url", ""), bool(lic.get("requires_acceptance")))
    return None
