"""Data parallelism for the training loops, through torch.distributed (launched by torchrun).

Each process takes its share of every step's examples and computes the loss summed over its tokens.
The loss module is wrapped in torch's ``DistributedDataParallel``, which all-reduces the gradients
in buckets while backward is still running. DDP averages over the processes; the loop divides its
loss by the global token count and multiplies it by the number of processes (exact in floating point
for powers of two), so the update is the single-process one up to the order of float additions.
Every process must run one forward/backward per step: one with no examples in a step runs a
zero-weighted pass on a borrowed example (the same rule as the sharded path, ``engine/fsdp.py``).
Only the main process writes metrics, events, checkpoints and the final model. With one process
every method is a no-op, so the loop reads the same either way.
"""

from __future__ import annotations

import os
from collections.abc import Callable
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

    def data_parallel(self, model: Any, forward: Callable[[Any], Any], device: Any) -> Callable[[Any], Any]:
        """``forward(batch)`` (the training loss of ``model``) through DistributedDataParallel, so that
        backward all-reduces the gradients; ``forward`` itself when there is one process.

        No broadcast of the weights at the start (``init_sync=False``): every process builds the same
        weights from the same files and seed (and a resumed run loads the same checkpoint), and a
        broadcast of a whole base model would cost more than the training step. No buffer broadcast
        before each forward either (rotary tables are computed, not trained)."""
        if self.size == 1:
            return forward
        from torch.nn.parallel import DistributedDataParallel

        from afinar.engine.fsdp import loss_module

        module = loss_module(model, lambda _inner, batch: forward(batch))
        ids = [device.index if device.index is not None else int(os.environ.get("LOCAL_RANK", "0"))] \
            if device.type == "cuda" else None
        return DistributedDataParallel(module, device_ids=ids, init_sync=False, broadcast_buffers=False)

    def barrier(self) -> None:
        if self.size > 1:
            import torch.distributed as dist

            dist.barrier()

    def close(self) -> None:
        if self.size > 1:
            import torch.distributed as dist

            dist.destroy_process_group()
