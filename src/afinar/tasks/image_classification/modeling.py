"""The network of an image-classification run: a pretrained backbone and a new head.

``Network`` wraps an Afinar image model (``afinar.models.vision``: MobileNetV2, EfficientNet-Lite0):

- ``features(x)``: the backbone up to global average pooling (``[n, 1280]``);
- ``head(f)``: dropout and a new linear layer, one output per class (the model's own classifier,
  re-created with the run's classes, so the trained folder loads like any Afinar image model);
- ``layers``: the backbone's layers in order, numbered as ``fine_tune_at`` counts them.

Layer numbering. For MobileNetV2 the numbering is Keras's (154 layers: the input, every
convolution, batch normalization and activation, plus the zero-padding before each stride-2
depthwise convolution and the addition closing each residual block), so the course's
``fine_tune_at = 100`` unfreezes exactly the layers it unfreezes in TensorFlow (from
``block_11_expand_relu`` on). Layers without weights (input, padding, additions, activations)
are listed so that the numbers match; unfreezing them changes nothing. Other architectures number
their leaf modules in order.

BatchNorm layers of the backbone always run in inference mode (their running statistics are never
updated), also when unfrozen in stage 2: the course's advice, so fine-tuning does not wreck
what the backbone learned.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from torch import nn

# The attributes of each architecture that form its classification head, in call order.
HEADS = {"mobilenet_v2": ("classifier",), "efficientnet_lite0": ("_dropout", "_fc")}


def _leaves(module: nn.Module, prefix: str) -> list[tuple[str, nn.Module | None]]:
    return [(f"{prefix}.{name}" if name else prefix, m) for name, m in module.named_modules()
            if not list(m.children())]


def _mobilenet_v2_layers(model: nn.Module) -> list[tuple[str, nn.Module | None]]:
    """Keras's 154 MobileNetV2 layers, mapped onto the torchvision-named modules."""
    layers: list[tuple[str, nn.Module | None]] = [("input", None)]
    features = model.features
    last = len(features) - 1
    for index, block in enumerate(features):
        prefix = f"features.{index}"
        if index in (0, last):  # stem and 1x1 head convolution: conv, BN, ReLU6
            layers += _leaves(block, prefix)
            continue
        for name, leaf in _leaves(block, prefix):
            if isinstance(leaf, nn.Conv2d) and leaf.groups > 1 and leaf.stride[0] == 2:
                layers.append((f"{prefix}.pad", None))
            layers.append((name, leaf))
        if block.use_res_connect:
            layers.append((f"{prefix}.add", None))
    return layers


class Network(nn.Module):
    def __init__(self, model: nn.Module, config: dict[str, Any]):
        super().__init__()
        self.model = model
        self.arch: str = config["architecture"]
        self.config = config
        self.head_names = HEADS[self.arch]

    # --- structure -------------------------------------------------------------------------
    def head_modules(self) -> list[nn.Module]:
        return [getattr(self.model, name) for name in self.head_names]

    def is_head(self, param_name: str) -> bool:
        return param_name.split(".", 1)[0] in self.head_names

    @property
    def layers(self) -> list[tuple[str, nn.Module | None]]:
        if self.arch == "mobilenet_v2":
            return _mobilenet_v2_layers(self.model)
        return [(name, m) for name, m in _leaves(self.model, "")
                if name.split(".", 1)[0] not in self.head_names]

    # --- forward -----------------------------------------------------------------------------
    def features(self, x: torch.Tensor) -> torch.Tensor:
        return self.model.forward_features(x)

    def head(self, f: torch.Tensor) -> torch.Tensor:
        for module in self.head_modules():
            f = module(f)
        return f

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))

    def train(self, mode: bool = True) -> Network:
        """Only the head ever trains (dropout); the backbone, BatchNorm included, stays in eval mode."""
        super().train(False)
        for module in self.head_modules():
            module.train(mode)
        self.training = mode
        return self

    # --- freezing ---------------------------------------------------------------------------
    def freeze_backbone(self) -> int:
        """Stage 1: only the head trains. Returns the number of frozen parameters."""
        frozen = 0
        for name, param in self.model.named_parameters():
            param.requires_grad_(self.is_head(name))
            frozen += 0 if self.is_head(name) else param.numel()
        return frozen

    def unfreeze_from(self, fine_tune_at: int) -> list[str]:
        """Stage 2: layers ``fine_tune_at`` and after (and the head) train; returns their parameter names."""
        self.freeze_backbone()
        names = []
        for name, module in self.layers[fine_tune_at:]:
            if module is None:
                continue
            for pname, param in module.named_parameters(recurse=False):
                param.requires_grad_(True)
                names.append(f"{name}.{pname}".lstrip("."))
        return names

    def trainable(self) -> list[nn.Parameter]:
        return [p for p in self.model.parameters() if p.requires_grad]


def load(base_path: Path, num_classes: int, dropout: float, seed: int) -> Network:
    """The pretrained backbone of ``base_path`` with a new, seeded head for ``num_classes`` classes."""
    from afinar.models.vision.folder import load_image_model

    model, config = load_image_model(base_path)
    torch.manual_seed(seed)
    model.reset_classifier(num_classes)
    net = Network(model, config)
    for module in net.head_modules():
        for m in module.modules():
            if isinstance(m, nn.Dropout):
                m.p = dropout
    return net.train(False)


def preprocessing(base_path: Path, image_size: int) -> dict[str, Any]:
    """The base's normalization at the run's picture size (resize the short side, center crop)."""
    from afinar.models.vision.folder import read_config

    recipe = dict(read_config(base_path)["preprocessing"])
    recipe.update(resize=image_size, crop=image_size)
    return recipe


def save(net: Network, labels: list[str], recipe: dict[str, Any], out_dir: Path) -> None:
    """The trained network as an Afinar image-model folder, with the run's classes and picture size."""
    import json

    from afinar.models.vision.folder import save_folder

    save_folder(net.model, net.arch, labels, out_dir)
    config = json.loads((out_dir / "config.json").read_text(encoding="utf-8"))
    config["preprocessing"] = recipe
    (out_dir / "config.json").write_text(json.dumps(config, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
