"""`afinar serve` (the OpenAI-compatible API and the studio), `afinar jobs` (the job queue from the
terminal, reading the same database as the server) and `afinar keys` (API keys for non-local binds)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from afinar import i18n
from afinar.cli.options import lang_option
from afinar.errors import AfinarError


def keys_file() -> Path:
    from afinar.paths import afinar_home

    return afinar_home() / "api_keys.json"


def stored_keys() -> list:
    """The keys of `afinar keys create` (hashes, ids, admin flags; see afinar.server.auth)."""
    from afinar.server.auth import read_keys

    return read_keys(keys_file())


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Anything but this machine requires an API key.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Fine-tuning jobs that run at the same time.")
@click.option("--max-models", default=2, show_default=True, type=click.IntRange(1, 32),
              help="Chat models kept loaded (least recently used are unloaded).")
@click.option("--max-queue", default=64, show_default=True, type=click.IntRange(1, 10_000),
              help="Chat requests in progress or waiting per model; beyond it the API answers 429 with Retry-After.")
@click.option("--max-upload-mb", default=512, show_default=True, type=click.IntRange(1, 1_000_000))
@click.option("--cors-origin", "cors_origins", multiple=True,
              help="Allow browser pages from this origin to call the API (off by default; repeatable).")
@click.option("--allowed-host", "allowed_hosts", multiple=True,
              help="A host name clients use to reach the server (IP addresses and localhost always work); "
                   "other names are refused against DNS rebinding. '*' turns the check off (repeatable).")
@click.option("--require-key", is_flag=True, help="Ask for an API key even on 127.0.0.1.")
@click.option("--allow-local-models", is_flag=True,
              help="Let requests name a model folder of this machine by its absolute path (off: only catalog, "
                   "pulled, imported and fine-tuned models).")
@click.option("--no-studio", is_flag=True, help="Serve only the API (no web studio at /).")
@lang_option
def serve(host: str, port: int, workers: int, max_models: int, max_queue: int, max_upload_mb: int,
          cors_origins: tuple[str, ...], allowed_hosts: tuple[str, ...], require_key: bool,
          allow_local_models: bool, no_studio: bool) -> int:
    """Serve the OpenAI-compatible API at http://HOST:PORT/v1 and the web studio at http://HOST:PORT/.

    Point the official `openai` SDK or LangChain at it by changing only base_url.
    """
    try:
        import uvicorn  # noqa: F401 - the serve extra is installed

        from afinar.app import create_app
        from afinar.server.app import LOOPBACK, Settings
    except ImportError as err:
        raise AfinarError("server.serve.missing_extra", exit_code=2, error=str(err)) from err
    from afinar.server.home_lock import hold_home_lock

    env_key = os.environ.get("AFINAR_API_KEY", "").strip()
    stored = stored_keys()
    must = require_key or bool(env_key) or host not in LOOPBACK
    if must and not (env_key or stored):
        raise AfinarError("server.serve.need_key", exit_code=2, host=host)
    settings = Settings(host=host, port=port, api_keys=[env_key] if env_key else [], keys=stored,
                        require_key=must, max_upload_bytes=max_upload_mb * 1024 * 1024, workers=workers,
                        max_models=max_models, max_queue=max_queue, cors_origins=list(cors_origins),
                        allowed_hosts=list(allowed_hosts),
                        allow_local_models=allow_local_models, studio=not no_studio)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    lock = hold_home_lock(f"http://{shown}:{port}")  # noqa: F841 - held while the server runs
    app = create_app(settings)
    click.echo(i18n.t("server.serve.ready", url=f"http://{shown}:{port}"), err=True)
    run_until_stopped(app, host, port)
    return 0


def run_until_stopped(app: object, host: str, port: int) -> None:
    """uvicorn until SIGTERM or Ctrl-C: new requests stop at once, running generations are cancelled
    (their streams end), and whatever is still open after 5 seconds is dropped."""
    import threading

    import uvicorn

    class Server(uvicorn.Server):
        def handle_exit(self, sig: int, frame: object) -> None:
            # off the signal handler: stopping the engines waits for their threads
            threading.Thread(target=app.state.service.models.close, daemon=True).start()  # type: ignore[attr-defined]
            super().handle_exit(sig, frame)  # type: ignore[arg-type]

    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False,  # type: ignore[arg-type]
                            timeout_graceful_shutdown=5)
    Server(config).run()


@click.group()
def keys() -> None:
    """API keys: required when the server listens beyond this machine."""


@keys.command("create")
@click.option("--admin", is_flag=True, help="The key sees every key's files, jobs and models (and opens the studio).")
@lang_option
def keys_create(admin: bool) -> int:
    """Create a new API key; it is printed once and only its SHA-256 hash is stored.

    Each key sees only the files, jobs and models it created; an --admin key sees all."""
    import hashlib
    import secrets
    import time

    key = "sk-afinar-" + secrets.token_urlsafe(32)
    path = keys_file()
    data = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {"keys": []}
    data["keys"].append({"sha256": hashlib.sha256(key.encode()).hexdigest(), "created_at": int(time.time()),
                         "admin": admin})
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    os.chmod(path, 0o600)
    click.echo(i18n.t("server.keys.created", key=key))
    return 0


@keys.command("list")
@lang_option
def keys_list() -> int:
    """How many keys exist (keys themselves are never stored)."""
    found = stored_keys()
    click.echo(i18n.t("server.keys.count", count=len(found), path=keys_file()))
    for key in found:
        click.echo(f"  {key.id}{'  (admin)' if key.admin else ''}")
    return 0


@click.group()
def jobs() -> None:
    """Jobs of every task (chat, text and image classification, RAG indexing) in the server's queue
    (the same database as `afinar serve`, whose runner starts and follows them)."""


def _service():
    from afinar.server.service import Service

    return Service(start_worker=False)


@jobs.command("list")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 1000))
@click.option("--task", default=None,
              help="Only the jobs of this task (chat, text-classification, image-classification, rag-index).")
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON (GET /v1/afinar/jobs).")
@lang_option
def jobs_list(limit: int, task: str | None, as_json: bool) -> int:
    """The newest jobs of every task: id, task, status, base model, trained model."""
    from rich.console import Console
    from rich.table import Table

    page = _service().list_all_jobs(limit=limit, task=task)
    if as_json:
        click.echo(json.dumps(page, indent=2, ensure_ascii=False))
        return 0
    if not page["data"]:
        click.echo(i18n.t("server.jobs.none"))
        return 0
    table = Table("id", "task", "status", "model", "fine_tuned_model")
    for job in page["data"]:
        table.add_row(job["id"], job["task"], job["status"], job["model"], job["fine_tuned_model"] or "-")
    Console(emoji=False).print(table)
    return 0


@jobs.command("show")
@click.argument("job_id")
@lang_option
def jobs_show(job_id: str) -> int:
    """One job as the API returns it (JSON; GET /v1/afinar/jobs/ID)."""
    click.echo(json.dumps(_service().get_any_job(job_id), indent=2, ensure_ascii=False))
    return 0


@jobs.command("events")
@click.argument("job_id")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1, 10000))
@lang_option
def jobs_events(job_id: str, limit: int) -> int:
    """A job's events, oldest first."""
    import time

    events = _service().list_events(job_id, limit=limit)["data"]
    for ev in reversed(events):
        stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(ev["created_at"]))
        click.echo(f"{stamp} [{ev['level']}] {ev['message']}")
    return 0


def _job_control(action: str, help_text: str) -> None:
    """``afinar jobs cancel|pause|resume ID``: the same control as the API's, for a job of any task."""

    @jobs.command(action, help=help_text)
    @click.argument("job_id")
    @lang_option
    def command(job_id: str) -> int:
        service = _service()
        do = {"cancel": service.cancel_job, "pause": service.pause_job, "resume": service.resume_job}[action]
        do(job_id, task=None)
        done = {"cancel": "cancelled", "pause": "paused", "resume": "resumed"}[action]
        click.echo(i18n.t(f"server.jobs.{done}", job_id=job_id))
        return 0


_job_control("cancel", "Cancel a job; a running training stops within seconds (a running server notices at once).")
_job_control("pause", "Pause a running job: it stops at its next safe point (a chat step, a classifier's "
                      "epoch) and keeps it. RAG-indexing jobs cannot pause.")
_job_control("resume", "Queue a paused job (or a failed one with a checkpoint, or a failed RAG indexing) to "
                       "continue where it stopped.")
