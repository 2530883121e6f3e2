"""Models and chat for the studio when it runs without the server (``python -m afinar.studio``).

``LocalBackend`` offers the part of ``afinar.server.service.Service`` the Playground and Modelos
pages use — ``list_models``, ``chat_stream``, ``delete_model`` — on the library directly, with the
same return shapes (OpenAI's list object ``{"object": "list", "data": [...]}``). With the server,
the service itself is used and this module is not.
"""

from __future__ import annotations

import json
import queue
import shutil
import threading
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

from afinar.errors import AfinarError

# Models kept loaded for the Playground (base and fine-tuned side by side).
MAX_LOADED = 2


def items(listing: Any) -> list[dict]:
    """The rows of a list object (or a plain list)."""
    return list(listing["data"] if isinstance(listing, dict) else listing)


def backend_for(service: Any) -> Any:
    return service if service is not None else LocalBackend()


def fine_tuned_runs() -> list[tuple[str, Any, dict]]:
    """(model id, run folder, meta) of every finished chat run, newest first."""
    from afinar.engine.modelid import finished_chat_runs

    return finished_chat_runs()


class LocalBackend:
    def __init__(self) -> None:
        self._loaded: OrderedDict[str, tuple[Any, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def list_models(self) -> dict:
        from afinar.models import cache

        data = [{"id": folder.name.replace("--", "/"), "object": "model", "created": int(folder.stat().st_mtime),
                 "owned_by": str(manifest.get("source") or "afinar")} for folder, manifest in cache.local_models()]
        data += [{"id": model_id, "object": "model", "created": meta.get("finished_at") or 0, "owned_by": "afinar"}
                 for model_id, _, meta in fine_tuned_runs()]
        return {"object": "list", "data": data}

    def delete_model(self, model_id: str) -> dict:
        from afinar.engine.modelid import find_run

        run = find_run(model_id) if model_id.startswith("ft:") else None
        if run is None:
            raise AfinarError("studio.models.not_fine_tuned", model=model_id)
        with self._lock:
            self._loaded.pop(model_id, None)
        shutil.rmtree(run / "final", ignore_errors=True)
        shutil.rmtree(run / "checkpoints", ignore_errors=True)
        meta_path = run / "meta.json"
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        meta["status"] = "deleted"
        meta_path.write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        return {"id": model_id, "object": "model", "deleted": True}

    def _model(self, spec: str) -> tuple[Any, Any]:
        from afinar.tasks.chat.predict import load

        if spec in self._loaded:
            self._loaded.move_to_end(spec)
            return self._loaded[spec]
        model, tokenizer, _ = load(spec)
        self._loaded[spec] = (model, tokenizer)
        while len(self._loaded) > MAX_LOADED:
            self._loaded.popitem(last=False)
        return model, tokenizer

    def chat_stream(self, model: str, messages: list[dict], **params: Any) -> Iterator[str]:
        """Text deltas of one reply, generated in a thread (one generation at a time)."""
        from afinar.tasks.chat.predict import generate

        deltas: queue.Queue = queue.Queue()
        done = object()
        failure: list[BaseException] = []

        def work() -> None:
            try:
                with self._lock:
                    llm, tokenizer = self._model(model)
                    generate(llm, tokenizer, messages, max_new_tokens=int(params.get("max_tokens") or 256),
                             temperature=float(params.get("temperature") or 0.0), on_text=deltas.put)
            except BaseException as err:  # noqa: BLE001 - re-raised in the caller's thread below
                failure.append(err)
            finally:
                deltas.put(done)

        threading.Thread(target=work, daemon=True).start()
        while (item := deltas.get()) is not done:
            yield item
        if failure:
            raise failure[0]
