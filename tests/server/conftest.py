"""Fixtures for the server tests: see serverkit.py for how the real server is started and checked."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from serverkit import Server, Servers, SpecChecker
from tiny_chat import build as build_tiny


@pytest.fixture
def servers(afinar_home: Path, tmp_path: Path):
    pool = Servers(afinar_home, tmp_path)
    yield pool
    pool.close()


@pytest.fixture
def server(servers: Servers) -> Server:
    return servers.start()


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny(tmp_path_factory.mktemp("tiny-chat") / "tiny")


# --- recording and validating every response -------------------------------------------------
@pytest.fixture
def make_client():
    """OpenAI clients with strict validation whose responses are all checked against the spec."""
    from openai import OpenAI

    made: list[tuple[SpecChecker, httpx.Client]] = []

    def _make(server: Server, *, strict: bool = True, api_key: str = "local", **headers: str):
        checker = SpecChecker(server.url)
        http = httpx.Client(event_hooks={"response": [checker.record]}, headers=headers, timeout=120)
        made.append((checker, http))
        client = OpenAI(base_url=server.url + "/v1", api_key=api_key, max_retries=0,
                        _strict_response_validation=strict, http_client=http)
        client.checker = checker  # type: ignore[attr-defined]
        return client

    yield _make
    for checker, http in made:
        http.close()
        checker.check_all()


