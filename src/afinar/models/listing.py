"""What ``afinar models list`` and ``info`` show: catalog entries plus cached models, as plain dicts.

No torch here. Each row has ``name``, ``tasks``, ``task``, ``params``, ``languages``, ``license``,
``license_url``, ``size_bytes``, ``source``, ``ready``, ``path``, ``default_for``.
"""

from __future__ import annotations

from typing import Any

from afinar.models import cache, catalog
from afinar.models.catalog import Entry


def human_size(n: float | None) -> str:
    """Bytes as "260 MB" / "1.2 GB" (what the CLI and the studio show)."""
    if not n:
        return "-"
    for unit in ("B", "KB", "MB"):
        if n < 1000:
            return f"{n:.0f} {unit}"
        n /= 1000
    return f"{n:.1f} GB"


def human_params(n: int | None) -> str:
    """A parameter count as "134.5 M" / "1.5 B"."""
    if not n:
        return "-"
    return f"{n / 1e9:.1f} B" if n >= 1e9 else f"{n / 1e6:.1f} M"


def _entry_row(entry: Entry) -> dict[str, Any]:
    folder = cache.model_dir(entry.name)
    ready = cache.is_ready(entry.name)
    return {
        "name": entry.name,
        "task": entry.task,
        "tasks": list(entry.tasks),
        "params": entry.params,
        "languages": list(entry.languages),
        "license": entry.license.name,
        "license_url": entry.license.url,
        "license_requires_acceptance": entry.license.requires_acceptance,
        "size_bytes": cache.folder_size(folder) if ready else entry.size_mb * 1_000_000,
        "source": entry.source,
        "ready": ready,
        "path": str(folder),
        "default_for": list(entry.default_for),
        "packages": [p.requirement for p in entry.packages],
        "hub_id": entry.hub_id,
        "note_key": entry.notes.get("key", ""),
    }


def _cached_row(folder: Any, manifest: dict[str, Any]) -> dict[str, Any]:
    lic = manifest.get("license", {})
    tasks = manifest.get("tasks") or ["chat"]
    return {
        "name": manifest.get("hub_id") or manifest.get("name") or folder.name,
        "task": tasks[0],
        "tasks": tasks,
        "params": None,
        "languages": [],
        "license": lic.get("name", ""),
        "license_url": lic.get("url", ""),
        "license_requires_acceptance": bool(lic.get("requires_acceptance")),
        "size_bytes": cache.folder_size(folder),
        "source": manifest.get("source", "imported"),
        "ready": True,
        "path": str(folder),
        "default_for": [],
        "packages": [],
        "hub_id": manifest.get("hub_id", ""),
        "note_key": "",
    }


def rows(task: str | None = None) -> list[dict[str, Any]]:
    """Catalog entries (packaged, then suggested hub ids), then models only in the cache."""
    out = [_entry_row(e) for e in catalog.entries(task)]
    known = {cache.cache_name(r["name"]) for r in out}
    for folder, manifest in cache.local_models():
        if folder.name in known or catalog.find(str(manifest.get("name", ""))) is not None:
            continue
        row = _cached_row(folder, manifest)
        if task is None or task in row["tasks"]:
            out.append(row)
    return out


def describe(name: str) -> dict[str, Any]:
    """One row plus the cached manifest (if ready); AfinarError if ``name`` is neither known nor cached."""
    entry = catalog.find(name)
    folder = cache.model_dir(name)
    manifest = cache.read_manifest(folder) if folder.is_dir() else None
    if entry is not None:
        row = _entry_row(entry)
    elif manifest is not None:
        row = _cached_row(folder, manifest)
    else:
        raise catalog.unknown_name_error(name)
    row["manifest"] = manifest
    return row
