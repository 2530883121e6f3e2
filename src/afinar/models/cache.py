"""The model cache: ``AFINAR_HOME/models/NAME/`` holds one ready model folder per name.

A folder is ready when its ``afinar-model.json`` (the manifest) exists: it is written last, inside a
temporary ``.staging-*`` folder that is then renamed into place, so an interrupted pull or import
never leaves a half-written model under a real name. Stale staging folders are removed on the next
write.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from afinar import __version__
from afinar.errors import AfinarError
from afinar.paths import models_dir

MANIFEST = "afinar-model.json"
STAGING_PREFIX = ".staging-"
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


def cache_name(name: str) -> str:
    """The folder name for a catalog name, an imported name or a hub id (``org/name`` -> ``org--name``)."""
    return name.replace("/", "--")


def model_dir(name: str) -> Path:
    return models_dir() / cache_name(name)


def read_manifest(folder: Path) -> dict[str, Any] | None:
    path = folder / MANIFEST
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise AfinarError("models.manifest_broken", path=str(path), error=str(err)) from err
    return data if isinstance(data, dict) else None


def is_ready(name: str) -> bool:
    return (model_dir(name) / MANIFEST).is_file()


def check_name(name: str) -> str:
    """A name for an imported model: letters, digits, '.', '_' and '-', not starting with a symbol."""
    if not _NAME_RE.match(name):
        raise AfinarError("models.bad_name", name=name)
    return name


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def file_checksums(folder: Path) -> dict[str, str]:
    from afinar.models.sources import sha256_file

    return {
        p.relative_to(folder).as_posix(): sha256_file(p)
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != MANIFEST
    }


def verify_files(folder: Path, manifest: dict[str, Any]) -> list[str]:
    """Names of files whose sha256 differs from the manifest (missing files included)."""
    expected: dict[str, str] = manifest.get("files", {})
    bad = []
    for rel, digest in expected.items():
        path = folder / rel
        if not path.is_file():
            bad.append(rel)
            continue
        from afinar.models.sources import sha256_file

        if sha256_file(path) != digest:
            bad.append(rel)
    return bad


@contextmanager
def lock(name: str) -> Iterator[None]:
    """Hold an exclusive lock on ``name`` in this cache (another process pulling it waits here).

    Uses ``fcntl.flock`` where it exists (Linux, macOS); elsewhere pulls are not serialized.
    """
    root = models_dir()
    root.mkdir(parents=True, exist_ok=True)
    path = root / f".lock-{cache_name(name)}"
    with path.open("a") as fh:
        try:
            import fcntl
        except ImportError:  # Windows: no flock; staging folders still keep each pull apart
            yield
            return
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _staging_prefix(name: str) -> str:
    return f"{STAGING_PREFIX}{cache_name(name)}+"


@contextmanager
def staging(name: str) -> Iterator[Path]:
    """A fresh folder inside the cache to build ``name`` in; on success call :func:`commit`.

    Call it while holding :func:`lock` for ``name``: leftovers of an earlier, killed build of the
    same name are removed first. Whatever happens inside (an error, Ctrl-C), the staging folder is
    removed on the way out.
    """
    root = models_dir()
    root.mkdir(parents=True, exist_ok=True)
    for stale in root.glob(_staging_prefix(name) + "*"):
        if stale.is_dir():
            shutil.rmtree(stale)
    tmp = Path(tempfile.mkdtemp(prefix=_staging_prefix(name), dir=root))
    try:
        yield tmp
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)


def commit(tmp: Path, name: str, manifest: dict[str, Any]) -> Path:
    """Write the manifest (with the files' checksums) into ``tmp`` and rename it to the model folder.

    An older folder of the same name is moved aside first and removed only after the rename.
    """
    manifest = {
        **manifest,
        "name": name,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "afinar_version": __version__,
        "files": file_checksums(tmp),
    }
    (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    target = model_dir(name)
    old = None
    if target.exists():
        old = target.with_name(_staging_prefix(name) + "old")
        if old.exists():
            shutil.rmtree(old)
        target.rename(old)
    tmp.rename(target)
    if old is not None:
        shutil.rmtree(old)
    return target


def local_models() -> list[tuple[Path, dict[str, Any]]]:
    """Every ready folder in the cache with its manifest, by name."""
    root = models_dir()
    if not root.is_dir():
        return []
    found = []
    for folder in sorted(root.iterdir()):
        if folder.is_dir() and not folder.name.startswith("."):
            manifest = read_manifest(folder)
            if manifest is not None:
                found.append((folder, manifest))
    return found


def remove(name: str) -> Path:
    """Delete the cached model ``name``; AfinarError if it is not in the cache."""
    folder = model_dir(name)
    if not folder.is_dir():
        raise AfinarError("models.not_in_cache", name=name, path=str(folder))
    shutil.rmtree(folder)
    return folder
