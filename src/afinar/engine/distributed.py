"""Data parallelism for the training loops, through torch.distributed (launched by torchrun).

Each process takes its share of every step's examples, computes the loss summed over its tokens,
and gradients are summed across processes after backward, with the loss divided by the global
token count: the update is exactly the single-process one (up to the order of float additions).
Only the main process writes metrics, events, checkpoints and the final model. With one process
every method is a no-op, so the loop reads the same either way.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any


@dataclass
class World:
    rank: int = 0
    size: int = 1

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @classmethod
    def init(cls) -> World:
        size = int(os.environ.get("WORLD_SIZE", "1"))
        if size <= 1:
            return cls()
        import torch
        import torch.distributed as dist

        # NCCL for the GPUs' tensors, gloo for the few CPU scalars the loop sums (token counts, losses)
        backend = "cpu:gloo,cuda:nccl" if torch.cuda.is_available() else "gloo"
        dist.init_process_group(backend)
        if torch.cuda.is_available():
            torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", "0")))
        return cls(dist.get_rank(), dist.get_world_size())

    def shard(self, items: list) -> list:
        return items[self.rank::self.size]

    def sum(self, *values: float) -> list[float]:
        if self.size == 1:
            return list(values)
        import torch
        import torch.distributed as dist

        tensor = torch.tensor(values, dtype=torch.float64)
        dist.all_reduce(tensor)
        return tensor.tolist()

    def sync_grads(self, params: list[Any]) -> None:
        """Sum every gradient over the processes, in a few large messages (buckets of about
        ``BUCKET_ELEMENTS`` values of one dtype) rather than one per parameter."""
        if self.size == 1:
            return
        import torch
        import torch.distributed as dist
        from torch._utils import _flatten_dense_tensors, _unflatten_dense_tensors

        for p in params:
            if p.grad is None:
                p.grad = torch.zeros_like(p)
        for bucket in _buckets([p.grad for p in params]):
            if len(bucket) == 1:  # a large gradient alone: reduced in place, no copy
                dist.all_reduce(bucket[0])
                continue
            flat = _flatten_dense_tensors(bucket)
            dist.all_reduce(flat)
            for grad, summed in zip(bucket, _unflatten_dense_tensors(flat, bucket)):
                grad.copy_(summed)

    def barrier(self) -> None:
        if self.size > 1:
            import torch.distributed as dist

            dist.barrier()

    def close(self) -> None:
        if self.size > 1:
            import torch.distributed as dist

            dist.destroy_process_group()


BUCKET_ELEMENTS = 1 << 24  # 16M values (64 MB in float32) per all-reduce at most


def _buckets(tensors: list[Any]) -> list[list[Any]]:
    """Consecutive groups of same-dtype, same-device tensors of at most BUCKET_ELEMENTS values
    (a larger tensor goes alone)."""
    buckets: list[list[Any]] = []
    current: list[Any] = []
    size = 0
    for tensor in tensors:
        if current and (size + tensor.numel() > BUCKET_ELEMENTS or tensor.dtype != current[0].dtype
                        or tensor.device != current[0].device):
            buckets.append(current)
            current, size = [], 0
        current.append(tensor)
        size += tensor.numel()
    if current:
        buckets.append(current)
    return buckets
