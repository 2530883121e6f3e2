"""`afinar data ...` as a user runs it: exit codes, JSON shape, language, no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

REPO = Path(__file__).resolve().parents[2]
CHAT = REPO / "tests" / "fixtures" / "chat"
TECHSTORE = REPO / "examples" / "techstore"

pytestmark = pytest.mark.cli


def test_validate_json_shape_and_exit_code(run_cli) -> None:
    code, out, _ = run_cli("data", "validate", CHAT / "trailing_comma.jsonl", "--json")
    assert code == 1
    payload = json.loads(out)
    assert set(payload) >= {"file", "task", "valid", "examples", "errors", "warnings", "stats"}
    assert payload["valid"] is False and payload["task"] == "chat"
    (error,) = payload["errors"]
    assert set(error) == {"line", "code", "severity", "message", "hint", "field"}
    assert (error["line"], error["code"], error["severity"]) == (3, "trailing_comma", "error")


def test_valid_file_exits_zero(run_cli) -> None:
    code, out, _ = run_cli("data", "validate", TECHSTORE / "train.jsonl")
    assert code == 0
    assert "24" in out and "✓" in out


def test_usage_error_exits_two(run_cli) -> None:
    code, _, err = run_cli("data", "validate", CHAT / "bom.jsonl", "--task", "audio")
    assert code == 2 and "audio" in err


def test_human_report_in_spanish(run_cli) -> None:
    code, out, _ = run_cli("data", "validate", CHAT / "unrecognized_role.jsonl", "--lang", "es")
    assert code == 1
    assert "tests/fixtures/chat/unrecognized_role.jsonl:6" in out.replace("\\", "/")
    assert "rol" in out and "usuario" in out and "Corrige los errores" in out


def test_missing_file_is_a_finding_not_a_traceback(run_cli, tmp_path: Path) -> None:
    code, out, err = run_cli("data", "validate", tmp_path / "nope.jsonl", "--json")
    assert code == 1 and "Traceback" not in out + err
    assert json.loads(out)["errors"][0]["code"] == "file_not_found"


def test_fix_then_validate_the_dirty_techstore_file(run_cli, tmp_path: Path) -> None:
    out_file = tmp_path / "limpio.jsonl"
    code, out, _ = run_cli("data", "fix", TECHSTORE / "train_sucio.jsonl", "-o", out_file, "--lang", "es")
    assert code == 0
    for text in ("BOM", "se unieron las líneas 8–19", "se quitó la coma", "se reparó", "línea en blanco"):
        assert text in out
    code, out, _ = run_cli("data", "validate", out_file, "--json")
    assert code == 0
    assert [w["code"] for w in json.loads(out)["warnings"]] == ["too_few_examples"]
    fixed = [json.loads(line) for line in out_file.read_text(encoding="utf-8").splitlines()]
    original = [json.loads(line) for line in (TECHSTORE / "train.jsonl").read_text(encoding="utf-8").splitlines()]
    assert fixed == original


def test_fix_refuses_to_overwrite_input(run_cli, tmp_path: Path) -> None:
    src = tmp_path / "a.jsonl"
    src.write_text("{}\n", encoding="utf-8")
    code, out, err = run_cli("data", "fix", src, "-o", src)
    assert code == 1 and "never overwrites" in err and "Traceback" not in err


def test_fix_refuses_an_output_folder_that_does_not_exist(run_cli, tmp_path: Path) -> None:
    missing = tmp_path / "nonexistent" / "dir"
    code, _, err = run_cli("data", "fix", TECHSTORE / "train_sucio.jsonl", "-o", missing / "out.jsonl")
    text = " ".join(err.split())
    assert code == 1 and "does not exist" in text and "mkdir -p" in text and "Traceback" not in err
    assert not (tmp_path / "nonexistent").exists()  # nothing was created


def test_stats_and_estimate(run_cli) -> None:
    code, out, _ = run_cli("data", "stats", TECHSTORE / "train.jsonl", "--json")
    assert code == 0
    stats = json.loads(out)
    assert stats["examples"] == 24 and stats["roles"] == {"user": 24, "assistant": 24}
    assert stats["tokens_per_example"]["min"] <= stats["tokens_per_example"]["p50"] <= stats["tokens_per_example"]["max"]
    code, out, _ = run_cli("data", "estimate", TECHSTORE / "train.jsonl", "--model", "smollm2-135m-instruct", "--json")
    assert code == 0
    est = json.loads(out)
    assert est["epochs"] == 10 and est["epochs_source"] == "auto"  # 240 example passes for a small set
    assert est["openai_epochs"] == 4  # 100 // 24, OpenAI's rule, what its prices are for
    assert est["trained_tokens"] == est["tokens_per_epoch"] * 10
    assert est["local_method"] == "assumed" and est["local_seconds"] > 0
    assert est["openai_cost_usd"]["gpt-4o-mini-2024-07-18"] == round(est["tokens_per_epoch"] * 4 * 3.0 / 1e6, 4)
    assert [r["key"] for r in est["recipe"]] == ["recipe.epochs_small", "recipe.batch", "recipe.lr_small"]
    code, out, _ = run_cli("data", "estimate", TECHSTORE / "train.jsonl", "--model", "smollm2-135m-instruct",
                           "--no-measure", "--lang", "es")
    assert code == 0 and "10 épocas (auto): 24 ejemplos son pocos" in " ".join(out.split())
    code, out, _ = run_cli("data", "estimate", TECHSTORE / "train.jsonl", "-m", "x", "--epochs", "zero")
    assert code == 2


def test_bad_tokenizer_is_a_usage_error(run_cli, tmp_path: Path) -> None:
    code, out, err = run_cli("data", "validate", TECHSTORE / "train.jsonl", "--tokenizer", str(tmp_path))
    assert code == 2 and "tokenizer.json" in err and "Traceback" not in err


def test_real_console_script() -> None:
    exe = Path(sys.executable).with_name("afinar")
    out = subprocess.run([str(exe), "data", "validate", str(CHAT / "blank_line.jsonl"), "--json"],
                         capture_output=True, text=True)
    assert out.returncode == 0
    assert "blank_line" in {w["code"] for w in json.loads(out.stdout)["warnings"]}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=300))
def test_cli_exit_code_is_zero_or_one_on_any_bytes(run_cli, tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "any.jsonl"
    path.write_bytes(data)
    code, out, err = run_cli("data", "validate", path, "--json")
    assert code in (0, 1)
    assert "Traceback" not in err
    json.loads(out)
