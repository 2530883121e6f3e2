"""Models and chat for the studio when it runs without the server (``python -m afinar.studio``).

``LocalBackend`` offers the part of ``afinar.server.service.Service`` the Playground and Modelos
pages use — ``list_models``, ``chat_stream``, ``delete_model`` — on the library directly, with the
same return shapes (OpenAI's list object ``{"object": "list", "data": [...]}``). With the server,
the service itself is used and this module is not.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from typing import Any

from afinar.errors import AfinarError


def items(listing: Any) -> list[dict]:
    """The rows of a list object (or a plain list)."""
    return list(listing["data"] if isinstance(listing, dict) else listing)


def backend_for(service: Any) -> Any:
    return service if service is not None else LocalBackend()


def fine_tuned_runs() -> list[tuple[str, Any, dict]]:
    """(model id, run folder, meta) of every finished chat run, newest first."""
    from afinar.jobs.runs import finished_chat_runs

    return finished_chat_runs()


class LocalBackend:
    """Answers come from the inference core's shared pool (afinar.serving.default_pool)."""

    def list_models(self) -> dict:
        """As the API's /v1/models: each model with its ``task`` (chat or embedding; image backbones
        are not listed: nothing here answers with them)."""
        from afinar.models import cache
        from afinar.serving.resolve import kind_of_folder

        data = [{"id": folder.name.replace("--", "/"), "object": "model", "created": int(folder.stat().st_mtime),
                 "owned_by": str(manifest.get("source") or "afinar"), "task": task}
                for folder, manifest in cache.local_models()
                if (task := kind_of_folder(folder, manifest)) is not None]
        data += [{"id": model_id, "object": "model", "created": meta.get("finished_at") or 0, "owned_by": "afinar",
                  "task": "chat"} for model_id, _, meta in fine_tuned_runs()]
        return {"object": "list", "data": data}

    def delete_model(self, model_id: str) -> dict:
        from afinar.jobs.runs import find_run

        run = find_run(model_id) if model_id.startswith("ft:") else None
        if run is None:
            raise AfinarError("studio.models.not_fine_tuned", model=model_id)
        from afinar.serving import default_pool

        default_pool().evict(model_id)
        shutil.rmtree(run / "final", ignore_errors=True)
        shutil.rmtree(run / "checkpoints", ignore_errors=True)
        meta_path = run / "meta.json"
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        meta["status"] = "deleted"
        meta_path.write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        return {"id": model_id, "object": "model", "deleted": True}

    def start_chat(self, model: str, messages: list[dict], **params: Any) -> Any:
        """One reply: an iterable of text deltas (afinar.serving.Generation)."""
        from afinar.serving import default_pool

        return default_pool().submit(model, messages, **params)

    def chat_stream(self, model: str, messages: list[dict], **params: Any) -> Iterator[str]:
        """Text deltas of one reply."""
        yield from self.start_chat(model, messages, **params)
