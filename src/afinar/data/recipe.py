"""What ``auto`` means for a chat fine-tune here: epochs, batch size and learning rate, each with
the reason it was chosen (shown in the job's events and by `afinar data estimate`).

OpenAI's rule (about 3 epochs, 100..25,000 examples seen) is made for large hosted models, which
learn a fact from a few passes. A 135M-parameter model learning 15-100 conversations on a CPU needs
many more passes over each one: 24 TechStore conversations need about 10 epochs (240 example
passes) before the tuned model states the store's prices (the demo: 9/12 facts, 1/12 for the base),
and on a new 16-conversation business OpenAI's 6 epochs left 1/12 facts with 6.7 % non-words, 15
epochs 1/12 with 2.1 % (docs/benchmarks.md, "Does it learn?", which also shows what is not solved:
paraphrased questions). Larger sets keep OpenAI's rule.

Nothing here imports torch: the web process and `afinar data estimate` use it too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

# Learning rate = BASE_LR[method] × multiplier.
# DPO of all the weights keeps supervised training's ratio of full to LoRA (1e-5 / 2e-4 = 1/20).
BASE_LR = {"lora": 2e-4, "qlora": 2e-4, "full": 1e-5, "dpo": 5e-5, "dpo-full": 2.5e-6}
DPO_METHODS = ("dpo", "dpo-full")  # preference fine-tuning: LoRA adapters, or all the weights

# OpenAI's auto epochs (its data-preparation cookbook): 3, keeping examples × epochs in 100..25,000.
OPENAI_TARGET_EPOCHS = 3
OPENAI_MIN_PASSES, OPENAI_MAX_PASSES = 100, 25_000
OPENAI_MIN_EPOCHS, OPENAI_MAX_EPOCHS = 1, 25

# Small sets: epochs = ceil(SMALL_TARGET_PASSES / examples), within SMALL_MIN..SMALL_MAX_EPOCHS.
SMALL_TARGET_PASSES = 240
SMALL_MIN_EPOCHS, SMALL_MAX_EPOCHS = 3, 20
# Jobs of fewer example passes than this take the larger learning-rate multiplier.
SMALL_JOB_PASSES = 1000
MULTIPLIER_SMALL, MULTIPLIER = 5.0, 2.0


def openai_epochs(n_examples: int) -> int:
    """OpenAI's default number of epochs for a dataset of ``n_examples`` (what it bills)."""
    if n_examples <= 0:
        return OPENAI_TARGET_EPOCHS
    if n_examples * OPENAI_TARGET_EPOCHS < OPENAI_MIN_PASSES:
        return min(OPENAI_MAX_EPOCHS, OPENAI_MIN_PASSES // n_examples)
    if n_examples * OPENAI_TARGET_EPOCHS > OPENAI_MAX_PASSES:
        return max(OPENAI_MIN_EPOCHS, OPENAI_MAX_PASSES // n_examples)
    return OPENAI_TARGET_EPOCHS


def auto_epochs(n_examples: int) -> int:
    """Afinar's auto epochs: enough passes for a small model to learn a small set."""
    if 0 < n_examples and n_examples * OPENAI_TARGET_EPOCHS < SMALL_TARGET_PASSES:
        wanted = math.ceil(SMALL_TARGET_PASSES / n_examples)
        return max(SMALL_MIN_EPOCHS, min(SMALL_MAX_EPOCHS, wanted))
    return openai_epochs(n_examples)


def auto_batch_size(n_examples: int) -> int:
    """OpenAI's rule of thumb (about 0.2 % of the examples, within 1..256), at least 4 for small
    sets so a CPU step sees several conversations."""
    return max(4, min(256, round(n_examples * 0.002))) if n_examples >= 4 else max(1, n_examples)


def auto_lr_multiplier(n_examples: int, epochs: int) -> float:
    return MULTIPLIER_SMALL if n_examples * epochs < SMALL_JOB_PASSES else MULTIPLIER


@dataclass
class Recipe:
    """The resolved values and, for each auto one, why (an i18n key and its parameters)."""

    epochs: int
    batch_size: int
    lr_multiplier: float
    learning_rate: float
    openai_epochs: int
    reasons: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


# DPO: a few gentle passes. Preference pairs move a model with every step; on the TechStore pairs
# the supervised small-set rule (10 epochs at 5x) drove the reward margin past 8 and made a raw
# base less fluent (docs/chat.md, "Preference fine-tuning").
DPO_EPOCHS, DPO_MULTIPLIER = 3, 1.0


def chat_recipe(n_examples: int, method: str = "lora", epochs: int | None = None,
                batch_size: int | None = None, lr_multiplier: float | None = None) -> Recipe:
    """Resolve the ``None`` (auto) values for ``n_examples`` training examples."""
    reasons: list[tuple[str, dict[str, Any]]] = []
    if method in DPO_METHODS:
        if epochs is None:
            epochs = DPO_EPOCHS
            reasons.append(("recipe.epochs_dpo", {"epochs": epochs}))
        if lr_multiplier is None:
            lr_multiplier = DPO_MULTIPLIER
            reasons.append(("recipe.lr_dpo" if method == "dpo" else "recipe.lr_dpo_full",
                            {"multiplier": lr_multiplier, "learning_rate": f"{BASE_LR[method] * lr_multiplier:.2g}"}))
    if epochs is None:
        epochs = auto_epochs(n_examples)
        small = n_examples * OPENAI_TARGET_EPOCHS < SMALL_TARGET_PASSES
        reasons.append(("recipe.epochs_small" if small else "recipe.epochs_openai",
                        {"epochs": epochs, "examples": n_examples, "passes": SMALL_TARGET_PASSES}))
    if batch_size is None:
        batch_size = auto_batch_size(n_examples)
        reasons.append(("recipe.batch", {"batch_size": batch_size, "examples": n_examples}))
    if lr_multiplier is None:
        lr_multiplier = auto_lr_multiplier(n_examples, epochs)
        key = "recipe.lr_small" if lr_multiplier == MULTIPLIER_SMALL else "recipe.lr"
        reasons.append((key, {"multiplier": lr_multiplier, "learning_rate": f"{BASE_LR[method] * lr_multiplier:.0e}",
                              "passes": n_examples * epochs, "limit": SMALL_JOB_PASSES}))
    return Recipe(epochs, batch_size, lr_multiplier, BASE_LR[method] * lr_multiplier, openai_epochs(n_examples),
                  reasons)
