"""Pictures as tensors, in plain torch and Pillow (no torchvision).

- ``load``: decode a file, convert to RGB, resize the short side to ``size`` and center-crop a
  ``size × size`` square (bilinear) -> uint8 tensor ``[3, size, size]``;
- ``ImageSet``: the decoded pictures of a split, kept in memory as uint8 when they fit in
  ``MAX_CACHE_BYTES`` (decoded once, reused every epoch), otherwise decoded per batch;
- ``normalize``: uint8 -> float, minus the base's mean, divided by its standard deviation;
- ``augment``: a random horizontal flip (probability 0.5) and a random rotation in
  ``[-degrees, degrees]`` per picture, on a whole batch at once (``affine_grid`` + ``grid_sample``,
  the border pixels fill the corners). Draws come from the ``generator`` given, so a seeded run
  repeats exactly.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch

MAX_CACHE_BYTES = 2 << 30  # 2 GiB of uint8 pictures (about 27,000 at 160×160)


def load(path: str | Path, size: int) -> torch.Tensor:
    """``path`` as a uint8 tensor ``[3, size, size]``: upright (EXIF orientation applied, as phones
    tag their photos and as browsers and Gradio show them), RGB, short side resized to ``size``,
    center crop. Large JPEGs are decoded at a reduced scale (``draft``) for speed."""
    import numpy as np
    from PIL import Image, ImageOps

    with Image.open(path) as img:
        if img.format == "JPEG":
            img.draft("RGB", (size, size))
        img = ImageOps.exif_transpose(img).convert("RGB")
        w, h = img.size
        scale = size / min(w, h)
        nw, nh = max(size, round(w * scale)), max(size, round(h * scale))
        img = img.resize((nw, nh), Image.BILINEAR)
        left, top = (nw - size) // 2, (nh - size) // 2
        img = img.crop((left, top, left + size, top + size))
        array = np.asarray(img, dtype=np.uint8)
    return torch.from_numpy(array.transpose(2, 0, 1).copy())


class ImageSet:
    """The pictures of one split; ``batch(indices)`` gives their uint8 tensor ``[n, 3, size, size]``."""

    def __init__(self, paths: Sequence[str], size: int):
        self.paths = list(paths)
        self.size = size
        self._cache: torch.Tensor | None = None
        if len(self.paths) * 3 * size * size <= MAX_CACHE_BYTES:
            self._cache = torch.stack([load(p, size) for p in self.paths]) if self.paths else None

    def __len__(self) -> int:
        return len(self.paths)

    def batch(self, indices: Sequence[int]) -> torch.Tensor:
        if self._cache is not None:
            return self._cache[torch.as_tensor(list(indices), dtype=torch.long)]
        return torch.stack([load(self.paths[i], self.size) for i in indices])


def normalize(batch: torch.Tensor, mean: Sequence[float], std: Sequence[float]) -> torch.Tensor:
    x = batch.float().div_(255.0)
    m = torch.tensor(mean, dtype=x.dtype, device=x.device).view(1, 3, 1, 1)
    s = torch.tensor(std, dtype=x.dtype, device=x.device).view(1, 3, 1, 1)
    return (x - m) / s


def augment(x: torch.Tensor, degrees: float, generator: torch.Generator) -> torch.Tensor:
    """Random horizontal flip and rotation of every picture of a float batch ``[n, 3, h, w]``."""
    import torch.nn.functional as F

    n = x.shape[0]
    flip = torch.rand(n, generator=generator) < 0.5
    angle = (torch.rand(n, generator=generator) * 2 - 1) * math.radians(degrees)
    cos, sin = torch.cos(angle), torch.sin(angle)
    sign = torch.where(flip, -1.0, 1.0)
    # Output pixel (u, v) samples input (sign·(cos·u − sin·v), sin·u + cos·v): rotate, then mirror x.
    theta = torch.zeros(n, 2, 3)
    theta[:, 0, 0], theta[:, 0, 1] = sign * cos, -sign * sin
    theta[:, 1, 0], theta[:, 1, 1] = sin, cos
    theta = theta.to(x.device, x.dtype)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="border", align_corners=False)


def to_input(batch: torch.Tensor, preprocessing: dict[str, Any], device: Any) -> torch.Tensor:
    """uint8 batch -> the normalized float input of the network on ``device``."""
    return normalize(batch.to(device), preprocessing["mean"], preprocessing["std"])
