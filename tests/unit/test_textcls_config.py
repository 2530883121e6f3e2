"""The config model: course defaults, every field a flag, problems reported together, auto values."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from afinar.errors import AfinarError
from afinar.tasks.text_classification import config as config_module
from afinar.tasks.text_classification.config import TextClassificationConfig, build_config

pytestmark = pytest.mark.unit


def test_defaults_are_the_course_settings() -> None:
    cfg = TextClassificationConfig(data=Path("train.csv"))
    assert (cfg.epochs, cfg.lr, cfg.batch_size, cfg.max_length) == (3, 2e-5, 16, 128)
    assert cfg.base == "multilingual-e5-small"


def test_unknown_field_is_rejected() -> None:
    with pytest.raises(AfinarError) as err:
        build_config({"data": "t.csv", "epochz": 3})
    assert "epochz" in err.value.message("en")


def test_all_problems_reported_together() -> None:
    with pytest.raises(AfinarError) as err:
        build_config({"data": "t.csv", "epochs": 0, "lr": -1, "batch_size": 0})
    text = err.value.message("es")
    assert "--epochs = 0: debe ser como mínimo 1" in text and "--lr = -1: debe ser mayor que 0" in text
    assert "--batch-size = 0" in text and text.startswith("Algunas opciones no son válidas")


def test_cross_field_problems() -> None:
    with pytest.raises(AfinarError) as err:
        build_config({"data": "t.csv", "valid": "t.csv", "text_column": "x", "label_column": "x"})
    text = err.value.message("en")
    assert "text_column and label_column" in text and "the validation file is the training file" in text


def test_every_field_is_a_flag_with_help() -> None:
    from afinar.cli.train_textcls import command

    flags = {opt for param in command.params for opt in param.opts}
    for name, field in TextClassificationConfig.model_fields.items():
        assert "--" + name.replace("_", "-") in flags
        assert field.description


def test_resolve_freezes_large_vocabularies(tmp_path: Path) -> None:
    cfg = TextClassificationConfig(data=Path("t.csv"))
    (tmp_path / "config.json").write_text(json.dumps({"vocab_size": 250_037}))
    assert config_module.resolve(cfg, tmp_path, tmp_path / "run").freeze_embeddings == "yes"
    (tmp_path / "config.json").write_text(json.dumps({"vocab_size": 30_522}))
    resolved = config_module.resolve(cfg, tmp_path, tmp_path / "run")
    assert resolved.freeze_embeddings == "no" and resolved.output == tmp_path / "run"
    forced = cfg.model_copy(update={"freeze_embeddings": "yes"})
    assert config_module.resolve(forced, tmp_path, tmp_path).freeze_embeddings == "yes"


def test_resolve_picks_the_mean_head_and_e5_prefix_for_sentence_embedding_bases(tmp_path: Path) -> None:
    cfg = TextClassificationConfig(data=Path("t.csv"), base="my-encoder")
    plain, e5, st = tmp_path / "plain", tmp_path / "e5conv", tmp_path / "st"
    for folder in (plain, e5, st):
        folder.mkdir()
        (folder / "config.json").write_text(json.dumps({"vocab_size": 1000}))
    (e5 / "afinar-model.json").write_text(json.dumps({"tasks": ["text-classification", "embedding"],
                                                      "converter": {"name": "afinar.models.converters.e5s1_bert"}}))
    (st / "1_Pooling").mkdir()
    (st / "1_Pooling" / "config.json").write_text(json.dumps({"pooling_mode_mean_tokens": True}))

    def resolved(folder: Path, **update):
        r = config_module.resolve(cfg.model_copy(update=update), folder, tmp_path / "run")
        return r.head, r.text_prefix

    assert resolved(plain) == ("cls", "")
    assert resolved(e5) == ("mean", "query: ")
    assert resolved(st) == ("mean", "")
    assert resolved(st, base="intfloat/multilingual-e5-base") == ("mean", "query: ")
    assert resolved(e5, head="cls", text_prefix="") == ("cls", "")  # explicit values win
