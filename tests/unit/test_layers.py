"""House rule: afinar.data never imports torch, and `afinar --help` stays light."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("torch", "transformers", "peft", "accelerate")


@pytest.mark.parametrize("statement", [
    "import afinar.data.validate as v; [v._validator(task) for task in v.TASKS]",
    "import afinar.data.fix, afinar.data.stats, afinar.data.estimate, afinar.data.tokens",
    "import afinar.cli",
])
def test_no_heavy_imports(statement: str) -> None:
    code = f"{statement}\nimport sys\nprint(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_help_does_not_import_torch() -> None:
    code = ("import sys\nfrom afinar.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "print('torch' in sys.modules, file=sys.stderr)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stderr.strip().endswith("False")
    assert "data" in out.stdout and "models" in out.stdout


def test_the_inference_core_sits_below_its_callers() -> None:
    """afinar.serving is called by the server, the studio, RAG and the CLI; it imports none of them."""
    import ast
    from pathlib import Path

    import afinar.serving

    above = ("afinar.server", "afinar.studio", "afinar.cli", "afinar.rag")
    for path in Path(afinar.serving.__file__).parent.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        names += [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        assert not [n for n in names if n.startswith(above)], path.name


def _lint_imports(root) -> subprocess.CompletedProcess:
    import os
    from pathlib import Path

    exe = Path(sys.executable).with_name("lint-imports")
    return subprocess.run([str(exe), "--no-cache", "--config", str(root / "pyproject.toml")], cwd=root, check=False,
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(root / "src")})


def test_layer_contracts_hold_and_catch_a_forbidden_import(tmp_path) -> None:
    """`lint-imports` (run by `make test`) keeps the layers of pyproject.toml; a copy of the source
    with one import pointing up (the data toolkit importing the API) breaks the contract."""
    import shutil
    from pathlib import Path

    repo = Path(__file__).resolve().parents[2]
    assert _lint_imports(repo).returncode == 0
    shutil.copy(repo / "pyproject.toml", tmp_path / "pyproject.toml")
    shutil.copytree(repo / "src" / "afinar", tmp_path / "src" / "afinar",
                    ignore=shutil.ignore_patterns("__pycache__"))
    kept = _lint_imports(tmp_path)
    assert kept.returncode == 0, kept.stdout
    (tmp_path / "src" / "afinar" / "data" / "upward.py").write_text("import afinar.server.app\n")
    broken = _lint_imports(tmp_path)
    assert broken.returncode != 0 and "BROKEN" in broken.stdout
    assert "afinar.data.upward -> afinar.server.app" in broken.stdout
    (tmp_path / "src" / "afinar" / "data" / "upward.py").unlink()
    (tmp_path / "src" / "afinar" / "studio" / "sideways.py").write_text("from afinar.server import service\n")
    assert "afinar.studio.sideways -> afinar.server.service" in _lint_imports(tmp_path).stdout
