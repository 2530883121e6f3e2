"""Padding-free packed batches on any device: causal attention per example inside one packed row.

A packed row concatenates several examples; ``cu_seq_lens`` (cumulative lengths, as flash-attention
uses them) mark where each starts. Attention is computed separately for each example, so no token
attends across examples and the cost is sum(len_i²) rather than (sum len_i)². transformers passes
``cu_seq_lens_q`` through to attention functions, so registering this function under a name and
selecting it with ``model.set_attn_implementation`` is all it takes. Without ``cu_seq_lens_q``
(generation, ordinary batches) it is plain SDPA.
"""

from __future__ import annotations

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
    groups = query.shape[1] // key.shape[1]
    if groups > 1:  # grouped-query attention: share each key/value head with its query heads
        key = key.repeat_interleave(groups, dim=1)
        value = value.repeat_interleave(groups, dim=1)
    p = dropout if module.training else 0.0
    bounds = cu.tolist()
    parts = [F.scaled_dot_product_attention(query[:, :, s:e], key[:, :, s:e], value[:, :, s:e],
                                            is_causal=True, dropout_p=p, scale=scaling)
             for s, e in zip(bounds[:-1], bounds[1:]) if e > s]
    out = torch.cat(parts, dim=2)
    return out.transpose(1, 2).contiguous(), None


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
