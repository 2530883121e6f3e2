"""The server on a shared machine and a network: hostile Host names and web origins, many keys,
paths as model names, bad input that used to be a 500, and one server per AFINAR_HOME. Every probe
goes through real HTTP against `afinar serve` (the official SDK where a program would call)."""

from __future__ import annotations

import io
import json
import os
import socket
import sqlite3
import subprocess
import sys

import httpx
import openai
import pytest
from serverkit import TECHSTORE, wait_job

pytestmark = pytest.mark.cli
LINE = b'{"messages": [{"role": "user", "content": "Hola"}, {"role": "assistant", "content": "Hola, soy TechStore."}]}\n'


def _upload(url: str, **headers: str) -> httpx.Response:
    return httpx.post(f"{url}/v1/files", files={"file": ("t.jsonl", LINE)}, data={"purpose": "fine-tune"},
                      headers=headers, timeout=60)


def _stored_files(home) -> int:
    with sqlite3.connect(home / "afinar.db") as db:
        return db.execute("SELECT COUNT(*) FROM files").fetchone()[0]


def _error(resp: httpx.Response) -> dict:
    body = resp.json()
    assert set(body) == {"error"} and set(body["error"]) == {"message", "type", "param", "code"}, body
    return body["error"]


# --- Host: DNS rebinding -----------------------------------------------------------------------
def test_a_foreign_host_name_is_refused_and_ips_and_localhost_are_not(servers):
    server = servers.start("--allowed-host", "afinar.lan")
    for host in ("evil.example", f"evil.example:{server.port}", "127.0.0.1.evil.example", "sub.localhost"):
        resp = httpx.get(f"{server.url}/v1/models", headers={"Host": host}, timeout=60)
        assert resp.status_code == 421, host
        assert _error(resp)["code"] == "host_not_allowed" and "--allowed-host" in _error(resp)["message"]
    resp = _upload(server.url, Host="evil.example")
    assert resp.status_code == 421 and _stored_files(server.home) == 0
    for host in (f"127.0.0.1:{server.port}", f"localhost:{server.port}", "localhost", f"[::1]:{server.port}",
                 "192.168.1.20", f"afinar.lan:{server.port}", "AFINAR.LAN"):
        assert httpx.get(f"{server.url}/v1/models", headers={"Host": host}, timeout=60).status_code == 200, host


def test_allowed_host_star_turns_the_check_off(servers):
    server = servers.start("--allowed-host", "*")
    assert httpx.get(f"{server.url}/v1/models", headers={"Host": "proxy.example"}, timeout=60).status_code == 200


# --- Origin: cross-site requests ---------------------------------------------------------------
def test_a_web_page_elsewhere_cannot_upload_or_start_work(server):
    evil = {"Origin": "http://evil.example"}
    resp = _upload(server.url, **evil)  # a "simple" multipart request: a browser sends it without preflight
    assert resp.status_code == 403 and _error(resp)["code"] == "origin_not_allowed"
    assert "--cors-origin" in _error(resp)["message"]
    for origin in ("null", f"http://127.0.0.1:{server.port + 1}", f"https://127.0.0.1:{server.port}",
                   "http://localhost.evil.example"):
        assert _upload(server.url, Origin=origin).status_code == 403, origin
    assert _upload(server.url, **{"Sec-Fetch-Site": "cross-site"}).status_code == 403  # no Origin, still a browser
    job = httpx.post(f"{server.url}/v1/fine_tuning/jobs", json={"model": "x", "training_file": "y"}, headers=evil,
                     timeout=60)
    assert job.status_code == 403
    assert _stored_files(server.home) == 0
    # the server's own pages (the studio), and programs without Origin, go through
    assert _upload(server.url, Origin=server.url).status_code == 200
    assert _upload(server.url, Origin=f"http://localhost:{server.port}", Host=f"localhost:{server.port}").status_code == 200
    assert _upload(server.url, **{"Sec-Fetch-Site": "same-origin"}).status_code == 200
    assert _upload(server.url).status_code == 200
    # reading is not blocked here (the browser keeps a foreign page from seeing the answer: no CORS header)
    listed = httpx.get(f"{server.url}/v1/files", headers=evil, timeout=60)
    assert listed.status_code == 200 and "access-control-allow-origin" not in listed.headers


def test_the_origin_check_holds_with_a_valid_key(servers):
    server = servers.start("--require-key", env={"AFINAR_API_KEY": "sk-origin"})
    auth = {"Authorization": "Bearer sk-origin"}
    assert _upload(server.url, Origin="http://evil.example", **auth).status_code == 403
    assert _upload(server.url, Origin=server.url, **auth).status_code == 200


def test_cors_origin_lets_that_page_in(servers):
    server = servers.start("--cors-origin", "http://app.example:3000")
    page = {"Origin": "http://app.example:3000"}
    preflight = httpx.options(f"{server.url}/v1/fine_tuning/jobs", timeout=60,
                              headers={**page, "Access-Control-Request-Method": "POST",
                                       "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "http://app.example:3000"
    resp = _upload(server.url, **page)
    assert resp.status_code == 200 and resp.headers["access-control-allow-origin"] == "http://app.example:3000"
    assert _upload(server.url, Origin="http://other.example").status_code == 403


def test_the_studio_passes_its_own_checks_and_a_foreign_page_does_not(servers):
    server = servers.start(studio=True)
    page = httpx.get(server.url + "/", timeout=60)
    assert page.status_code == 200 and "gradio" in page.text.lower()
    upload = {"files": ("a.txt", b"hola")}
    own = httpx.post(server.url + "/gradio_api/upload", files=upload, headers={"Origin": server.url}, timeout=60)
    assert own.status_code == 200, own.text
    foreign = httpx.post(server.url + "/gradio_api/upload", files=upload, headers={"Origin": "http://evil.example"},
                         timeout=60)
    assert foreign.status_code == 403
    assert httpx.get(server.url + "/", headers={"Host": "evil.example"}, timeout=60).status_code == 421


# --- keys: each sees its own -------------------------------------------------------------------
def _create_key(home, *extra: str) -> str:
    done = subprocess.run([sys.executable, "-m", "afinar", "keys", "create", *extra], capture_output=True,
                          text=True, timeout=60, check=True,
                          env={**os.environ, "AFINAR_HOME": str(home), "AFINAR_LANG": "en"})
    return done.stdout.strip().rsplit(" ", 1)[-1]


def test_keys_see_only_their_own_files_jobs_and_models(servers, make_client, tiny_model):
    alice_key, bob_key = _create_key(servers.home), _create_key(servers.home)
    admin_key = _create_key(servers.home, "--admin")
    server = servers.start("--require-key")
    alice, bob = make_client(server, api_key=alice_key), make_client(server, api_key=bob_key)
    admin = make_client(server, api_key=admin_key)
    with open(TECHSTORE / "train.jsonl", "rb") as fh:
        mine = alice.files.create(file=fh, purpose="fine-tune")
    theirs = bob.files.create(file=("b.jsonl", io.BytesIO(LINE)), purpose="fine-tune")
    assert [f.id for f in bob.files.list()] == [theirs.id]
    assert [f.id for f in alice.files.list()] == [mine.id]
    assert {f.id for f in admin.files.list()} == {mine.id, theirs.id}
    for call in (lambda: bob.files.retrieve(mine.id), lambda: bob.files.content(mine.id),
                 lambda: bob.files.delete(mine.id)):
        with pytest.raises(openai.NotFoundError):
            call()
    with pytest.raises(openai.BadRequestError) as borrowed:  # another key's file is as good as missing
        bob.fine_tuning.jobs.create(training_file=mine.id, model=str(tiny_model))
    assert borrowed.value.body["code"] == "invalid_training_file"

    job = alice.fine_tuning.jobs.create(training_file=mine.id, model=str(tiny_model), seed=1,
                                        hyperparameters={"n_epochs": 1, "batch_size": 4})
    assert bob.fine_tuning.jobs.list().data == [] and [j.id for j in alice.fine_tuning.jobs.list()] == [job.id]
    for call in (lambda: bob.fine_tuning.jobs.retrieve(job.id), lambda: bob.fine_tuning.jobs.cancel(job.id),
                 lambda: bob.fine_tuning.jobs.list_events(job.id), lambda: bob.fine_tuning.jobs.checkpoints.list(job.id)):
        with pytest.raises(openai.NotFoundError):
            call()
    done = wait_job(alice, job.id)
    assert done.status == "succeeded", done.error
    model = done.fine_tuned_model
    assert model in [m.id for m in alice.models.list()] and model in [m.id for m in admin.models.list()]
    assert model not in [m.id for m in bob.models.list()]
    assert alice.files.retrieve(done.result_files[0]).purpose == "fine-tune-results"
    ask = [{"role": "user", "content": "hola"}]
    checkpoint = alice.fine_tuning.jobs.checkpoints.list(job.id).data[0].fine_tuned_model_checkpoint
    assert alice.models.retrieve(checkpoint).id == checkpoint
    for call in (lambda: bob.models.retrieve(model), lambda: bob.models.delete(model),
                 lambda: bob.models.retrieve(checkpoint), lambda: bob.files.retrieve(done.result_files[0]),
                 lambda: bob.chat.completions.create(model=model, messages=ask, max_tokens=2)):
        with pytest.raises(openai.NotFoundError):
            call()
    assert alice.chat.completions.create(model=model, messages=ask, max_tokens=2).choices
    with pytest.raises(openai.BadRequestError) as base:  # nor can it be the base of another key's job
        bob.fine_tuning.jobs.create(training_file=theirs.id, model=model)
    assert base.value.body["param"] == "model"
    assert admin.models.retrieve(model).id == model
    assert alice.models.delete(model).deleted
    with pytest.raises(openai.NotFoundError) as gone:
        alice.chat.completions.create(model=model, messages=ask, max_tokens=2)
    assert "was deleted" in gone.value.body["message"] and "has not finished" not in gone.value.body["message"]


def test_the_studio_takes_only_an_admin_key(servers):
    plain, admin = _create_key(servers.home), _create_key(servers.home, "--admin")
    server = servers.start("--require-key", studio=True)
    with httpx.Client(base_url=server.url, timeout=60, headers={"Origin": server.url}) as browser:
        assert browser.post("/login", data={"username": "yo", "password": plain}).status_code >= 400
        assert browser.post("/login", data={"username": "yo", "password": admin}).status_code == 200
        assert browser.get("/config").status_code == 200


# --- model names that are paths ----------------------------------------------------------------
def test_job_and_chat_models_are_not_server_folders(servers, make_client, tmp_path):
    server = servers.start(local_models=False)
    client = make_client(server)
    f = client.files.create(file=("t.jsonl", io.BytesIO(LINE)), purpose="fine-tune")
    (tmp_path / "exists").mkdir()
    answers = []
    for model in ("/etc", "../../../etc", str(tmp_path / "exists"), str(tmp_path / "missing"), "~/x", "C:\\models"):
        with pytest.raises(openai.BadRequestError) as refused:
            client.fine_tuning.jobs.create(training_file=f.id, model=model)
        assert refused.value.body["param"] == "model", model
        answers.append(refused.value.body["message"].replace(model, "M"))
    assert len(set(answers)) == 1 and "--allow-local-models" in answers[0]  # nothing tells what exists
    with pytest.raises(openai.BadRequestError):
        client.fine_tuning.jobs.create(training_file=f.id, model="someorg/not-pulled")  # never a download
    with pytest.raises(openai.BadRequestError) as chat:
        client.chat.completions.create(model="/etc", messages=[{"role": "user", "content": "a"}])
    assert chat.value.body["param"] == "model"
    with pytest.raises(openai.BadRequestError):
        client.embeddings.create(model=str(tmp_path / "exists"), input="a", encoding_format="float")
    assert client.fine_tuning.jobs.list().data == []


def test_allow_local_models_takes_absolute_model_folders_only(servers, make_client, tiny_model):
    server = servers.start()  # --allow-local-models
    client = make_client(server)
    f = client.files.create(file=("t.jsonl", io.BytesIO(LINE)), purpose="fine-tune")
    with pytest.raises(openai.BadRequestError) as relative:
        client.fine_tuning.jobs.create(training_file=f.id, model="../../../etc")
    assert "absolute" in relative.value.body["message"]
    with pytest.raises(openai.BadRequestError) as not_model:
        client.fine_tuning.jobs.create(training_file=f.id, model="/etc")
    assert "config.json" in not_model.value.body["message"]
    assert client.fine_tuning.jobs.create(training_file=f.id, model=str(tiny_model)).status == "validating_files"


# --- bad input: 400s that say what is wrong, never a 500 -----------------------------------------
def test_bad_job_bodies_are_400s_listing_every_problem(server, make_client, tiny_model):
    client = make_client(server)
    f = client.files.create(file=("t.jsonl", io.BytesIO(LINE)), purpose="fine-tune")
    url = f"{server.url}/v1/fine_tuning/jobs"
    base = {"model": str(tiny_model), "training_file": f.id}
    for body, param in (({**base, "method": {"type": "supervised", "supervised": []}}, "method.supervised"),
                        ({**base, "method": {"supervised": {"hyperparameters": [1]}}}, "method.supervised.hyperparameters"),
                        ({**base, "hyperparameters": "fast"}, "hyperparameters"),
                        ({**base, "seed": "3"}, "seed"),
                        ({**base, "suffix": "x" * 65}, "suffix"),
                        ({**base, "integrations": [{"type": "wandb", "wandb": {"project": "p"}}]}, "integrations")):
        resp = httpx.post(url, json=body, timeout=60)
        assert resp.status_code == 400, (body, resp.text)
        assert _error(resp)["param"] == param, body
    everything = httpx.post(url, json={"model": "no-such-base", "training_file": "file-nope", "suffix": "bad suffix!",
                                       "seed": -4, "hyperparameters": {"n_epochs": 99, "warmup": 1}}, timeout=60)
    error = _error(everything)
    assert everything.status_code == 400 and error["param"] == "model"
    for part in ("6 problems", "no-such-base", "file-nope", "suffix", "seed", "n_epochs", "warmup"):
        assert part in error["message"], part
    two_fields = httpx.post(url, json={"model": 1, "training_file": 2}, timeout=60)
    assert "2 problems" in _error(two_fields)["message"]
    long_suffix = client.fine_tuning.jobs.create(**base, suffix="s" * 64)  # the spec's limit
    assert long_suffix.status == "validating_files"


def test_chat_seeds_out_of_range_are_400s_and_the_range_works(server, make_client, tiny_model):
    client = make_client(server)
    ask = {"model": str(tiny_model), "messages": [{"role": "user", "content": "hola"}], "max_tokens": 2}
    resp = httpx.post(f"{server.url}/v1/chat/completions", json={**ask, "seed": 2**80}, timeout=60)
    assert resp.status_code == 400 and _error(resp)["param"] == "seed"
    for seed in (2**63 - 1, -(2**63)):
        assert len(client.chat.completions.create(**ask, seed=seed, n=2).choices) == 2


def test_an_unexpected_error_is_a_500_and_the_connection_stays_usable(server, make_client):
    client = make_client(server)
    f = client.files.create(file=("notes.txt", io.BytesIO(b"x")), purpose="user_data")
    with sqlite3.connect(server.home / "afinar.db") as db:  # a damaged row: the one way left to a 500
        db.execute("UPDATE files SET findings = '{broken' WHERE id = ?", (f.id,))
    with socket.create_connection(("127.0.0.1", server.port), timeout=60) as sock:
        reader = sock.makefile("rb")

        def get(path: str) -> tuple[int, dict]:
            sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
            status = int(reader.readline().split()[1])
            headers = {}
            while (line := reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode().partition(":")
                headers[name.strip().lower()] = value.strip()
            body = json.loads(reader.read(int(headers["content-length"])))
            return status, body

        status, body = get(f"/v1/files/{f.id}")
        assert status == 500 and body["error"]["type"] == "server_error" and "Traceback" not in json.dumps(body)
        status, body = get("/v1/models")  # the same keep-alive connection
        assert status == 200 and body["object"] == "list"
    assert f"unhandled error on /v1/files/{f.id}" in server.output()


# --- one server per AFINAR_HOME ----------------------------------------------------------------
def test_a_second_server_on_the_same_home_refuses_to_start(servers):
    first = servers.start()
    second = servers.start(wait=False)
    assert second.proc.wait(timeout=60) == 2
    text = " ".join(second.output().split())
    assert "Another Afinar server" in text and first.url in text and "Traceback" not in text
    assert httpx.get(first.url + "/health", timeout=60).status_code == 200
