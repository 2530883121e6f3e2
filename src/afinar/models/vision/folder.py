"""The Afinar image-model folder: ``config.json`` + ``model.safetensors`` (torch is imported lazily).

The packaged checkpoints are torch ``.pth`` files from trusted registry packages (pinned by sha256);
they are read once with ``torch.load(weights_only=True)``, which refuses arbitrary pickled objects,
and stored as safetensors. Folders are loaded back from safetensors only.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from afinar.errors import AfinarError
from afinar.models.vision import ARCHITECTURES

MODEL_TYPE = "afinar-image"
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
PREPROCESSING = {
    "mobilenet_v2": {"resize": 256, "crop": 224, "mean": IMAGENET_MEAN, "std": IMAGENET_STD},
    "efficientnet_lite0": {"resize": 256, "crop": 224, "mean": (0.5, 0.5, 0.5), "std": (0.5, 0.5, 0.5)},
}


def build(arch: str, num_classes: int = 1000) -> Any:
    """A fresh (randomly initialized) network of architecture ``arch``."""
    if arch == "mobilenet_v2":
        from afinar.models.vision.mobilenet_v2 import MobileNetV2

        return MobileNetV2(num_classes=num_classes)
    if arch == "efficientnet_lite0":
        from afinar.models.vision.efficientnet_lite import EfficientNetLite0

        return EfficientNetLite0(num_classes=num_classes)
    raise ValueError(f"unknown image architecture {arch!r}; expected one of {ARCHITECTURES}")


def convert_checkpoint(arch: str, checkpoint: Path, labels: list[str], out_dir: Path) -> dict[str, Any]:
    """Load a trusted packaged ``.pth`` state dict with ``strict=True`` and write the folder."""
    import torch

    state = torch.load(str(checkpoint), map_location="cpu", weights_only=True)
    model = build(arch, num_classes=len(labels))
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError as err:
        problem = str(err)[:500]
        raise AfinarError("models.image_checkpoint_bad", path=str(checkpoint), arch=arch, problem=problem) from err
    save_folder(model, arch, labels, out_dir)
    return {"architecture": arch, "num_classes": len(labels), "parameters": sum(p.numel() for p in model.parameters())}


def save_folder(model: Any, arch: str, labels: list[str], out_dir: Path) -> None:
    """Write ``model`` (an architecture from this package) as an image-model folder."""
    from safetensors.torch import save_file

    out_dir.mkdir(parents=True, exist_ok=True)
    tensors = {k: v.detach().contiguous() for k, v in model.state_dict().items()}
    save_file(tensors, str(out_dir / "model.safetensors"), metadata={"format": "pt", "architecture": arch})
    config = {
        "model_type": MODEL_TYPE,
        "architecture": arch,
        "num_classes": len(labels),
        "id2label": {str(i): name for i, name in enumerate(labels)},
        "preprocessing": PREPROCESSING[arch],
        "num_features": model.num_features,
    }
    (out_dir / "config.json").write_text(json.dumps(config, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def read_config(folder: Path) -> dict[str, Any]:
    path = folder / "config.json"
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise AfinarError("models.image_folder_bad", path=str(folder), problem=str(err)) from err
    if config.get("model_type") != MODEL_TYPE or config.get("architecture") not in ARCHITECTURES:
        raise AfinarError(
            "models.image_folder_bad", path=str(folder), problem=f"config.json model_type is not {MODEL_TYPE}"
        )
    return config


def is_image_folder(folder: Path) -> bool:
    path = folder / "config.json"
    if not path.is_file():
        return False
    try:
        return json.loads(path.read_text(encoding="utf-8")).get("model_type") == MODEL_TYPE
    except (OSError, ValueError):
        return False


def load_image_model(folder: Path) -> tuple[Any, dict[str, Any]]:
    """The network (in eval mode) and its config, from an image-model folder, with ``strict=True``."""
    from safetensors.torch import load_file

    config = read_config(folder)
    model = build(config["architecture"], num_classes=int(config["num_classes"]))
    try:
        model.load_state_dict(load_file(str(folder / "model.safetensors")), strict=True)
    except (RuntimeError, OSError) as err:
        raise AfinarError("models.image_folder_bad", path=str(folder), problem=str(err)[:500]) from err
    return model.eval(), config


def preprocess(image: Any, preprocessing: dict[str, Any]) -> Any:
    """PIL image -> normalized float tensor [3, crop, crop]: resize the short side, center crop, normalize."""
    import numpy as np
    import torch
    from PIL import Image

    image = image.convert("RGB")
    resize, crop = int(preprocessing["resize"]), int(preprocessing["crop"])
    w, h = image.size
    scale = resize / min(w, h)
    image = image.resize((max(resize, round(w * scale)), max(resize, round(h * scale))), Image.BILINEAR)
    w, h = image.size
    left, top = (w - crop) // 2, (h - crop) // 2
    image = image.crop((left, top, left + crop, top + crop))
    array = np.asarray(image, dtype=np.float32) / 255.0
    mean = np.asarray(preprocessing["mean"], dtype=np.float32)
    std = np.asarray(preprocessing["std"], dtype=np.float32)
    return torch.from_numpy(((array - mean) / std).transpose(2, 0, 1).copy())
