"""Training helpers: the two learning-rate groups, frozen embeddings, the identity pooler, class weights."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from fixtures.models.tiny_bert import write_tiny_bert  # noqa: E402

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory):
    from afinar.tasks.text_classification.predict import load_model

    folder = write_tiny_bert(tmp_path_factory.mktemp("tiny"), ["muy rico", "horrible"])
    return folder, load_model(folder, labels=["neg", "pos"])


def test_new_head_has_the_labels_and_its_own_learning_rate(tiny) -> None:
    from afinar.tasks.text_classification import train

    _, (_, model) = tiny
    assert model.config.id2label == {0: "neg", 1: "pos"}
    encoder, head = train._param_groups(model, 2e-5, 1e-3)
    assert (encoder["lr"], head["lr"]) == (2e-5, 1e-3)
    head_ids = {id(p) for p in head["params"]}
    names = {n for n, p in model.named_parameters() if id(p) in head_ids}
    assert names and all("classifier" in n or "pooler" in n for n in names)
    assert len(encoder["params"]) + len(head["params"]) == len(list(model.parameters()))


def test_freezing_embeddings_removes_them_from_training(tiny) -> None:
    from afinar.tasks.text_classification import train
    from afinar.tasks.text_classification.predict import load_model

    folder, _ = tiny
    _, model = load_model(folder, labels=["neg", "pos"])
    frozen = train._freeze_embeddings(model)
    assert frozen == model.config.vocab_size * model.config.hidden_size
    encoder, head = train._param_groups(model, 1e-5, 1e-3)
    assert all(p is not model.get_input_embeddings().weight for p in encoder["params"])


def test_identity_pooler_only_for_untrained_poolers(tiny, tmp_path: Path) -> None:
    import torch

    from afinar.tasks.text_classification import train

    folder, (_, model) = tiny
    assert not train._untrained_pooler(folder)
    (tmp_path / "afinar-model.json").write_text(json.dumps({"details": {"pooler": "initialized, seed 0"}}))
    assert train._untrained_pooler(tmp_path)
    assert train._identity_pooler(model)
    dense = model.bert.pooler.dense
    assert torch.equal(dense.weight, torch.eye(dense.weight.shape[0])) and not dense.bias.any()


def test_class_weights_are_inverse_frequency() -> None:
    from afinar.tasks.text_classification import train

    weights = train._class_weights([0, 0, 0, 1], 2).tolist()
    assert weights == pytest.approx([4 / (2 * 3), 4 / (2 * 1)])
