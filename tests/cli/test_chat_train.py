"""`afinar train chat`, `afinar chat` and `afinar compare` end to end on a tiny random model."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import tiny_chat

REPO = Path(__file__).resolve().parents[2]
TECHSTORE = REPO / "examples" / "techstore"
pytestmark = pytest.mark.cli


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tiny_chat.build(tmp_path_factory.mktemp("tiny") / "tiny-chat")


def _data(path: Path, n: int) -> Path:
    rows = [{"messages": [{"role": "user", "content": f"¿Precio del producto {i}?"},
                          {"role": "assistant", "content": f"El producto {i} cuesta ${100 + i}."}]}
            for i in range(n)]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    return path


def _adapter(run: Path) -> dict:
    from safetensors.torch import load_file

    return load_file(str(run / "final" / "adapter_model.safetensors"))


def test_train_chat_and_use_the_model(run_cli, tiny_model: Path, tmp_path: Path) -> None:
    run = tmp_path / "run"
    code, out, err = run_cli("train", "chat", TECHSTORE / "train.jsonl", "--model", tiny_model,
                             "--epochs", "2", "--suffix", "tienda", "--output", run, "--keep-checkpoints", "1")
    assert code == 0, err
    meta = json.loads((run / "meta.json").read_text())
    assert meta["status"] == "succeeded" and meta["task"] == "chat"
    assert meta["model_id"].startswith("ft:tiny-chat:afinar:tienda:") and meta["model_id"] in out
    config = (run / "config.yaml").read_text()
    for resolved in ("epochs: 2", "batch_size: 4", "learning_rate: 0.001", "train_examples: 24", "valid_examples: 0"):
        assert resolved in config
    assert [p.name for p in (run / "checkpoints").iterdir()] == ["checkpoint-12"]  # only the last is kept
    header = (run / "results.csv").read_text().splitlines()[0]
    assert header == ("step,train_loss,train_accuracy,valid_loss,valid_mean_token_accuracy,"
                      "eval_facts_recalled,eval_nonword_rate")
    events = [e["message"] for e in map(json.loads, (run / "events.jsonl").read_text().splitlines())]
    assert "Step 10/12: training loss=" in " ".join(events) and events[-1] == "The job has successfully completed"
    card = (run / "README.md").read_text()
    assert card.startswith("---\nbase_model:") and "lora_r" in card
    code, _answer, err = run_cli("chat", "-m", meta["model_id"], "-p", "¿Qué laptop?", "--max-tokens", "5")
    assert code == 0, err
    code, _, err = run_cli("chat", "-m", meta["model_id"] + ":ckpt-step-12", "-p", "hola", "--max-tokens", "3")
    assert code == 0, err
    code, _, err = run_cli("chat", "-m", meta["model_id"] + ":ckpt-step-6", "-p", "hola")
    assert code == 1 and "no complete checkpoint at step 6" in " ".join(err.split())
    report = tmp_path / "report.html"
    code, out, err = run_cli("compare", "--base", tiny_model, "--tuned", run, "--prompts",
                             TECHSTORE / "test_prompts.jsonl", "--report", report, "--max-tokens", "4")
    assert code == 0, err
    assert "0/12" in out or "/12" in out
    assert report.read_text().count("<tr>") == 6


def _with_system(path: Path, n: int, system: str) -> Path:
    rows = [{"messages": [{"role": "system", "content": system},
                          {"role": "user", "content": f"¿Cuánto cuesta la tarta {i}?"},
                          {"role": "assistant", "content": f"La tarta {i} cuesta {10 + i} euros."}]}
            for i in range(n)]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    return path


def test_auto_recipe_system_prompt_and_checks_travel_with_the_model(run_cli, tiny_model: Path,
                                                                       tmp_path: Path) -> None:
    """Defaults only: the events say what auto chose and why; the shared system prompt is kept with
    the model and used by `afinar chat`; the job ends with a facts/non-words check."""
    system = "Eres el asistente de la Pastelería Nube. Responde en español."
    run = tmp_path / "run"
    code, _, err = run_cli("train", "chat", _with_system(tmp_path / "d.jsonl", 6, system), "--model", tiny_model,
                           "--output", run)
    assert code == 0, err
    meta = json.loads((run / "meta.json").read_text())
    assert meta["system_prompt"] == system
    events = [json.loads(line) for line in (run / "events.jsonl").read_text().splitlines()]
    recipe = {e["data"]["recipe"]: e["message"] for e in events if "recipe" in e["data"]}
    assert recipe.keys() == {"recipe.epochs_small", "recipe.batch", "recipe.lr_small"}
    assert recipe["recipe.epochs_small"].startswith("20 epochs (auto): 6 examples are few")
    assert "epochs: 20" in (run / "config.yaml").read_text()
    checks = json.loads((run / "evaluation.json").read_text())
    assert checks["source"] == "training" and checks["checks"] == 6 and checks["facts_total"] == 12
    assert checks["system_prompt"] == system and checks["language"] == "es"
    assert meta["evaluation"]["facts_total"] == 12 and "Evaluation on 6 training questions" in events[-3]["message"]
    last = (run / "results.csv").read_text().splitlines()[-1].split(",")
    assert float(last[5]) == checks["facts_recalled"] / 12
    code, _, err = run_cli("chat", "-m", meta["model_id"], "-p", "hola", "--max-tokens", "3")
    assert code == 0 and system in " ".join(err.split())
    code, _, err = run_cli("chat", "-m", meta["model_id"], "-p", "hola", "--max-tokens", "3", "--system", "")
    assert code == 0 and system not in " ".join(err.split())


def test_eval_prompts_are_checked_before_training(run_cli, tiny_model: Path, tmp_path: Path) -> None:
    bad = tmp_path / "checks.jsonl"
    bad.write_text('{"prompt": "¿Horario?", "expected": ["(9:00"]}\n', encoding="utf-8")
    code, _, err = run_cli("train", "chat", _data(tmp_path / "d.jsonl", 4), "--model", tiny_model,
                           "--eval-prompts", bad, "--output", tmp_path / "r")
    assert code == 1 and "invalid regular expression" in " ".join(err.split()) and not (tmp_path / "r").exists()
    good = tmp_path / "good.jsonl"
    good.write_text('{"prompt": "¿Cuánto cuesta el producto 2?", "expected": ["102"]}\n', encoding="utf-8")
    code, _, err = run_cli("train", "chat", _data(tmp_path / "d.jsonl", 4), "--model", tiny_model, "--epochs", "1",
                           "--eval-prompts", good, "--output", tmp_path / "r2")
    assert code == 0, err
    checks = json.loads((tmp_path / "r2" / "evaluation.json").read_text())
    assert checks["source"] == "eval_prompts" and checks["checks"] == 1 and checks["system_prompt"] is None


def test_same_seed_same_loss_curve(run_cli, tiny_model: Path, tmp_path: Path) -> None:
    data = _data(tmp_path / "d.jsonl", 12)
    curves = []
    for name in ("a", "b"):
        code, _, err = run_cli("train", "chat", data, "--model", tiny_model, "--epochs", "2", "--output", tmp_path / name)
        assert code == 0, err
        curves.append([m["train_loss"] for m in map(json.loads, (tmp_path / name / "metrics.jsonl").read_text().splitlines())
                       if "train_loss" in m])
    assert curves[0] == curves[1] and len(curves[0]) == 6


def test_invalid_data_is_refused_before_training(run_cli, tiny_model: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"messages": [{"role": "user", "content": "hola"}]}\n{"messages": [\n', encoding="utf-8")
    code, out, err = run_cli("train", "chat", bad, "--model", tiny_model, "--output", tmp_path / "r")
    assert code == 1
    assert "example_missing_assistant_message" in out and "invalid_json" in out
    assert "nothing was trained" in " ".join(err.split()) and not (tmp_path / "r").exists()


def test_bad_options_are_reported_together(run_cli, tiny_model: Path, tmp_path: Path) -> None:
    code, _, err = run_cli("train", "chat", _data(tmp_path / "d.jsonl", 3), "--model", tiny_model,
                           "--epochs", "99", "--batch-size", "zero", "--suffix", "a b")
    assert code == 2
    assert "--epochs" in err and "--batch-size" in err and "--suffix" in err


def test_killed_run_resumes_to_the_same_weights(tiny_model: Path, tmp_path: Path, run_cli) -> None:
    """kill -9 after the first epoch's checkpoint, --resume, and compare with an uninterrupted run."""
    data = _data(tmp_path / "d.jsonl", 24)
    common = ["--model", str(tiny_model), "--epochs", "6", "--batch-size", "2", "--seed", "7",
              "--valid-fraction", "0", "--keep-checkpoints", "10"]
    code, _, err = run_cli("train", "chat", data, *common, "--output", tmp_path / "whole")
    assert code == 0, err
    from afinar.tasks.chat.config import ChatTrainConfig
    from afinar.tasks.chat.prepare import launch, prepare

    config = ChatTrainConfig(data=data, model=str(tiny_model), epochs=6, batch_size=2, seed=7,
                             valid_fraction=0, keep_checkpoints=10)
    run = prepare(config, tmp_path / "killed")
    proc = launch(run)
    first = run.checkpoint_dir(12) / "state.json"
    deadline = time.time() + 120
    while not first.exists() and time.time() < deadline and proc.poll() is None:
        time.sleep(0.005)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert run.read_meta()["status"] == "running"  # it died without finishing
    done = [int(p.name.split("-")[1]) for p in run.checkpoints()]
    assert done and max(done) < 72
    code, _, err = run_cli("train", "chat", "--resume", run.path)
    assert code == 0, err
    whole, resumed = _adapter(tmp_path / "whole"), _adapter(run.path)
    assert whole.keys() == resumed.keys()
    for name in whole:
        assert (whole[name] - resumed[name]).abs().max() < 1e-6, name


def test_two_processes_match_one(run_cli, tiny_model: Path, tmp_path: Path) -> None:
    """Data parallel (torchrun, DistributedDataParallel over gloo on CPU) ends with the weights, losses and
    validation of a single-process run; 9 examples in batches of 4 leave one process idle (a
    zero-weighted pass) in the last step of each epoch."""
    data, valid = _data(tmp_path / "d.jsonl", 9), _data(tmp_path / "v.jsonl", 3)
    common = ["--model", str(tiny_model), "--epochs", "2", "--batch-size", "4", "--validation", valid,
              "--lr-multiplier", "5"]
    code, _, err = run_cli("train", "chat", data, *common, "--output", tmp_path / "one")
    assert code == 0, err
    code, _, err = run_cli("train", "chat", data, *common, "--nproc", "2", "--output", tmp_path / "two")
    assert code == 0, err
    assert json.loads((tmp_path / "two" / "meta.json").read_text())["processes"] == 2
    one, two = _adapter(tmp_path / "one"), _adapter(tmp_path / "two")
    for name in one:
        assert (one[name] - two[name]).abs().max() < 1e-5, name
    metrics = [[m for m in map(json.loads, (tmp_path / r / "metrics.jsonl").read_text().splitlines())]
               for r in ("one", "two")]
    for key in ("train_loss", "valid_loss", "learning_rate"):
        a, b = ([m[key] for m in rows if key in m] for rows in metrics)
        assert len(a) == len(b) > 0 and a == pytest.approx(b, abs=1e-5), key


def test_full_fine_tuning_and_merge(run_cli, tiny_model: Path, tmp_path: Path) -> None:
    data = _data(tmp_path / "d.jsonl", 8)
    code, out, err = run_cli("train", "chat", data, "--model", tiny_model, "--method", "full", "--epochs", "1",
                             "--output", tmp_path / "full")
    assert code == 0, err
    assert (tmp_path / "full" / "final" / "model.safetensors").exists()
    code, _, err = run_cli("chat", "-m", tmp_path / "full", "-p", "hola", "--max-tokens", "3")
    assert code == 0, err
    code, _out, err = run_cli("train", "chat", data, "--model", tiny_model, "--epochs", "1", "--merge",
                             "--output", tmp_path / "lora")
    assert code == 0, err
    merged = tmp_path / "lora" / "final" / "merged"
    assert (merged / "config.json").exists() and list(merged.glob("*.safetensors"))
    code, _, err = run_cli("chat", "-m", merged, "-p", "hola", "--max-tokens", "3")
    assert code == 0, err


@pytest.mark.parametrize("method", ["lora", "full"])
def test_sharded_two_processes_match_one(run_cli, tiny_model: Path, tmp_path: Path, method: str) -> None:
    """FSDP over 2 CPU processes (gloo) ends with the weights, losses and validation of a single-process
    run; 9 examples in batches of 4 leave one process idle (a zero-weighted pass) in the last step of
    each epoch."""
    from safetensors.torch import load_file

    data, valid = _data(tmp_path / "d.jsonl", 9), _data(tmp_path / "v.jsonl", 3)
    common = ["--model", str(tiny_model), "--method", method, "--epochs", "2", "--batch-size", "4",
              "--validation", valid, "--lr-multiplier", "5"]
    code, _, err = run_cli("train", "chat", data, *common, "--output", tmp_path / "one")
    assert code == 0, err
    code, _, err = run_cli("train", "chat", data, *common, "--nproc", "2", "--fsdp", "--output", tmp_path / "two")
    assert code == 0, err
    meta = json.loads((tmp_path / "two" / "meta.json").read_text())
    assert meta["processes"] == 2 and meta["sharded"] is True
    name = "adapter_model.safetensors" if method == "lora" else "model.safetensors"
    one, two = (load_file(str(tmp_path / r / "final" / name)) for r in ("one", "two"))
    assert one.keys() == two.keys()
    for key in one:
        assert (one[key] - two[key]).abs().max() < 1e-5, key
    base = load_file(str(tiny_model / "model.safetensors"))
    moved = sum(not bool((one[k] == base[k]).all()) for k in one if k in base)
    assert method == "lora" or moved > 0  # full fine-tuning changed the weights
    metrics = [[m for m in map(json.loads, (tmp_path / r / "metrics.jsonl").read_text().splitlines())]
               for r in ("one", "two")]
    for key in ("train_loss", "valid_loss"):
        a, b = ([m[key] for m in rows if key in m] for rows in metrics)
        assert len(a) == len(b) > 0 and a == pytest.approx(b, abs=1e-5), key
    # the checkpoints are the same files as a single-process run's: the sharded one resumes alone
    ckpt = load_file(str(tmp_path / "two" / "checkpoints" / "checkpoint-3" / "trainable.safetensors"))
    assert ckpt.keys() == load_file(str(tmp_path / "one" / "checkpoints" / "checkpoint-3" / "trainable.safetensors")).keys()
    code, _, err = run_cli("chat", "-m", tmp_path / "two", "-p", "hola", "--max-tokens", "3")
    assert code == 0, err
    # a sharded run that stopped after its first epoch resumes to the same weights
    cut = tmp_path / "cut"
    shutil.copytree(tmp_path / "two", cut)
    shutil.rmtree(cut / "final")
    shutil.rmtree(cut / "checkpoints" / "checkpoint-6")
    meta = json.loads((cut / "meta.json").read_text())
    (cut / "meta.json").write_text(json.dumps({**meta, "status": "running"}))
    code, _, err = run_cli("train", "chat", "--resume", cut)
    assert code == 0, err
    assert "Resumed from checkpoint at step 3" in (cut / "events.jsonl").read_text()
    resumed = load_file(str(cut / "final" / name))
    for key in one:
        assert (one[key] - resumed[key]).abs().max() < 1e-5, key


def test_sharding_needs_processes(run_cli, tiny_model: Path, tmp_path: Path) -> None:
    code, _, err = run_cli("train", "chat", _data(tmp_path / "d.jsonl", 4), "--model", tiny_model, "--fsdp")
    assert code == 2 and "--fsdp" in err and "--nproc 2" in err and "Traceback" not in err


def test_qlora_run_end_to_end_on_the_cpu_backend(run_cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The whole `--method qlora` path (4-bit base, LoRA, checkpoints, adapter, chat, checkpoint id)
    on bitsandbytes' CPU backend, which the product accepts only with AFINAR_QLORA_CPU=1."""
    pytest.importorskip("bitsandbytes")
    monkeypatch.setenv("AFINAR_QLORA_CPU", "1")
    model = tiny_chat.build(tmp_path / "tiny128", hidden=128)  # bitsandbytes' CPU blocks: widths of 64s
    run = tmp_path / "q"
    code, _out, err = run_cli("train", "chat", _data(tmp_path / "d.jsonl", 8), "--model", model, "--method", "qlora",
                             "--epochs", "2", "--batch-size", "4", "--lr-multiplier", "10", "--output", run)
    assert code == 0, err
    losses = [m["train_loss"] for m in map(json.loads, (run / "metrics.jsonl").read_text().splitlines())
              if "train_loss" in m]
    assert len(losses) == 4 and losses[-1] < losses[0]
    assert (run / "final" / "adapter_model.safetensors").exists()
    assert "qlora" in (run / "README.md").read_text()
    code, _, err = run_cli("chat", "-m", run, "-p", "hola", "--max-tokens", "3")
    assert code == 0, err
    model_id = json.loads((run / "meta.json").read_text())["model_id"]
    code, _, err = run_cli("chat", "-m", f"{model_id}:ckpt-step-2", "-p", "hola", "--max-tokens", "3")
    assert code == 0, err


def test_qlora_without_a_gpu_says_what_to_do(run_cli, tiny_model: Path, tmp_path: Path) -> None:
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU: QLoRA may run")
    code, _, err = run_cli("train", "chat", _data(tmp_path / "d.jsonl", 4), "--model", tiny_model,
                           "--method", "qlora", "--output", tmp_path / "q")
    assert code != 0 and "Traceback" not in err
    assert "QLoRA" in err and "NVIDIA" in err and "--method lora" in err
    assert not (tmp_path / "q").exists()  # refused before anything was written
