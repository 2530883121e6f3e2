"""OpenAI's presence and frequency penalties and ``logit_bias``, as a logits processor.

As OpenAI defines them, for every token ``j`` of the vocabulary, with ``c[j]`` the number of times
``j`` was generated so far in this reply (the prompt does not count, as in vLLM)::

    logit[j] -= c[j] * frequency_penalty + (c[j] > 0) * presence_penalty
    logit[j] += logit_bias[j]

applied to the model's logits before temperature and nucleus sampling (which this processor's
list then applies itself, so a bias of +100 can bring a token from outside the nucleus in).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from afinar.errors import AfinarError

PENALTY_RANGE = (-2.0, 2.0)
BIAS_RANGE = (-100.0, 100.0)


@dataclass(frozen=True)
class Shaping:
    """A request's logit shaping; ``neutral`` when it asks for none."""

    presence: float = 0.0
    frequency: float = 0.0
    bias: dict[int, float] = field(default_factory=dict)

    @property
    def neutral(self) -> bool:
        return not (self.presence or self.frequency or any(self.bias.values()))

    def check(self, vocab_size: int) -> None:
        wrong = [t for t in self.bias if not 0 <= t < vocab_size]
        if wrong:
            raise AfinarError("serving.bad_token_id", ids=", ".join(map(str, wrong[:5])), size=vocab_size)


class Penalties:
    """The logits processor (``transformers.LogitsProcessor``'s call signature)."""

    def __init__(self, shaping: Shaping, prompt_len: int):
        self.shaping, self.prompt_len = shaping, prompt_len

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        import torch

        s = self.shaping
        scores = scores.clone()
        generated = input_ids[:, self.prompt_len:]
        if generated.shape[1] and (s.presence or s.frequency):
            counts = torch.zeros_like(scores).scatter_add_(1, generated, torch.ones_like(generated, dtype=scores.dtype))
            scores -= counts * s.frequency + (counts > 0).to(scores.dtype) * s.presence
        if s.bias:
            ids = torch.tensor(list(s.bias), device=scores.device)
            scores[:, ids] += torch.tensor(list(s.bias.values()), dtype=scores.dtype, device=scores.device)
        return scores
