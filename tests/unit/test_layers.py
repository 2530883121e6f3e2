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
