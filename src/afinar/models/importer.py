"""``afinar models import FILE.gguf --name NAME``: a local GGUF -> a cached Hugging Face folder."""

from __future__ import annotations

from pathlib import Path

from afinar.errors import AfinarError
from afinar.models import cache, catalog
from afinar.models.gguf_import import CONVERTER_VERSION, convert_gguf
from afinar.models.progress import QuietReporter, Reporter
from afinar.models.sources import sha256_file

GGUF_MAGIC = b"GGUF"


def import_gguf(path: Path, name: str, *, force: bool = False, reporter: Reporter | None = None) -> Path:
    """Convert the GGUF file ``path`` into ``AFINAR_HOME/models/NAME`` and return that folder."""
    reporter = reporter or QuietReporter()
    path = path.expanduser()
    cache.check_name(name)
    if catalog.find(name) is not None:
        raise AfinarError("models.name_taken", name=name)
    if not path.is_file():
        raise AfinarError("common.file_not_found", path=str(path))
    with path.open("rb") as fh:
        if fh.read(4) != GGUF_MAGIC:
            raise AfinarError("models.import_not_gguf", path=str(path))
    with cache.lock(name):
        target = cache.model_dir(name)
        if target.exists() and not force:
            raise AfinarError("models.import_exists", name=name, path=str(target))
        return _import(path, name, reporter)


def _import(path: Path, name: str, reporter: Reporter) -> Path:
    reporter.start(name, total=4)
    ok = False
    try:
        reporter.step("models.step.checksum", file=path.name)
        digest = sha256_file(path)
        with cache.staging(name) as tmp:
            out_dir = tmp / "model"
            out_dir.mkdir()
            facts = convert_gguf(path.resolve(), out_dir, reporter)
            manifest = {
                "source": "imported",
                "tasks": ["chat"],
                "format": "transformers",
                "source_files": [{"path": str(path.resolve()), "sha256": digest}],
                "license": {"name": "", "url": "", "requires_acceptance": False},
                "converter": {"name": "afinar.models.gguf_import.convert_gguf", "version": CONVERTER_VERSION},
                "details": facts,
            }
            folder = cache.commit(out_dir, name, manifest)
        ok = True
    finally:
        reporter.finish(ok=ok)
    reporter.note("models.import.ready", path_in=str(path), name=name, path=str(folder))
    return folder
