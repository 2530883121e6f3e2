"""The OpenAI-compatible HTTP API (FastAPI): ``/v1`` for programs, ``/`` for the web studio.

Shapes, field names and status codes follow OpenAI's specification (a copy lives in the tests'
fixtures and every test response is validated against it). Run it with ``afinar serve``.
"""

from __future__ import annotations

import base64
import json
import secrets
import tempfile
import time
from collections.abc import Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, File, Form, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from afinar import __version__, i18n
from afinar.errors import AfinarError
from afinar.server.auth import ApiKey, Caller, KeyCheck, caller_of, identify
from afinar.server.errors import (
    ApiError,
    error_body,
    request_lang,
    validation_error_body,
)
from afinar.server.guard import CatchAll, RequestGuard
from afinar.server.protocol import (
    ChatCompletionRequest,
    EmbeddingRequest,
    JobCreateRequest,
    RagSearchRequest,
)
from afinar.server.service import Service
from afinar.server.store import files_dir

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
    cors_origins: list[str] = field(default_factory=list)
    studio: bool = True


def create_app(settings: Settings | None = None, service: Service | None = None) -> FastAPI:
    settings = settings or Settings()
    service = service or Service(workers=settings.workers, max_models=settings.max_models,
                                 allow_local_models=settings.allow_local_models)

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
        return {"status": "ok", "version": __version__, "models_loaded": service.models.loaded()}

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

    # --- models (ids contain colons and arrive unescaped) ----------------------------------
    @app.get("/v1/fine_tuning/jobs/{job_id}/export")
    def export_job(job_id: str, format: str = "gguf", quant: str = "q8_0") -> FileResponse:  # noqa: A002
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

    # --- chat and embeddings --------------------------------------------------------------
    @app.post("/v1/chat/completions", response_model=None)
    def chat_completions(body: ChatCompletionRequest, request: Request,
                         caller: Who) -> JSONResponse | StreamingResponse:
        lang = request_lang(request.headers.get("accept-language"))
        return _chat(service, body, lang, caller)

    @app.post("/v1/rag/{name}/search")
    def rag_search(name: str, body: RagSearchRequest, request: Request, caller: Who) -> dict:
        """Afinar's own: the chunks of knowledge base NAME nearest to ``query`` (score, source, chunk, text)."""
        from afinar import rag

        lang = request_lang(request.headers.get("accept-language"))
        service.check_knowledge_base(name, caller)
        try:
            hits = rag.search(name, body.query, body.k)
        except AfinarError as err:
            raise ApiError(404, "server.rag.unknown", param="name", code="knowledge_base_not_found", name=name,
                           reason=err.message(lang)) from err
        return {"object": "list", "data": [h.as_dict() for h in hits]}

    @app.post("/v1/embeddings")
    def embeddings(body: EmbeddingRequest, request: Request, caller: Who) -> dict:
        service.check_model_name(body.model, caller)
        return _embeddings(body, request_lang(request.headers.get("accept-language")))

    if settings.studio:
        _mount_studio(app, service, settings)
    return app


# --- chat -----------------------------------------------------------------------------------
RAG_PREFIX = "rag:"


def _chat(service: Service, body: ChatCompletionRequest, lang: str,
          caller: Caller) -> JSONResponse | StreamingResponse:
    messages = [m.model_dump(exclude_none=True) for m in body.messages]
    if body.system_prompt == "training" and not any(m["role"] in ("system", "developer") for m in messages):
        from afinar.tasks.chat.predict import training_system_prompt

        system = training_system_prompt(body.model)
        messages = ([{"role": "system", "content": system}] if system else []) + messages
    stop = [body.stop] if isinstance(body.stop, str) else list(body.stop or [])
    if len(stop) > 4:
        raise ApiError(400, "server.chat.too_many_stops", param="stop")
    params = {"max_tokens": body.max_completion_tokens or body.max_tokens, "temperature": body.temperature,
              "top_p": body.top_p, "seed": body.seed, "stop": stop}
    if body.model.startswith(RAG_PREFIX):
        return _rag_chat(service, body, messages, params, lang, caller)
    service.check_model_name(body.model, caller)
    try:
        service.models.get(body.model)  # load now, so an unknown model is a 404, not a broken stream
    except AfinarError as err:
        raise ApiError(404, "server.model.unavailable", param="model", code="model_not_found",
                       model=body.model, reason=err.message(lang)) from err
    completion_id, created, n = "chatcmpl-" + secrets.token_hex(12), int(time.time()), body.n or 1
    if body.stream:
        usage = bool(body.stream_options and body.stream_options.include_usage)
        return StreamingResponse(_sse(service, body.model, messages, params, completion_id, created, n, usage),
                                 media_type="text/event-stream", headers={"Cache-Control": "no-cache"})
    choices, prompt_tokens, completion_tokens = [], 0, 0
    for index in range(n):
        seed = None if params["seed"] is None else params["seed"] + index
        result = service.models.generate(body.model, messages, **{**params, "seed": seed})
        prompt_tokens = result["prompt_tokens"]
        completion_tokens += result["completion_tokens"]
        choices.append({"index": index, "message": {"role": "assistant", "content": result["text"], "refusal": None},
                        "finish_reason": result["finish_reason"], "logprobs": None})
    return JSONResponse({"id": completion_id, "object": "chat.completion", "created": created, "model": body.model,
                         "choices": choices,
                         "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                                   "total_tokens": prompt_tokens + completion_tokens}})


def sse_chunk(completion_id: str, created: int, model: str, choices: list[dict], **extra: Any) -> str:
    """One server-sent event carrying a ``chat.completion.chunk``."""
    payload = {"id": completion_id, "object": "chat.completion.chunk", "created": created, "model": model,
               "choices": choices, **extra}
    return f"data: {json.dumps(payload, ensure_ascii=False)}\n\n"


def _sse(service: Service, model: str, messages: list[dict], params: dict[str, Any], completion_id: str,
         created: int, n: int, include_usage: bool) -> Iterator[str]:
    def chunk(choices: list[dict], **extra: Any) -> str:
        return sse_chunk(completion_id, created, model, choices, **extra)

    prompt_tokens = completion_tokens = 0
    try:
        for index in range(n):
            yield chunk([{"index": index, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}])
            seed = None if params["seed"] is None else params["seed"] + index
            for item in service.models.stream(model, messages, **{**params, "seed": seed}):
                if isinstance(item, str):
                    yield chunk([{"index": index, "delta": {"content": item}, "finish_reason": None}])
                else:
                    prompt_tokens = item["prompt_tokens"]
                    completion_tokens += item["completion_tokens"]
                    yield chunk([{"index": index, "delta": {}, "finish_reason": item["finish_reason"]}])
        if include_usage:
            yield chunk([], usage={"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                                   "total_tokens": prompt_tokens + completion_tokens})
    except Exception as err:  # noqa: BLE001 - the status line is sent: report in the stream, like OpenAI
        yield f"data: {json.dumps(error_body(500, f'{type(err).__name__}: {err}'))}\n\n"
    yield "data: [DONE]\n\n"


def _rag_chat(service: Service, body: ChatCompletionRequest, messages: list[dict], params: dict[str, Any],
              lang: str, caller: Caller) -> JSONResponse | StreamingResponse:
    """``rag:NAME`` (the default chat base answers) or ``rag:NAME:MODEL`` (any chat model, ft: too):
    a grounded answer from knowledge base NAME, its sources listed after it and in ``citations``."""
    from afinar import rag
    from afinar.rag.answer import default_chat_model

    name, _, chat_model = body.model[len(RAG_PREFIX):].partition(":")
    service.check_knowledge_base(name, caller)
    chat_model = chat_model or default_chat_model()
    service.check_model_name(chat_model, caller)
    users = [i for i, m in enumerate(messages) if m.get("role") == "user"]
    if not users:
        raise ApiError(400, "server.rag.need_question", param="messages")
    question = _text_of(messages[users[-1]])
    history = [{"role": m["role"], "content": _text_of(m)} for m in messages[:users[-1]]
               if m.get("role") in ("user", "assistant")]
    try:
        service.models.get(chat_model)
        gen_params = {**params, "temperature": 0.0 if params["temperature"] is None else params["temperature"]}

        def generate(prompt: list[dict], on_text: Any) -> dict[str, Any]:
            result: dict[str, Any] = {}
            for item in service.models.stream(chat_model, prompt, **gen_params):
                if isinstance(item, str):
                    on_text(item)
                else:
                    result = item
            return result

        ans = rag.answer(name, question, chat_model, history=history, generate=generate, lang=lang)
    except AfinarError as err:
        raise ApiError(404, "server.model.unavailable", param="model", code="model_not_found",
                       model=body.model, reason=err.message(lang)) from err
    completion_id, created = "chatcmpl-" + secrets.token_hex(12), int(time.time())

    def sources() -> str:
        shown = [c for c in ans.citations if c.cited] or ans.citations
        lines = [f"[{c.n}] {Path(c.source).name} ({i18n.t('server.rag.chunk', lang, chunk=c.chunk)})" for c in shown]
        return f"\n\n{i18n.t('server.rag.sources', lang)}\n" + "\n".join(lines) if lines else ""

    def usage() -> dict[str, int]:
        p, c = int(ans.result.get("prompt_tokens", 0)), int(ans.result.get("completion_tokens", 0))
        return {"prompt_tokens": p, "completion_tokens": c, "total_tokens": p + c}

    if not body.stream:
        text = ans.text + sources()
        return JSONResponse({"id": completion_id, "object": "chat.completion", "created": created,
                             "model": body.model, "usage": usage(),
                             "choices": [{"index": 0, "message": {"role": "assistant", "content": text, "refusal": None},
                                          "finish_reason": ans.result.get("finish_reason", "stop"), "logprobs": None}],
                             "citations": [c.as_dict() for c in ans.citations]})

    def events() -> Iterator[str]:
        def chunk(choices: list[dict], **extra: Any) -> str:
            return sse_chunk(completion_id, created, body.model, choices, **extra)

        try:
            yield chunk([{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}])
            for piece in ans:
                yield chunk([{"index": 0, "delta": {"content": piece}, "finish_reason": None}])
            tail = sources()
            if tail:
                yield chunk([{"index": 0, "delta": {"content": tail}, "finish_reason": None}])
            yield chunk([{"index": 0, "delta": {}, "finish_reason": ans.result.get("finish_reason", "stop")}],
                        citations=[c.as_dict() for c in ans.citations])
            if body.stream_options and body.stream_options.include_usage:
                yield chunk([], usage=usage())
        except Exception as err:  # noqa: BLE001 - the status line is sent: report in the stream
            yield f"data: {json.dumps(error_body(500, f'{type(err).__name__}: {err}'))}\n\n"
        yield "data: [DONE]\n\n"

    return StreamingResponse(events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})


def _text_of(message: dict[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return content or ""


# --- embeddings -------------------------------------------------------------------------------
def _embedder(name: str, lang: str) -> Any:
    """The shared embedder (loaded once per process, also used by RAG)."""
    try:
        from afinar.embeddings import get_embedder
    except ImportError as err:  # the rag extra is missing
        raise ApiError(501, "server.embeddings.unavailable", param="model", reason=str(err)) from err
    try:
        return get_embedder(name)
    except AfinarError as err:
        raise ApiError(404, "server.model.unavailable", param="model", code="model_not_found", model=name,
                       reason=err.message(lang)) from err


def _embeddings(body: EmbeddingRequest, lang: str) -> dict[str, Any]:
    texts = [body.input] if isinstance(body.input, str) else list(body.input)
    if not texts or not all(isinstance(t, str) for t in texts):
        raise ApiError(400, "server.embeddings.text_only", param="input")
    if any(not t for t in texts):
        raise ApiError(400, "server.embeddings.empty_input", param="input")
    embedder = _embedder(body.model, lang)
    vectors = embedder.embed(texts, kind="raw")
    if body.dimensions is not None:
        if body.dimensions > vectors.shape[1]:
            raise ApiError(400, "server.embeddings.bad_dimensions", param="dimensions", dim=int(vectors.shape[1]))
        import numpy as np

        vectors = vectors[:, :body.dimensions]
        vectors = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    data = []
    for index, vec in enumerate(vectors):
        value: Any = (base64.b64encode(vec.astype("<f4").tobytes()).decode("ascii")
                      if body.encoding_format == "base64" else [float(x) for x in vec])
        data.append({"object": "embedding", "index": index, "embedding": value})
    tokens = sum(embedder.count_tokens(texts))
    return {"object": "list", "data": data, "model": body.model,
            "usage": {"prompt_tokens": tokens, "total_tokens": tokens}}


# --- errors, middleware, studio ---------------------------------------------------------------
def _install_errors(app: FastAPI) -> None:
    def lang_of(request: Request) -> str:
        return request_lang(request.headers.get("accept-language"))

    @app.exception_handler(ApiError)
    async def api_error(request: Request, err: ApiError) -> JSONResponse:
        return JSONResponse(err.body(lang_of(request)), status_code=err.status)

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
                       cors_origins=settings.cors_origins)
    app.add_middleware(CatchAll)


def _mount_studio(app: FastAPI, service: Service, settings: Settings) -> None:
    import logging

    def admin_key(_user: str, password: str) -> bool:
        caller = identify(password, settings.api_keys, settings.keys)
        return caller is not None and caller.admin

    try:
        import gradio as gr

        from afinar.studio import build_studio
        from afinar.studio.app import CSS

        # Behind a required key, the studio asks for one too (any user name, the key as password). The
        # studio sees every file, job and model, so only an admin key opens it.
        auth = admin_key if settings.require_key else None
        gr.mount_gradio_app(app, build_studio(service), path="/", css=CSS, footer_links=[], auth=auth,
                            auth_message="Afinar: API key (admin) / clave de API (de administración)")
    except Exception:  # the API must come up even when the studio cannot: said in the log
        logging.getLogger("afinar.server").exception("the web studio could not be mounted; serving the API only")
