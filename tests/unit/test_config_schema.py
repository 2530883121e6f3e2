"""One config schema per task: the CLI, the API and the studio report the same problems of a bad
value, each naming the field its own way, in the user's language."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from afinar.errors import AfinarError

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import tiny_chat  # noqa: E402

pytestmark = pytest.mark.unit
TRAIN = Path(__file__).resolve().parents[2] / "examples" / "techstore" / "train.jsonl"
BAD = {"n_epochs": 0, "batch_size": 999, "learning_rate_multiplier": "mucho"}
PROBLEMS = {"es": ("debe ser auto o estar entre 1 y 50", "debe ser auto o estar entre 1 y 256", "debe ser auto o un número"),
            "en": ("must be auto or between 1 and 50", "must be auto or between 1 and 256", "must be auto or a number")}


@pytest.mark.parametrize("lang", ["es", "en"])
def test_a_bad_hyperparameter_gives_the_same_field_errors_on_every_surface(lang: str, run_cli, tmp_path: Path) -> None:
    from afinar.server.errors import ApiErrors
    from afinar.server.service import Service
    from afinar.studio.finetune_tab import hyperparameters

    code, _, cli = run_cli("train", "chat", TRAIN, "--epochs", "0", "--batch-size", "999", "--lr-multiplier", "mucho",
                           "--lang", lang)
    cli = " ".join(cli.split())
    assert code == 2
    service = Service(start_worker=False)
    upload = service.upload_file(TRAIN, "train.jsonl")
    with pytest.raises(ApiErrors) as api:
        service.create_job({"training_file": upload["id"], "model": str(tiny_chat.build(tmp_path / "tiny")),
                            "method": {"type": "supervised", "supervised": {"hyperparameters": BAD}}})
    api_messages = [e.message(lang) for e in api.value.errors]
    assert [e.param for e in api.value.errors] == [f"hyperparameters.{k}" for k in BAD]
    with pytest.raises(AfinarError) as studio:
        hyperparameters({k: str(v) for k, v in BAD.items()}, lang)
    form = studio.value.message(lang)
    for problem, flag, name in zip(PROBLEMS[lang], ("--epochs", "--batch-size", "--lr-multiplier"), BAD):
        assert f"{flag} = " in cli and problem in cli, cli
        assert any(f"'{name}' {problem}" in m for m in api_messages), api_messages
        assert problem in form
    assert ("Épocas" if lang == "es" else "Epochs") in form


def test_booleans_are_not_numbers_for_the_api() -> None:
    from afinar.tasks.chat.config import hyperparameter_problems

    (problem,) = hyperparameter_problems({"n_epochs": True, "batch_size": "auto", "learning_rate_multiplier": 2})
    assert problem.field == "n_epochs" and "auto or a number" in problem.message("en")
