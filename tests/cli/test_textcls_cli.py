"""`afinar train text-classification`, `afinar predict` and `afinar export space` end to end, with a
tiny random BERT (built in code) trained on the restaurant example in a few seconds."""

from __future__ import annotations

import csv
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from fixtures.models.tiny_bert import write_tiny_bert  # noqa: E402

pytestmark = pytest.mark.cli

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "restaurante"


def _texts() -> list[str]:
    rows = []
    for name in ("train.csv", "valid.csv", "comentarios.csv"):
        with open(EXAMPLE / name, encoding="utf-8") as fh:
            rows += [" ".join(r.values()) for r in csv.DictReader(fh)]
    return rows


def _afinar(*args: str) -> int:
    from afinar.cli import main

    try:
        main([str(a) for a in args])
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1
    return 0


@pytest.fixture(scope="module")
def tiny_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tiny_bert(tmp_path_factory.mktemp("tiny-bert"), _texts(), hidden=32)


def _train(base: Path, run: Path, *flags: str) -> Path:
    code = _afinar("train", "text-classification", "--data", EXAMPLE / "train.csv", "--valid",
                   EXAMPLE / "valid.csv", "--base", base, "--epochs", "4", "--lr", "5e-3", "--head-lr", "5e-3",
                   "--batch-size", "8", "--patience", "0", "-o", run, *flags)
    assert code == 0
    return run


@pytest.fixture(scope="module")
def trained(tiny_base: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The path e5 bases take by default: the mean-pooling head started from the linear probe, with
    e5's ``query: `` prefix."""
    return _train(tiny_base, tmp_path_factory.mktemp("runs") / "resenas", "--head", "mean", "--text-prefix", "query: ")


@pytest.fixture(scope="module")
def trained_cls(tiny_base: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The base's standard sequence-classification head (what a plain BERT base gets by default)."""
    return _train(tiny_base, tmp_path_factory.mktemp("runs") / "resenas-cls")


def test_the_head_is_recorded_and_the_mean_head_starts_from_the_probe(trained: Path, trained_cls: Path) -> None:
    import yaml

    for run, head, prefix in ((trained, "mean", "query: "), (trained_cls, "cls", "")):
        config = yaml.safe_load((run / "config.yaml").read_text())
        saved = json.loads((run / "final" / "config.json").read_text())
        assert (config["head"], config["text_prefix"]) == (head, prefix)
        assert saved["afinar"] == {"head": head, "text_prefix": prefix}
        assert (run / "final" / "classifier.safetensors").is_file() == (head == "mean")
    events = (trained / "events.jsonl").read_text()
    assert "started from a logistic regression" in events
    assert "started from a logistic regression" not in (trained_cls / "events.jsonl").read_text()
    assert "AutoModel.from_pretrained" in (trained / "final" / "README.md").read_text()


def test_run_folder_describes_itself(trained: Path) -> None:
    meta = json.loads((trained / "meta.json").read_text())
    assert meta["task"] == "text-classification" and meta["status"] == "succeeded"
    assert meta["labels"] == ["negativo", "neutral", "positivo"]
    assert meta["base_checksum"] and set(meta["dataset_sha256"]) == {"train", "valid"}
    assert meta["versions"]["torch"] and meta["seed"] == 42
    for name in ("config.yaml", "metrics.jsonl", "events.jsonl", "train.log", "report.json", "README.md",
                 "confusion_matrix.png", "curves.png", "valid_predictions.csv", "final/model.safetensors",
                 "final/config.json", "final/README.md", "data/train.jsonl", "data/valid.jsonl"):
        assert (trained / name).is_file(), name
    assert (trained / "confusion_matrix.png").read_bytes()[:4] == b"\x89PNG"
    assert len(list((trained / "checkpoints").iterdir())) == 1
    assert not list((trained / "final").glob("*.bin"))


def test_report_has_metrics_baselines_and_the_best_epoch(trained: Path) -> None:
    report = json.loads((trained / "report.json").read_text())
    epochs = [r for r in map(json.loads, (trained / "metrics.jsonl").read_text().splitlines()) if r["kind"] == "epoch"]
    assert len(epochs) == report["epochs_run"] == 4
    best = max(epochs, key=lambda r: r["f1"])
    assert report["best_epoch"] == best["epoch"] and report["final"]["f1"] == pytest.approx(best["f1"])
    assert sum(map(sum, report["final"]["confusion_matrix"])) == report["valid_examples"] == 30
    assert set(report["baselines"]) == {"majority", "tfidf_logreg"}
    assert report["baselines"]["majority"]["accuracy"] == pytest.approx(1 / 3)
    assert epochs[-1]["train_loss"] < epochs[0]["train_loss"]  # the tiny model does learn
    card = (trained / "final" / "README.md").read_text()
    assert card.startswith("---\n") and "model-index" in card and "pipeline_tag: text-classification" in card


def test_predict_text_confidences_sum_to_one(trained: Path, run_cli) -> None:
    code, out, _ = run_cli("predict", trained, "La comida estuvo deliciosa", "Pésimo servicio", "--json")
    assert code == 0
    results = json.loads(out)
    assert [r["input"] for r in results] == ["La comida estuvo deliciosa", "Pésimo servicio"]
    for r in results:
        assert sum(r["scores"].values()) == pytest.approx(1.0, abs=1e-5)
        assert r["label"] in r["scores"] and r["confidence"] == max(r["scores"].values())
    code, out, _ = run_cli("--lang", "es", "predict", trained, "La comida estuvo deliciosa")
    assert code == 0 and "de confianza)" in out and "negativo" in out and "neutral" in out


def test_batch_prediction_keeps_rows_and_columns(trained: Path, run_cli, tmp_path: Path) -> None:
    out_csv = tmp_path / "out.csv"
    code, _, _ = run_cli("predict", trained, "--input", EXAMPLE / "comentarios.csv", "-o", out_csv)
    assert code == 0
    with open(EXAMPLE / "comentarios.csv", encoding="utf-8") as fh:
        source = list(csv.DictReader(fh))
    with open(out_csv, encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        rows = list(reader)
    assert reader.fieldnames == ["fecha", "comentario", "label", "confidence"]
    assert [(r["fecha"], r["comentario"]) for r in rows] == [(r["fecha"], r["comentario"]) for r in source]
    assert all(r["label"] in {"negativo", "neutral", "positivo"} and 1 / 3 <= float(r["confidence"]) <= 1 for r in rows)
    # A labelled file keeps its own label column; the prediction goes next to it.
    code, _, _ = run_cli("predict", trained, "--input", EXAMPLE / "valid.csv", "-o", tmp_path / "v.csv")
    with open(tmp_path / "v.csv", encoding="utf-8") as fh:
        assert csv.DictReader(fh).fieldnames == ["text", "label", "label_predicted", "confidence"]


def test_predict_errors(trained: Path, run_cli, tmp_path: Path) -> None:
    code, _, err = run_cli("predict", tmp_path, "hola")
    assert code == 1 and "not a run folder" in err and "Traceback" not in err
    code, _, err = run_cli("predict", trained)
    assert code == 1 and "Nothing to classify" in err
    code, _, err = run_cli("predict", trained, "--input", EXAMPLE / "comentarios.csv")
    assert code == 1 and "-o/--output" in err


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _call_gradio(port: int, text: str) -> dict:
    base = f"http://127.0.0.1:{port}/gradio_api/call/classify"
    request = urllib.request.Request(base, data=json.dumps({"data": [text]}).encode(),
                                     headers={"Content-Type": "application/json"})
    event = json.loads(urllib.request.urlopen(request, timeout=30).read())["event_id"]
    stream = urllib.request.urlopen(f"{base}/{event}", timeout=60).read().decode()
    assert "event: complete" in stream, stream
    data_line = [line for line in stream.splitlines() if line.startswith("data:")][-1]
    return json.loads(data_line[len("data:"):])[0]


@pytest.mark.parametrize("head", ["mean", "cls"])
def test_export_space_runs_and_answers(head: str, request: pytest.FixtureRequest, run_cli, tmp_path: Path) -> None:
    trained = request.getfixturevalue("trained" if head == "mean" else "trained_cls")
    space = tmp_path / "space"
    code, out, _ = run_cli("export", "space", trained, "-o", space)
    assert code == 0 and "python app.py" in out
    assert {p.name for p in space.iterdir()} == {"app.py", "requirements.txt", "README.md", "model"}
    readme = (space / "README.md").read_text()
    assert "sdk: gradio" in readme and "app_file: app.py" in readme and "F1 (macro)" in readme
    app = (space / "app.py").read_text()
    assert "Clasificar" in app and ("classifier.safetensors" in app) == (head == "mean")
    assert ("classifier.safetensors" in {p.name for p in (space / "model").iterdir()}) == (head == "mean")
    code, _, err = run_cli("export", "space", trained, "-o", space)
    assert code == 1 and "--force" in err

    port = _free_port()
    env = dict(os.environ, GRADIO_SERVER_PORT=str(port), GRADIO_ANALYTICS_ENABLED="False")
    proc = subprocess.Popen([sys.executable, "app.py"], cwd=space, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 90
        for line in proc.stdout:
            if "Running on" in line:
                break
            assert time.monotonic() < deadline and proc.poll() is None, line
        answer = _call_gradio(port, "La comida estuvo deliciosa")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert answer["label"] in {"negativo", "neutral", "positivo"}
    assert sum(c["confidence"] for c in answer["confidences"]) == pytest.approx(1.0, abs=1e-4)


def test_bad_data_stops_before_training(run_cli, tmp_path: Path, tiny_base: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("text,label\nmuy rico,positivo\n,negativo\nhorrible,\n", encoding="utf-8")
    code, _, err = run_cli("train", "text-classification", "--data", bad, "--base", tiny_base, "-o", tmp_path / "run")
    err = " ".join(err.split())  # rich wraps long lines
    assert code == 1 and "missing_text" in err and "missing_label" in err and "too_few_examples" in err
    assert "training did not start" in err and not (tmp_path / "run").exists()


def test_crash_is_recorded_and_reported_without_traceback(run_cli, tmp_path: Path, tiny_base: Path) -> None:
    import shutil

    broken = tmp_path / "broken-base"
    shutil.copytree(tiny_base, broken)
    (broken / "model.safetensors").write_bytes(b"not a safetensors file")
    code, _, err = run_cli("train", "text-classification", "--data", EXAMPLE / "train.csv", "--base", broken,
                           "-o", tmp_path / "run")
    err = " ".join(err.split())
    meta = json.loads((tmp_path / "run" / "meta.json").read_text())
    assert code == 1 and meta["status"] == "failed" and meta["error"]
    assert "Training failed" in err and meta["error"] in err and "train.log" in err
    assert "Traceback" not in err and "Traceback" in (tmp_path / "run" / "train.log").read_text()


@pytest.mark.parametrize("task", ["chat", "image-classification"])
def test_predict_and_export_dispatch_on_the_run_task(run_cli, tmp_path: Path, task: str) -> None:
    (tmp_path / "meta.json").write_text(json.dumps({"task": task, "status": "succeeded"}))
    code, _, err = run_cli("predict", tmp_path, "hola")
    err = " ".join(err.split())
    if task == "chat":
        assert code == 1 and f'task "{task}"' in err and "cannot predict" in err and "text-classification" in err
    else:  # image runs predict through their own task module; this folder has no trained model
        assert code == 1 and "has no trained image model" in err and "Traceback" not in err
    code, _, err = run_cli("export", "space", tmp_path, "-o", tmp_path / "space")
    err = " ".join(err.split())
    if task == "chat":
        assert code == 1 and "cannot export" in err
    else:  # image runs export through their own task module; this folder has no trained model
        assert code == 1 and "has no trained image model" in err and "Traceback" not in err


def test_unfinished_run_cannot_predict(run_cli, tmp_path: Path) -> None:
    (tmp_path / "meta.json").write_text(json.dumps({"task": "text-classification", "status": "running"}))
    code, _, err = run_cli("--lang", "es", "predict", tmp_path, "hola")
    assert code == 1 and "running" in err and "aún no hay un modelo" in " ".join(err.split())


def test_paused_then_resumed_ends_with_the_weights_of_an_uninterrupted_run(trained: Path, tiny_base: Path,
                                                                          tmp_path: Path) -> None:
    """The job runner's pause (the pause file) stops after an epoch with the whole training state
    saved; ``--resume`` continues to the very weights and report of the uninterrupted run, each step
    once in metrics.jsonl. The mean head's run, paused after its first epoch."""
    import shutil

    from safetensors.torch import load_file

    from afinar.engine.rundir import PAUSE_FILE

    run = tmp_path / "pausada"
    shutil.copytree(trained, run, ignore=shutil.ignore_patterns("checkpoints", "final", "metrics.jsonl",
                                                               "events.jsonl", "report.json", "*.png", "*.csv"))
    (run / "checkpoints").mkdir()
    (run / PAUSE_FILE).write_text("pause\n")

    def child(*flags: str) -> None:
        done = subprocess.run([sys.executable, "-m", "afinar.tasks.text_classification.train", str(run), *flags],
                              capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr[-2000:]

    child()
    meta = json.loads((run / "meta.json").read_text(encoding="utf-8"))
    assert meta["status"] == "paused" and not (run / "final").exists()
    rows = [json.loads(line) for line in (run / "metrics.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["epoch"] for r in rows if r["kind"] == "epoch"] == [1]
    (run / PAUSE_FILE).unlink()
    child("--resume")
    assert json.loads((run / "meta.json").read_text(encoding="utf-8"))["status"] == "succeeded"
    files = sorted(p.name for p in (trained / "final").glob("*.safetensors"))
    assert files and files == sorted(p.name for p in (run / "final").glob("*.safetensors"))
    for name in files:
        ours, theirs = load_file(str(run / "final" / name)), load_file(str(trained / "final" / name))
        assert ours.keys() == theirs.keys() and all((ours[k] - theirs[k]).abs().max() == 0 for k in ours), name
    report = json.loads((run / "report.json").read_text(encoding="utf-8"))
    original = json.loads((trained / "report.json").read_text(encoding="utf-8"))
    assert report["final"] == original["final"] and report["best_epoch"] == original["best_epoch"]
    rows = [json.loads(line) for line in (run / "metrics.jsonl").read_text(encoding="utf-8").splitlines()]
    steps = [r["step"] for r in rows if r["kind"] == "step"]
    assert steps == list(range(1, len(steps) + 1)) and [r["epoch"] for r in rows if r["kind"] == "epoch"] == [1, 2, 3, 4]


def test_the_studio_lists_runs_from_the_jobs_database(tiny_base: Path) -> None:
    """The classifier pages' run list is the jobs database's (no folder scan): a run trained in the
    terminal is there, newest first, and a stray folder with a meta.json is not."""
    from afinar.engine.modelid import runs_dir
    from afinar.studio.textcls_tab import run_choices

    code = _afinar("train", "text-classification", "--data", EXAMPLE / "train.csv", "--base", tiny_base,
                   "--epochs", "1", "--batch-size", "8", "--patience", "0")
    assert code == 0
    stray = runs_dir() / "copied-by-hand"
    stray.mkdir(parents=True)
    (stray / "meta.json").write_text('{"task": "text-classification", "status": "succeeded"}', encoding="utf-8")
    choices = run_choices()
    assert len(choices) == 1, choices
    label, value = choices[0]
    assert Path(value).parent == runs_dir().resolve() and "positivo" in label
