"""Which models this machine has, and what each is for — without loading or downloading anything.

An answer never triggers a download: a request may name a base already in the model cache (pulled
with ``afinar models pull`` or the studio's Modelos page, or imported), an ``ft:`` model or one of
its ``:ckpt-step-N`` checkpoints, a run folder, or — where the caller allows paths — a model
folder. Anything else is :class:`ModelUnavailable` with the list of what is available; a chat
model asked for embeddings (or the reverse) is :class:`WrongKind` with the models that fit.
"""

from __future__ import annotations

import json
from pathlib import Path

from afinar.errors import AfinarError

CHAT, EMBEDDING = "chat", "embedding"
SHOWN = 12  # ids listed in an error message (the full list is GET /v1/models)


_NONE = AfinarError("serving.none_yet")  # a parameter that is shown in the message's own language


class ModelUnavailable(AfinarError):
    """Not here (or, with ``reason``, here but not usable: deleted, not finished)."""

    def __init__(self, model: str, available: list[str], reason: AfinarError | None = None):
        self.available = available
        shown = ", ".join(available[:SHOWN]) + (" …" if len(available) > SHOWN else "")
        if reason is not None:
            super().__init__("serving.model.unusable", model=model, available=shown or _NONE, reason=reason)
        else:
            super().__init__("serving.model.unavailable", model=model, available=shown or _NONE)


class WrongKind(AfinarError):
    def __init__(self, model: str, kind: str, wanted: str, fits: list[str]):
        self.fits = fits
        shown = ", ".join(fits[:SHOWN]) or _NONE
        super().__init__(f"serving.model.not_{wanted}", model=model, kind=kind, fits=shown)


def kind_of_folder(folder: Path, manifest: dict | None = None) -> str | None:
    """``chat`` for a causal LM, ``embedding`` for a sentence encoder, None for anything else."""
    tasks = list((manifest or {}).get("tasks") or [])
    if CHAT in tasks:
        return CHAT
    if EMBEDDING in tasks or "text-classification" in tasks:
        return EMBEDDING
    try:
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    architectures = [str(a) for a in config.get("architectures") or []]
    if any(a.endswith(("ForCausalLM", "ForConditionalGeneration")) for a in architectures):
        return CHAT
    if any(a.endswith(("Model", "ForMaskedLM")) for a in architectures) or config.get("model_type") in (
            "bert", "xlm-roberta", "roberta", "distilbert", "mpnet"):
        return EMBEDDING
    return None


def cached_models() -> dict[str, str]:
    """Every ready model in the cache, by id, with its kind (chat or embedding)."""
    from afinar.models import cache

    found = {}
    for folder, manifest in cache.local_models():
        kind = kind_of_folder(folder, manifest)
        if kind is not None:
            found[folder.name.replace("--", "/")] = kind
    return found


def available(kind: str | None = None) -> list[str]:
    """Model ids a request may use now (cached bases, then finished ``ft:`` models)."""
    from afinar.jobs.runs import finished_chat_runs

    ids = [name for name, k in cached_models().items() if kind in (None, k)]
    if kind in (None, CHAT):
        ids += [model_id for model_id, _, _ in finished_chat_runs()]
    return ids


def _is_run_folder(path: Path) -> bool:
    return (path / "meta.json").is_file() and (path / "config.yaml").is_file()


def resolve(spec: str, kind: str = CHAT, *, allow_paths: bool = True) -> str:
    """``spec`` checked against what this machine has, for a model of ``kind``; returns the spec to
    load. Raises ModelUnavailable (not here) or WrongKind (here, but for something else)."""
    from afinar.models import cache

    spec = spec.strip()
    if spec.startswith("ft:"):
        from afinar.tasks.chat.predict import locate

        try:
            locate(spec)
        except AfinarError as err:
            reason = None if err.key == "chat.model.unknown_ft" else err  # deleted, not finished, no checkpoint
            raise ModelUnavailable(spec, available(kind), reason) from err
        return _check_kind(spec, CHAT, kind)
    try:
        ready = bool(spec) and cache.is_ready(spec)
    except (OSError, ValueError):
        ready = False
    if ready:
        folder = cache.model_dir(spec)
        return _check_kind(spec, kind_of_folder(folder, cache.read_manifest(folder)), kind)
    if allow_paths and spec.startswith(("/", ".", "~")) or (allow_paths and Path(spec).expanduser().is_dir()):
        path = Path(spec).expanduser()
        if _is_run_folder(path):
            return _check_kind(spec, CHAT, kind)
        if (path / "config.json").is_file():
            return _check_kind(spec, kind_of_folder(path), kind)
    raise ModelUnavailable(spec, available(kind))


def _check_kind(spec: str, found: str | None, wanted: str) -> str:
    if found != wanted:
        raise WrongKind(spec, found or "?", wanted, available(wanted))
    return spec
