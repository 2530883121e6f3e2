"""The real server in a subprocess (uvicorn through `afinar serve`), driven by the official SDK.

Every response the SDK receives is recorded by an httpx hook and, when the test ends, validated
against OpenAI's specification (tests/fixtures/openai) with openapi-core; stream chunks are
validated against the chunk schema. The SDK itself runs with strict response validation.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


SPEC_PATH = Path(__file__).resolve().parent.parent / "fixtures" / "openai" / "openai-finetune-subset.yaml"
REPO = Path(__file__).resolve().parents[2]
TECHSTORE = REPO / "examples" / "techstore"
# Our own endpoints, and file content: the spec declares it a JSON string, but it is the raw file
# (the SDK reads bytes), so it is checked by the tests that read it.
NOT_IN_SPEC = ("/pause", "/resume", "/findings", "/health", "/openapi.json", "/rag/", "/content")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    home: Path
    port: int
    proc: subprocess.Popen
    log: Path
    groups: list[int] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


class Servers:
    """Starts servers on a shared AFINAR_HOME; kills them and their training children at the end."""

    def __init__(self, home: Path, tmp: Path):
        self.home, self.tmp = home, tmp
        self.started: list[Server] = []

    def start(self, *args: str, env: dict[str, str] | None = None, port: int | None = None,
              wait: bool = True, studio: bool = False, local_models: bool = True) -> Server:
        """``local_models``: the tests' tiny models are folders, so by default the server may load them."""
        port = port or free_port()
        args = (*args, "--allow-local-models") if local_models else args
        log = self.tmp / f"server-{port}-{len(self.started)}.log"
        full_env = {**os.environ, "AFINAR_HOME": str(self.home), "AFINAR_LANG": "en", "OMP_NUM_THREADS": "1",
                    "TOKENIZERS_PARALLELISM": "false", **(env or {})}
        with open(log, "wb") as out:
            proc = subprocess.Popen([sys.executable, "-m", "afinar", "serve", *([] if studio else ["--no-studio"]),
                                     "--port", str(port), *args], env=full_env, stdout=out, stderr=subprocess.STDOUT,
                                    start_new_session=True)
        server = Server(self.home, port, proc, log, [proc.pid])
        self.started.append(server)
        if wait:
            deadline = time.monotonic() + 180  # the studio (Gradio) is slow to build on a busy machine
            while time.monotonic() < deadline:
                if proc.poll() is not None:
                    raise RuntimeError(f"server exited early:\n{server.output()}")
                try:
                    if httpx.get(server.url + "/health", timeout=2).status_code == 200:
                        return server
                except httpx.HTTPError:
                    time.sleep(0.2)
            raise RuntimeError(f"server did not start:\n{server.output()}")
        return server

    def close(self) -> None:
        for server in self.started:
            for group in server.groups:
                try:
                    os.killpg(group, signal.SIGKILL)  # the server and any training it started
                except (ProcessLookupError, PermissionError):
                    pass
            server.proc.wait(timeout=10)


class SpecChecker:
    def __init__(self, base_url: str):
        from openapi_core import OpenAPI

        spec = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
        spec["servers"] = [{"url": base_url + "/v1"}]
        # OpenAI's pause/resume endpoints return a job whose status is "paused" (their own example),
        # which the job schema's enum has not caught up with: allow exactly that one value more.
        spec["components"]["schemas"]["FineTuningJob"]["properties"]["status"]["enum"].append("paused")
        self.spec = spec
        self.api = OpenAPI.from_dict(spec)
        self.responses: list[httpx.Response] = []
        self.checked = 0

    def record(self, response: httpx.Response) -> None:
        response.read()
        self.responses.append(response)

    def schema_validator(self, name: str):
        from jsonschema import Draft202012Validator

        return Draft202012Validator({"$ref": f"#/components/schemas/{name}", "components": self.spec["components"]})

    def check_all(self) -> None:
        from openapi_core.datatypes import RequestParameters
        from werkzeug.datastructures import Headers, ImmutableMultiDict

        problems = []
        for resp in self.responses:
            req = resp.request
            if any(mark in req.url.path for mark in NOT_IN_SPEC):
                continue
            if resp.headers.get("content-type", "").startswith("text/event-stream"):
                problems += self.check_stream(resp.text)
                continue
            if resp.status_code >= 400:  # the spec lists few error responses; all must be ErrorResponse
                errors = list(self.schema_validator("ErrorResponse").iter_errors(resp.json()))
                problems += [f"{req.method} {req.url.path} -> {resp.status_code}: {e.message}" for e in errors]
                self.checked += 1
                continue
            request = _Req(f"{req.url.scheme}://{req.url.netloc.decode()}", req.url.path, req.method.lower(),
                           req.headers.get("content-type", ""),
                           RequestParameters(query=ImmutableMultiDict(list(req.url.params.multi_items())),
                                             header=Headers(dict(req.headers)), cookie=ImmutableMultiDict()))
            try:
                self.api.validate_response(request, _Resp(resp, _floats_from_base64(resp)))
                self.checked += 1
            except Exception as err:  # noqa: BLE001 - collected and reported together
                detail = getattr(err, "__cause__", None)
                problems.append(f"{req.method} {req.url.path} -> {resp.status_code}: {err!r} {detail!r}")
        assert not problems, "responses that break OpenAI's spec:\n" + "\n".join(problems)

    def check_stream(self, text: str) -> list[str]:
        validator, problems = self.schema_validator("CreateChatCompletionStreamResponse"), []
        for line in text.splitlines():
            if line.startswith("data: ") and line != "data: [DONE]":
                payload = json.loads(line[6:])
                if "error" in payload:
                    problems.append(f"stream error: {payload}")
                    continue
                problems += [f"chunk {payload}: {e.message}" for e in validator.iter_errors(payload)]
                self.checked += 1
        return problems


@dataclass
class _Req:
    host_url: str
    path: str
    method: str
    content_type: str
    parameters: object
    body: bytes | None = None


class _Resp:
    def __init__(self, resp: httpx.Response, data: bytes | None = None):
        self.status_code = resp.status_code
        self.headers = dict(resp.headers)
        self.content_type = resp.headers.get("content-type", "").split(";")[0]
        self.data = resp.content if data is None else data


def _floats_from_base64(resp: httpx.Response) -> bytes | None:
    """Embeddings asked for as base64 (the SDK's default): the spec only describes float lists, so
    the vectors are decoded and the response is checked in that form."""
    import base64
    import struct

    if not resp.request.url.path.endswith("/embeddings") or resp.status_code != 200:
        return None
    body = resp.json()
    for item in body.get("data", []):
        if isinstance(item.get("embedding"), str):
            raw = base64.b64decode(item["embedding"])
            item["embedding"] = list(struct.unpack(f"<{len(raw) // 4}f", raw))
    return json.dumps(body).encode()


def wait_for(predicate, timeout: float = 120.0, every: float = 0.3, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def wait_job(client, job_id: str, statuses=("succeeded", "failed", "cancelled"), timeout: float = 180.0):
    return wait_for(lambda: (j := client.fine_tuning.jobs.retrieve(job_id)).status in statuses and j,
                    timeout, what=f"job {job_id} to reach {statuses}")


def together_and_alone(client, model: str, prompts: list[str], max_tokens: int) -> tuple[list[str], list[str]]:
    """Greedy replies to ``prompts`` sent all at once from as many threads, then one at a time."""
    import concurrent.futures as cf

    def ask(prompt: str) -> str:
        reply = client.chat.completions.create(model=model, max_tokens=max_tokens, temperature=0,
                                               messages=[{"role": "user", "content": prompt}])
        return reply.choices[0].message.content

    with cf.ThreadPoolExecutor(len(prompts)) as pool:
        together = list(pool.map(ask, prompts))
    return together, [ask(p) for p in prompts]
