"""Two-stage transfer learning on generated pictures with a random MobileNetV2 at 32×32 pixels:
stage 1 leaves the backbone bit-identical, stage 2 changes exactly the unfrozen layers at the
configured fraction of the learning rate, cached features train the same head as the full network."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from fixtures.models.tiny_images import write_base, write_shapes

from afinar.engine.rundir import RunDir
from afinar.tasks.image_classification import data, modeling, train
from afinar.tasks.image_classification.config import build_config

pytestmark = pytest.mark.unit
LABELS = ["blue", "red"]


@pytest.fixture(scope="module")
def material(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("imgcls")
    return write_shapes(root / "shapes", train=8, valid=4), write_base(root / "base")


def _trainer(material, tmp_path: Path, **overrides) -> tuple[train.Trainer, train.Split, train.Split]:
    folder, base = material
    values = {"data": folder, "image_size": 32, "batch_size": 8, "stage1_epochs": 2, "stage2_epochs": 2,
              "stage1_lr": 1e-2, "patience": 0, **overrides}
    cfg = build_config(values)
    run = RunDir.create(tmp_path / "run")
    trainer = train.build(run, cfg, {"base_path": str(base), "labels": LABELS})
    ids = {label: i for i, label in enumerate(LABELS)}
    splits = [train._split(data.folder_items(folder / part), ids, 32) for part in ("train", "validation")]
    return trainer, splits[0], splits[1]


def _state(net: modeling.Network) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in net.model.state_dict().items()}


def test_mobilenet_v2_layers_are_numbered_as_in_keras(material) -> None:
    _, base = material
    net = modeling.load(base, 2, 0.2, seed=0)
    layers = [name for name, _ in net.layers]
    assert len(layers) == 154  # Keras's MobileNetV2(include_top=False)
    assert layers[0] == "input" and layers[12] == "features.2.pad" and layers[-1] == "features.18.2"
    # The course's fine_tune_at=100 starts at block_11_expand_relu: block 11's expand conv and BN stay frozen.
    assert layers[98:101] == ["features.12.conv.0.0", "features.12.conv.0.1", "features.12.conv.0.2"]
    unfrozen = net.unfreeze_from(100)
    assert "features.12.conv.0.0.weight" not in unfrozen and "features.12.conv.1.0.weight" in unfrozen
    assert all(not p.requires_grad for n, p in net.model.named_parameters() if n.startswith("features.11."))


def test_stage1_leaves_the_backbone_bit_identical(material, tmp_path: Path) -> None:
    trainer, train_split, valid_split = _trainer(material, tmp_path)
    before = _state(trainer.net)
    trainer.net.freeze_backbone()
    result = trainer.stage(1, 2, 1e-2, train_split, valid_split, 4)
    after = _state(trainer.net)
    backbone = [k for k in before if not k.startswith("classifier.")]
    assert backbone and all(torch.equal(before[k], after[k]) for k in backbone)  # BN statistics included
    assert not torch.equal(before["classifier.1.weight"], after["classifier.1.weight"])
    assert result.optimizer.param_groups[0]["lr"] == 1e-2
    assert len(result.history) == 2 and result.best is not None


def test_stage2_changes_exactly_the_unfrozen_layers_at_the_lower_rate(material, tmp_path: Path) -> None:
    trainer, train_split, valid_split = _trainer(material, tmp_path, fine_tune_at=140, stage2_lr_factor=0.25)
    cfg, net = trainer.cfg, trainer.net
    trainer.stage(1, 1, cfg.stage1_lr, train_split, valid_split, 4)
    before = _state(net)
    unfrozen = set(net.unfreeze_from(cfg.fine_tune_at)) | {"classifier.1.weight", "classifier.1.bias"}
    result = trainer.stage(2, 2, cfg.stage2_lr, train_split, valid_split, 4)
    after = _state(net)
    changed = {k for k in before if not torch.equal(before[k], after[k])}
    assert changed == unfrozen
    assert {n for n in unfrozen if n.startswith("features.")} >= {"features.17.conv.3.weight", "features.18.0.weight"}
    assert result.optimizer.param_groups[0]["lr"] == pytest.approx(cfg.stage1_lr * 0.25)
    optimized = {id(p) for group in result.optimizer.param_groups for p in group["params"]}
    names = {n for n, p in net.model.named_parameters() if id(p) in optimized}
    assert names == unfrozen


def test_cached_features_train_the_same_head(material, tmp_path: Path) -> None:
    heads = []
    for cached in (False, True):
        trainer, train_split, valid_split = _trainer(material, tmp_path / str(cached), augment=False)
        trainer.net.freeze_backbone()
        if cached:
            trainer.cache_features(train_split)
            trainer.cache_features(valid_split)
        torch.manual_seed(7)  # the same dropout masks
        result = trainer.stage(1, 2, 1e-2, train_split, valid_split, 4)
        heads.append((trainer.net.model.classifier[1].weight.detach().clone(), result.history))
    (w_full, h_full), (w_cached, h_cached) = heads
    assert torch.allclose(w_full, w_cached, atol=1e-5)
    assert [r["valid_loss"] for r in h_full] == pytest.approx([r["valid_loss"] for r in h_cached], abs=1e-5)


def test_run_stages_logs_both_stages_and_keeps_the_best_epoch(material, tmp_path: Path) -> None:
    trainer, train_split, valid_split = _trainer(material, tmp_path, stage1_epochs=3, stage2_epochs=2)
    results = train.run_stages(trainer, train_split, valid_split, LABELS)
    assert [r.stage for r in results] == [1, 2]
    records = trainer.run.metrics()
    stages = [r for r in records if r["kind"] == "stage"]
    assert [s["stage"] for s in stages] == [1, 2] and stages[1]["lr"] == pytest.approx(1e-3)
    epochs = [r for r in records if r["kind"] == "epoch"]
    assert [(r["stage"], r["epoch"]) for r in epochs] == [(1, 1), (1, 2), (1, 3), (2, 1), (2, 2)]
    # stage 1 (the linear probe) keeps its last epoch, the converged fit; stage 2 its lowest validation loss
    assert results[0].best["epoch"] == len(results[0].history) == 3
    assert results[1].best["valid_loss"] == min(r["valid_loss"] for r in results[1].history)
    assert len(trainer.run.checkpoints()) == 2
    # The network ends with stage 2's best epoch: evaluating it again gives that epoch's loss.
    _, loss = trainer.evaluate(valid_split)
    assert loss == pytest.approx(results[1].best["valid_loss"], abs=1e-5)


def test_augment_flips_and_rotates_reproducibly() -> None:
    from afinar.tasks.image_classification import images

    x = torch.arange(2 * 3 * 8 * 8, dtype=torch.float32).reshape(2, 3, 8, 8)
    out = images.augment(x, 0.0, torch.Generator().manual_seed(1))
    for i in range(2):  # without rotation every picture is either unchanged or mirrored
        assert torch.allclose(out[i], x[i], atol=1e-4) or torch.allclose(out[i], x[i].flip(-1), atol=1e-4)
    a = images.augment(x, 20.0, torch.Generator().manual_seed(3))
    b = images.augment(x, 20.0, torch.Generator().manual_seed(3))
    assert torch.equal(a, b) and not torch.allclose(a, x)


def test_overfitting_warning_when_validation_loss_rises_and_training_loss_falls(tmp_path: Path) -> None:
    run = RunDir.create(tmp_path)
    history = [{"stage": 2, "epoch": 1, "train_loss": 0.5, "valid_loss": 0.4}]
    history.append({"stage": 2, "epoch": 2, "train_loss": 0.3, "valid_loss": 0.45})
    train._warn_overfitting(run, history)
    history.append({"stage": 2, "epoch": 3, "train_loss": 0.35, "valid_loss": 0.5})
    train._warn_overfitting(run, history)
    warnings = [r for r in run.metrics() if r["kind"] == "warning"]
    assert [(w["code"], w["epoch"]) for w in warnings] == [("overfitting", 2)]


def test_pictures_are_read_upright_by_their_exif_orientation(tmp_path) -> None:
    """A phone photo stored sideways with an orientation tag is trained on and predicted as shown."""
    import numpy as np
    from PIL import Image

    from afinar.tasks.image_classification.images import load

    upright = np.zeros((40, 20, 3), dtype=np.uint8)
    upright[:, :5] = 255  # a tall picture with a white band down its left side
    stored = Image.fromarray(upright).transpose(Image.Transpose.ROTATE_90)  # stored 20 tall, 40 wide
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to show
    stored.save(tmp_path / "phone.jpg", exif=exif, quality=95)
    shown = load(tmp_path / "phone.jpg", 20).numpy()  # [3, 20, 20]: the middle of the upright picture
    assert shown[:, :, :4].mean() > 200 and shown[:, :, 6:].mean() < 50


def _blobs(n: int, classes: int, dims: int = 12, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Overlapping Gaussian clusters with features on very different scales (a hard problem for a
    non-converged or unscaled fit), the way pooled backbone features are."""
    g = torch.Generator().manual_seed(seed)
    target = torch.arange(n) % classes
    centers = torch.randn(classes, dims, generator=g)
    x = centers[target] + 1.5 * torch.randn(n, dims, generator=g)
    return (x + 1.0) * torch.logspace(-2, 1, dims), target


@pytest.mark.parametrize("classes", [2, 3])
def test_the_stage1_probe_converges_to_scikit_learns_logistic_regression(classes: int) -> None:
    """The probe (standardize, L-BFGS on mean cross-entropy + the matched L2 penalty, fold) ends at
    the classifier of StandardScaler + LogisticRegression(C) — the frozen-features peer's."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    from afinar.tasks.image_classification import probe

    x, y = _blobs(120, classes)
    torch.manual_seed(0)
    linear = torch.nn.Linear(x.shape[1], classes)
    scaler = probe.Scaler.fit(x)
    opt = probe.optimizer(list(linear.parameters()))
    l2 = probe.penalty_weight(0.5, len(y), classes)
    losses = [probe.epoch(linear, linear.weight, scaler(x), y, opt, l2) for _ in range(10)]
    assert losses[-1] == pytest.approx(losses[-2], abs=1e-7)  # converged: further calls change nothing
    assert probe.iterations(opt) < 10 * probe.ITERATIONS
    scaler.fold(linear)  # the head now takes raw features
    peer_scaler = StandardScaler().fit(x.double().numpy())
    peer = LogisticRegression(C=0.5, tol=1e-10, max_iter=10_000).fit(peer_scaler.transform(x.double().numpy()), y.numpy())
    with torch.no_grad():
        ours = torch.softmax(linear(x), dim=-1).double().numpy()
    theirs = peer.predict_proba(peer_scaler.transform(x.double().numpy()))
    assert abs(ours - theirs).max() < 2e-3
    assert (ours.argmax(1) == theirs.argmax(1)).mean() == 1.0


def test_an_unconverged_probe_falls_short_and_its_lbfgs_state_resumes_bit_identically(monkeypatch) -> None:
    """Two L-BFGS calls in one go, or one, a save of the optimizer state and one more: the same weights
    (the state a paused run writes to checkpoints/resume)."""
    import io

    from afinar.tasks.image_classification import probe

    monkeypatch.setattr(probe, "ITERATIONS", 3)
    x, y = _blobs(90, 3, seed=1)
    x = probe.Scaler.fit(x)(x)
    l2 = probe.penalty_weight(1.0, len(y), 3)

    def fresh() -> tuple[torch.nn.Linear, torch.optim.LBFGS]:
        torch.manual_seed(0)
        linear = torch.nn.Linear(x.shape[1], 3)
        return linear, probe.optimizer(list(linear.parameters()))

    whole, opt = fresh()
    first = probe.epoch(whole, whole.weight, x, y, opt, l2)
    second = probe.epoch(whole, whole.weight, x, y, opt, l2)
    assert second < first - 1e-4  # 3 iterations are not enough: the second call still improves the fit
    paused, opt = fresh()
    probe.epoch(paused, paused.weight, x, y, opt, l2)
    buffer = io.BytesIO()
    torch.save({"optimizer": opt.state_dict(), "weights": paused.state_dict()}, buffer)
    buffer.seek(0)
    saved = torch.load(buffer, weights_only=True)
    resumed, opt = fresh()
    resumed.load_state_dict(saved["weights"])
    opt.load_state_dict(saved["optimizer"])
    assert probe.epoch(resumed, resumed.weight, x, y, opt, l2) == second
    assert torch.equal(resumed.weight, whole.weight) and torch.equal(resumed.bias, whole.bias)


def test_stage1_probe_folds_its_scaling_into_the_head(material, tmp_path: Path) -> None:
    """After stage 1 the network on raw pictures scores exactly what the probe scored on standardized
    cached features, and the backbone is untouched."""
    trainer, train_split, valid_split = _trainer(material, tmp_path, stage1_epochs=2, stage2_epochs=0)
    before = _state(trainer.net)
    (result,) = train.run_stages(trainer, train_split, valid_split, LABELS)
    assert result.history[0]["lr"] is None and train_split.features is None
    _, loss = trainer.evaluate(valid_split)
    assert loss == pytest.approx(result.best["valid_loss"], abs=1e-5)
    after = _state(trainer.net)
    assert all(torch.equal(before[k], after[k]) for k in before if not k.startswith("classifier."))
