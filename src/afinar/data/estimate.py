"""How many epochs, how many trained tokens, how long here, and what OpenAI would charge.

- Epochs: what ``auto`` chooses here (``afinar.data.recipe``: more passes for small sets than
  OpenAI's rule), with the batch size, learning rate and the reason for each.
- Trained tokens: every example's tokens (capped at the per-example limit) × epochs.
- Local time: trained tokens ÷ an assumed throughput. The assumption is measured, not invented:
  SmolLM2-135M with LoRA trains at ≈260 tokens/s on 2 CPU cores in fp32 (see ../docs/data.md);
  other models are scaled by parameter count. The result says it is an assumption.
- OpenAI cost: the tokens OpenAI would train (its own auto epochs, or the given ones) × the
  published training price per million tokens.

Preference pairs (OpenAI's DPO format) are estimated as ``afinar train chat --method dpo`` trains
them: DPO's recipe (``recipe.chat_recipe`` with method ``dpo``), and each pair counts as the two
sequences a step feeds the model, the input with the preferred answer and the input with the
other one (each capped at the limit). Before the first step the reference's log-probabilities take
one forward pass over the same tokens, counted in the time as half a LoRA step's work (the
backward pass of a frozen base computes activation gradients only: about one more forward). OpenAI
does not publish how it counts a pair's tokens; the same count is used for its price.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from afinar.data.chat_schema import check_example
from afinar.data.recipe import chat_recipe
from afinar.data.records import iter_records
from afinar.data.tokens import DEFAULT_MAX_TOKENS, TokenCounter, approx_tokens
from afinar.errors import AfinarError

# Training price in USD per 1M tokens, as published on OpenAI's pricing page (2025).
OPENAI_TRAINING_PRICES: dict[str, float] = {
    "gpt-4.1-nano-2025-04-14": 1.50,
    "gpt-4o-mini-2024-07-18": 3.00,
    "gpt-4.1-mini-2025-04-14": 5.00,
    "gpt-3.5-turbo-0125": 8.00,
    "gpt-4o-2024-08-06": 25.00,
}

# A forward pass (the DPO reference's) relative to a LoRA training step over the same tokens.
FORWARD_SHARE = 0.5

# Measured reference: SmolLM2-135M, LoRA r=16 on all linear layers, fp32, 2 CPU cores.
REFERENCE_PARAMS = 134.5e6
REFERENCE_TOKENS_PER_S = 260.0
# Parameter counts of known bases (catalog names and common hub ids).
KNOWN_PARAMS: dict[str, float] = {
    "smollm2-135m-instruct": 134.5e6,
    "HuggingFaceTB/SmolLM2-135M-Instruct": 134.5e6,
    "gemma-3-270m": 268e6,
    "google/gemma-3-270m": 268e6,
    "Qwen/Qwen2.5-0.5B-Instruct": 494e6,
    "Qwen/Qwen2.5-1.5B-Instruct": 1.54e9,
    "HuggingFaceTB/SmolLM2-360M-Instruct": 362e6,
    "HuggingFaceTB/SmolLM2-1.7B-Instruct": 1.71e9,
}


@dataclass
class Estimate:
    file: str
    model: str
    examples: int
    tokens_per_epoch: int
    epochs: int
    epochs_source: str  # "auto" or "given"
    trained_tokens: int
    token_method: str
    model_params: float | None
    local_tokens_per_s: float | None
    local_seconds: float | None
    local_method: str  # "assumed" (from the reference measurement) or "measured"
    batch_size: int = 0
    learning_rate: float = 0.0
    openai_epochs: int = 0  # what OpenAI would train (its auto rule, or the given epochs)
    recipe: list[dict[str, Any]] = field(default_factory=list)  # why each auto value: {"key", "params"}
    openai_cost_usd: dict[str, float] = field(default_factory=dict)
    task: str = "chat"  # or "preference": pairs, trained by DPO
    reference_tokens: int = 0  # preference: the one forward pass of the reference before training

    @property
    def sequences(self) -> int:
        """Sequences per epoch: an example, or the two of a pair (the input with each answer)."""
        return self.examples * (2 if self.task == "preference" else 1)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def model_params(model: str) -> float | None:
    """Parameters of ``model``: known bases by name, or a local folder's config.json."""
    if model in KNOWN_PARAMS:
        return KNOWN_PARAMS[model]
    config = Path(model).expanduser() / "config.json"
    if config.is_file():
        return _params_from_config(json.loads(config.read_text(encoding="utf-8")))
    return None


def _params_from_config(cfg: dict[str, Any]) -> float | None:
    text = cfg.get("text_config", cfg)
    d, layers, vocab = text.get("hidden_size"), text.get("num_hidden_layers"), text.get("vocab_size")
    if not (d and layers and vocab):
        return None
    ffn = text.get("intermediate_size", 4 * d)
    # attention (4·d²) + gated MLP (3·d·ffn) per layer, plus the embeddings
    return float(layers * (4 * d * d + 3 * d * ffn) + vocab * d)


def dataset_tokens(path: Path, counter: TokenCounter | None) -> tuple[int, int]:
    """(usable examples, billing tokens) of a chat JSONL; each example capped at the limit."""
    examples = tokens = 0

    def ignore(*args: Any, **kwargs: Any) -> None:
        return None

    with open(path, "rb") as fh:
        for record in iter_records(fh, ignore, check_mojibake=False):
            info = check_example(record.value, record.line, ignore)
            if info is None:
                continue
            examples += 1
            n = counter.count_example(record.value) if counter else approx_tokens(info.chars, info.messages)
            tokens += min(n, DEFAULT_MAX_TOKENS)
    return examples, tokens


def pair_dataset_tokens(path: Path, counter: TokenCounter | None) -> tuple[int, int]:
    """(usable pairs, tokens) of a preference JSONL: per pair, input + preferred answer and input +
    the other answer, each sequence capped at the limit."""
    from afinar.data.preference import check_pair, pair_tokens

    pairs = tokens = 0

    def ignore(*args: Any, **kwargs: Any) -> None:
        return None

    with open(path, "rb") as fh:
        for record in iter_records(fh, ignore, check_mojibake=False):
            info = check_pair(record.value, record.line, ignore)
            if info is None:
                continue
            pairs += 1
            prompt, preferred, rejected = pair_tokens(info, record.value, counter)
            tokens += min(prompt + preferred, DEFAULT_MAX_TOKENS) + min(prompt + rejected, DEFAULT_MAX_TOKENS)
    return pairs, tokens


def estimate(path: str | Path, model: str, epochs: int | None = None,
             counter: TokenCounter | None = None,
             measured_tokens_per_s: float | None = None) -> Estimate:
    from afinar.data.validate import infer_task

    path = Path(path)
    if not path.is_file():
        raise AfinarError("common.file_not_found", path=str(path))
    task = "preference" if infer_task(path) == "preference" else "chat"
    examples, tokens = (pair_dataset_tokens if task == "preference" else dataset_tokens)(path, counter)
    if examples == 0:
        raise AfinarError("data.estimate.no_pairs" if task == "preference" else "data.estimate.no_examples",
                          path=str(path))
    recipe = chat_recipe(examples, "dpo" if task == "preference" else "lora", epochs=epochs)
    n_epochs = recipe.epochs
    trained = tokens * n_epochs
    reference = tokens if task == "preference" else 0
    openai_epochs = epochs if epochs is not None else recipe.openai_epochs
    params = model_params(model)
    if measured_tokens_per_s:
        speed, method = measured_tokens_per_s, "measured"
    elif params:
        speed, method = REFERENCE_TOKENS_PER_S * REFERENCE_PARAMS / params, "assumed"
    else:
        speed, method = None, "unknown"
    return Estimate(
        file=str(path), model=model, examples=examples, tokens_per_epoch=tokens, epochs=n_epochs,
        epochs_source="given" if epochs is not None else "auto", trained_tokens=trained,
        token_method=counter.source if counter else "approximate", model_params=params,
        local_tokens_per_s=round(speed, 1) if speed else None,
        local_seconds=round((trained + FORWARD_SHARE * reference) / speed, 1) if speed else None,
        local_method=method,
        batch_size=recipe.batch_size, learning_rate=recipe.learning_rate, openai_epochs=openai_epochs,
        recipe=[{"key": key, "params": params} for key, params in recipe.reasons],
        openai_cost_usd={name: round(tokens * openai_epochs / 1e6 * price, 4)
                         for name, price in OPENAI_TRAINING_PRICES.items()},
        task=task, reference_tokens=reference,
    )
