"""Checkpoints that make ``--resume`` end with exactly the weights of an uninterrupted run.

A checkpoint holds the trainable weights (safetensors), the optimizer and scheduler state and the
random-number state (``trainer.pt``, our own file, loaded with ``weights_only=True``), and
``state.json`` written last: a folder without it is an interrupted save and is ignored.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any


def trainable_state(model: Any) -> dict[str, Any]:
    return {name: p.detach().cpu().contiguous() for name, p in model.named_parameters() if p.requires_grad}


def save(folder: Path, model: Any, optimizer: Any, scheduler: Any, state: dict[str, Any]) -> None:
    import torch
    from safetensors.torch import save_file

    tmp = folder.with_name(folder.name + ".partial")
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    save_file(trainable_state(model), str(tmp / "trainable.safetensors"))
    torch.save({"optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict(),
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
            params[name].copy_(tensor.to(params[name].dtype))


def load(folder: Path, model: Any, optimizer: Any, scheduler: Any) -> dict[str, Any]:
    import torch

    load_weights(folder, model)
    trainer = torch.load(folder / "trainer.pt", weights_only=True)
    optimizer.load_state_dict(trainer["optimizer"])
    scheduler.load_state_dict(trainer["scheduler"])
    torch.set_rng_state(trainer["rng"])
    return json.loads((folder / "state.json").read_text(encoding="utf-8"))
