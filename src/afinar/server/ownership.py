"""Who may see and use which model, and which names a request may use as a model at all.

- Base models (catalog names, pulled or imported models in the cache) are shared by every caller.
- An ``ft:`` model (and its ``:ckpt-step-N`` checkpoints) belongs to the key whose job trained it
  (``ft:BASE:afinar:SUFFIX:JOB`` names the job); models trained outside the API (``afinar train``,
  the studio) belong to the operator. Knowledge bases are made with the CLI or the studio, so they
  are the operator's too. A key that is not an admin gets a 404 for what is not its own.
- A folder of the server's machine is a model only when the server runs with
  ``--allow-local-models``; otherwise a path is refused with the same answer whether it exists or
  not, so a caller cannot probe the disk.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from afinar.jobs.store import Store
from afinar.server import objects
from afinar.server.auth import OPERATOR, Caller
from afinar.server.errors import ApiError


def looks_like_path(name: str) -> bool:
    """Anything that names a place on disk rather than a model: absolute, relative, home, Windows."""
    return name.startswith(("/", ".", "~", "\\")) or "\\" in name or name.count("/") > 1 or ".." in name \
        or (len(name) > 1 and name[1] == ":")


def job_of_model(model_id: str) -> str | None:
    """``ft:BASE:afinar:SUFFIX:HEX[:ckpt-step-N]`` → ``ftjob-HEX``."""
    from afinar.jobs.runs import job_id_of

    return job_id_of(model_id)


def model_visible(store: Store, model_id: str, caller: Caller = OPERATOR) -> bool:
    if caller.scope is None:
        return True
    if model_id.startswith("rag:"):
        return False
    job_id = job_of_model(model_id)
    if job_id is None:
        return True  # a shared base
    job = store.get_job(job_id)
    return job is not None and job.get("owner") == caller.scope


def check_local_model(model: str, allow_local: bool, param: str = "model") -> None:
    """A path is a model only with --allow-local-models, and then it must be an absolute model folder."""
    if not allow_local:
        raise ApiError(400, "server.model.local_refused", param=param, code="model_not_found", model=model[:200])
    from afinar.errors import AfinarError
    from afinar.models.resolver import check_local_folder

    if not Path(model).expanduser().is_absolute():
        raise ApiError(400, "server.model.local_not_absolute", param=param, code="model_not_found", model=model)
    try:
        check_local_folder(Path(model))
    except AfinarError as err:
        raise ApiError(400, "server.model.local_bad", param=param, code="model_not_found", model=model,
                       reason=err.message()) from err


def check_model_name(store: Store, model: str, caller: Caller, allow_local: bool) -> None:
    """Before chat or embeddings load ``model``: a path or another key's model never gets that far."""
    if looks_like_path(model):
        check_local_model(model, allow_local)
    elif not model_visible(store, model, caller):
        raise ApiError(404, "server.model.not_found", param="model", code="model_not_found", model=model)


def check_knowledge_base(name: str, caller: Caller) -> None:
    if caller.scope is not None:
        raise ApiError(404, "server.rag.not_yours", param="model", code="model_not_found", name=name)


def check_base_model(store: Store, model: str, caller: Caller, allow_local: bool) -> None:
    """A job's base: a catalog name, a model in the cache (pulled or imported), one's own ``ft:``
    model or checkpoint (the job continues from its weights), or — with --allow-local-models — an
    absolute model folder. Nothing is downloaded for a request."""
    from afinar.models import cache, catalog

    if looks_like_path(model):
        return check_local_model(model, allow_local)
    if model.startswith("ft:"):  # continued fine-tuning, from one's own finished model or checkpoint
        from afinar.errors import AfinarError
        from afinar.tasks.chat.continued import source_meta

        if not model_visible(store, model, caller):
            raise ApiError(400, "server.job.unknown_model", param="model", code="model_not_found", model=model,
                           choices=catalog.offline_choices())
        try:
            source_meta(model)
        except AfinarError as err:
            raise ApiError(400, "server.job.bad_ft_base", param="model", code="model_not_found", model=model,
                           reason=err) from err
        return None
    if catalog.find(model) is not None or cache.is_ready(model):
        return None
    raise ApiError(400, "server.job.unknown_model", param="model", code="model_not_found", model=model,
                   choices=catalog.offline_choices())


def list_model_objects(store: Store, caller: Caller = OPERATOR) -> list[dict[str, Any]]:
    """What the API can serve, oldest first: cached chat and embedding bases (owned by their
    source; image backbones are not served), knowledge bases and fine-tuned models (owned by us,
    the caller's own). Each says its ``task`` (Afinar's extension field): ``chat``, ``embedding``
    or ``rag``, so a client (or the studio) offers each model only where it fits."""
    from afinar.jobs.runs import finished_chat_runs
    from afinar.models import cache
    from afinar.serving.resolve import kind_of_folder

    out = []
    for folder, manifest in cache.local_models():
        task = kind_of_folder(folder, manifest)
        if task is None:
            continue
        created = int(folder.stat().st_mtime)
        out.append(objects.model_object(folder.name.replace("--", "/"), created,
                                        str(manifest.get("source") or "afinar"), task))
    if caller.scope is None:
        try:  # knowledge bases answer as chat models too: model="rag:NAME" (or "rag:NAME:CHAT_MODEL")
            from afinar.rag.store import list_names, rag_dir

            for name in list_names():
                out.append(objects.model_object(f"rag:{name}", int((rag_dir() / name).stat().st_mtime), "afinar",
                                                "rag"))
        except ImportError:
            pass
    for model_id, _, meta in reversed(finished_chat_runs()):
        if model_visible(store, model_id, caller):
            out.append(objects.model_object(model_id, meta.get("finished_at") or meta.get("created_at", 0),
                                            objects.ORGANIZATION, "chat"))
    return out
