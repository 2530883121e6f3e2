"""The studio's fine-tuning path for preference data (issue 23) and its curves' axes (issue 21):
a preference file is recognised on the Datos page, estimated as DPO (two sequences a pair, the
reference's pass), handed to the job queue, and on Ajuste fino chosen by name and trained with DPO;
what the pages said written again in another language."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[2]
PREFERENCES = REPO / "examples" / "techstore" / "preferencias.jsonl"
CONVERSATIONS = REPO / "examples" / "techstore" / "train.jsonl"


def test_preference_data_is_estimated_as_dpo_and_trained_with_dpo(afinar_home: Path) -> None:
    from afinar.data.estimate import estimate
    from afinar.server.service import Service
    from afinar.studio import data_tab, finetune_tab

    state, summary, _table, _download = data_tab.on_upload(str(PREFERENCES), "", "es")
    assert state["task"] == "preference" and state["valid"], summary
    expected = estimate(PREFERENCES, "smollm2-135m-instruct")  # what `afinar data estimate` says
    shown = data_tab.on_estimate(state, "smollm2-135m-instruct", "auto", "es")
    assert "Estimación para preferencias.jsonl" in shown  # the upload's name, not the workspace copy's
    assert f"{expected.examples} pares de preferencias (DPO" in shown
    assert "las log-probabilidades de la referencia" in shown
    assert f"{expected.epochs} épocas (auto)" in shown
    english = data_tab.on_estimate(state, "smollm2-135m-instruct", "2", "en")
    assert "preference pairs (DPO" in english and "2 epochs (given)" in english
    text_state = {"path": str(REPO / "examples" / "restaurante" / "train.csv"), "task": "text-classification"}
    assert "pares de preferencias (DPO)" in data_tab.on_estimate(text_state, "smollm2-135m-instruct", "auto", "es")

    service = Service(start_worker=False)
    sent, record = data_tab.on_send(service, state, "es")
    assert record["filename"] == "preferencias.jsonl", sent
    message, _findings, files, _box, said = finetune_tab.upload(service, str(PREFERENCES), "es")
    assert "archivo de preferencias válido" in message and "(DPO)" in message
    file_id = files["value"]
    assert "is valid preference data" in said("en")[0]  # said again when the language changes
    assert "método: DPO" in finetune_tab.chosen_text(service, file_id, "es")
    assert "preferencias.jsonl" in finetune_tab.chosen_text(service, file_id, "es")
    assert "method: DPO" in finetune_tab.chosen_text(service, file_id, "en")
    started, jobs, _timer, said = finetune_tab.start(service, "smollm2-135m-instruct", file_id, "1", "auto", "auto", "",
                                                "es")
    assert "creado" in started and "created" in said("en"), started
    job = service.get_job(jobs["value"])
    assert job["method"] == {"type": "dpo", "dpo": {"hyperparameters": {
        "n_epochs": 1, "batch_size": "auto", "learning_rate_multiplier": "auto", "beta": 0.1}}}  # beta left out: 0.1
    assert "método: DPO" in finetune_tab.view(service, job["id"], "es")[0]

    _message, _findings, files, _box, _said = finetune_tab.upload(service, str(CONVERSATIONS), "es")
    assert "ajuste fino supervisado" in finetune_tab.chosen_text(service, files["value"], "es")


def test_short_axes_have_whole_number_ticks() -> None:
    from afinar.studio.charts import DISCRETE_SPAN, whole_number_axis

    epochs = pd.DataFrame({"epoch": [1, 1, 2, 2, 3, 3], "value": [0.9, 0.8, 0.5, 0.6, 0.4, 0.5], "serie": ["a", "b"] * 3})
    shown = whole_number_axis(epochs, "epoch")
    assert shown["sort"] == ["1", "2", "3"] and list(shown["value"]["epoch"]) == ["1", "1", "2", "2", "3", "3"]
    steps = pd.DataFrame({"step": range(1, 13), "loss": [1.0] * 12})
    assert whole_number_axis(steps, "step")["sort"] == [str(n) for n in range(1, 13)]  # not "1", "10", "11", "2"
    long = pd.DataFrame({"step": range(1, DISCRETE_SPAN + 2), "loss": [1.0] * (DISCRETE_SPAN + 1)})
    assert whole_number_axis(long, "step")["sort"] is None and whole_number_axis(long, "step")["value"] is long
    empty = pd.DataFrame([], columns=["step", "loss"])
    assert whole_number_axis(empty, "step")["sort"] is None


def test_comparar_results_are_written_again_in_the_new_language() -> None:
    """Comparar keeps its answers as data, so a language switch rewrites the facts lines and the
    all-cases table (the answers themselves are the models')."""
    from afinar.studio.playground_tab import cases_table, compare_texts

    result = {"base": "1 año de garantía", "tuned": "2 años", "finished": True, "facts": ["1 año", "2 años"]}
    base_es, tuned_es = compare_texts(result, "es")
    base_en, tuned_en = compare_texts(result, "en")
    assert base_es.startswith("1 año de garantía") and "✓ 1 año" in base_es and "✗ 2 años" in base_es
    assert base_es != base_en and base_en.startswith("1 año de garantía") and "✓ 1 año" in base_en
    assert tuned_es != tuned_en and "✓ 2 años" in tuned_en
    assert compare_texts({**result, "tuned": None, "finished": False}, "en") == ("1 año de garantía", "")
    done = {"base": "b", "tuned": "t", "rows": [["Garantía", "¿Cuál es la garantía?", [["x", 0, 2], ["2 años", 1, 2]]]],
            "found": {"base": 0, "tuned": 1}, "total": 2, "finished": True}
    spanish, english = cases_table(done, "es"), cases_table(done, "en")
    assert spanish.splitlines()[2] == english.splitlines()[2] == \
        "| **Garantía** ¿Cuál es la garantía? | x **(0/2)** | 2 años **(1/2)** |"
    assert spanish.splitlines()[0] != english.splitlines()[0] and spanish.splitlines()[-1] != english.splitlines()[-1]
    assert cases_table({"need": True}, "en") != cases_table({"need": True}, "es")


def test_classifier_pages_say_again_what_their_buttons_said(afinar_home: Path) -> None:
    from afinar.server.service import Service
    from afinar.studio import images_tab, textcls_tab

    service = Service(start_worker=False)
    message, _table, _runs, _timer, what = textcls_tab.train(service, None, None, "tiny", 1, 0.01, 8, "es")
    assert message == what("es")[0] and what("en")[0] != message
    message, _table, _runs, _timer, what = images_tab.train(service, None, "mobilenet_v2", 96, 1, 1, 0.001, "es")
    assert message == what("es")[0] and what("en")[0] != message
    _file, message, what = textcls_tab.export(None, "es")
    assert message == what("es") and what("en") != message
