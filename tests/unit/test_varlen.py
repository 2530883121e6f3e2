"""The fused varlen kernel is used only after it matched the per-example loop; otherwise the loop."""

from __future__ import annotations

import warnings

import pytest

torch = pytest.importorskip("torch")


def test_fused_kernel_is_checked_before_use() -> None:
    from afinar.engine import varlen

    q, k, v = torch.randn(1, 4, 10, 8), torch.randn(1, 2, 10, 8), torch.randn(1, 2, 10, 8)
    cu = torch.tensor([0, 3, 10], dtype=torch.int32)
    varlen._FLASH.clear()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            ok = varlen._flash_ok(q, k, v, cu, None)
        if torch.cuda.is_available():
            pytest.skip("a GPU machine: the kernel may be usable")
        assert ok is False and any("per-example SDPA" in str(w.message) for w in caught)
        with warnings.catch_warnings(record=True) as again:
            warnings.simplefilter("always")
            assert varlen._flash_ok(q, k, v, cu, None) is False
        assert not again  # decided once, warned once
    finally:
        varlen._FLASH.clear()


def test_loop_matches_separate_examples() -> None:
    """Per-example causal attention inside one packed row equals attending each example alone."""
    from afinar.engine import varlen

    class M:
        training = False

    q, k, v = torch.randn(1, 4, 10, 8), torch.randn(1, 2, 10, 8), torch.randn(1, 2, 10, 8)
    cu = torch.tensor([0, 3, 10], dtype=torch.int32)
    packed, _ = varlen.varlen_sdpa(M(), q, k, v, None, cu_seq_lens_q=cu)
    for s, e in ((0, 3), (3, 10)):
        alone = torch.nn.functional.scaled_dot_product_attention(
            q[:, :, s:e], k[:, :, s:e].repeat_interleave(2, 1), v[:, :, s:e].repeat_interleave(2, 1), is_causal=True)
        assert torch.allclose(packed[:, s:e], alone.transpose(1, 2), atol=1e-6)


def test_the_check_inside_gradient_checkpointing_keeps_backward_working(monkeypatch: pytest.MonkeyPatch) -> None:
    """The one-time check runs a small backward of its own during a forward pass; under activation
    checkpointing (--gradient-checkpointing) the real backward must still work afterwards."""
    from torch.utils.checkpoint import checkpoint

    from afinar.engine import varlen

    def stand_in(q, k, v, cu, scaling, longest=None):  # the fused kernel's CPU stand-in: the loop itself
        return varlen.varlen_sdpa(varlen._Eval(), q, k, v, None, scaling=scaling, cu_seq_lens_q=cu)[0]

    monkeypatch.setattr(varlen, "_flash", stand_in)
    k, v = torch.randn(1, 2, 10, 8), torch.randn(1, 2, 10, 8)
    cu = torch.tensor([0, 3, 10], dtype=torch.int32)

    def layer(q: torch.Tensor) -> torch.Tensor:
        assert varlen._flash_ok(q, k, v, cu, None)
        return (q.sin() * 2).sum()

    q = torch.randn(1, 4, 10, 8, requires_grad=True)
    varlen._FLASH.clear()
    try:
        checkpoint(layer, q, use_reentrant=False).backward()
    finally:
        varlen._FLASH.clear()
    assert torch.allclose(q.grad, q.detach().cos() * 2)
