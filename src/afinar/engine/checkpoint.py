"""Checkpoints that make ``--resume`` end with exactly the weights of an uninterrupted run.

A checkpoint holds the trainable weights (safetensors), the optimizer and scheduler state and the
random-number state (``trainer.pt``, our own file, loaded with ``weights_only=True``), and
``state.json`` written last: a folder without it is an interrupted save and is ignored.

With sharded training (FSDP) every process calls ``save``: sharded tensors are gathered into whole
ones and only the main process (``write=True``) writes them, so the files are the same as a
single-process run's and ``load`` lays them out again for whatever sharding the loading run uses.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from afinar.engine import fsdp


def trainable_state(model: Any, keep: bool = True) -> dict[str, Any]:
    """The trainable weights, whole, on the CPU. Sharded ones are gathered one at a time (every
    process must call this); with ``keep=False`` a process only takes part and keeps nothing."""
    state = {}
    for name, p in model.named_parameters():
        if p.requires_grad:
            whole = fsdp.full(p.detach())
            if keep:
                state[name] = whole.cpu().contiguous()
    return state


def _whole_optimizer_state(optimizer: Any, keep: bool = True) -> dict[str, Any]:
    state = optimizer.state_dict()
    gathered = {}
    for index, values in state["state"].items():
        whole = {k: fsdp.full(v) if hasattr(v, "cpu") else v for k, v in values.items()}
        if keep:
            gathered[index] = {k: v.cpu() if hasattr(v, "cpu") else v for k, v in whole.items()}
    state["state"] = gathered
    return state


def save(folder: Path, model: Any, optimizer: Any, scheduler: Any, state: dict[str, Any],
         write: bool = True) -> None:
    import torch
    from safetensors.torch import save_file

    if not write and not any(fsdp.is_sharded(p) for p in model.parameters()):
        return  # nothing to gather: the main process has it all
    weights, optimizer_state = trainable_state(model, keep=write), _whole_optimizer_state(optimizer, keep=write)
    if not write:
        return
    tmp = folder.with_name(folder.name + ".partial")
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    save_file(weights, str(tmp / "trainable.safetensors"))
    torch.save({"optimizer": optimizer_state, "scheduler": scheduler.state_dict(),
                "rng": torch.get_rng_state()}, tmp / "trainer.pt")
    (tmp / "state.json").write_text(json.dumps(state, indent=2) + "\n", encoding="utf-8")
    if folder.exists():
        shutil.rmtree(folder)
    tmp.rename(folder)


def load_weights(folder: Path, model: Any) -> None:
    """Put a checkpoint's trainable weights into ``model`` (built the same way as when it trained)."""
    import torch
    from safetensors.torch import load_file

    weights = load_file(str(folder / "trainable.safetensors"))
    params = dict(model.named_parameters())
    missing = [name for name in weights if name not in params]
    if missing:
        raise ValueError(f"checkpoint {folder} does not match the model (unknown: {missing[:3]})")
    with torch.no_grad():
        for name, tensor in weights.items():
            param = params[name]
            param.copy_(fsdp.like(tensor.to(param.dtype), param))


def _laid_out_like_params(optimizer: Any, state: dict[str, Any]) -> dict[str, Any]:
    """A saved optimizer state (whole tensors) with each tensor laid out like its parameter: only
    this process's shard of a sharded one is put on the device, one tensor at a time."""
    params = [p for group in optimizer.param_groups for p in group["params"]]
    for index, values in state["state"].items():
        param = params[int(index)]
        if fsdp.is_sharded(param):
            for key, value in values.items():
                if key != "step" and hasattr(value, "shape") and value.shape == param.shape:
                    values[key] = fsdp.like(value, param)
    return state


def load(folder: Path, model: Any, optimizer: Any, scheduler: Any) -> dict[str, Any]:
    import torch

    load_weights(folder, model)
    trainer = torch.load(folder / "trainer.pt", weights_only=True)
    optimizer.load_state_dict(_laid_out_like_params(optimizer, trainer["optimizer"]))
    scheduler.load_state_dict(trainer["scheduler"])
    torch.set_rng_state(trainer["rng"])
    return json.loads((folder / "state.json").read_text(encoding="utf-8"))
