"""Padding-free packed batches on any device: causal attention per example inside one packed row.

A packed row concatenates several examples; ``cu_seq_lens`` (cumulative lengths, as flash-attention
uses them) mark where each starts. Attention is computed separately for each example, so no token
attends across examples and the cost is sum(len_i²) rather than (sum len_i)². transformers passes
``cu_seq_lens_q`` through to attention functions, so registering this function under a name and
selecting it with ``model.set_attn_implementation`` is all it takes. Without ``cu_seq_lens_q``
(generation, ordinary batches) it is plain SDPA.
"""

from __future__ import annotations

import functools
from typing import Any

NAME = "afinar_varlen"


def varlen_sdpa(module: Any, query: Any, key: Any, value: Any, attention_mask: Any,
                dropout: float = 0.0, scaling: float | None = None, **kwargs: Any) -> tuple[Any, None]:
    import torch
    import torch.nn.functional as F
    from transformers.integrations.sdpa_attention import sdpa_attention_forward

    cu = kwargs.get("cu_seq_lens_q")
    if cu is None:
        return sdpa_attention_forward(module, query, key, value, attention_mask, dropout=dropout,
                                      scaling=scaling, **kwargs)
    p = dropout if module.training else 0.0
    longest = kwargs.get("max_length_q")  # a Python int from packed_inputs: no device sync per layer
    if query.is_cuda and p == 0.0 and _flash_ok(query, key, value, cu, scaling, longest):
        return _flash(query, key, value, cu, scaling, longest), None
    groups = query.shape[1] // key.shape[1]
    if groups > 1:  # grouped-query attention: share each key/value head with its query heads
        key = key.repeat_interleave(groups, dim=1)
        value = value.repeat_interleave(groups, dim=1)
    bounds = getattr(cu, "_afinar_bounds", None)  # read once per packed row, not once per layer
    if bounds is None:
        bounds = cu.tolist()
        cu._afinar_bounds = bounds
    parts = [F.scaled_dot_product_attention(query[:, :, s:e], key[:, :, s:e], value[:, :, s:e],
                                            is_causal=True, dropout_p=p, scale=scaling)
             for s, e in zip(bounds[:-1], bounds[1:]) if e > s]
    out = torch.cat(parts, dim=2)
    return out.transpose(1, 2).contiguous(), None


_FLASH: dict[str, Any] = {}  # "ok": whether torch's varlen flash kernel agreed with the loop here; "why" if not


def _flash(query: Any, key: Any, value: Any, cu: Any, scaling: float | None, longest: int | None = None) -> Any:
    """One fused kernel for the whole packed row (torch.nn.attention.varlen, flash attention on
    CUDA). Layout (1, heads, tokens, dim) in, (1, tokens, heads, dim) out. Computes in the autocast
    dtype when autocast is on (rotary embeddings leave queries and keys in float32 there)."""
    import torch
    from torch.nn.attention.varlen import varlen_attn

    if longest is None:
        longest = int((cu[1:] - cu[:-1]).max())
    cu = cu.to(query.device, dtype=torch.int32)
    dtype = torch.get_autocast_dtype("cuda") if torch.is_autocast_enabled("cuda") else value.dtype
    q, k, v = (t[0].transpose(0, 1).to(dtype) for t in (query, key, value))
    extra = {}
    if k.shape[1] != q.shape[1]:  # grouped-query attention
        if _has_gqa_flag():
            extra["enable_gqa"] = True
        else:  # older torch: share each key/value head with its query heads by hand
            groups = q.shape[1] // k.shape[1]
            k, v = k.repeat_interleave(groups, dim=1), v.repeat_interleave(groups, dim=1)
    out = varlen_attn(q, k, v, cu, cu, longest, longest, scale=scaling, window_size=(-1, 0), **extra)
    return out.unsqueeze(0)


@functools.cache
def _has_gqa_flag() -> bool:
    """Whether this torch's varlen_attn takes ``enable_gqa`` (newer than 2.11); read once."""
    import inspect

    from torch.nn.attention.varlen import varlen_attn

    return "enable_gqa" in inspect.signature(varlen_attn).parameters


def _flash_ok(query: Any, key: Any, value: Any, cu: Any, scaling: float | None, longest: int | None = None) -> bool:
    """Use the fused kernel only after it matched the per-example loop once on this machine (the
    first packed row: outputs and query gradients, on copies); any error or mismatch keeps the loop,
    with one warning (and the reason in ``_FLASH["why"]``)."""
    if "ok" not in _FLASH:
        import warnings

        import torch

        try:
            # the check runs its own small backward; keep it out of any activation checkpoint
            # (gradient checkpointing) that this forward pass may be recorded in
            with torch.enable_grad(), torch.autograd.graph.saved_tensors_hooks(lambda t: t, lambda t: t):
                outputs, grads = [], []
                for fused in (True, False):
                    q, k, v = (t.detach().clone().requires_grad_() for t in (query, key, value))
                    _FLASH["ok"] = False  # the loop must not recurse into the fused kernel
                    out = _flash(q, k, v, cu, scaling, longest) if fused else varlen_sdpa(
                        _Eval(), q, k, v, None, scaling=scaling, cu_seq_lens_q=cu)[0]
                    out.float().square().sum().backward()
                    outputs.append(out.detach().float())
                    grads.append(q.grad.float())
                _FLASH["ok"] = all(torch.allclose(a, b, atol=3e-2, rtol=3e-2)
                                   for a, b in (outputs, grads))
                if not _FLASH["ok"]:
                    _FLASH["why"] = "its results differed from per-example SDPA"
        except Exception as err:  # noqa: BLE001 - an optional kernel: keep the tested path
            _FLASH["ok"], _FLASH["why"] = False, f"{err!r:.200}"
        if not _FLASH["ok"]:
            warnings.warn(f"varlen flash attention not used, per-example SDPA instead: {_FLASH['why']}",
                          stacklevel=2)
    return _FLASH["ok"]


class _Eval:
    training = False


def enable(model: Any) -> None:
    """Register the function (once) and make ``model`` use it."""
    from transformers import AttentionInterface

    AttentionInterface.register(NAME, varlen_sdpa)
    model.set_attn_implementation(NAME)


def packed_inputs(sequences: list[list[int]]) -> dict[str, Any]:
    """One packed row from token-id lists: input_ids, position_ids and cu_seq_lens (batch of 1)."""
    import torch

    ids, positions, cu = [], [], [0]
    for seq in sequences:
        ids.extend(seq)
        positions.extend(range(len(seq)))
        cu.append(cu[-1] + len(seq))
    cu_t = torch.tensor(cu, dtype=torch.int32)
    longest = max((len(s) for s in sequences), default=0)
    return {"input_ids": torch.tensor([ids]), "position_ids": torch.tensor([positions]),
            "cu_seq_lens_q": cu_t, "cu_seq_lens_k": cu_t, "max_length_q": longest, "max_length_k": longest}
