"""Every test runs against its own AFINAR_HOME and a fixed language, so nothing leaks between tests."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session", autouse=True)
def _session_home(tmp_path_factory: pytest.TempPathFactory):
    """The home of module- and session-scoped fixtures (set up before any test's own home): a
    training they run records its job there, never in the user's real AFINAR_HOME."""
    patch = pytest.MonkeyPatch()
    patch.setenv("AFINAR_HOME", str(tmp_path_factory.mktemp("session-home")))
    yield
    patch.undo()


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path_factory.mktemp("afinar-home")
    monkeypatch.setenv("AFINAR_HOME", str(home))
    monkeypatch.setenv("AFINAR_LANG", "en")
    from afinar import i18n

    i18n.set_lang(None)
    return home


@pytest.fixture
def afinar_home(_isolated_home: Path) -> Path:
    return _isolated_home


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]):
    """Run `afinar ARGS...` in-process through the real entry point: returns (exit_code, stdout, stderr)."""
    from afinar.cli import main

    def _run(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        with pytest.raises(SystemExit) as exc:
            main([str(a) for a in args])
        captured = capsys.readouterr()
        code = exc.value.code
        return (code if isinstance(code, int) else 1), captured.out, captured.err

    return _run
