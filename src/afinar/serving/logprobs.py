"""OpenAI's ``logprobs``: for each generated token its log-probability, its bytes and the
``top_logprobs`` most likely alternatives.

They are the model's own distribution at each step — the log-softmax of its raw logits, before
penalties, ``logit_bias``, a grammar, temperature and ``top_p`` (vLLM's default too) — so the
logprobs of a reply sum to the log-probability the model gives that reply after the prompt.
"""

from __future__ import annotations

from typing import Any

MAX_TOP = 20


class Recorder:
    """First logits processor of a request that asked for logprobs: remembers each step's
    log-probabilities; :meth:`entry` describes the token then chosen."""

    def __init__(self, top: int, token_bytes: Any):
        self.top, self.token_bytes = top, token_bytes
        self.last: Any = None

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        import torch

        self.last = torch.log_softmax(scores[0].float(), dim=-1)
        return scores

    def _token(self, token: int, logprob: float) -> dict[str, Any]:
        raw = self.token_bytes(token)
        return {"token": raw.decode("utf-8", errors="replace"), "logprob": logprob, "bytes": list(raw)}

    def entry(self, token: int) -> dict[str, Any]:
        import torch

        item = self._token(token, float(self.last[token]))
        item["top_logprobs"] = []
        if self.top:
            values, ids = torch.topk(self.last, self.top)
            item["top_logprobs"] = [self._token(int(i), float(v)) for v, i in zip(values.tolist(), ids.tolist())]
        return item


def token_bytes_of(grammar_tokenizer: Any) -> Any:
    """A function from a token id to its bytes (a byte-level token may hold part of a character)."""
    return lambda token: bytes(grammar_tokenizer.decode_bytes([token]))
