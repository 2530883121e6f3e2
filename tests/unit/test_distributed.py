"""Data parallelism through DistributedDataParallel: a no-op with one process, and the wrapped loss
(a tuple with plain ints beside the loss tensor) gives the gradients of the plain one. The 2-process
runs that must end with the weights of a 1-process run are in tests/cli/test_chat_train.py."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")


def _loss(model: torch.nn.Module, batch: dict) -> tuple:
    out = model(batch["x"])
    return (out - batch["y"]).pow(2).sum(), int(batch["x"].shape[0]), 0


def test_one_process_keeps_the_plain_forward() -> None:
    from afinar.engine.distributed import World

    model = torch.nn.Linear(3, 1)

    def forward(batch: dict) -> tuple:
        return _loss(model, batch)

    assert World().data_parallel(model, forward, torch.device("cpu")) is forward


def test_wrapped_loss_gives_the_plain_gradients(tmp_path) -> None:
    import torch.distributed as dist

    from afinar.engine.distributed import World

    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 1))
    batch = {"x": torch.randn(5, 3), "y": torch.randn(5, 1)}
    loss, n, _ = _loss(model, batch)
    (loss / n).backward()
    plain = [p.grad.clone() for p in model.parameters()]
    model.zero_grad(set_to_none=True)
    dist.init_process_group("gloo", init_method=f"file://{tmp_path / 'store'}", rank=0, world_size=1)
    try:
        # size 2 as seen by the loop would skip the wrapper's own one-process shortcut; the group has one
        wrapped = World(rank=0, size=2).data_parallel(model, lambda b: _loss(model, b), torch.device("cpu"))
        loss, n, _ = wrapped(batch)
        assert isinstance(n, int) and n == 5
        (loss / n).backward()
        for got, want in zip((p.grad for p in model.parameters()), plain):
            assert torch.allclose(got, want)
        # a zero-weighted pass (a process with no examples in a step) reduces zeros
        model.zero_grad(set_to_none=True)
        loss, _, _ = wrapped(batch)
        (loss * 0.0).backward()
        assert all(bool((p.grad == 0).all()) for p in model.parameters())
    finally:
        dist.destroy_process_group()
