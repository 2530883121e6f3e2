"""The chat task's learning-rate schedule is transformers' linear warm-up + linear decay, compared step
by step with the hand-written schedule it replaced: the same decay from the peak to zero; the warm-up
starts at zero instead of at 1/warmup (no transformers schedule starts there), so it runs one step
later."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")


def _previous(total: int) -> list[float]:
    """The hand-written schedule before Issue 18: warm-up over 5 % of the steps (at least one), the
    first step already at 1/warmup of the peak, then linear decay to zero at ``total``."""
    warmup = max(1, int(total * 0.05))

    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        return max(0.0, (total - step) / max(1, total - warmup))

    return [factor(step) for step in range(total)]


def _rates(total: int) -> list[float]:
    from afinar.tasks.chat.train import make_schedule

    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
    scheduler = make_schedule(optimizer, total)
    rates = []
    for _ in range(total):
        rates.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return rates


@pytest.mark.parametrize("total", [1, 12, 39, 40, 100, 1000])
def test_schedule_matches_the_previous_one_after_warm_up(total: int) -> None:
    warmup = max(1, int(total * 0.05))
    new, old = _rates(total), _previous(total)
    # the same decay, step by step, from the peak to zero at `total`
    assert new[warmup:] == pytest.approx(old[warmup:], abs=1e-12)
    if total == 1:  # a single step keeps the full rate (no warm-up at all)
        assert new == old == [1.0]
        return
    # transformers' warm-up starts at zero: one step behind the previous one (t/w instead of (t+1)/w)
    assert new[0] == 0.0
    assert new[1:warmup + 1] == pytest.approx(old[:warmup], abs=1e-12)
