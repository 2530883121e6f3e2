"""The server's small pure rules: which Host and Origin headers pass, which model names are paths,
and the estimated finish of a running job from its measured steps."""

from __future__ import annotations

import pytest

from afinar.jobs.runner import estimated_finish
from afinar.server.guard import host_allowed, origin_allowed
from afinar.server.ownership import job_of_model, looks_like_path

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(("host", "ok"), [
    ("127.0.0.1:8000", True), ("localhost", True), ("[::1]:8000", True), ("10.0.0.7", True),
    ("box.lan:8000", True), ("BOX.LAN.", True),
    ("evil.example", False), ("localhost.evil.example", False), ("a.localhost", False), ("", False),
    ("127.0.0.1:port", False),
])
def test_host_names(host: str, ok: bool) -> None:
    assert host_allowed(host, "127.0.0.1", ["box.lan"]) is ok


def test_the_bound_name_and_star() -> None:
    assert host_allowed("myhost:80", "myhost", []) and host_allowed("anything", "127.0.0.1", ["*"])


@pytest.mark.parametrize(("origin", "ok"), [
    ("http://127.0.0.1:8000", True), ("http://127.0.0.1:8001", False), ("https://127.0.0.1:8000", False),
    ("http://localhost:8000", False), ("null", False), ("http://app.example", True), ("http://app.example/", True),
])
def test_origins(origin: str, ok: bool) -> None:
    assert origin_allowed(origin, "127.0.0.1:8000", "http", ["http://app.example"]) is ok


@pytest.mark.parametrize(("name", "path"), [
    ("/etc", True), ("../../etc", True), ("./m", True), ("~/m", True), ("C:\\models", True), ("C:/m", True),
    ("a/b/c", True), ("x..y", True), ("smollm2-135m-instruct", False), ("HuggingFaceTB/SmolLM2-135M", False),
    ("ft:tiny:afinar:x:abc", False),
])
def test_paths_are_told_from_model_names(name: str, path: bool) -> None:
    assert looks_like_path(name) is path


def test_an_ft_model_names_its_job() -> None:
    assert job_of_model("ft:tiny:afinar:x:abc123:ckpt-step-6") == "ftjob-abc123"
    assert job_of_model("smollm2-135m-instruct") is None


def test_estimated_finish_uses_the_median_step_time() -> None:
    rows = [{"step": s, "time": 100.0 + 2 * s} for s in range(1, 11)]  # 2 s a step
    assert estimated_finish(rows, 20) == 120 + 2 * 10
    paused = rows + [{"step": 11, "time": 1000.0}, {"step": 12, "time": 1002.0}]  # a long pause in between
    assert estimated_finish(paused, 20) == 1002 + 2 * 8
    assert estimated_finish(rows[:1], 20) is None  # one step: nothing measured yet
