"""The Hugging Face folder of ``afinar export hf``: merged safetensors (or the PEFT adapter), the
base's config and generation config, and a model card.

Merged tensors keep the dtype the base stores them in (float32 for any other) and are written in
shards of at most ``SHARD_BYTES`` with the standard index, each tensor by tensor: memory stays near
one tensor.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from afinar.engine.card import HUB_LICENSES, base_hub_id, front_matter
from afinar.tasks.chat.weights import PEFT_PREFIX, Merged

SHARD_BYTES = 2 << 30
DTYPES = {"F32": "float32", "F16": "float16", "BF16": "bfloat16"}
BYTES = {"F32": 4, "F16": 2, "BF16": 2}


def _shards(merged: Merged) -> dict[str, int]:
    """Tensor name -> shard number, filling each shard up to SHARD_BYTES in file order."""
    out, shard, used = {}, 0, 0
    for name, (shape, dtype) in merged.shapes().items():
        size = BYTES.get(dtype, 4)
        for dim in shape:
            size *= dim
        if used and used + size > SHARD_BYTES:
            shard, used = shard + 1, 0
        out[name], used = shard, used + size
    return out


def write_merged(merged: Merged, folder: Path, on_tensor: Any = None) -> None:
    """The merged weights as safetensors shards, each written tensor by tensor (``SafetensorsStream``):
    memory stays near one tensor, whatever the size of the model or of a shard."""
    import torch

    from afinar.tasks.chat.safetensors_stream import SafetensorsStream

    shapes = {name: (shape, dtype if dtype in DTYPES else "F32") for name, (shape, dtype) in merged.shapes().items()}
    shards = _shards(merged)
    count = max(shards.values()) + 1
    names = [f"model-{i + 1:05d}-of-{count:05d}.safetensors" for i in range(count)] if count > 1 \
        else ["model.safetensors"]
    done = 0
    for shard, file_name in enumerate(names):
        members = {name: shapes[name] for name, where in shards.items() if where == shard}
        with SafetensorsStream(folder / file_name, members, metadata={"format": "pt"}) as out:
            for name, tensor in merged.tensors(out.order, as_stored=True):
                out.write(name, tensor.to(getattr(torch, DTYPES[shapes[name][1]])))
                del tensor
                done += 1
                if on_tensor is not None:
                    on_tensor(done, len(shapes))
    if count > 1:
        index = {"metadata": {}, "weight_map": {n: names[s] for n, s in shards.items()}}
        (folder / "model.safetensors.index.json").write_text(json.dumps(index, indent=2) + "\n", encoding="utf-8")
    config = {k: v for k, v in merged.config.items() if k != "quantization_config"}
    (folder / "config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    generation = merged.weights_dir / "generation_config.json"
    base_generation = Path(merged.meta.get("base_path", "")) / "generation_config.json"
    for source in (generation, base_generation):
        if source.is_file():
            shutil.copyfile(source, folder / "generation_config.json")
            break


def write_adapter(merged: Merged, folder: Path) -> None:
    """The PEFT adapter: a finished run's own files, or a checkpoint's LoRA written the same way."""
    final = merged.run.final_dir
    if merged.step is None:
        for name in ("adapter_config.json", "adapter_model.safetensors"):
            shutil.copyfile(final / name, folder / name)
        return
    from peft import LoraConfig
    from safetensors.torch import save_file

    weights = {}
    for module, (a, b) in merged.lora.items():
        weights[f"{PEFT_PREFIX}{module}.lora_A.weight"] = a.contiguous()
        weights[f"{PEFT_PREFIX}{module}.lora_B.weight"] = b.contiguous()
    save_file(weights, str(folder / "adapter_model.safetensors"), metadata={"format": "pt"})
    targets = sorted({module.rsplit(".", 1)[-1] for module in merged.lora})
    config = LoraConfig(r=int(merged.cfg["lora_r"]), lora_alpha=merged.cfg["lora_alpha"],
                        lora_dropout=float(merged.cfg.get("lora_dropout", 0.0)), target_modules=targets,
                        task_type="CAUSAL_LM", bias="none",
                        base_model_name_or_path=str(merged.meta.get("base_model") or ""))
    config.save_pretrained(str(folder))


def write_card(merged: Merged, folder: Path, adapter_only: bool) -> None:
    """README.md: Hugging Face metadata, then the run's own card (data, hyperparameters, results)."""
    license_name = str(merged.meta.get("base_license") or "").lower()
    header: dict[str, Any] = {"license": license_name if license_name in HUB_LICENSES else "other"}
    hub = base_hub_id(merged.meta)
    if hub:
        header["base_model"] = hub
    method = str(merged.cfg.get("method", ""))
    header.update({"library_name": "peft" if adapter_only else "transformers", "pipeline_tag": "text-generation",
                   "tags": ["afinar", "dpo" if method.startswith("dpo") else "sft", method, "chat"]})
    run_card = merged.run.path / "README.md"
    body = run_card.read_text(encoding="utf-8") if run_card.is_file() else f"# {merged.model_id}\n"
    if body.startswith("---\n"):
        body = body.split("\n---\n", 1)[-1].lstrip("\n")
    what = (f"the PEFT adapter of `{merged.model_id}`" if adapter_only
            else f"`{merged.model_id}` with its adapter merged into the base")
    if merged.step is not None:
        what += f" (checkpoint at step {merged.step})"
    use = ["## Load it", "", f"This folder holds {what}.", "", "```python",
           "from transformers import AutoModelForCausalLM, AutoTokenizer", ""]
    if adapter_only:
        use += ["from peft import PeftModel", "",
                f"base = AutoModelForCausalLM.from_pretrained({str(merged.meta.get('base_model'))!r})",
                "model = PeftModel.from_pretrained(base, \"THIS_FOLDER\")"]
    else:
        use += ["model = AutoModelForCausalLM.from_pretrained(\"THIS_FOLDER\")"]
    use += ["tokenizer = AutoTokenizer.from_pretrained(\"THIS_FOLDER\")", "```", ""]
    system = merged.meta.get("system_prompt")
    if not adapter_only:
        afinar_chat = "afinar chat -m THIS_FOLDER" + (" --system '...'" if system else "")
        use += [f"vLLM: `vllm serve THIS_FOLDER`; Afinar: `{afinar_chat}`.", ""]
    if system:  # a plain folder carries no training data: the caller passes the prompt it learned with
        use += ["Every training conversation started with this system message; start yours with it too:",
                "", "```text", system, "```", ""]
    (folder / "README.md").write_text(front_matter(header) + "\n" + "\n".join(use) + "\n" + body, encoding="utf-8")
