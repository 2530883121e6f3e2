"""Plain-torch MobileNetV2 and EfficientNet-Lite0: torchvision-compatible names, strict round trips."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit
torch = pytest.importorskip("torch")

from afinar.errors import AfinarError  # noqa: E402
from afinar.models.vision import folder as image_folder  # noqa: E402


def _randomized(arch: str, num_classes: int = 1000):
    torch.manual_seed(0)
    model = image_folder.build(arch, num_classes)
    with torch.no_grad():
        for name, buf in model.named_buffers():
            if name.endswith("running_mean"):
                buf.normal_(0, 0.1)
            elif name.endswith("running_var"):
                buf.uniform_(0.5, 1.5)
    return model.eval()


def test_mobilenet_v2_has_torchvisions_parameter_names() -> None:
    keys = list(image_folder.build("mobilenet_v2").state_dict())
    assert len(keys) == 314  # as torchvision's mobilenet_v2 (with num_batches_tracked)
    for key in ("features.0.0.weight", "features.1.conv.0.0.weight", "features.1.conv.1.weight",
                "features.2.conv.0.1.running_var", "features.17.conv.3.bias", "features.18.1.weight",
                "classifier.1.weight"):  # fmt: skip
        assert key in keys


@pytest.mark.parametrize("arch", ["mobilenet_v2", "efficientnet_lite0"])
def test_checkpoint_round_trip_with_strict_loading(tmp_path: Path, arch: str) -> None:
    model = _randomized(arch)
    checkpoint = tmp_path / "weights.pth"
    torch.save(model.state_dict(), checkpoint)  # a trusted file we made; read back with weights_only=True
    labels = [f"class {i}" for i in range(1000)]
    facts = image_folder.convert_checkpoint(arch, checkpoint, labels, tmp_path / "out")
    assert facts["num_classes"] == 1000
    loaded, config = image_folder.load_image_model(tmp_path / "out")
    assert config["architecture"] == arch and config["id2label"]["7"] == "class 7"
    x = torch.randn(2, 3, 224, 224)
    with torch.no_grad():
        assert torch.allclose(model(x), loaded(x), atol=1e-5)
        assert loaded.forward_features(x).shape == (2, 1280)
    loaded.reset_classifier(3)
    assert loaded(x).shape == (2, 3)


def test_efficientnet_lite0_layout_and_odd_input_sizes() -> None:
    model = image_folder.build("efficientnet_lite0").eval()
    keys = model.state_dict()
    assert keys["_blocks.3._depthwise_conv.weight"].shape == (144, 1, 5, 5)
    assert "_blocks.0._expand_conv.weight" not in keys and "_blocks.1._expand_conv.weight" in keys
    assert sum(p.numel() for p in model.parameters()) == 4_652_008
    with torch.no_grad():
        assert model(torch.randn(1, 3, 97, 131)).shape == (1, 1000)


def test_wrong_checkpoint_is_a_user_error(tmp_path: Path) -> None:
    checkpoint = tmp_path / "other.pth"
    torch.save({"features.0.0.weight": torch.zeros(1)}, checkpoint)
    with pytest.raises(AfinarError) as err:
        image_folder.convert_checkpoint("mobilenet_v2", checkpoint, ["a"] * 1000, tmp_path / "out")
    assert err.value.key == "models.image_checkpoint_bad"


def test_preprocess_resizes_crops_and_normalizes() -> None:
    from PIL import Image

    image = Image.new("RGB", (400, 300), (255, 0, 0))
    x = image_folder.preprocess(image, image_folder.PREPROCESSING["mobilenet_v2"])
    assert x.shape == (3, 224, 224)
    assert x[0].mean().item() == pytest.approx((1 - 0.485) / 0.229, rel=1e-4)
    assert x[1].mean().item() == pytest.approx((0 - 0.456) / 0.224, rel=1e-4)


def test_folder_without_afinar_config_is_rejected(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "bert"}))
    assert not image_folder.is_image_folder(tmp_path)
    with pytest.raises(AfinarError) as err:
        image_folder.load_image_model(tmp_path)
    assert err.value.key == "models.image_folder_bad"
