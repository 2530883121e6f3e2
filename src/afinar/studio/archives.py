"""Unpacking an uploaded zip of class folders (the Imágenes page) without trusting its names.

Only pictures are extracted; every member path must be relative, without ``..`` or drive letters,
with at most ``MAX_DEPTH`` folders; sizes are capped. Folder names inside the zip are the class
labels, so they become paths — but only under a fresh workspace folder, after these checks.
"""

from __future__ import annotations

import zipfile
from pathlib import Path, PurePosixPath

from afinar.errors import AfinarError

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp"})
MAX_DEPTH = 4
MAX_TOTAL_BYTES = 2_000_000_000
MAX_FILES = 200_000


def _safe_parts(name: str) -> tuple[str, ...] | None:
    path = PurePosixPath(name.replace("\\", "/"))
    parts = path.parts
    if path.is_absolute() or not parts or any(p in ("", ".", "..") or ":" in p for p in parts):
        return None
    if len(parts) > MAX_DEPTH + 1 or any(p.startswith(".") or p == "__MACOSX" for p in parts):
        return None
    return parts


def extract_images(archive: Path, target: Path) -> Path:
    """Extract the pictures of ``archive`` into ``target``; returns the folder that holds the classes
    (a single wrapping folder, as zipping a folder makes, is stepped into)."""
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as err:
        raise AfinarError("studio.images.bad_zip", name=archive.name, reason=str(err)) from err
    with zf:
        members = [m for m in zf.infolist() if not m.is_dir()]
        if len(members) > MAX_FILES or sum(m.file_size for m in members) > MAX_TOTAL_BYTES:
            raise AfinarError("studio.images.too_big", name=archive.name)
        written = 0
        for member in members:
            parts = _safe_parts(member.filename)
            if parts is None or PurePosixPath(*parts).suffix.lower() not in IMAGE_SUFFIXES:
                continue
            out = target.joinpath(*parts)
            out.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(member) as src, open(out, "wb") as dst:
                dst.write(src.read())
            written += 1
    if not written:
        raise AfinarError("studio.images.no_pictures", name=archive.name)
    root = target
    while True:
        entries = list(root.iterdir())
        if len(entries) == 1 and entries[0].is_dir() and any(p.is_dir() for p in entries[0].iterdir()):
            root = entries[0]
            continue
        return root
