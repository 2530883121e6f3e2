"""Hub ids (``org/name``): the same cache and manifest as packaged bases, downloaded with huggingface_hub.

Only safetensors weights and the files beside them (config, tokenizer, chat template, README) are
fetched; pickle weights are never downloaded. Without internet the download fails fast and the
error lists the packaged offline choices.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from afinar.errors import AfinarError
from afinar.models import cache, catalog
from afinar.models.catalog import License
from afinar.models.progress import Reporter

HUB_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,95}(/[A-Za-z0-9][A-Za-z0-9._-]{0,95})?$")
ALLOW = ["*.json", "*.safetensors", "*.txt", "*.model", "*.jinja", "*.md", "tokenizer*"]


def looks_like_hub_id(name: str) -> bool:
    return bool(HUB_ID_RE.match(name)) and ".." not in name


def _download(repo_id: str, out_dir: Path) -> None:
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import HfHubHTTPError, LocalEntryNotFoundError, OfflineModeIsEnabled

    try:
        snapshot_download(repo_id, local_dir=str(out_dir), allow_patterns=ALLOW)
    except (HfHubHTTPError, LocalEntryNotFoundError, OfflineModeIsEnabled, OSError, ValueError) as err:
        first_line = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise AfinarError(
            "models.hub_unreachable", repo=repo_id, error=first_line[:300], choices=catalog.offline_choices()
        ) from err


def pull_hub(repo_id: str, *, reporter: Reporter, license: License | None = None) -> Path:
    """Download ``repo_id`` into the model cache (once) and return its folder."""
    if not looks_like_hub_id(repo_id):
        raise AfinarError("models.bad_hub_id", name=repo_id, choices=catalog.offline_choices())
    with cache.lock(repo_id):
        if cache.is_ready(repo_id):
            return cache.model_dir(repo_id)
        return _download_into_cache(repo_id, reporter, license)


def _download_into_cache(repo_id: str, reporter: Reporter, license: License | None) -> Path:
    license = license or License("", f"https://huggingface.co/{repo_id}")
    reporter.license(repo_id, license, None)
    reporter.start(repo_id, total=1)
    ok = False
    try:
        with cache.staging(repo_id) as tmp:
            out_dir = tmp / "model"
            reporter.step("models.step.hub_download", repo=repo_id)
            _download(repo_id, out_dir)
            if (out_dir / ".cache").is_dir():
                shutil.rmtree(out_dir / ".cache")
            if not any(out_dir.rglob("*.safetensors")):
                raise AfinarError("models.hub_no_safetensors", repo=repo_id, choices=catalog.offline_choices())
            manifest = {
                "source": "hub",
                "hub_id": repo_id,
                "license": {"name": license.name, "url": license.url, "requires_acceptance": False},
                "converter": {"name": "huggingface_hub.snapshot_download", "version": 1},
            }
            folder = cache.commit(out_dir, repo_id, manifest)
        ok = True
    finally:
        reporter.finish(ok=ok)
    reporter.note("models.pull.ready", name=repo_id, path=str(folder))
    return folder
