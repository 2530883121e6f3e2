"""Hub ids go through the same cache: safetensors-only download, manifest, atomic rename.

huggingface_hub.snapshot_download is replaced by a local copy here (no network in tests); the real
offline failure is tested in test_models_resolve.py.
"""

from __future__ import annotations

import fnmatch
import json
from pathlib import Path

import pytest

from afinar.errors import AfinarError
from afinar.models import cache
from afinar.models.progress import QuietReporter
from afinar.models.resolver import resolve

pytestmark = pytest.mark.unit
REPO_FILES = {
    "config.json": b"{}", "model.safetensors": b"w", "tokenizer.json": b"{}", "README.md": b"# card",
    "pytorch_model.bin": b"pickle", "modeling_custom.py": b"import os", "onnx/model.onnx": b"x",
}  # fmt: skip


@pytest.fixture
def fake_hub(monkeypatch: pytest.MonkeyPatch):
    import huggingface_hub

    calls: list[str] = []

    def snapshot_download(repo_id: str, local_dir: str, allow_patterns: list[str]) -> str:
        calls.append(repo_id)
        files = dict(REPO_FILES)
        if repo_id.endswith("pickle-only"):
            files.pop("model.safetensors")
        for rel, data in files.items():
            if any(fnmatch.fnmatch(rel, pattern) for pattern in allow_patterns):
                (Path(local_dir) / rel).parent.mkdir(parents=True, exist_ok=True)
                (Path(local_dir) / rel).write_bytes(data)
        (Path(local_dir) / ".cache" / "huggingface").mkdir(parents=True)
        return local_dir

    monkeypatch.setattr(huggingface_hub, "snapshot_download", snapshot_download)
    return calls


def test_hub_id_downloads_safetensors_only_once(fake_hub: list[str]) -> None:
    reporter = QuietReporter()
    folder = resolve("org/tiny-model", reporter=reporter)
    assert folder == cache.model_dir("org/tiny-model") and folder.name == "org--tiny-model"
    names = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert names == {"config.json", "model.safetensors", "tokenizer.json", "README.md", "afinar-model.json"}
    manifest = json.loads((folder / "afinar-model.json").read_text())
    assert manifest["source"] == "hub" and manifest["hub_id"] == "org/tiny-model"
    assert "https://huggingface.co/org/tiny-model" in reporter.events[0][1]
    assert resolve("org/tiny-model", reporter=reporter) == folder
    assert fake_hub == ["org/tiny-model"]


def test_hub_repo_without_safetensors_is_refused(fake_hub: list[str]) -> None:
    with pytest.raises(AfinarError) as err:
        resolve("org/pickle-only", reporter=QuietReporter())
    assert err.value.key == "models.hub_no_safetensors"
    assert not cache.model_dir("org/pickle-only").exists()


def test_catalog_hub_entry_shows_its_license(fake_hub: list[str]) -> None:
    reporter = QuietReporter()
    resolve("Qwen/Qwen2.5-0.5B-Instruct", reporter=reporter)
    assert "Apache-2.0" in reporter.events[0][1]
    assert fake_hub == ["Qwen/Qwen2.5-0.5B-Instruct"]
