"""Stage 1 as a converged linear probe (the LP of LP-FT: linear probing, then fine-tuning).

The course trains the new head for 10 epochs of Adam at 1e-4, which is still climbing when stage 1
ends (issue #18): stage 2 then starts from a weak head. Here the head's linear layer is instead
fitted to convergence on the frozen backbone's pooled features of the un-augmented training
pictures, computed once:

1. the features are standardized (``Scaler``: each feature's training mean and standard deviation,
   scikit-learn's ``StandardScaler``), except that no feature's scale is below ``FLOOR`` × its root
   mean square: a (nearly) constant feature — a dead channel, float32 rounding noise around a
   constant, a random backbone's features — is not blown up into a huge folded weight that
   stage 2's changes to the backbone would amplify. (Pretrained MobileNetV2's features of the
   silhouettes vary by at least 20 % of their root mean square: the floor leaves them as the
   peer's standardization leaves them.) A feature that is zero everywhere gets scale 1;
2. full-batch L-BFGS minimizes the mean cross-entropy plus scikit-learn's L2 penalty for ``C``
   (``penalty_weight``): the convex problem of ``LogisticRegression(C=C)`` on standardized features,
   the frozen-features peer of ``bench/bench_image.py``, so it ends at that peer's classifier;
   each stage-1 epoch is one L-BFGS call of up to ``ITERATIONS`` iterations (``epoch``); a
   converged fit costs one loss evaluation per further epoch;
3. at the end of the stage the standardization is folded into the linear layer
   (``Scaler.fold``: ``W / σ`` and ``b − (W / σ)·μ``), so the head takes raw features again and the
   network is an ordinary one that stage 2 fine-tunes (at the course's lower learning rate).

Worked example: features ``[[0, 2], [2, 6]]`` have mean ``[1, 4]`` and scale ``[1, 2]``;
a probe weight ``[[1, 1]]`` with bias ``0`` on standardized features folds into weight ``[[1, 0.5]]``
and bias ``−3``: on ``[2, 6]`` both give ``1 + 1 = 2``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

ITERATIONS = 50  # L-BFGS iterations per stage-1 epoch (10 epochs: up to 500, scikit-learn's default is 100)
HISTORY = 20  # L-BFGS's memory of past steps
FLOOR = 0.1  # smallest feature scale, relative to the feature's root mean square


@dataclass
class Scaler:
    """Per-feature standardization fitted on the training features (scikit-learn's ``StandardScaler``)."""

    mean: torch.Tensor
    scale: torch.Tensor

    @classmethod
    def fit(cls, features: torch.Tensor) -> Scaler:
        mean, std = features.mean(0), features.std(0, correction=0)  # population std, as scikit-learn's
        scale = torch.maximum(std, FLOOR * features.square().mean(0).sqrt())
        return cls(mean, torch.where(scale > 0, scale, torch.ones_like(scale)))

    def __call__(self, features: torch.Tensor) -> torch.Tensor:
        return (features - self.mean) / self.scale

    @torch.no_grad()
    def fold(self, linear: nn.Linear) -> None:
        """Make ``linear`` on raw features give what it gave on standardized ones."""
        weight = linear.weight / self.scale.to(linear.weight.device)
        linear.bias -= weight @ self.mean.to(weight.device)
        linear.weight.copy_(weight)


def linear_layer(head_modules: list[nn.Module]) -> nn.Linear:
    """The head's (last) linear layer: the one the probe fits."""
    layers = [m for module in head_modules for m in module.modules() if isinstance(m, nn.Linear)]
    return layers[-1]


def penalty_weight(c: float, examples: int, classes: int) -> float:
    """``λ`` in ``mean cross-entropy + λ/2 · ‖W‖²`` that gives scikit-learn's ``LogisticRegression(C=c)``
    (which minimizes ``C · Σ loss + ½‖w‖²``): ``λ = 1 / (C · n)``. With two classes scikit-learn fits
    one weight vector ``d = w₁ − w₀``; the softmax optimum has ``w₁ = −w₀ = d/2``, where
    ``½‖d‖² = ‖w₀‖² + ‖w₁‖²``: twice the penalty, ``λ = 2 / (C · n)``. The bias is not penalized."""
    return (2.0 if classes == 2 else 1.0) / (c * examples)


def optimizer(params: list[nn.Parameter]) -> torch.optim.LBFGS:
    return torch.optim.LBFGS(params, lr=1.0, max_iter=ITERATIONS, history_size=HISTORY,
                             tolerance_grad=1e-6, tolerance_change=1e-10, line_search_fn="strong_wolfe")


def epoch(head: Callable[[torch.Tensor], torch.Tensor], weight: torch.Tensor, features: torch.Tensor,
          target: torch.Tensor, opt: torch.optim.LBFGS, l2: float) -> float:
    """One L-BFGS call on the whole training set; returns the training cross-entropy after it."""

    def objective() -> torch.Tensor:
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(head(features).float(), target) + 0.5 * l2 * weight.square().sum()
        loss.backward()
        return loss

    opt.step(objective)
    with torch.no_grad():
        return F.cross_entropy(head(features).float(), target).item()


def iterations(opt: torch.optim.LBFGS) -> int:
    """L-BFGS iterations run so far (all epochs)."""
    state = next(iter(opt.state.values()), {})
    return int(state.get("n_iter", 0))
