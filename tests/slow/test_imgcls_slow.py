"""The real MobileNetV2 (pulled from its registry package) learns the course's cats vs dogs in two stages.

Minutes on 2 CPU cores: `pytest -m slow tests/slow/test_imgcls_slow.py`. A reduced version of the
benchmark (bench/bench_image.py): 200 silhouettes per class, 96×96 pixels, 3 + 2 epochs. Measured
on 2026-11-26 (2 shared CPU cores, 108 s of training): stage 1 0.900, stage 2 0.938 on 80 pictures.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def test_mobilenet_v2_learns_cats_vs_dogs_in_two_stages(run_cli, tmp_path: Path) -> None:
    data, run = tmp_path / "gatos-perros", tmp_path / "run"
    code, _, err = run_cli("examples", "cats-dogs", data, "--per-class", "200")
    assert code == 0, err
    code, out, err = run_cli("train", "image-classification", data, "--image-size", "96", "--stage1-epochs", "3",
                             "--stage1-lr", "1e-3", "--stage2-epochs", "2", "-o", run)
    assert code == 0, err
    report = json.loads((run / "report.json").read_text())
    s1, s2 = report["stages"]
    # Random features give 0.5 (MODELS.md); pretrained ImageNet features separate the silhouettes.
    assert s1["accuracy"] >= 0.8 and s2["accuracy"] >= 0.8
    assert s2["valid_loss"] <= s1["valid_loss"] + 0.05  # fine-tuning at a 10x lower rate does not wreck stage 1
    meta = json.loads((run / "meta.json").read_text())
    assert meta["base"] == "mobilenet_v2" and meta["base_license"]["name"].startswith("BSD-3-Clause")
    picture = min((data / "validation" / "dog").iterdir())
    code, out, _ = run_cli("predict", run, picture, "--json")
    assert code == 0 and json.loads(out)[0]["label"] in {"cat", "dog"}
