"""Configuration of a chat fine-tuning run: one pydantic model is the CLI, the API payload and the
saved ``config.yaml``. ``auto`` values are resolved by ``resolve`` and written back, so a run
directory always says exactly what was used.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from afinar.data.recipe import (  # noqa: F401 (re-exported)
    BASE_LR,
    DPO_METHODS,
    auto_batch_size,
    auto_lr_multiplier,
)

ADAPTER_METHODS = ("lora", "qlora", "dpo")  # methods whose result is a LoRA adapter on the base
SUFFIX = re.compile(r"^[A-Za-z0-9_-]{1,64}$")  # OpenAI allows 64


class ChatTrainConfig(BaseModel):
    """What `afinar train chat` accepts (the same fields as the API's hyperparameters)."""

    model_config = ConfigDict(extra="forbid")

    data: Path = Field(description="Training data: chat JSONL in OpenAI's format.")
    validation: Path | None = Field(None, description="Validation JSONL; default: 10 % of the data when it has 50+ examples.")
    model: str = Field("smollm2-135m-instruct", description="Base: catalog name, hub id, local folder or ft: model id.")
    method: Literal["lora", "qlora", "full", "dpo", "dpo-full"] = Field(
        "lora", description="LoRA adapters (default), QLoRA (LoRA on a 4-bit base; NVIDIA GPU and bitsandbytes), "
                            "full fine-tuning, or dpo: preference fine-tuning of LoRA adapters on preference data "
                            "(OpenAI's DPO format; docs/chat.md); dpo-full: the same of all the weights.")
    beta: float = Field(0.1, gt=0, le=10, description="dpo and dpo-full: how far the model may move from where it started "
                                                      "(OpenAI's beta; lower lets it move further).")
    epochs: Literal["auto"] | int = Field("auto", description="auto (enough passes for a small set: docs/chat.md) or 1-50.")
    batch_size: Literal["auto"] | int = Field("auto", description="Examples per step: auto or 1-256.")
    lr_multiplier: Literal["auto"] | float = Field("auto", description="Learning rate = base rate of the method × this.")
    suffix: str | None = Field(None, description="Up to 64 letters, digits, - or _ for the model id.")
    seed: int = Field(42, description="Same seed, same data, same machine: the same run.")
    lora_r: int = Field(16, ge=1, le=256, description="LoRA rank.")
    lora_alpha: int = Field(32, ge=1, description="LoRA scaling numerator.")
    lora_dropout: float = Field(0.0, ge=0, lt=1, description="Dropout on the LoRA path.")
    neftune_alpha: float = Field(0.0, ge=0, le=50, description="NEFTune: uniform noise of this scale on the input "
                                                                 "embeddings while training (0: off).")
    max_length: int = Field(1024, ge=16, description="Tokens per example; longer ones are truncated.")
    gradient_checkpointing: bool = Field(False, description="Recompute activations to save memory.")
    keep_checkpoints: int = Field(3, ge=1, description="Epoch checkpoints kept (the last N).")
    eval_prompts: Path | None = Field(
        None, description="Check questions asked at the end (JSONL: prompt + expected facts, as for afinar compare); "
                          "default: the held-out examples, or the training questions for small sets.")
    valid_fraction: float = Field(0.1, ge=0, lt=0.5, description="Share of the data held out when no validation file is given.")
    nproc: int = Field(1, ge=1, le=64, description="Training processes (data parallel through torchrun): one per GPU, or CPU processes.")
    fsdp: bool = Field(False, description="Shard weights, gradients and optimizer state over the --nproc processes "
                                          "(FSDP), for a model that does not fit one device.")

    @field_validator("epochs")
    @classmethod
    def _epochs(cls, v: str | int) -> str | int:
        if v != "auto" and not 1 <= int(v) <= 50:
            raise PydanticCustomError("config.error.range", "must be auto or between {low} and {high}",
                                      {"low": 1, "high": 50})
        return v

    @field_validator("batch_size")
    @classmethod
    def _batch(cls, v: str | int) -> str | int:
        if v != "auto" and not 1 <= int(v) <= 256:
            raise PydanticCustomError("config.error.range", "must be auto or between {low} and {high}",
                                      {"low": 1, "high": 256})
        return v

    @field_validator("lr_multiplier")
    @classmethod
    def _lr(cls, v: str | float) -> str | float:
        if v != "auto" and not 0 < float(v) <= 100:
            raise PydanticCustomError("config.error.positive_range",
                                      "must be auto or a number above {low} and at most {high}", {"low": 0, "high": 100})
        return v

    @field_validator("fsdp")
    @classmethod
    def _fsdp(cls, v: bool, info: ValidationInfo) -> bool:
        if v and info.data.get("nproc", 1) < 2:
            raise PydanticCustomError("config.error.fsdp_nproc",
                                      "sharding needs two or more processes: add --nproc 2 (or one per GPU)")
        if v and info.data.get("method") == "qlora":
            raise PydanticCustomError("config.error.fsdp_qlora",
                                      "QLoRA runs on one process per GPU without sharding: drop --fsdp or use --method lora")
        return v

    @field_validator("nproc")
    @classmethod
    def _dpo_one_process(cls, v: int, info: ValidationInfo) -> int:
        if v > 1 and info.data.get("method") in DPO_METHODS:
            raise PydanticCustomError("config.error.dpo_one_process",
                                      "preference fine-tuning runs in one process: drop --nproc")
        return v

    @field_validator("suffix")
    @classmethod
    def _suffix(cls, v: str | None) -> str | None:
        if v is not None and not SUFFIX.match(v):
            raise PydanticCustomError("config.error.suffix", "takes 1-64 letters, digits, '-' or '_'")
        return v


# OpenAI's hyperparameter names (the API, the studio's form) for the fields they set
OPENAI_NAMES = {"n_epochs": "epochs", "batch_size": "batch_size", "learning_rate_multiplier": "lr_multiplier"}
# and OpenAI's DPO method's own (method.dpo.hyperparameters)
DPO_NAMES = {**OPENAI_NAMES, "beta": "beta"}


def hyperparameter_problems(values: dict, names: dict[str, str] = OPENAI_NAMES) -> list:
    """The problems of OpenAI-named hyperparameters (``{"n_epochs": 3, ...}``), checked by this
    schema: ``FieldProblem``s whose ``field`` is the OpenAI name. A boolean is not a number here."""
    from afinar.tasks.config import FieldProblem, check_fields

    fields = {names[k]: v for k, v in values.items() if k in names}
    problems = [FieldProblem(k, v, "config.error.one_of", kinds=["auto", "config.kind.number"])
                for k, v in values.items() if isinstance(v, bool)]
    flagged = {p.field for p in problems}
    back = {v: k for k, v in names.items()}
    for p in check_fields(ChatTrainConfig, fields, {"data": "-", **({"method": "dpo"} if "beta" in names else {})}):
        if back.get(p.field, p.field) not in flagged:
            p.field = back.get(p.field, p.field)
            problems.append(p)
    return problems


class ResolvedChatConfig(ChatTrainConfig):
    """The saved config of a run: every auto value replaced by what was used."""

    epochs: int
    batch_size: int
    lr_multiplier: float
    learning_rate: float
    model_path: str
    job_id: str
    model_id: str
    train_examples: int
    valid_examples: int


def steps_per_epoch(n_examples: int, batch_size: int) -> int:
    return max(1, math.ceil(n_examples / batch_size))
