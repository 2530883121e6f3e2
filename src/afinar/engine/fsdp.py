"""Sharded data parallelism (FSDP2, ``torch.distributed.fsdp.fully_shard``) for models that do not
fit on one device.

Each decoder layer (the classes a transformers model lists in ``_no_split_modules``, the same rule
Accelerate uses to wrap) becomes one shard group; what is left (embeddings, final norm, output head)
belongs to the root group, held by ``LossModule``, whose forward is the training loss. FSDP gathers
a group's weights just before it runs and frees them after, and reduce-scatters gradients so each
process keeps only its shard of the weights, gradients and optimizer state.

FSDP averages gradients over the processes; the training loop divides its loss by the global token
count and wants a sum, so it multiplies the loss by the number of processes (exact in floating point
for powers of two). Every process must run the same number of forward/backward passes: one with no
examples in a step runs a zero-weighted pass on a borrowed example.

Checkpoints and the final model are written in the same format as a single-process run: sharded
tensors are gathered (``full``) before saving and re-sharded (``like``) when loading, so a run can
resume with another number of processes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

LossFn = Callable[[Any, dict[str, Any]], Any]


def loss_module(model: Any, loss_fn: LossFn) -> Any:
    """The root of the sharded model: a module whose ``forward(batch)`` is ``loss_fn(model, batch)``."""
    from torch import nn

    class LossModule(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.inner = model

        def forward(self, batch: dict[str, Any]) -> Any:
            return loss_fn(self.inner, batch)

    return LossModule()


def block_modules(model: Any) -> list[Any]:
    """The repeated blocks of a transformers model (decoder layers), outermost first."""
    names: set[str] = set()
    for module in model.modules():
        names.update(getattr(module, "_no_split_modules", None) or [])
    blocks = [m for m in model.modules() if type(m).__name__ in names]
    if not blocks:
        raise ValueError(f"cannot find the decoder layers of {type(model).__name__} to shard "
                         "(it lists no _no_split_modules)")
    return blocks


def shard(model: Any, loss_fn: LossFn, device: Any, param_dtype: Any = None) -> Any:
    """Shard ``model`` over all processes of the default group; returns the module to call for the loss."""
    import torch
    from torch.distributed import get_world_size
    from torch.distributed.device_mesh import init_device_mesh
    from torch.distributed.fsdp import MixedPrecisionPolicy, fully_shard

    mesh = init_device_mesh(device.type, (get_world_size(),))
    policy = MixedPrecisionPolicy(param_dtype=param_dtype, reduce_dtype=torch.float32 if param_dtype else None)
    for block in block_modules(model):
        fully_shard(block, mesh=mesh, mp_policy=policy)
    root = loss_module(model, loss_fn)
    fully_shard(root, mesh=mesh, mp_policy=policy)
    return root


def is_sharded(tensor: Any) -> bool:
    from torch.distributed.tensor import DTensor

    return isinstance(tensor, DTensor)


def full(tensor: Any) -> Any:
    """The whole tensor (a collective when it is sharded: every process must call it, in the same order)."""
    return tensor.full_tensor() if is_sharded(tensor) else tensor


def like(value: Any, param: Any) -> Any:
    """``value`` (a whole tensor) laid out like ``param``: this process's shard when ``param`` is sharded."""
    if not is_sharded(param):
        return value
    from torch.distributed.tensor import distribute_tensor

    return distribute_tensor(value.to(param.device_mesh.device_type), param.device_mesh, param.placements)
