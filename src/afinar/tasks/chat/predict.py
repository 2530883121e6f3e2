"""Chatting with a model: a catalog base, a hub id, a local folder, a run directory, or an
``ft:`` model id (``:ckpt-step-N`` for a checkpoint). Generation uses the model's chat template."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from afinar.engine import checkpoint
from afinar.engine.modelid import split_checkpoint
from afinar.jobs.runs import find_run
from afinar.errors import AfinarError
from afinar.tasks.chat import modeling
from afinar.tasks.chat.config import ADAPTER_METHODS
from afinar.tasks.chat.data import CHATML_TEMPLATE


@dataclass
class Target:
    name: str
    base_path: str
    run_dir: Path | None = None
    checkpoint_step: int | None = None
    system_prompt: str | None = None  # the training data's shared system prompt, for an ft: model


def training_system_prompt(spec: str) -> str | None:
    """The system prompt every training example of ``spec`` started with (None for bases, for
    models trained without one, and for unknown names). Never loads or downloads anything."""
    try:
        run_folder = (Path(spec).expanduser() / "meta.json").is_file()
    except (OSError, ValueError):  # not a path this system can have
        run_folder = False
    if not spec.startswith("ft:") and not run_folder:
        return None  # a base model: no training data, and nothing to resolve
    try:
        return locate(spec).system_prompt
    except AfinarError:
        return None


def locate(spec: str) -> Target:
    """Where the weights of ``spec`` are; raises AfinarError with the choices when it is unknown."""
    if spec.startswith("ft:"):
        model, step = split_checkpoint(spec)
        run_dir = find_run(model)
        if run_dir is None:
            raise AfinarError("chat.model.unknown_ft", model=spec)
        return _from_run(run_dir, spec, step)
    path = Path(spec).expanduser()
    if (path / "meta.json").is_file() and (path / "config.yaml").is_file():
        return _from_run(path, spec, None)
    from afinar import models

    return Target(spec, str(models.resolve(spec)))


def _from_run(run_dir: Path, spec: str, step: int | None) -> Target:
    meta = json.loads((run_dir / "meta.json").read_text(encoding="utf-8"))
    if meta.get("status") == "deleted":
        raise AfinarError("chat.model.deleted", model=spec)
    if step is None and meta.get("status") != "succeeded":
        raise AfinarError("chat.model.not_finished", model=spec, status=meta.get("status"))
    if step is not None and not (run_dir / "checkpoints" / f"checkpoint-{step}" / "state.json").exists():
        raise AfinarError("chat.model.no_checkpoint", model=spec, step=step)
    return Target(meta.get("model_id", spec), meta["base_path"], run_dir, step, meta.get("system_prompt"))


def load(spec: str) -> tuple[Any, Any, Target]:
    """(model ready for generation, tokenizer, where it came from)."""
    import warnings

    import yaml

    warnings.filterwarnings("ignore", category=FutureWarning, module=r"(transformers|peft)\.")
    target = locate(spec)
    device, dtype = modeling.pick_device()
    if target.run_dir is None:
        tokenizer, _ = modeling.load_tokenizer(target.base_path)
        model = modeling.load_model(target.base_path, dtype, device)
    else:
        cfg = yaml.safe_load((target.run_dir / "config.yaml").read_text(encoding="utf-8"))
        tokenizer, _ = modeling.load_tokenizer(target.run_dir / "final" if target.checkpoint_step is None
                                               else target.base_path)
        model = _load_run_model(target, cfg, dtype, device)
    model.eval()
    # the packed-rows kernel is for training; answers use plain SDPA, which transformers' continuous
    # batching (afinar.serving) also accepts
    model.set_attn_implementation("sdpa")
    return model, tokenizer, target


def _load_run_model(target: Target, cfg: dict, dtype: Any, device: Any) -> Any:
    final = target.run_dir / "final"
    if target.checkpoint_step is not None:
        model = modeling.load_model(target.base_path, dtype, device)
        if cfg["method"] in ADAPTER_METHODS:
            model = modeling.add_lora(model, cfg["lora_r"], cfg["lora_alpha"], cfg["lora_dropout"])
        checkpoint.load_weights(target.run_dir / "checkpoints" / f"checkpoint-{target.checkpoint_step}", model)
        return model.merge_and_unload() if cfg["method"] in ADAPTER_METHODS else model
    if cfg["method"] in ADAPTER_METHODS:
        from peft import PeftModel

        base = modeling.load_model(target.base_path, dtype, device)
        return PeftModel.from_pretrained(base, str(final)).merge_and_unload()
    return modeling.load_model(final, dtype, device)


def generate(model: Any, tokenizer: Any, messages: list[dict], max_new_tokens: int = 256,
             temperature: float = 0.0, top_p: float = 1.0, seed: int | None = None,
             on_text: Callable[[str], None] | None = None, stop: list[str] | None = None,
             repetition_penalty: float = 1.0) -> dict[str, Any]:
    """Generate one reply. Greedy when temperature is 0. ``on_text`` receives text as it streams.
    No repetition penalty by default (as OpenAI's API): on small fine-tunes 1.1 made answers
    avoid the question's own words and invent others (docs/benchmarks.md, "Does it learn?").
    Returns {"text", "prompt_tokens", "completion_tokens", "finish_reason"}."""
    import torch

    if seed is not None:
        torch.manual_seed(seed)
    prompt = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    inputs = tokenizer(prompt, return_tensors="pt", add_special_tokens=False).to(model.device)
    kwargs: dict[str, Any] = {"max_new_tokens": max_new_tokens, "repetition_penalty": repetition_penalty,
                              "pad_token_id": tokenizer.pad_token_id or tokenizer.eos_token_id}
    if temperature > 0:
        kwargs.update(do_sample=True, temperature=temperature, top_p=top_p)
    else:
        kwargs.update(do_sample=False)
    stop = list(stop or [])
    if tokenizer.chat_template == CHATML_TEMPLATE and "<|im_end|>" not in tokenizer.get_vocab():
        stop.append("<|im_end|>")  # ChatML fallback on a base whose vocabulary lacks the marker
    if stop:
        kwargs["stop_strings"], kwargs["tokenizer"] = stop, tokenizer
    if on_text is not None:
        from transformers import TextStreamer

        class _Stream(TextStreamer):
            def on_finalized_text(self, text: str, stream_end: bool = False) -> None:
                if text:
                    on_text(text)

        kwargs["streamer"] = _Stream(tokenizer, skip_prompt=True, skip_special_tokens=True)
    with torch.no_grad():
        out = model.generate(**inputs, **kwargs)
    new = out[0, inputs["input_ids"].shape[1]:]
    text = tokenizer.decode(new, skip_special_tokens=True)
    finished = bool(len(new)) and int(new[-1]) in _eos_ids(model, tokenizer)
    for marker in stop:
        if text.endswith(marker):
            text, finished = text[: -len(marker)], True
    return {"text": text.strip(), "prompt_tokens": int(inputs["input_ids"].shape[1]),
            "completion_tokens": len(new), "finish_reason": "stop" if finished else "length"}


def _eos_ids(model: Any, tokenizer: Any) -> set[int]:
    ids = model.generation_config.eos_token_id
    found = set(ids if isinstance(ids, list) else [ids] if ids is not None else [])
    if tokenizer.eos_token_id is not None:
        found.add(tokenizer.eos_token_id)
    return found
