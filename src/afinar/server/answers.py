"""The endpoints that answer: chat completions (models and ``rag:`` knowledge bases), embeddings and
knowledge-base search. Every chat answer goes through the inference core (``afinar.serving``).

A request is checked and started before the response begins, so a wrong model (404), a prompt over
the context (400 ``context_length_exceeded``) or a full queue (429 with ``Retry-After``) comes back
as an HTTP status. Waiting for tokens never holds a worker thread of the web server's pool, and a
client that goes away cancels its generation: a closed stream at once, a plain request within
a fifth of a second.
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
import secrets
import time
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from afinar import i18n
from afinar.errors import AfinarError
from afinar.server.auth import Caller, caller_of
from afinar.server.errors import ApiError, error_body, request_lang
from afinar.server.outputs import OutputPlan, ToolStream, message_of, plan
from afinar.server.protocol import (
    ChatCompletionRequest,
    EmbeddingRequest,
    RagSearchRequest,
)
from afinar.server.service import Service

RAG_PREFIX = "rag:"
Who = Annotated[Caller, Depends(caller_of)]
# Threads that wait for generations (each blocks on its request's next tokens, not on the model).
_WAITERS = ThreadPoolExecutor(max_workers=256, thread_name_prefix="answer")
DISCONNECT_POLL_S = 0.2


def install(app: FastAPI, service: Service) -> None:
    @app.post("/v1/chat/completions", response_model=None)
    async def chat_completions(body: ChatCompletionRequest, request: Request,
                               caller: Who) -> Response:
        lang = request_lang(request.headers.get("accept-language"))
        messages, params, errors = _prepare(body)
        if body.model.startswith(RAG_PREFIX):
            return await run_in_threadpool(_rag_chat, service, body, messages, params, lang, caller, errors)
        output = plan(body, params.pop("shaping"), errors)
        params["controls"] = output.controls
        if body.rag_mode is not None:
            raise ApiError(400, "server.rag.mode_needs_rag", param="rag_mode", code="unsupported_parameter")
        service.check_model_name(body.model, caller)
        n = body.n or 1
        gens = await run_in_threadpool(start, service, body.model, messages,
                                       {**params, "stream": bool(body.stream)}, n)
        completion_id, created = "chatcmpl-" + secrets.token_hex(12), int(time.time())
        if body.stream:
            usage = bool(body.stream_options and body.stream_options.include_usage)
            return StreamingResponse(_sse(gens, body.model, completion_id, created, usage, output),
                                     media_type="text/event-stream", headers={"Cache-Control": "no-cache"})
        results = await _results(gens, request)
        if not results:  # the client went away and its generations were cancelled: nobody reads this
            return Response(status_code=499)
        choices = []
        for i, r in enumerate(results):
            message, reason, logprobs = message_of(r, output)
            choices.append({"index": i, "message": message, "finish_reason": reason, "logprobs": logprobs})
        prompt_tokens = results[0]["prompt_tokens"]
        completion_tokens = sum(r["completion_tokens"] for r in results)
        return JSONResponse({"id": completion_id, "object": "chat.completion", "created": created,
                             "model": body.model, "choices": choices,
                             "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                                       "total_tokens": prompt_tokens + completion_tokens}})

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
    def embeddings(body: EmbeddingRequest, caller: Who) -> dict:
        service.check_model_name(body.model, caller)
        return _embeddings(body)


# --- chat -------------------------------------------------------------------------------------
# OpenAI's chat parameters this server does not honour, with the values that ask for nothing (they
# are accepted: SDKs and LangChain send some of them with those values). Any other value, and any
# field OpenAI does not define, is a 400 naming it: a parameter is refused, never silently ignored.
# (Structured outputs, tools and logprobs are honoured: afinar.server.outputs.)
NEUTRAL: dict[str, tuple[Any, ...]] = {
    "user": ("*",),  # an end-user id for the caller's records; it changes nothing in the answer
    "service_tier": ("auto", "default"),
    "store": (False,),
    "metadata": ({},),
    "functions": ([],),  # the legacy function calling: tools replace it
    "function_call": ("none",),
    "modalities": (["text"],),
    "reasoning_effort": (),
    "prediction": (),
    "audio": (),
    "web_search_options": (),
    "verbosity": (),
}
TEXT_PARTS = ("text",)


def unhonoured(body: ChatCompletionRequest) -> list[ApiError]:
    """Every parameter and content part this server would not honour (each a 400)."""
    errors: list[ApiError] = []
    for name, value in (body.model_extra or {}).items():
        if value is None:
            continue
        allowed = NEUTRAL.get(name)
        if allowed is None:
            errors.append(ApiError(400, "server.chat.unknown_parameter", param=name, code="unsupported_parameter",
                                   name=name))
        elif "*" not in allowed and value not in allowed:
            errors.append(ApiError(400, "server.chat.unsupported_parameter", param=name,
                                   code="unsupported_parameter", name=name,
                                   allowed=", ".join(json.dumps(v) for v in allowed) or "-"))
    for token, bias in (body.logit_bias or {}).items():
        if not re.fullmatch(r"[0-9]{1,12}", token) or not -100 <= bias <= 100:
            errors.append(ApiError(400, "server.chat.bad_logit_bias", param="logit_bias", code="invalid_value",
                                   token=token, bias=bias))
    if body.stream_options is not None and not body.stream:
        errors.append(ApiError(400, "server.chat.stream_options_without_stream", param="stream_options",
                               code="invalid_value"))
    for i, message in enumerate(body.messages):
        if isinstance(message.content, list):
            for j, part in enumerate(message.content):
                kind = part.get("type") if isinstance(part, dict) else None
                if kind not in TEXT_PARTS:
                    errors.append(ApiError(400, "server.chat.unsupported_part", param=f"messages[{i}].content[{j}]",
                                           code="unsupported_value", kind=str(kind)))
        extra = message.model_extra or {}
        for name in ("function_call", "refusal", "audio"):
            if extra.get(name):
                errors.append(ApiError(400, "server.chat.unsupported_message_field", param=f"messages[{i}].{name}",
                                       code="unsupported_parameter", name=name))
    return errors


def _prepare(body: ChatCompletionRequest) -> tuple[list[dict], dict[str, Any], list[ApiError]]:
    """Messages and generation parameters; the request's problems so far (raised with the others)."""
    errors = unhonoured(body)
    messages = [m.model_dump(exclude_none=True) for m in body.messages]
    if body.system_prompt == "training" and not any(m["role"] in ("system", "developer") for m in messages):
        from afinar.tasks.chat.predict import training_system_prompt

        system = training_system_prompt(body.model)
        messages = ([{"role": "system", "content": system}] if system else []) + messages
    stop = [body.stop] if isinstance(body.stop, str) else list(body.stop or [])
    if len(stop) > 4:
        errors.append(ApiError(400, "server.chat.too_many_stops", param="stop"))
    from afinar.serving.penalties import Shaping

    shaping = Shaping(body.presence_penalty or 0.0, body.frequency_penalty or 0.0,
                      {int(t, 10): float(b) for t, b in (body.logit_bias or {}).items()
                       if re.fullmatch(r"[0-9]{1,12}", t)})  # the others are in errors already
    params = {"max_tokens": body.max_completion_tokens or body.max_tokens, "temperature": body.temperature,
              "top_p": body.top_p, "seed": body.seed, "stop": stop, "shaping": None if shaping.neutral else shaping}
    return messages, params, errors


def start(service: Service, model: str, messages: list[dict], params: dict[str, Any], n: int = 1) -> list[Any]:
    """Load ``model`` if needed and start ``n`` generations (choice i gets seed + i); every refusal
    as the API error it is, before anything is sent."""
    gens: list[Any] = []
    try:
        for index in range(n):
            seed = None if params["seed"] is None else params["seed"] + index
            gens.append(service.models.submit(model, messages, **{**params, "seed": seed}))
    except AfinarError as err:
        for gen in gens:
            gen.cancel()
        raise as_api_error(err, model) from err
    return gens


def as_api_error(err: AfinarError, model: str) -> ApiError:
    """The inference core's refusals in OpenAI's terms."""
    from afinar.serving import ContextTooLong, QueueFull
    from afinar.serving.resolve import ModelUnavailable, WrongKind

    if isinstance(err, ApiError):
        return err
    if isinstance(err, ModelUnavailable):
        return ApiError(404, err.key, param="model", code="model_not_found", **err.params)
    if isinstance(err, WrongKind):
        return ApiError(400, err.key, param="model", code="model_not_supported", **err.params)
    if err.key == "serving.unsupported_schema":
        return ApiError(400, err.key, param=err.params["where"], code="invalid_value", **err.params)
    if err.key == "serving.bad_token_id":
        return ApiError(400, err.key, param="logit_bias", code="invalid_value", **err.params)
    if isinstance(err, ContextTooLong):
        return ApiError(400, err.key, param="messages", code="context_length_exceeded", **err.params)
    if isinstance(err, QueueFull):
        api = ApiError(429, err.key, code="rate_limit_exceeded", **err.params)
        api.headers = {"Retry-After": str(err.retry_after)}
        return api
    if err.key == "serving.stopping":
        return ApiError(503, err.key)
    return ApiError(404, "server.model.unavailable", param="model", code="model_not_found", model=model,
                    reason=err)


async def _results(gens: list[Any], request: Request) -> list[dict[str, Any]]:
    """Wait for every generation; a client that disconnects cancels them."""
    loop = asyncio.get_running_loop()
    waits = [loop.run_in_executor(_WAITERS, gen.run) for gen in gens]
    try:
        while True:
            done, pending = await asyncio.wait(waits, timeout=DISCONNECT_POLL_S)
            if not pending:
                return [w.result() for w in waits]
            if await request.is_disconnected():
                break
    finally:
        for gen in gens:
            if gen.result is None:
                gen.cancel()
    return []  # nobody is listening


def sse_chunk(completion_id: str, created: int, model: str, choices: list[dict], **extra: Any) -> str:
    """One server-sent event carrying a ``chat.completion.chunk``."""
    payload = {"id": completion_id, "object": "chat.completion.chunk", "created": created, "model": model,
               "choices": choices, **extra}
    return f"data: {json.dumps(payload, ensure_ascii=False)}\n\n"


async def iterate(gen: Iterator[Any]) -> AsyncIterator[Any]:
    """A blocking iterator read from the waiter threads, so the event loop never waits on it."""
    loop, it, end = asyncio.get_running_loop(), iter(gen), object()
    while (item := await loop.run_in_executor(_WAITERS, next, it, end)) is not end:
        yield item


async def _sse(gens: list[Any], model: str, completion_id: str, created: int, include_usage: bool,
               output: OutputPlan | None = None) -> AsyncIterator[str]:
    def chunk(choices: list[dict], **extra: Any) -> str:
        return sse_chunk(completion_id, created, model, choices, **extra)

    def delta(index: int, gen: Any, delta: dict) -> str:
        logprobs = {"content": gen.new_logprobs(), "refusal": None} if output and output.logprobs else None
        return chunk([{"index": index, "delta": delta, "finish_reason": None, "logprobs": logprobs}])

    prompt_tokens = completion_tokens = 0
    try:
        for index, gen in enumerate(gens):
            yield chunk([{"index": index, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}])
            calls = ToolStream() if output and output.calls else None
            async for piece in iterate(gen):
                for part in calls.feed(piece) if calls else [{"content": piece}]:
                    yield delta(index, gen, part)
            for part in calls.finish() if calls else []:
                yield delta(index, gen, part)
            if output and output.logprobs and (rest := gen.new_logprobs()):
                yield chunk([{"index": index, "delta": {}, "finish_reason": None,
                              "logprobs": {"content": rest, "refusal": None}}])
            prompt_tokens = gen.result["prompt_tokens"]
            completion_tokens += gen.result["completion_tokens"]
            reason = gen.result["finish_reason"]
            if calls is not None and calls.called and reason == "stop":
                reason = "tool_calls"
            yield chunk([{"index": index, "delta": {}, "finish_reason": reason}])
        if include_usage:
            yield chunk([], usage={"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                                   "total_tokens": prompt_tokens + completion_tokens})
    except Exception as err:  # noqa: BLE001 - the status line is sent: report in the stream, like OpenAI
        yield f"data: {json.dumps(error_body(500, f'{type(err).__name__}: {err}'))}\n\n"
    finally:  # a client that went away (or an error): free the model for the others
        for gen in gens:
            if gen.result is None:
                gen.cancel()
    yield "data: [DONE]\n\n"


# --- rag:NAME ---------------------------------------------------------------------------------
def _rag_chat(service: Service, body: ChatCompletionRequest, messages: list[dict], params: dict[str, Any],
              lang: str, caller: Caller, errors: list[ApiError]) -> JSONResponse | StreamingResponse:
    """``rag:NAME`` (the default chat base answers) or ``rag:NAME:MODEL`` (any chat model, ft: too):
    a grounded answer from knowledge base NAME, its sources listed after it and in ``citations``."""
    from afinar import rag
    from afinar.rag.answer import default_chat_model
    from afinar.server.errors import raise_all

    neutral = (None, False, 0, [], {"type": "text"}, "none")
    raise_all(errors + [ApiError(400, "server.rag.no_output_controls", param=field, code="unsupported_parameter",
                                 name=field)
                        for field in ("response_format", "tools", "tool_choice", "logprobs", "top_logprobs")
                        if getattr(body, field) not in neutral])
    name, _, chat_model = body.model[len(RAG_PREFIX):].partition(":")
    service.check_knowledge_base(name, caller)
    chat_model = chat_model or default_chat_model()
    mode = body.rag_mode or "auto"
    if mode != "extractive":
        service.check_model_name(chat_model, caller)
    users = [i for i, m in enumerate(messages) if m.get("role") == "user"]
    if not users:
        raise ApiError(400, "server.rag.need_question", param="messages")
    question = text_of(messages[users[-1]])
    history = [{"role": m["role"], "content": text_of(m)} for m in messages[:users[-1]]
               if m.get("role") in ("user", "assistant")]
    gen_params = {**params, "temperature": 0.0 if params["temperature"] is None else params["temperature"]}
    try:
        ans = rag.answer(name, question, chat_model, history=history, lang=lang, mode=mode,
                         start=lambda prompt: start(service, chat_model, prompt, gen_params)[0])
        ans.begin()  # started now: a refusal (context, queue, model) is a status, not a broken stream
    except ApiError:
        raise
    except AfinarError as err:
        raise ApiError(404, "server.model.unavailable", param="model", code="model_not_found",
                       model=body.model, reason=err.message(lang)) from err
    completion_id, created = "chatcmpl-" + secrets.token_hex(12), int(time.time())

    def sources() -> str:
        shown = [c for c in ans.citations if c.cited] or ans.citations
        lines = [f"[{c.n}] {Path(c.source).name} ({i18n.t('server.rag.chunk', lang, chunk=c.chunk)})"
                 for c in shown]
        return f"\n\n{i18n.t('server.rag.sources', lang)}\n" + "\n".join(lines) if lines else ""

    def usage() -> dict[str, int]:
        p, c = int(ans.result.get("prompt_tokens", 0)), int(ans.result.get("completion_tokens", 0))
        return {"prompt_tokens": p, "completion_tokens": c, "total_tokens": p + c}

    if not body.stream:
        text = ans.text + sources()
        return JSONResponse({"id": completion_id, "object": "chat.completion", "created": created,
                             "model": body.model, "usage": usage(),
                             "choices": [{"index": 0,
                                          "message": {"role": "assistant", "content": text, "refusal": None},
                                          "finish_reason": ans.result.get("finish_reason", "stop"), "logprobs": None}],
                             "citations": [c.as_dict() for c in ans.citations], "rag": _rag_meta(ans)})

    async def events() -> AsyncIterator[str]:
        def chunk(choices: list[dict], **extra: Any) -> str:
            return sse_chunk(completion_id, created, body.model, choices, **extra)

        try:
            yield chunk([{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}])
            async for piece in iterate(ans):
                yield chunk([{"index": 0, "delta": {"content": piece}, "finish_reason": None}])
            tail = sources()
            if tail:
                yield chunk([{"index": 0, "delta": {"content": tail}, "finish_reason": None}])
            yield chunk([{"index": 0, "delta": {}, "finish_reason": ans.result.get("finish_reason", "stop")}],
                        citations=[c.as_dict() for c in ans.citations], rag=_rag_meta(ans))
            if body.stream_options and body.stream_options.include_usage:
                yield chunk([], usage=usage())
        except Exception as err:  # noqa: BLE001 - the status line is sent: report in the stream
            yield f"data: {json.dumps(error_body(500, f'{type(err).__name__}: {err}'))}\n\n"
        finally:
            ans.cancel()  # a client that went away frees the model (nothing to stop when it finished)
        yield "data: [DONE]\n\n"

    return StreamingResponse(events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})


def _rag_meta(ans: Any) -> dict[str, Any]:
    """How a rag: answer was made: its mode and the evidence of the abstention rule."""
    return {"known": ans.known, "mode": ans.mode, "evidence": ans.evidence.as_dict() if ans.evidence else None}


def text_of(message: dict[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return content or ""


# --- embeddings -------------------------------------------------------------------------------
def _embedder(name: str) -> Any:
    """The shared embedder (loaded once per process, also used by RAG); only a model this machine
    has, and only an embedding model."""
    from afinar.serving.resolve import EMBEDDING, resolve

    try:
        from afinar.embeddings import get_embedder
    except ImportError as err:  # the rag extra is missing
        raise ApiError(501, "server.embeddings.unavailable", param="model", reason=str(err)) from err
    try:
        resolve(name, EMBEDDING)
        return get_embedder(name)
    except AfinarError as err:
        raise as_api_error(err, name) from err


def _embeddings(body: EmbeddingRequest) -> dict[str, Any]:
    texts = [body.input] if isinstance(body.input, str) else list(body.input)
    if not texts or not all(isinstance(t, str) for t in texts):
        raise ApiError(400, "server.embeddings.text_only", param="input")
    if any(not t for t in texts):
        raise ApiError(400, "server.embeddings.empty_input", param="input")
    embedder = _embedder(body.model)
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
