"""resolve(): catalog names, cached names, local folders and hub ids -> a ready folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from afinar.errors import AfinarError
from afinar.models import cache
from afinar.models.progress import QuietReporter
from afinar.models.resolver import license_of, resolve

pytestmark = pytest.mark.unit


def _hf_folder(path: Path, weights: str = "model.safetensors") -> Path:
    path.mkdir(parents=True)
    (path / "config.json").write_text(json.dumps({"model_type": "bert"}))
    (path / weights).write_bytes(b"x")
    return path


def test_local_folder_is_accepted(tmp_path: Path) -> None:
    folder = _hf_folder(tmp_path / "my-model")
    assert resolve(str(folder), reporter=QuietReporter()) == folder.resolve()
    assert resolve(folder, reporter=QuietReporter()) == folder.resolve()


def test_local_folder_with_pickle_weights_only_is_refused(tmp_path: Path) -> None:
    folder = _hf_folder(tmp_path / "old", weights="pytorch_model.bin")
    with pytest.raises(AfinarError) as err:
        resolve(str(folder), reporter=QuietReporter())
    assert err.value.key == "models.folder_no_safetensors"
    with pytest.raises(AfinarError) as err:
        resolve(str(tmp_path), reporter=QuietReporter())
    assert err.value.key == "models.folder_not_model"


def test_missing_path_is_reported_as_a_path(tmp_path: Path) -> None:
    with pytest.raises(AfinarError) as err:
        resolve(str(tmp_path / "nope" / "model"), reporter=QuietReporter())
    assert err.value.key == "models.path_missing"


def test_hub_id_fails_offline_with_the_offline_choices() -> None:
    with pytest.raises(AfinarError) as err:
        resolve("afinar-tests/no-such-model-anywhere", reporter=QuietReporter())
    assert err.value.key == "models.hub_unreachable"
    hint = err.value.hint()
    for name in ("smollm2-135m-instruct", "multilingual-e5-small", "mobilenet_v2"):
        assert name in hint
    assert not cache.model_dir("afinar-tests/no-such-model-anywhere").exists()
    assert [p.name for p in cache.models_dir().iterdir() if p.is_dir()] == []


def test_cached_hub_model_is_used_without_network(tmp_path: Path) -> None:
    folder = _hf_folder(cache.model_dir("org/tiny"))
    (folder / "afinar-model.json").write_text(json.dumps({"source": "hub", "hub_id": "org/tiny",
                                                          "license": {"name": "MIT", "url": "u"}}))  # fmt: skip
    assert resolve("org/tiny", reporter=QuietReporter()) == folder
    lic = license_of("org/tiny")
    assert lic is not None and lic.name == "MIT"


def test_nonsense_name_is_neither_path_nor_hub_id() -> None:
    with pytest.raises(AfinarError) as err:
        resolve("what is this?", reporter=QuietReporter())
    assert err.value.key == "models.bad_hub_id"
    assert "smollm2-135m-instruct" in err.value.hint()
