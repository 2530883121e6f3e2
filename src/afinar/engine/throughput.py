"""A short measured training step, so estimates say what this machine really does.

The cost of LoRA training is a forward pass plus a backward pass through every layer (the
adapters sit in every layer), without weight gradients for the frozen base. We reproduce exactly
that with the real model and no adapter library: every weight frozen except the first linear
layer's, so gradients must flow back through the whole network while only one small weight
gradient is computed. Full fine-tuning would cost more (every weight gradient, plus the optimizer).
"""

from __future__ import annotations

import time
from pathlib import Path


def measure_tokens_per_s(folder: str | Path, seq_len: int, batch: int = 4, steps: int = 3) -> float:
    """Tokens per second of LoRA-like training steps of the causal LM in ``folder`` on this machine."""
    import torch
    from transformers import AutoModelForCausalLM
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_pretrained(str(folder), dtype=torch.float32,
                                                 trust_remote_code=False, use_safetensors=True)
    model.train()
    for param in model.parameters():
        param.requires_grad_(False)
    first_linear = next(m for m in model.modules() if isinstance(m, torch.nn.Linear))
    first_linear.weight.requires_grad_(True)
    seq_len = max(8, min(seq_len, 1024))
    ids = torch.randint(0, model.config.vocab_size, (batch, seq_len))

    def step() -> None:
        loss = model(input_ids=ids, labels=ids).loss
        loss.backward()
        first_linear.weight.grad = None

    step()  # warm-up: allocations, kernel selection
    start = time.perf_counter()
    for _ in range(steps):
        step()
    return batch * seq_len * steps / (time.perf_counter() - start)
