"""`afinar train TASK --config FILE`: every example config in examples/ trains (with a tiny random
base given on the command line, which wins over the file), and a run's own config.yaml re-runs it
with the same settings. A config with an unknown setting or a bad value is refused, named."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import tiny_chat  # noqa: E402
from fixtures.models.tiny_bert import write_tiny_bert  # noqa: E402

pytestmark = pytest.mark.cli

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(REPO.glob("examples/**/train-*.yaml"))
SAME = {"chat": ("epochs", "batch_size", "lr_multiplier", "learning_rate", "suffix", "seed", "method", "lora_r"),
        "text-classification": ("epochs", "lr", "head_lr", "batch_size", "seed", "head", "max_length")}


@pytest.fixture(scope="module")
def tiny_bases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    import csv

    root = tmp_path_factory.mktemp("bases")
    texts = []
    for name in ("train.csv", "valid.csv"):
        with open(REPO / "examples" / "restaurante" / name, encoding="utf-8") as fh:
            texts += [" ".join(r.values()) for r in csv.DictReader(fh)]
    return {"chat": tiny_chat.build(root / "chat"), "text-classification": write_tiny_bert(root / "bert", texts, hidden=32)}


def test_there_are_example_configs_of_both_trainable_text_tasks() -> None:
    assert {p.stem.removeprefix("train-") for p in EXAMPLES} == {"chat", "text-classification"}


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: str(p.relative_to(REPO / "examples")))
def test_every_example_config_trains_and_its_run_re_runs(example: Path, run_cli, tiny_bases, tmp_path: Path) -> None:
    task = example.stem.removeprefix("train-")
    base = ["--model" if task == "chat" else "--base", str(tiny_bases[task])]
    code, _, err = run_cli("train", task, "--config", example, *base, "--epochs", "1", "--output", tmp_path / "first")
    assert code == 0, err
    first = yaml.safe_load((tmp_path / "first" / "config.yaml").read_text(encoding="utf-8"))
    written = yaml.safe_load(example.read_text(encoding="utf-8"))
    for key, value in written.items():
        if key in ("model", "base", "epochs"):
            continue  # given on the command line too: the command line won
        expected = str((example.parent / value).resolve()) if key in ("data", "valid", "eval_prompts") else value
        assert first[key] == expected, key
    assert first["epochs"] == 1
    code, _, err = run_cli("train", task, "--config", tmp_path / "first" / "config.yaml", "--output", tmp_path / "again")
    assert code == 0, err
    again = yaml.safe_load((tmp_path / "again" / "config.yaml").read_text(encoding="utf-8"))
    for key in SAME[task]:
        assert again[key] == first[key], key


def test_a_config_file_with_an_unknown_setting_or_bad_values_is_refused(run_cli, tmp_path: Path) -> None:
    bad = tmp_path / "mal.yaml"
    bad.write_text("data: nada.jsonl\nepocas: 3\n", encoding="utf-8")
    code, _, err = run_cli("train", "chat", "--config", bad, "--lang", "es")
    err = " ".join(err.split())  # the terminal's line wrapping
    assert code == 2 and "mal.yaml: epocas: no es un ajuste de esta tarea" in err and "Traceback" not in err
    bad.write_text("data: nada.jsonl\nepochs: 99\nbatch_size: cero\n", encoding="utf-8")
    code, _, err = run_cli("train", "chat", "--config", bad, "--seed", "x", "--lang", "en")
    err = " ".join(err.split())
    assert code == 2
    for problem in ("--epochs = 99: must be auto or between 1 and 50", "--batch-size = 'cero': must be auto or a whole number",
                    "--seed = 'x': must be a whole number"):
        assert problem in err, err
    bad.write_text("- una\n- lista\n", encoding="utf-8")
    code, _, err = run_cli("train", "text-classification", "--config", bad, "--lang", "en")
    err = " ".join(err.split())
    assert code == 2 and "is not a list of `name: value` settings" in err
