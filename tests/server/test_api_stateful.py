"""Stateful fuzzing of the real server: hypothesis chains uploads, jobs (which really train the tiny
model), cancels, pauses, resumes, deletes, model look-ups and chats, with valid and hostile values,
so operations are reached past their 404s. Invariants after every call: never a 5xx, never a
dropped connection (one keep-alive client for the whole run), every 4xx in OpenAI's error shape."""

from __future__ import annotations

import json
import time
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    invariant,
    rule,
    run_state_machine_as_test,
)

pytestmark = pytest.mark.cli
GOOD = b'{"messages": [{"role": "user", "content": "Hola %d"}, {"role": "assistant", "content": "Hola."}]}\n'
odd_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)
json_values = st.recursive(st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=False, allow_infinity=False) | odd_text,
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(odd_text, inner, max_size=3),
                           max_leaves=6)
hyper = st.dictionaries(st.sampled_from(["n_epochs", "batch_size", "learning_rate_multiplier", "warmup"]),
                        st.sampled_from(["auto", 1, 2, 0, -1, 1.5, 99, "x", None, [1], {"a": 1}]), max_size=3)


def make_machine(url: str, model: str):
    class Api(RuleBasedStateMachine):
        files = Bundle("files")
        jobs = Bundle("jobs")

        def __init__(self) -> None:
            super().__init__()
            self.http = httpx.Client(base_url=url + "/v1", timeout=120)  # one connection: a reset shows
            self.last: httpx.Response | None = None

        def call(self, method: str, path: str, **kwargs) -> httpx.Response:
            self.last = self.http.request(method, path, **kwargs)
            return self.last

        @rule(target=files, content=st.sampled_from([GOOD, GOOD * 3, b"{not json\n", b"", "ñ\n".encode()]),
              purpose=st.sampled_from(["fine-tune", "user_data", "batch", "nope"]), name=odd_text)
        def upload(self, content, purpose, name):
            resp = self.call("POST", "/files", files={"file": (name or "f", content)}, data={"purpose": purpose})
            return resp.json().get("id", "file-missing")

        @rule(file=files, how=st.sampled_from(["GET", "DELETE", "content", "findings"]))
        def touch_file(self, file, how):
            if how in ("GET", "DELETE"):
                self.call(how, f"/files/{quote(file)}")
            else:
                self.call("GET", f"/files/{quote(file)}/{how}")

        @rule(target=jobs, file=files, base=st.sampled_from([model, model, "/etc", "../../etc", "no-such", "ft:x"]),
              hp=hyper, extra=st.dictionaries(st.sampled_from(["seed", "suffix", "method", "metadata", "integrations",
                                                                "validation_file"]), json_values, max_size=2))
        def create_job(self, file, base, hp, extra):
            body = {"training_file": file, "model": base, "hyperparameters": hp, **extra}
            if "hyperparameters" not in extra:
                body.setdefault("method", {"type": "supervised", "supervised": {"hyperparameters": {"n_epochs": 1}}})
            return self.call("POST", "/fine_tuning/jobs", json=body).json().get("id", "ftjob-missing")

        @rule(job=jobs, action=st.sampled_from(["", "/events", "/checkpoints", "/cancel", "/pause", "/resume"]),
              limit=st.sampled_from([None, 1, 0, 5000, "x"]))
        def touch_job(self, job, action, limit):
            method = "POST" if action in ("/cancel", "/pause", "/resume") else "GET"
            params = {} if limit is None else {"limit": limit}
            self.call(method, f"/fine_tuning/jobs/{job}{action}", params=params)

        @rule(job=consumes(jobs))
        def use_the_model(self, job):
            deadline, found = time.monotonic() + 30, None  # give a real job the time to train
            while time.monotonic() < deadline:
                state = self.call("GET", f"/fine_tuning/jobs/{job}").json()
                if state.get("status") not in ("validating_files", "queued", "running"):
                    found = state.get("fine_tuned_model")
                    break
                time.sleep(0.5)
            if found:
                self.call("GET", f"/models/{found}")
                self.call("POST", "/chat/completions",
                          json={"model": found, "max_tokens": 2, "messages": [{"role": "user", "content": "hola"}]})
                self.call("DELETE", f"/models/{found}")

        @rule(model_id=st.sampled_from(["ft:x:afinar:y:z", "rag:nada", "a/b", "/etc/passwd", "%2e%2e"]) | odd_text)
        def touch_model(self, model_id):
            self.call("GET", f"/models/{quote(model_id, safe=':/')}")

        @rule(seed=st.one_of(st.none(), st.integers(-2**80, 2**80)), n=st.sampled_from([1, 2, 9, None]),
              temperature=st.sampled_from([None, 0, 1.5, 3, -1]), extra=json_values)
        def chat(self, seed, n, temperature, extra):
            body = {"model": model, "max_tokens": 2, "messages": [{"role": "user", "content": "hola"}],
                    "seed": seed, "n": n, "temperature": temperature, "stop": extra}
            self.call("POST", "/chat/completions", json={k: v for k, v in body.items() if v is not None})

        @rule(raw=st.binary(max_size=40), path=st.sampled_from(["/fine_tuning/jobs", "/chat/completions",
                                                                "/embeddings", "/rag/x/search"]))
        def raw_body(self, raw, path):
            self.call("POST", path, content=raw, headers={"Content-Type": "application/json"})

        @invariant()
        def no_server_error_and_openai_errors(self):
            resp = self.last
            if resp is None:
                return
            assert resp.status_code < 500, f"{resp.request.method} {resp.request.url}: {resp.status_code} {resp.text}"
            if resp.status_code >= 400:
                body = json.loads(resp.text)
                assert set(body["error"]) == {"message", "type", "param", "code"}, body
                assert body["error"]["message"]

        def teardown(self):
            self.http.close()

    return Api


def test_stateful_fuzzing_finds_no_5xx_and_no_reset(server, tiny_model):
    machine = make_machine(server.url, str(tiny_model))
    run_state_machine_as_test(machine, settings=settings(
        max_examples=15, stateful_step_count=20, deadline=None, database=None, derandomize=True,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: bounded time; the failing steps are printed
        suppress_health_check=list(HealthCheck)))
    assert "unhandled error" not in server.output()
