"""Where the studio keeps uploads and results: one private temporary folder per server process.

Uploaded file names are only displayed, never used as paths: each upload is copied to a fresh
random name that keeps only a known extension. Results offered for download (repaired and
converted files, exported Spaces, report pictures) are written here too, because Gradio serves
files only from its own cache and the system's temporary folder.
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
from pathlib import Path

# Extensions the studio accepts; anything else is stored as ".bin" (the validator then says so).
KNOWN_SUFFIXES = frozenset({".csv", ".tsv", ".tab", ".txt", ".json", ".jsonl", ".jsonlines", ".ndjson",
                            ".xlsx", ".xls", ".parquet", ".gguf", ".md", ".pdf", ".zip", ".png", ".jpg"})
_root: Path | None = None


def root() -> Path:
    global _root
    if _root is None or not _root.is_dir():
        _root = Path(tempfile.mkdtemp(prefix="afinar-studio-"))
    return _root


def new_dir(prefix: str) -> Path:
    folder = root() / f"{prefix}-{secrets.token_hex(6)}"
    folder.mkdir(parents=True)
    return folder


def display_name(name: str | None) -> str:
    """The last component of an uploaded name, printable, for messages and tables only."""
    base = (name or "upload").replace("\\", "/").split("/")[-1]
    return "".join(ch for ch in base if ch.isprintable()).strip()[:200] or "upload"


def safe_stem(name: str | None, default: str = "datos") -> str:
    """The uploaded name without extension, reduced to letters, digits, ``._-`` and spaces."""
    import re

    stem = Path(display_name(name)).stem
    return re.sub(r"[^\w.\- ]+", "_", stem).strip(" ._")[:100] or default


def safe_suffix(name: str | None) -> str:
    suffix = Path(display_name(name)).suffix.lower()
    return suffix if suffix in KNOWN_SUFFIXES else ".bin"


def keep_upload(uploaded: str | Path, original_name: str | None = None) -> Path:
    """Copy a file Gradio received into the workspace under a random name; returns the copy."""
    source = Path(uploaded)
    target = new_dir("upload") / f"data{safe_suffix(original_name or source.name)}"
    shutil.copyfile(source, target)
    return target


def publish(path: Path, name: str) -> Path:
    """A copy of ``path`` in the workspace under ``name`` (a name the studio chose), for download."""
    target = new_dir("out") / display_name(name)
    if path.is_dir():
        shutil.copytree(path, target)
    else:
        shutil.copyfile(path, target)
    return target
