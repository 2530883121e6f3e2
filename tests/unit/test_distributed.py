"""Gradient buckets for the data-parallel all-reduce: every gradient once, in order, one dtype per bucket."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")


def test_buckets_split_on_size_and_dtype(monkeypatch: pytest.MonkeyPatch) -> None:
    from afinar.engine import distributed

    monkeypatch.setattr(distributed, "BUCKET_ELEMENTS", 100)
    tensors = [torch.zeros(40), torch.zeros(50), torch.zeros(20), torch.zeros(300),
               torch.zeros(5, dtype=torch.bfloat16), torch.zeros(5, dtype=torch.bfloat16), torch.zeros(1)]
    buckets = distributed._buckets(tensors)
    assert [[t.numel() for t in b] for b in buckets] == [[40, 50], [20], [300], [5, 5], [1]]
    assert [id(t) for b in buckets for t in b] == [id(t) for t in tensors]  # each once, in order
    assert all(len({t.dtype for t in b}) == 1 for b in buckets)
    assert all(sum(t.numel() for t in b) <= 100 or len(b) == 1 for b in buckets)
