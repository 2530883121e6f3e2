"""Model-card metadata in Hugging Face's format, shared by the classification tasks: YAML between
``---`` lines (license, base_model, pipeline_tag, tags, metrics and a model-index with the
validation results), then each task's own Markdown."""

from __future__ import annotations

from typing import Any

import yaml

HUB_PREFIX = "https://huggingface.co/"
HUB_LICENSES = {"mit", "apache-2.0", "bsd-3-clause", "cc-by-4.0"}
MACRO_METRICS = (("accuracy", "Accuracy"), ("precision", "Precision (macro)"), ("recall", "Recall (macro)"),
                 ("f1", "F1 (macro)"))


def base_hub_id(meta: dict[str, Any]) -> str | None:
    """The hub id of the base model when one is known: recorded in the run, in its license's URL
    (classifier runs), or found in the catalog by the base's name (a chat run records only the
    license's name)."""
    if meta.get("base_hub_id"):
        return meta["base_hub_id"]
    given = meta.get("base_license")
    url = (given.get("url") or "") if isinstance(given, dict) else ""
    name = meta.get("root_base") or meta.get("base_model")
    if not url and isinstance(name, str) and name:
        from afinar.models import license_of

        url = getattr(license_of(name), "url", "") or ""
    return url[len(HUB_PREFIX):] if url.startswith(HUB_PREFIX) else None


def license_id(meta: dict[str, Any]) -> str:
    """The Hub's license id of the base ("BSD-3-Clause (torchvision weights)" -> bsd-3-clause), else other."""
    name = ((meta.get("base_license") or {}).get("name") or "").split(" ")[0].lower()
    return name if name in HUB_LICENSES else "other"


def front_matter(data: dict[str, Any]) -> str:
    return "---\n" + yaml.safe_dump(data, sort_keys=False, allow_unicode=True) + "---\n"


def classification_metadata(meta: dict[str, Any], final: dict[str, Any], *, task: str, task_name: str,
                            library: str, tags: list[str], default_name: str) -> dict[str, Any]:
    """The card's metadata for a classifier whose validation metrics are ``final``."""
    data: dict[str, Any] = {"license": license_id(meta)}
    hub = base_hub_id(meta)
    if hub:
        data["base_model"] = hub
    data.update({
        "pipeline_tag": task,
        "library_name": library,
        "tags": tags,
        "metrics": [key for key, _ in MACRO_METRICS],
        "model-index": [{
            "name": meta.get("model_id", default_name),
            "results": [{
                "task": {"type": task, "name": task_name},
                "dataset": {"type": "custom", "name": meta.get("data_name", "custom"), "split": "validation"},
                "metrics": [{"type": key, "value": round(final[key], 4), "name": name} for key, name in MACRO_METRICS],
            }],
        }],
    })
    return data


def package_version(package: str, fallback: str) -> str:
    """The installed version of ``package`` (for a Space's requirements and sdk_version), else ``fallback``."""
    from importlib import metadata

    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return fallback
