"""What the API and the web studio do, in one place: files, fine-tuning jobs, models, chat, embeddings.

Every method returns OpenAI-shaped dicts (the same objects the HTTP API sends), so the studio and
the API cannot drift apart. Errors are ``ApiError`` (HTTP status + translated message) or the
project's ``AfinarError``.

    service = Service()                       # AFINAR_HOME's database, one job worker
    service.start()                           # the background job worker
    f = service.upload_file(Path("train.jsonl"), "train.jsonl", purpose="fine-tune")
    job = service.create_job({"training_file": f["id"], "model": "smollm2-135m-instruct"})
    service.get_job(job["id"]); service.list_events(job["id"]); service.job_metrics(job["id"])
    for text in service.chat_stream(job_model, [{"role": "user", "content": "Hola"}]): ...
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from afinar.data.findings import summary
from afinar.jobs.store import Store, files_dir, new_id
from afinar.server import objects
from afinar.server.auth import ON_MACHINE, Caller
from afinar.server.errors import ApiError, ApiErrors, raise_all
from afinar.server.ownership import (
    check_base_model,
    check_knowledge_base,
    check_model_name,
    list_model_objects,
    model_visible,
)

PURPOSES = ("assistants", "assistants_output", "batch", "batch_output", "fine-tune", "fine-tune-results",
            "vision", "user_data")
JOB_SUFFIX = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class Service:
    """Every method takes the ``caller`` (default: the operator on this machine, who sees everything
    — the studio and the CLI); what belongs to another key answers 404, as if it did not exist."""

    def __init__(self, store: Store | None = None, *, workers: int = 1, max_models: int = 2,
                 start_worker: bool = True, allow_local_models: bool = False, max_pending: int | None = None):
        from afinar.jobs.runner import JobRunner
        from afinar.jobs.runs import adopt_once
        from afinar.serving import ModelPool
        from afinar.serving.engine import MAX_PENDING
        from afinar.tasks import job_tasks

        self.store = store or Store()
        adopt_once(self.store)  # runs from before runs were jobs are listed and recovered like the others
        self.runner = JobRunner(self.store, job_tasks(), parallel=workers)
        # folders are checked per caller before a name reaches the pool (the API: only with
        # --allow-local-models; the studio, the operator's, always)
        self.models = ModelPool(max_models, max_pending=max_pending or MAX_PENDING)
        self.allow_local_models = allow_local_models
        self._start_worker = start_worker

    def start(self) -> None:
        if self._start_worker:
            self.runner.start()

    def stop(self) -> None:
        self.models.close()
        self.runner.stop()

    # --- files ------------------------------------------------------------------------------
    def upload_file(self, path: Path, filename: str, purpose: str = "fine-tune", *, move: bool = False,
                    caller: Caller = ON_MACHINE) -> dict:
        """Store ``path`` as a new file; fine-tune files are validated and keep their findings."""
        if purpose not in PURPOSES:
            raise ApiError(400, "server.file.bad_purpose", param="purpose", purpose=purpose,
                           choices=", ".join(PURPOSES))
        file_id = new_id("file")
        dest = files_dir() / file_id
        dest.parent.mkdir(parents=True, exist_ok=True)
        (shutil.move if move else shutil.copyfile)(str(path), str(dest))
        record = {"id": file_id, "filename": safe_display_name(filename), "purpose": purpose,
                  "bytes": dest.stat().st_size, "created_at": int(time.time()), "status": "processed",
                  "status_details": None, "findings": None, "examples": None, "owner": caller.key_id}
        if purpose == "fine-tune":
            record.update(validate_upload(dest, record["filename"]))
        self.store.add_file(record)
        return objects.file_object(record)

    def file_record(self, file_id: str, caller: Caller = ON_MACHINE) -> dict:
        rec = self.store.get_file(file_id)
        if rec is None or not _mine(rec, caller):
            raise ApiError(404, "server.file.not_found", param="file_id", code="file_not_found", file_id=file_id)
        return rec

    def get_file(self, file_id: str, *, caller: Caller = ON_MACHINE) -> dict:
        return objects.file_object(self.file_record(file_id, caller))

    def file_path(self, file_id: str, *, caller: Caller = ON_MACHINE) -> Path:
        self.file_record(file_id, caller)
        return files_dir() / file_id

    def list_files(self, purpose: str | None = None, order: str = "desc", after: str | None = None,
                   limit: int = 10000, *, caller: Caller = ON_MACHINE) -> dict:
        items, more = self.store.list_files(purpose, order, after, limit, owner=caller.scope)
        return objects.page([objects.file_object(r) for r in items], more, with_ids=True)

    def delete_file(self, file_id: str, *, caller: Caller = ON_MACHINE) -> dict:
        self.file_record(file_id, caller)
        self.store.delete_file(file_id)
        (files_dir() / file_id).unlink(missing_ok=True)
        return {"id": file_id, "object": "file", "deleted": True}

    def file_findings(self, file_id: str, lang: str | None = None, *, caller: Caller = ON_MACHINE) -> list[dict]:
        """The validator's findings of an uploaded fine-tune file, with messages and hints in ``lang``."""
        from afinar.data.findings import Finding

        return [Finding(f["line"], f["code"], f["severity"], f.get("field"), f.get("params") or {}).to_dict(lang)
                for f in self.file_record(file_id, caller)["findings"] or []]

    # --- jobs -------------------------------------------------------------------------------
    def create_job(self, body: dict[str, Any], *, caller: Caller = ON_MACHINE) -> dict:
        """Every problem of the request is reported at once (one 400 listing them all)."""
        problems: list[ApiError] = []

        def check(fn: Any, *args: Any) -> Any:
            try:
                return fn(*args)
            except ApiErrors as err:
                problems.extend(err.errors)
            except ApiError as err:
                problems.append(err)
            return None

        model = body.get("model")
        if not isinstance(model, str) or not model.strip():
            problems.append(ApiError(400, "server.job.need_model", param="model"))
        else:
            check(check_base_model, self.store, model, caller, self.allow_local_models or caller.local_models)
        training = check(self._job_file, body, "training_file", caller)
        if training is not None and training["purpose"] != "fine-tune":
            problems.append(ApiError(400, "server.job.wrong_purpose", param="training_file",
                                     file_id=training["id"], purpose=training["purpose"]))
        validation = body.get("validation_file")
        if validation is not None:
            validation = (check(self._job_file, body, "validation_file", caller) or {}).get("id")
        hp = check(job_hyperparameters, body)
        suffix = check(_job_suffix, body.get("suffix"))
        seed = check(_job_seed, body.get("seed"))
        metadata = body.get("metadata")
        if metadata is not None and (not isinstance(metadata, dict) or len(metadata) > 16
                                     or not all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items())):
            problems.append(ApiError(400, "server.job.bad_metadata", param="metadata"))
        if body.get("integrations"):  # nothing to send them to: refused, not dropped
            problems.append(ApiError(400, "server.job.no_integrations", param="integrations"))
        raise_all(problems)
        from afinar.engine.modelid import new_job_id

        job = {"id": new_job_id(), "created_at": int(time.time()), "model": model,
               "training_file": training["id"], "validation_file": validation, "status": "validating_files",
               "request": body, "hyperparameters": hp, "suffix": suffix, "seed": seed, "metadata": metadata,
               "result_files": [], "owner": caller.key_id}
        self.store.add_job(job)
        self.store.add_event(job["id"], f"Validating training file: {training['id']}")
        if validation:
            self.store.add_event(job["id"], f"Validating validation file: {validation}")
        self.runner.wake()
        return self.get_job(job["id"])

    def submit_run(self, task: str, run_dir: Path, *, caller: Caller = ON_MACHINE) -> dict:
        """Queue a run whose folder is already written (the studio's classifiers, ``afinar train``):
        the job runner starts, follows and recovers it like an API job. Returns the Afinar job object."""
        from afinar.engine.rundir import RunDir
        from afinar.jobs.registry import run_job

        run = RunDir(Path(run_dir).resolve())
        job = run_job(task, run, "queued", lambda i: self.store.get_job(i) is not None,
                      self.runner.tasks[task].hyperparameters(run.read_config()), owner=caller.key_id)
        self.store.add_job(job)
        self.store.add_event(job["id"], f"Job queued: {task}, run folder {Path(run_dir).name}")
        self.runner.wake()
        return objects.afinar_job_object(self.job_record(job["id"], caller))

    def list_all_jobs(self, after: str | None = None, limit: int = 20, task: str | None = None, *,
                      caller: Caller = ON_MACHINE) -> dict:
        """Jobs of every task (or of ``task``), newest first, as Afinar job objects."""
        if task is not None and task not in self.runner.tasks:
            raise ApiError(400, "server.job.unknown_task", param="task", task=task,
                           tasks=", ".join(sorted(self.runner.tasks)))
        items, more = self.store.list_jobs(after, limit, owner=caller.scope, task=task)
        return objects.page([objects.afinar_job_object(j) for j in items], more)

    def get_any_job(self, job_id: str, *, caller: Caller = ON_MACHINE) -> dict:
        return objects.afinar_job_object(self.job_record(job_id, caller, task=None))

    def _job_file(self, body: dict[str, Any], field: str, caller: Caller) -> dict:
        """A file a job refers to; a missing one is a 400 on that parameter, as OpenAI answers."""
        file_id = _need_str(body, field)
        rec = self.store.get_file(file_id)
        if rec is None or not _mine(rec, caller):
            raise ApiError(400, "server.job.no_such_file", param=field, code=f"invalid_{field}", file_id=file_id,
                           field=field)
        return rec

    def job_record(self, job_id: str, caller: Caller = ON_MACHINE, task: str | None = None) -> dict:
        """A job of ``task`` (any task: None) the caller may see; else 404."""
        job = self.store.get_job(job_id)
        if job is None or not _mine(job, caller) or (task is not None and job["task"] != task):
            raise ApiError(404, "server.job.not_found", param="fine_tuning_job_id", code="job_not_found",
                           job_id=job_id)
        return job

    def get_job(self, job_id: str, *, caller: Caller = ON_MACHINE) -> dict:
        """OpenAI's fine-tuning job (chat jobs only, as OpenAI shows them)."""
        return objects.job_object(self.job_record(job_id, caller, task="chat"))

    def list_jobs(self, after: str | None = None, limit: int = 20, metadata: dict[str, str] | None = None, *,
                  caller: Caller = ON_MACHINE) -> dict:
        items, more = self.store.list_jobs(after, limit, metadata, owner=caller.scope, task="chat")
        return objects.page([objects.job_object(j) for j in items], more)

    def list_events(self, job_id: str, after: str | None = None, limit: int = 20, *,
                    caller: Caller = ON_MACHINE) -> dict:
        self.job_record(job_id, caller)
        items, more = self.store.list_events(job_id, after, limit)
        return objects.page([objects.event_object(e) for e in items], more)

    def list_checkpoints(self, job_id: str, after: str | None = None, limit: int = 10, *,
                         caller: Caller = ON_MACHINE) -> dict:
        job = self.job_record(job_id, caller)
        items = checkpoints_of(job)
        if after:
            ids = [c["id"] for c in items]
            items = items[ids.index(after) + 1:] if after in ids else items
        return objects.page(items[:limit], len(items) > limit, with_ids=True)

    def job_metrics(self, job_id: str) -> list[dict]:
        """Every metrics row the training wrote so far (train and validation), for live curves."""
        from afinar.engine.rundir import RunDir

        job = self.job_record(job_id)
        return RunDir(Path(job["run_dir"])).metrics() if job["run_dir"] else []

    def export_job(self, job_id: str, kind: str, quant: str = "q8_0", on_tensor: Any = None) -> Path:
        """The finished job's model as one downloadable file (``afinar export gguf|ollama|hf``; folders
        zipped), kept under AFINAR_HOME/exports/JOB_ID and reused by later downloads."""
        from afinar.paths import afinar_home
        from afinar.tasks.chat.export import KINDS, export_download

        if kind not in KINDS:
            raise ApiError(400, "server.job.export_bad_format", param="format", format=kind, choices=", ".join(KINDS))
        job = self.get_job(job_id)
        if job["status"] != "succeeded" or not job.get("fine_tuned_model"):
            raise ApiError(409, "server.job.export_not_done", param="fine_tuning_job_id", job_id=job_id,
                           status=job["status"])
        return export_download(job["fine_tuned_model"], kind, afinar_home() / "exports" / job_id, quant, on_tensor)

    def _view(self, job_id: str, task: str | None) -> dict:
        """OpenAI's job object on OpenAI's routes (``task="chat"``), Afinar's on Afinar's."""
        job = self.job_record(job_id)
        return objects.job_object(job) if task == "chat" else objects.afinar_job_object(job)

    def cancel_job(self, job_id: str, *, caller: Caller = ON_MACHINE, task: str | None = "chat") -> dict:
        job = self.job_record(job_id, caller, task)
        if job["status"] in ("succeeded", "failed", "cancelled"):
            raise ApiError(400, "server.job.cannot_cancel", param="fine_tuning_job_id", job_id=job_id,
                           status=job["status"])
        self.runner.cancel(job)
        return self._view(job_id, task)

    def pause_job(self, job_id: str, *, caller: Caller = ON_MACHINE, task: str | None = "chat") -> dict:
        job = self.job_record(job_id, caller, task)
        if not self.runner.can_pause(job):
            raise ApiError(400, "server.job.task_cannot_pause", param="fine_tuning_job_id", job_id=job_id,
                           task=job["task"])
        if job["status"] != "running":
            raise ApiError(400, "server.job.cannot_pause", param="fine_tuning_job_id", job_id=job_id,
                           status=job["status"])
        self.runner.pause(job)
        return self._view(job_id, task)

    def resume_job(self, job_id: str, *, caller: Caller = ON_MACHINE, task: str | None = "chat") -> dict:
        """A paused job, or a failed one that kept a checkpoint, is queued to continue from it (a failed
        indexing, whose re-run skips what it finished, needs none)."""
        job = self.job_record(job_id, caller, task)
        if job["status"] == "failed":
            if not self.runner.can_retry(job):
                raise ApiError(400, "server.job.no_checkpoint_to_resume", param="fine_tuning_job_id",
                               job_id=job_id)
            self.runner.retry(job)
        elif job["status"] == "paused":
            self.runner.resume(job)
        else:
            raise ApiError(400, "server.job.cannot_resume", param="fine_tuning_job_id", job_id=job_id,
                           status=job["status"])
        return self._view(job_id, task)

    # --- models -----------------------------------------------------------------------------
    def list_models(self, *, caller: Caller = ON_MACHINE) -> dict:
        return objects.page(list_model_objects(self.store, caller), False)

    def get_model(self, model_id: str, *, caller: Caller = ON_MACHINE) -> dict:
        for model in list_model_objects(self.store, caller):
            if model["id"] == model_id:
                return model
        from afinar.engine.modelid import split_checkpoint
        from afinar.jobs.runs import find_run

        base, step = split_checkpoint(model_id)
        if step is not None and model_visible(self.store, model_id, caller) and (run := find_run(base)) is not None \
                and (run / "checkpoints" / f"checkpoint-{step}" / "state.json").exists():
            return objects.model_object(model_id, int((run / "meta.json").stat().st_mtime), objects.ORGANIZATION)
        raise ApiError(404, "server.model.not_found", param="model", code="model_not_found", model=model_id)

    def delete_model(self, model_id: str, *, caller: Caller = ON_MACHINE) -> dict:
        from afinar.jobs.runs import find_run

        if not model_id.startswith("ft:") or ":ckpt-step-" in model_id:
            self.get_model(model_id, caller=caller)  # 404 when unknown
            raise ApiError(400, "server.model.only_fine_tuned", param="model", model=model_id)
        run = find_run(model_id)
        if run is None or not model_visible(self.store, model_id, caller) \
                or json.loads((run / "meta.json").read_text(encoding="utf-8")).get("status") == "deleted":
            raise ApiError(404, "server.model.not_found", param="model", code="model_not_found", model=model_id)
        self.models.evict(model_id)
        shutil.rmtree(run / "final", ignore_errors=True)
        shutil.rmtree(run / "checkpoints", ignore_errors=True)
        meta = json.loads((run / "meta.json").read_text(encoding="utf-8"))
        meta["status"], meta["deleted_at"] = "deleted", int(time.time())
        (run / "meta.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        return {"id": model_id, "object": "model", "deleted": True}

    def check_model_name(self, model: str, caller: Caller = ON_MACHINE) -> None:
        """Before chat or embeddings load ``model`` (see afinar.server.ownership)."""
        check_model_name(self.store, model, caller, self.allow_local_models)

    def check_knowledge_base(self, name: str, caller: Caller = ON_MACHINE) -> None:
        check_knowledge_base(name, caller)

    # --- chat -------------------------------------------------------------------------------
    def start_chat(self, model: str, messages: list[dict], **params: Any) -> Any:
        """One reply on the inference core: an iterable of text deltas (afinar.serving.Generation)."""
        return self.models.submit(model, messages, **params)

    def chat_stream(self, model: str, messages: list[dict], **params: Any) -> Iterator[str]:
        """Text deltas of one reply (the studio)."""
        yield from self.start_chat(model, messages, **params)


def _mine(record: dict[str, Any], caller: Caller) -> bool:
    return caller.scope is None or record.get("owner") == caller.scope


def _job_suffix(suffix: Any) -> str | None:
    """OpenAI allows up to 64 characters; they end up in the model id, so only letters, digits, - and _."""
    if suffix is not None and (not isinstance(suffix, str) or not JOB_SUFFIX.match(suffix)):
        raise ApiError(400, "server.job.bad_suffix", param="suffix")
    return suffix


def _job_seed(seed: Any) -> int:
    if seed is None:
        return secrets.randbelow(2**31)
    if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed <= 2**31 - 1:
        raise ApiError(400, "server.job.bad_seed", param="seed")
    return seed


# --- helpers shared with the worker and the API ----------------------------------------------
def safe_display_name(name: str) -> str:
    """The name shown for an upload: its last path component, printable, at most 255 characters.
    It is only ever displayed; the file on disk is named by its id."""
    base = (name or "upload").replace("\\", "/").split("/")[-1]
    cleaned = "".join(ch for ch in base if ch.isprintable()).strip() or "upload"
    return cleaned[:255]


def validate_upload(path: Path, filename: str) -> dict[str, Any]:
    """Validate a fine-tune upload as chat data, or as preference data when it looks like it (DPO
    jobs); errors make the file status ``error`` with a summary."""
    from afinar.data.validate import ValidateOptions, infer_task, validate

    task = "preference" if infer_task(path) == "preference" else "chat"
    report = validate(path, ValidateOptions(task=task, min_examples=1))
    findings = [{"line": f.line, "code": f.code, "severity": f.severity, "field": f.field,
                 "params": _jsonable(f.params)} for f in report.sorted_findings()]
    out: dict[str, Any] = {"findings": findings, "examples": report.examples}
    if not report.valid:
        out["status"] = "error"
        out["status_details"] = summary(report.errors, filename, "en")
    return out


def _jsonable(params: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(params, default=str))


def _need_str(body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value:
        raise ApiError(400, "server.missing_field", param=key, field=key)
    return value


def job_hyperparameters(body: dict[str, Any]) -> dict[str, Any]:
    """``method.supervised.hyperparameters`` or ``method.dpo.hyperparameters`` (or the deprecated
    top-level ``hyperparameters``); every bad value is reported, together. A DPO job's values hold
    ``beta`` (``auto``: 0.1), which is how its record says it is one."""
    method, hp = body.get("method"), body.get("hyperparameters")
    kind = "supervised"
    if method is not None:
        kind = method.get("type", "supervised") if isinstance(method, dict) else method
        if kind not in ("supervised", "dpo"):
            raise ApiError(400, "server.job.unsupported_method", param="method.type", method=str(kind)[:100])
        section = method.get(kind)
        if section is not None and not isinstance(section, dict):
            raise ApiError(400, "server.job.not_an_object", param=f"method.{kind}", field=f"method.{kind}")
        inner = (section or {}).get("hyperparameters")
        if inner is not None and not isinstance(inner, dict):
            raise ApiError(400, "server.job.not_an_object", param=f"method.{kind}.hyperparameters",
                           field=f"method.{kind}.hyperparameters")
        hp = inner or hp
    if hp is not None and not isinstance(hp, dict):
        raise ApiError(400, "server.job.not_an_object", param="hyperparameters", field="hyperparameters")
    hp = hp or {}
    from afinar.tasks.chat.config import (
        DPO_NAMES,
        OPENAI_NAMES,
        hyperparameter_problems,
    )

    names = DPO_NAMES if kind == "dpo" else OPENAI_NAMES
    problems = [ApiError(400, "server.job.unknown_hyperparameter", param=f"hyperparameters.{name}",
                         name=str(name)[:100], choices=", ".join(names))
                for name in sorted(set(hp) - set(names))]
    given = {name: ("auto" if hp.get(name) is None else hp[name]) for name in names}
    if kind == "dpo" and given["beta"] == "auto":  # before the checks: the schema's beta is a number
        given["beta"] = DPO_DEFAULT_BETA
    problems += [ApiError(400, "server.job.bad_hyperparameter", param=f"hyperparameters.{p.field}", name=p.field,
                          problem=p) for p in hyperparameter_problems(given, names)]
    number = {"learning_rate_multiplier": float, "beta": float}
    out = {name: value if value == "auto" else number.get(name, int)(value)
           for name, value in given.items()} if not problems else {}
    raise_all(problems)
    return out


DPO_DEFAULT_BETA = 0.1  # OpenAI's default


def checkpoints_of(job: dict[str, Any]) -> list[dict[str, Any]]:
    """The job's kept checkpoints, newest first, as OpenAI checkpoint objects (they are models too)."""
    from afinar.engine.modelid import checkpoint_model_id, model_id
    from afinar.engine.rundir import RunDir

    if not job.get("run_dir") or not Path(job["run_dir"]).is_dir():
        return []
    run = RunDir(Path(job["run_dir"]))
    by_step: dict[int, dict[str, Any]] = {}
    for row in run.metrics():
        by_step.setdefault(int(row["step"]), {}).update(row)
    ft = job.get("fine_tuned_model") or run.read_meta().get("model_id") or model_id(job["model"], job["id"], job["suffix"])
    out = []
    for folder in reversed(run.checkpoints()):
        step = int(folder.name.split("-")[-1])
        row = by_step.get(step, {})
        metrics = {"step": float(step)}
        for key in ("train_loss", "train_mean_token_accuracy", "valid_loss", "valid_mean_token_accuracy"):
            if isinstance(row.get(key), (int, float)):
                metrics[key] = float(row[key])
        out.append({"object": "fine_tuning.job.checkpoint", "id": f"ftckpt-{job['id'].removeprefix('ftjob-')}-{step}",
                    "created_at": int((folder / "state.json").stat().st_mtime),
                    "fine_tuned_model_checkpoint": checkpoint_model_id(ft, step), "step_number": step,
                    "metrics": metrics, "fine_tuning_job_id": job["id"]})
    return out
