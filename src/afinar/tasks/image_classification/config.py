"""The configuration of an image-classification run: one typed model is the CLI, config.yaml and the docs.

Defaults are the course's transfer-learning recipe (TensorFlow's "Transfer learning and fine-tuning"
tutorial on cats vs dogs): 160×160 pictures, batch 32, 10 epochs of stage 1 on the frozen
MobileNetV2, then 10 epochs of stage 2 with the layers from 100 on unfrozen at learning rate 1e-5
(the course's 1e-4 ten times lower); random horizontal flips and small rotations. One change
(issue #18): stage 1 is a converged linear probe (``stage1_probe``: L-BFGS to scikit-learn's
logistic-regression optimum on standardized frozen features) instead of 10 Adam epochs at 1e-4,
which still underfit when the stage ends; ``stage1_probe=false`` restores the course's stage 1.
The resolved config is what ``config.yaml`` holds: the training subprocess starts from that file alone.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

TASK = "image-classification"


class ImageClassificationConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    data: Path = Field(description="Folder with train/<class>/ and validation/<class>/ (or one folder per "
                                   "class), or a CSV with path,label columns (paths relative to the CSV).")
    base: str = Field("mobilenet_v2", description="Pretrained backbone: mobilenet_v2, efficientnet-lite0 "
                                                  "or a local Afinar image-model folder.")
    image_size: int = Field(160, ge=16, le=1024, description="Pictures are resized to this many pixels "
                                                             "per side (the tutorial's 160).")
    batch_size: int = Field(32, ge=1, le=1024, description="Pictures per training step.")
    stage1_epochs: int = Field(10, ge=0, le=500, description="Stage 1: epochs training only the new head "
                                                             "on the frozen backbone.")
    stage1_probe: bool = Field(True, description="Stage 1 fits the head as a converged linear probe: "
                                                 "L-BFGS on the standardized frozen features of the "
                                                 "un-augmented pictures, one L-BFGS call (up to 50 "
                                                 "iterations) per epoch. Off: the course's Adam epochs "
                                                 "at stage1_lr.")
    stage1_c: float = Field(1.0, gt=0, description="Inverse L2 strength of the stage-1 probe, as "
                                                    "scikit-learn's LogisticRegression C.")
    stage1_lr: float = Field(1e-4, gt=0, le=1, description="Stage 1 learning rate (Adam, without "
                                                           "stage1_probe); stage 2's is this × "
                                                           "stage2_lr_factor.")
    stage2_epochs: int = Field(10, ge=0, le=500, description="Stage 2 (fine-tuning): epochs with the top "
                                                             "of the backbone unfrozen (0: skip stage 2).")
    fine_tune_at: int = Field(100, ge=0, description="Stage 2 unfreezes the backbone's layers from this "
                                                     "number on (MobileNetV2 counts 154 layers as in Keras).")
    stage2_lr_factor: float = Field(0.1, gt=0, le=1, description="Stage 2 learning rate = stage 1 learning "
                                                                 "rate × this factor (0.1: ten times lower).")
    augment: bool = Field(True, description="Random horizontal flips and small rotations of the training "
                                            "pictures in stage 2 (the probe fits the pictures as they "
                                            "are; without it, stage 1 too, and off it computes the "
                                            "frozen features once).")
    rotation: float = Field(20.0, ge=0, le=180, description="Largest random rotation in degrees when "
                                                            "augmenting.")
    dropout: float = Field(0.2, ge=0, lt=1, description="Dropout before the new linear layer.")
    patience: int = Field(3, ge=0, description="Stop a stage after this many epochs without a lower "
                                               "validation loss (0: never stop early); the best epoch is kept.")
    valid_fraction: float = Field(0.2, gt=0, lt=1, description="Share of the pictures set aside for "
                                                               "validation when there is no validation folder.")
    seed: int = Field(42, description="Random seed (split, head initialization, shuffling, augmentation).")
    output: Path | None = Field(None, description="Run folder (default: AFINAR_HOME/runs/"
                                                  "image-classification-DATE-TIME).")

    @model_validator(mode="after")
    def _cross_field(self) -> ImageClassificationConfig:
        problems = cross_field_problems(self.model_dump())
        if problems:
            raise PydanticCustomError("config.error.cross", "problems between settings", {"problems": problems})
        return self

    @property
    def stage2_lr(self) -> float:
        return self.stage1_lr * self.stage2_lr_factor


def cross_field_problems(values: dict) -> list[tuple[str, dict]]:
    """Problems between fields as (message key, params); tolerant of invalid values, so they are
    reported with the field errors."""
    epochs = [values.get(k, ImageClassificationConfig.model_fields[k].default) for k in ("stage1_epochs", "stage2_epochs")]
    if all(str(e).strip() == "0" for e in epochs):
        return [("config.error.nothing_to_train", {})]
    return []


def build_config(values: dict) -> ImageClassificationConfig:
    """The config from flag values (None = not given), every problem reported at once (``ConfigProblems``)."""
    from afinar.tasks.config import build

    return build(ImageClassificationConfig, values, cross=cross_field_problems)


def load(run_dir: Path) -> ImageClassificationConfig:
    """The resolved config saved in ``run_dir/config.yaml``."""
    import yaml

    return ImageClassificationConfig(**yaml.safe_load((run_dir / "config.yaml").read_text(encoding="utf-8")))
