"""A chat fine-tune's weights, merged and read one tensor at a time (for ``afinar export``).

What is exported is a finished run (``ft:`` id or run folder) or one of its checkpoints
(``ft:…:ckpt-step-N``). Its weights are the base model's safetensors plus, for LoRA and QLoRA,
the adapter folded in as ``W + scale · B @ A`` (``scale = alpha / r``, or ``alpha / √r`` with
rsLoRA) — the same sum PEFT's ``merge_and_unload`` computes, written here so that only one base
tensor is in memory at a time (PEFT's merge needs the whole model loaded). A full fine-tune's
weights are its own ``final/`` folder, or the base with a checkpoint's trained tensors put in place.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from afinar.engine.rundir import RunDir
from afinar.errors import AfinarError
from afinar.tasks.chat.config import ADAPTER_METHODS

PEFT_PREFIX = "base_model.model."


@dataclass
class Merged:
    """An exportable chat fine-tune: where its tensors come from and how to merge them."""

    spec: str
    model_id: str
    run: RunDir
    meta: dict[str, Any]
    cfg: dict[str, Any]
    weights_dir: Path  # the folder whose safetensors hold the (base) weights
    config: dict[str, Any]  # its config.json
    step: int | None = None
    lora: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # module -> (A, B)
    overrides: dict[str, Any] = field(default_factory=dict)  # tensor name -> trained tensor
    scale: float = 1.0

    @property
    def adapter(self) -> bool:
        return self.cfg.get("method") in ADAPTER_METHODS

    def tensor_files(self) -> dict[str, Path]:
        """Tensor name -> the safetensors file that holds it, in the files' own order."""
        return _tensor_files(self.weights_dir)

    def _by_file(self) -> dict[Path, list[str]]:
        """The tensor names of each safetensors file (each file is opened once)."""
        by_file: dict[Path, list[str]] = {}
        for name, path in self.tensor_files().items():
            by_file.setdefault(path, []).append(name)
        return by_file

    def shapes(self) -> dict[str, tuple[tuple[int, ...], str]]:
        """Tensor name -> (shape, safetensors dtype), without reading any tensor."""
        from safetensors import safe_open

        out: dict[str, tuple[tuple[int, ...], str]] = {}
        for path, names in self._by_file().items():
            with safe_open(str(path), framework="pt") as fh:
                for name in names:
                    piece = fh.get_slice(name)
                    out[name] = (tuple(piece.get_shape()), piece.get_dtype())
        return out

    def tensors(self, names: Iterable[str] | None = None, *, as_stored: bool = False) -> Iterator[tuple[str, Any]]:
        """(name, merged float32 tensor) for ``names`` (default: every tensor, in file order), one at a
        time. With ``as_stored``, a tensor nothing is merged into keeps the dtype it is stored in
        (no float32 copy of it). Each tensor is read with its own short-lived ``safe_open``: a file
        mapping kept open across the loop would keep every page read so far resident (the whole
        model, in the end)."""
        import torch
        from safetensors import safe_open

        files = self.tensor_files()
        for name in files if names is None else names:
            tensor = self.overrides.get(name)
            if tensor is None:
                with safe_open(str(files[name]), framework="pt") as fh:
                    tensor = fh.get_tensor(name)
            pair = self.lora.get(name.removesuffix(".weight"))
            if pair is not None:
                a, b = pair
                delta = (b.to(torch.float32) @ a.to(torch.float32)).mul_(self.scale)
                tensor = tensor.to(torch.float32) + delta  # W + scale · B @ A
                del delta
            elif not as_stored:
                tensor = tensor.to(torch.float32)  # a copy, unless stored in float32
            yield name, tensor
            del tensor


def _tensor_files(folder: Path) -> dict[str, Path]:
    index = folder / "model.safetensors.index.json"
    if index.is_file():
        weight_map = json.loads(index.read_text(encoding="utf-8"))["weight_map"]
        return {name: folder / file for name, file in weight_map.items()}
    single = folder / "model.safetensors"
    if not single.is_file():
        raise AfinarError("chat.export.no_weights", path=str(folder))
    from safetensors import safe_open

    with safe_open(str(single), framework="pt") as fh:
        return {name: single for name in fh.keys()}  # noqa: SIM118 (safe_open has no __iter__)


def open_merged(spec: str) -> Merged:
    """The fine-tune ``spec`` names, ready to be read tensor by tensor; AfinarError when ``spec`` is
    not a finished (or checkpointed) chat fine-tune."""
    import yaml

    from afinar.tasks.chat.predict import locate

    target = _locate_run(spec, locate)
    run = RunDir(target.run_dir)
    meta = run.read_meta()
    cfg = yaml.safe_load(run.config_path.read_text(encoding="utf-8"))
    base = Path(target.base_path)
    merged = Merged(spec, target.name, run, meta, cfg, base, _config(base), target.checkpoint_step)
    if target.checkpoint_step is not None:
        _load_checkpoint(merged, run.checkpoint_dir(target.checkpoint_step))
    elif merged.adapter:
        _load_adapter(merged, run.final_dir)
    else:
        merged.weights_dir, merged.config = run.final_dir, _config(run.final_dir)
    return merged


def _locate_run(spec: str, locate: Any) -> Any:
    """predict.locate for ``ft:`` ids and run folders, plus ``RUN/checkpoints/checkpoint-N`` folders;
    anything else (a base model, a classifier run) is refused."""
    from afinar.tasks.chat.predict import _from_run

    if spec.startswith("ft:"):
        target = locate(spec)
        _check_chat(target.run_dir, spec)
        return target
    path = Path(spec).expanduser()
    if (path / "state.json").is_file() and path.parent.name == "checkpoints" and path.name.startswith("checkpoint-"):
        run_dir, step = path.parent.parent, path.name.removeprefix("checkpoint-")
        if (run_dir / "meta.json").is_file() and step.isdigit():
            _check_chat(run_dir, spec)
            return _from_run(run_dir, spec, int(step))
    if not (path / "meta.json").is_file():
        raise AfinarError("chat.export.not_finetune", model=spec)
    _check_chat(path, spec)
    return locate(spec)


def _check_chat(run_dir: Path, spec: str) -> None:
    task = RunDir(run_dir).read_meta().get("task", "chat")
    if task != "chat":
        raise AfinarError("chat.export.not_chat", model=spec, task=task)


def _config(folder: Path) -> dict[str, Any]:
    path = folder / "config.json"
    if not path.is_file():
        raise AfinarError("chat.export.no_weights", path=str(folder))
    return json.loads(path.read_text(encoding="utf-8"))


def _lora_scale(r: int, alpha: float, rslora: bool) -> float:
    return alpha / math.sqrt(r) if rslora else alpha / r


def _load_adapter(merged: Merged, folder: Path) -> None:
    from safetensors.torch import load_file

    config = json.loads((folder / "adapter_config.json").read_text(encoding="utf-8"))
    if config.get("use_dora") or config.get("modules_to_save"):
        raise AfinarError("chat.export.adapter_unsupported", path=str(folder))
    merged.scale = _lora_scale(int(config["r"]), float(config["lora_alpha"]), bool(config.get("use_rslora")))
    _split_lora(merged, load_file(str(folder / "adapter_model.safetensors")), str(folder))


def _load_checkpoint(merged: Merged, folder: Path) -> None:
    from safetensors.torch import load_file

    weights = load_file(str(folder / "trainable.safetensors"))
    if merged.adapter:
        merged.scale = _lora_scale(int(merged.cfg["lora_r"]), float(merged.cfg["lora_alpha"]), False)
        _split_lora(merged, weights, str(folder))
        return
    known = merged.tensor_files()
    for name, tensor in weights.items():
        bare = name.removeprefix(PEFT_PREFIX)
        if bare not in known:
            raise AfinarError("chat.export.adapter_unsupported", path=str(folder))
        merged.overrides[bare] = tensor


def _split_lora(merged: Merged, weights: dict[str, Any], where: str) -> None:
    """``base_model.model.X.lora_A[.default].weight`` -> ``lora[X] = (A, B)``; anything else is refused
    (a trained tensor we would otherwise drop silently)."""
    halves: dict[str, dict[str, Any]] = {}
    for name, tensor in weights.items():
        bare = name.removeprefix(PEFT_PREFIX).replace(".default.", ".")
        for part in ("lora_A", "lora_B"):
            suffix = f".{part}.weight"
            if bare.endswith(suffix):
                halves.setdefault(bare[: -len(suffix)], {})[part] = tensor
                break
        else:
            raise AfinarError("chat.export.adapter_unsupported", path=where)
    known = merged.tensor_files()
    for module, pair in halves.items():
        if set(pair) != {"lora_A", "lora_B"} or f"{module}.weight" not in known:
            raise AfinarError("chat.export.adapter_unsupported", path=where)
        merged.lora[module] = (pair["lora_A"], pair["lora_B"])
