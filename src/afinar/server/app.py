"""The OpenAI-compatible HTTP API (FastAPI): ``/v1`` for programs (``afinar.app`` mounts the web
studio beside it at ``/``; neither imports the other).

Shapes, field names and status codes follow OpenAI's specification (a copy lives in the tests'
fixtures and every test response is validated against it). Run it with ``afinar serve``.
"""

from __future__ import annotations

import tempfile
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, File, Form, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from afinar import __version__, i18n
from afinar.errors import AfinarError
from afinar.jobs.store import files_dir
from afinar.server import answers
from afinar.server.auth import ApiKey, Caller, KeyCheck, caller_of, identify
from afinar.server.errors import (
    ApiError,
    error_body,
    request_lang,
    validation_error_body,
)
from afinar.server.guard import CatchAll, RequestGuard
from afinar.server.protocol import (
    JobCreateRequest,
)
from afinar.server.service import Service

MB = 1024 * 1024
LOOPBACK = ("127.0.0.1", "localhost", "::1")
Who = Annotated[Caller, Depends(caller_of)]  # the caller of a request (see afinar.server.auth)


@dataclass
class Settings:
    host: str = "127.0.0.1"
    port: int = 8000
    api_keys: list[str] = field(default_factory=list)  # plain keys (AFINAR_API_KEY, an admin) ...
    keys: list[ApiKey] = field(default_factory=list)  # ... and the hashed keys of `afinar keys create`
    require_key: bool = False
    allowed_hosts: list[str] = field(default_factory=list)  # Host names besides IPs, localhost, --host
    allow_local_models: bool = False  # may a request name a folder of this machine as a model?
    max_upload_bytes: int = 512 * MB
    workers: int = 1
    max_models: int = 2
    max_queue: int = 64  # chat requests in progress or waiting per model; beyond, 429
    max_body_bytes: int = 32 * MB  # a JSON request body (uploads have max_upload_bytes)
    cors_origins: list[str] = field(default_factory=list)
    studio: bool = True  # afinar.app mounts the studio at / (afinar serve --no-studio: the API alone)


def create_app(settings: Settings | None = None, service: Service | None = None) -> FastAPI:
    settings = settings or Settings()
    service = service or Service(workers=settings.workers, max_models=settings.max_models,
                                 allow_local_models=settings.allow_local_models, max_pending=settings.max_queue)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        service.start()
        yield
        service.stop()

    app = FastAPI(title="Afinar", version=__version__, lifespan=lifespan,
                  description="Local, OpenAI-compatible fine-tuning API: files, fine-tuning jobs, models, "
                              "chat completions and embeddings.")
    app.state.service, app.state.settings = service, settings
    _install_errors(app)
    _install_middleware(app, settings)
    @app.get("/health")
    def health() -> dict[str, Any]:
        return {"status": "ok", "version": __version__, "models_loaded": service.models.loaded(),
                "requests_in_progress": service.models.in_progress()}

    # --- files ----------------------------------------------------------------------------
    @app.post("/v1/files")
    async def create_file(request: Request, file: Annotated[UploadFile, File()],
                          purpose: Annotated[str, Form()], caller: Who) -> JSONResponse:
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > settings.max_upload_bytes + MB:
            raise ApiError(413, "server.file.too_large", param="file", limit=settings.max_upload_bytes // MB)
        files_dir().mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=files_dir(), prefix=".upload-", delete=False) as tmp:
            size = 0
            try:
                while chunk := await file.read(MB):
                    size += len(chunk)
                    if size > settings.max_upload_bytes:
                        raise ApiError(413, "server.file.too_large", param="file",
                                       limit=settings.max_upload_bytes // MB)
                    tmp.write(chunk)
            except BaseException:
                tmp.close()
                Path(tmp.name).unlink(missing_ok=True)
                raise
        try:
            obj = await run_in_threadpool(service.upload_file, Path(tmp.name), file.filename or "upload",
                                          purpose, move=True, caller=caller)
        finally:
            Path(tmp.name).unlink(missing_ok=True)
        return JSONResponse(obj)

    @app.get("/v1/files")
    def list_files(caller: Who, purpose: str | None = None, limit: int = Query(10000, ge=1, le=10000),
                   order: Literal["asc", "desc"] = "desc", after: str | None = None) -> dict:
        return service.list_files(purpose, order, after, limit, caller=caller)

    @app.get("/v1/files/{file_id}")
    def retrieve_file(file_id: str, caller: Who) -> dict:
        return service.get_file(file_id, caller=caller)

    @app.delete("/v1/files/{file_id}")
    def delete_file(file_id: str, caller: Who) -> dict:
        return service.delete_file(file_id, caller=caller)

    @app.get("/v1/files/{file_id}/content")
    def file_content(file_id: str, caller: Who) -> FileResponse:
        return FileResponse(service.file_path(file_id, caller=caller), media_type="application/octet-stream")

    @app.get("/v1/files/{file_id}/findings")
    def file_findings(file_id: str, request: Request, caller: Who) -> dict:
        """Afinar's own: the validator's findings of a fine-tune upload (line, code, message, hint)."""
        lang = request_lang(request.headers.get("accept-language"))
        return {"object": "list", "data": service.file_findings(file_id, lang, caller=caller)}

    # --- fine-tuning jobs -----------------------------------------------------------------
    @app.post("/v1/fine_tuning/jobs")
    def create_job(body: JobCreateRequest, caller: Who) -> dict:
        return service.create_job(body.model_dump(exclude_unset=True), caller=caller)

    @app.get("/v1/fine_tuning/jobs")
    def list_jobs(request: Request, caller: Who, after: str | None = None,
                  limit: int = Query(20, ge=1, le=1000)) -> dict:
        metadata = {k[len("metadata["):-1]: v for k, v in request.query_params.items()
                    if k.startswith("metadata[") and k.endswith("]")}
        return service.list_jobs(after, limit, metadata or None, caller=caller)

    @app.get("/v1/fine_tuning/jobs/{job_id}")
    def retrieve_job(job_id: str, caller: Who) -> dict:
        return service.get_job(job_id, caller=caller)

    @app.post("/v1/fine_tuning/jobs/{job_id}/cancel")
    def cancel_job(job_id: str, caller: Who) -> dict:
        return service.cancel_job(job_id, caller=caller)

    @app.post("/v1/fine_tuning/jobs/{job_id}/pause")
    def pause_job(job_id: str, caller: Who) -> dict:
        return service.pause_job(job_id, caller=caller)

    @app.post("/v1/fine_tuning/jobs/{job_id}/resume")
    def resume_job(job_id: str, caller: Who) -> dict:
        """A paused job continues; a failed one continues from its last checkpoint."""
        return service.resume_job(job_id, caller=caller)

    @app.get("/v1/fine_tuning/jobs/{job_id}/events")
    def list_events(job_id: str, caller: Who, after: str | None = None,
                    limit: int = Query(20, ge=1, le=1000)) -> dict:
        return service.list_events(job_id, after, limit, caller=caller)

    @app.get("/v1/fine_tuning/jobs/{job_id}/checkpoints")
    def list_checkpoints(job_id: str, caller: Who, after: str | None = None,
                         limit: int = Query(10, ge=1, le=1000)) -> dict:
        return service.list_checkpoints(job_id, after, limit, caller=caller)

    # --- Afinar's jobs of every task (docs/serve.md) -----------------------------------------
    @app.get("/v1/afinar/jobs")
    def list_all_jobs(caller: Who, after: str | None = None, limit: int = Query(20, ge=1, le=1000),
                      task: str | None = None) -> dict:
        """Jobs of every task (chat, text-classification, image-classification), newest first."""
        return service.list_all_jobs(after, limit, task, caller=caller)

    @app.get("/v1/afinar/jobs/{job_id}")
    def retrieve_any_job(job_id: str, caller: Who) -> dict:
        return service.get_any_job(job_id, caller=caller)

    @app.post("/v1/afinar/jobs/{job_id}/{action}")
    def control_any_job(job_id: str, action: Literal["cancel", "pause", "resume"], caller: Who) -> dict:
        do = {"cancel": service.cancel_job, "pause": service.pause_job, "resume": service.resume_job}[action]
        return do(job_id, caller=caller, task=None)

    @app.get("/v1/afinar/jobs/{job_id}/events")
    def list_any_events(job_id: str, caller: Who, after: str | None = None,
                        limit: int = Query(20, ge=1, le=1000)) -> dict:
        return service.list_events(job_id, after, limit, caller=caller)

    # --- models (ids contain colons and arrive unescaped) ----------------------------------
    @app.get("/v1/fine_tuning/jobs/{job_id}/export")
    def export_job(job_id: str, format: str = "gguf", quant: str = "q8_0") -> FileResponse:
        """Afinar's own endpoint: the finished job's model as GGUF, an Ollama zip or a merged HF zip."""
        path = service.export_job(job_id, format, quant)
        return FileResponse(path, media_type="application/octet-stream", filename=path.name)

    @app.get("/v1/models")
    def list_models(caller: Who) -> dict:
        return service.list_models(caller=caller)

    @app.get("/v1/models/{model:path}")
    def retrieve_model(model: str, caller: Who) -> dict:
        return service.get_model(model, caller=caller)

    @app.delete("/v1/models/{model:path}")
    def delete_model(model: str, caller: Who) -> dict:
        return service.delete_model(model, caller=caller)

    # --- chat, embeddings, knowledge bases (afinar.server.answers) -------------------------
    answers.install(app, service)

    return app


# --- errors, middleware ---------------------------------------------------------------------
def _install_errors(app: FastAPI) -> None:
    def lang_of(request: Request) -> str:
        return request_lang(request.headers.get("accept-language"))

    @app.exception_handler(ApiError)
    async def api_error(request: Request, err: ApiError) -> JSONResponse:
        return JSONResponse(err.body(lang_of(request)), status_code=err.status, headers=err.headers)

    @app.exception_handler(AfinarError)
    async def afinar_error(request: Request, err: AfinarError) -> JSONResponse:
        lang = lang_of(request)
        hint = err.hint(lang)
        message = err.message(lang) + (f" {hint}" if hint else "")
        return JSONResponse(error_body(400, message, None, err.key), status_code=400)

    @app.exception_handler(RequestValidationError)
    async def bad_body(request: Request, err: RequestValidationError) -> JSONResponse:
        return JSONResponse(validation_error_body(err.errors(), lang_of(request)), status_code=400)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, err: StarletteHTTPException) -> JSONResponse:
        key = {404: "server.no_route", 405: "server.bad_method"}.get(err.status_code)
        message = i18n.t(key, lang_of(request), path=request.url.path) if key else str(err.detail)
        return JSONResponse(error_body(err.status_code, message), status_code=err.status_code)


def key_matches(given: str, settings: Settings) -> bool:
    """Whether ``given`` is one of the configured keys (compared in constant time)."""
    return identify(given, settings.api_keys, settings.keys) is not None


def _install_middleware(app: FastAPI, settings: Settings) -> None:
    """From the inside out: the key check, CORS, the Host/Origin guard, and the last-resort 500."""
    if settings.require_key:
        app.add_middleware(KeyCheck, plain_keys=settings.api_keys, hashed=settings.keys)
    if settings.cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["*"],
                           allow_headers=["*"])
    app.add_middleware(RequestGuard, bound_host=settings.host, allowed_hosts=settings.allowed_hosts,
                       cors_origins=settings.cors_origins, max_body_bytes=settings.max_body_bytes,
                       max_upload_bytes=settings.max_upload_bytes)
    app.add_middleware(CatchAll)
