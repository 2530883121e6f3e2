"""The studio's logic without a browser: language choice, relabelling, report rows in Spanish,
repair, histogram, safe names and zip extraction, the fine-tuning form's numbers."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from afinar import i18n
from afinar.errors import AfinarError

pytestmark = pytest.mark.unit
REPO = Path(__file__).resolve().parents[2]
DIRTY = REPO / "examples" / "techstore" / "train_sucio.jsonl"


@pytest.mark.parametrize(("header", "expected"), [
    ("es-MX,es;q=0.9,en;q=0.8", "es"),
    ("en-US,en;q=0.9", "en"),
    ("fr-FR,fr;q=0.9,en;q=0.5,es;q=0.7", "es"),
    ("de-DE", "es"),          # neither: the studio's default
    ("", "es"),
    (None, "es"),
    ("en;q=0, es;q=0.1", "es"),
    ("es;q=abc, en", "en"),
])
def test_pick_lang_from_accept_language(header: str | None, expected: str) -> None:
    from afinar.studio.texts import pick_lang

    assert pick_lang(header) == expected


def test_every_studio_text_is_in_both_languages_and_relabels() -> None:
    import gradio as gr

    from afinar.studio import build_studio
    from afinar.studio.texts import Texts

    texts = Texts("es")
    with gr.Blocks():
        box = texts.make(gr.Textbox, "studio.data.file", info="studio.data.epochs_info")
        radio = texts.make(gr.Radio, "studio.data.convert_to", tchoices=[("studio.task.chat", "chat")])
    assert box.label == "Archivo de datos" and radio.choices == [("chat (conversaciones)", "chat")]
    english = texts.relabel("en")
    assert english[0]["label"] == "Data file" and english[0]["info"].startswith("auto (enough passes")
    assert english[1]["choices"] == [("chat (conversations)", "chat")]
    blocks = build_studio(None)  # every page builds without the server
    assert blocks is not None
    keys = [k for k in i18n.CATALOG if k.startswith("studio.")]
    untranslated = {k for k in keys if i18n.t(k, "es") == i18n.t(k, "en") and len(i18n.t(k, "es")) >= 12}
    # the same in both: "{job}: {status}.", "{count} error", and a line made only of counted phrases
    assert len(keys) > 150 and untranslated <= {"studio.ft.action_done", "studio.n.errors.one", "studio.kb.indexed"}


def test_report_rows_are_line_numbered_and_spanish() -> None:
    from afinar.studio.datasets import finding_headers, validate_file

    summary, rows, valid, task = validate_file(DIRTY, "train_sucio.jsonl", None, "es")
    assert not valid and task == "chat" and "3 errores y 6 avisos" in summary and "(es)" not in summary
    assert finding_headers("es")[0] == "Línea" and finding_headers("en")[-1] == "How to fix it"
    assert "Código" not in finding_headers("es")  # a finding's code is not shown: its message says what it is
    trailing = i18n.t("finding.trailing_comma", "es", line=21, field=None)
    by_message = {r[3]: r for r in reversed(rows)}
    assert by_message[trailing][0] == 21 and by_message[trailing][1] == "error"
    # the fix hint names the page's button, never a command
    assert by_message[trailing][4] == "Pulsa «Reparar»: quita la coma del final de la línea."
    assert all("afinar " not in r[4] and "--" not in r[4] for r in rows)
    blank = next(r for r in rows if r[3] == i18n.t("finding.blank_line", "es", line=r[0], field=None))
    assert blank[1] == "aviso" and "«Reparar»" in blank[4]


def test_counted_phrases_use_plural_rules_and_local_numbers() -> None:
    assert i18n.tn("studio.n.errors", 1, "es") == "1 error" and i18n.tn("studio.n.errors", 2, "es") == "2 errores"
    assert i18n.tn("studio.n.warnings", 1, "en") == "1 warning" and i18n.tn("studio.n.warnings", 0, "en") == "0 warnings"
    assert i18n.tn("studio.n.examples", 10008, "es") == "10.008 ejemplos"
    assert i18n.tn("studio.n.examples", 10008, "en") == "10,008 examples"
    assert i18n.number(260.0, "en", 1) == "260" and i18n.number(0.5, "es", 3, exact=True) == "0,500"
    for key in i18n.CATALOG:  # every counted phrase has the form every language falls back to
        if key.endswith((".one", ".many")):
            assert key.rsplit(".", 1)[0] + ".other" in i18n.CATALOG, key


def test_job_events_in_the_page_language() -> None:
    from afinar.studio.events import level, translate

    assert translate("Step 12/12: training loss=0.4321", "es") == "Paso 12/12: pérdida de entrenamiento=0,4321"
    assert translate("The job has successfully completed", "es") == "El trabajo ha terminado correctamente"
    assert translate("Validating training file: ok", "es") == "Archivo de entrenamiento validado: correcto"
    assert translate("Job queued: chat, run folder ftjob-1", "es") == "Trabajo en cola: chat (conversaciones), carpeta ftjob-1"
    assert translate("Step 12/12: training loss=0.4321", "en") == "Step 12/12: training loss=0.4321"
    assert translate("A message no template knows", "es") == "A message no template knows"
    assert level("warning", "es") == "aviso"


def test_repair_then_valid(tmp_path: Path) -> None:
    from afinar.studio.datasets import repair, validate_file

    output, notes = repair(DIRTY, "train_sucio.jsonl")
    assert output.name == "train_sucio_corregido.jsonl" and "Reparado" in notes("es") and "línea 21" in notes("es")
    assert "Repaired" in notes("en") and "line 21" in notes("en")  # shown again when the language changes
    _, _, valid, _ = validate_file(output, output.name, None, "es")
    assert valid


def test_histogram_covers_every_value_once() -> None:
    from afinar.studio.datasets import histogram

    values = [1, 5, 5, 9, 40, 41, 100]
    bins = histogram(values, bins=5)
    assert sum(n for _, n in bins) == len(values)
    assert bins[0][0].startswith("1–") and bins[-1][1] == 1
    assert histogram([]) == [] and histogram([7, 7]) == [("7–7", 2)]


def test_names_never_leave_their_folder(tmp_path: Path) -> None:
    from afinar.studio.knowledge_tab import safe_file_name
    from afinar.studio.workspace import display_name, keep_upload, safe_suffix

    assert display_name("../../etc/passwd") == "passwd" and display_name("C:\\x\\y.csv") == "y.csv"
    assert safe_suffix("a.exe") == ".bin" and safe_suffix("datos.JSONL") == ".jsonl"
    assert safe_file_name("../../.bashrc") == "bashrc.txt" and safe_file_name("Políticas 2024.md") == "Políticas 2024.md"
    source = tmp_path / "x.csv"
    source.write_text("text,label\n")
    kept = keep_upload(source, "../../evil.csv")
    assert kept.name == "data.csv" and kept.read_text() == "text,label\n"


def test_zip_of_class_folders_is_extracted_safely(tmp_path: Path) -> None:
    from afinar.studio.archives import extract_images

    archive = tmp_path / "fotos.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("fotos/gato/1.png", b"png")
        zf.writestr("fotos/perro/2.jpg", b"jpg")
        zf.writestr("fotos/perro/notes.txt", b"not a picture")
        zf.writestr("../escape.png", b"x")
        zf.writestr("/abs.png", b"x")
        zf.writestr("__MACOSX/fotos/gato/._1.png", b"x")
    root = extract_images(archive, tmp_path / "out")
    assert root == tmp_path / "out" / "fotos"
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()) == ["gato/1.png",
                                                                                              "perro/2.jpg"]
    assert not (tmp_path / "escape.png").exists() and not list((tmp_path / "out").glob("__MACOSX"))
    (tmp_path / "bad.zip").write_bytes(b"not a zip")
    with pytest.raises(AfinarError) as err:
        extract_images(tmp_path / "bad.zip", tmp_path / "out2")
    assert err.value.key == "studio.images.bad_zip" and err.value.hint("es")


def test_finetune_form_numbers() -> None:
    from afinar.studio.finetune_tab import hyperparameters

    assert hyperparameters({"n_epochs": "auto", "batch_size": " 4 ", "learning_rate_multiplier": "0.5"}, "es") == {
        "n_epochs": "auto", "batch_size": 4, "learning_rate_multiplier": 0.5}
    with pytest.raises(AfinarError) as err:
        hyperparameters({"n_epochs": "tres"}, "es")
    assert "Épocas" in err.value.message("es") and "tres" in err.value.message("es")


def test_building_the_studio_stays_light(afinar_home: Path) -> None:
    """Every page builds, with and without the server's service, and the web process does not load
    torch, transformers or Chroma until a page needs them."""
    import subprocess
    import sys

    code = ("import sys\nfrom afinar.server.service import Service\nfrom afinar.studio import build_studio\n"
            "build_studio(None)\nbuild_studio(Service(start_worker=False))\n"
            "print(','.join(m for m in ('torch', 'transformers', 'peft', 'chromadb') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_pages_only_open_classifier_runs_under_the_home(afinar_home: Path, tmp_path: Path) -> None:
    import json

    from afinar.studio.runs import known_run

    good = afinar_home / "runs" / "text-classification-1"
    good.mkdir(parents=True)
    (good / "meta.json").write_text(json.dumps({"task": "text-classification"}))
    assert known_run(str(good)) == good.resolve()
    elsewhere = tmp_path / "run"
    elsewhere.mkdir()
    (elsewhere / "meta.json").write_text(json.dumps({"task": "text-classification"}))
    chat = afinar_home / "runs" / "chat-1"
    chat.mkdir()
    (chat / "meta.json").write_text(json.dumps({"task": "chat"}))
    for value in (str(elsewhere), str(chat), "/etc", "", None, str(good / ".." / ".." / "x")):
        with pytest.raises(AfinarError):
            known_run(value)


def test_a_classifier_run_shows_its_job_status_from_the_queue(afinar_home: Path) -> None:
    """The page reads a run's status from the job queue's database (the one source of job state),
    its epochs from the run folder; a run trained before runs were jobs falls back to its meta.json."""
    from afinar.engine.rundir import RunDir
    from afinar.server.service import Service
    from afinar.studio import runs

    run = RunDir.create(afinar_home / "runs" / "text-classification-1")
    run.write_config({"epochs": 3, "lr": 0.001, "batch_size": 8, "seed": 1})
    run.update_meta(task="text-classification", status="queued", base="tiny", data_name="train.csv", seed=1)
    run.log_metrics(kind="start", total_steps=6)
    run.log_metrics(kind="step", step=2)
    run.log_metrics(kind="epoch", epoch=1, step=2, accuracy=0.5)
    service = Service(start_worker=False)
    job = service.submit_run("text-classification", run.path)
    assert job["task"] == "text-classification" and job["status"] == "queued" and job["model"] == "tiny"
    shown = runs.progress(run.path, service)
    assert (shown.status, shown.job_id, shown.step, shown.total_steps, len(shown.epochs)) == ("queued", job["id"], 2, 6, 1)
    service.store.update_job(job["id"], status="failed", error={"code": "x", "message": "se detuvo", "param": None})
    shown = runs.progress(run.path, service)
    assert shown.status == "failed" and shown.error == "se detuvo" and shown.finished
    assert runs.progress(run.path).status == "queued"  # without the queue: what the run folder says
    listed = service.list_all_jobs()["data"]
    assert [j["id"] for j in listed] == [job["id"]] and service.list_jobs()["data"] == []  # OpenAI's: chat only


def test_model_pickers_offer_only_what_fits_and_comparar_starts_from_the_tuned_base(afinar_home) -> None:
    """A learner who trained a classifier and an image model still gets only chat models in the
    Playground and Comparar, and /v1/models says each model's task (image backbones are not listed:
    nothing answers with them)."""
    import json

    from afinar.jobs.runs import store
    from afinar.models.cache import models_dir
    from afinar.server.ownership import list_model_objects
    from afinar.studio.local import LocalBackend
    from afinar.studio.playground_tab import base_of, model_choices

    for name, tasks in (("smollm2-135m-instruct", ["chat"]), ("multilingual-e5-small", ["text-classification",
                                                                                         "embedding"]),
                        ("mobilenet_v2", ["image-classification"])):
        folder = models_dir() / name
        folder.mkdir(parents=True)
        (folder / "afinar-model.json").write_text(json.dumps({"tasks": tasks}), encoding="utf-8")
        (folder / "config.json").write_text(json.dumps({"architectures": ["MobileNetV2ForImageClassification"]}
                                                       if name == "mobilenet_v2" else {}), encoding="utf-8")
    listed = {m["id"]: m["task"] for m in list_model_objects(store())}
    assert listed == {"smollm2-135m-instruct": "chat", "multilingual-e5-small": "embedding"}
    assert {m["id"]: m["task"] for m in LocalBackend().list_models()["data"]} == listed
    assert model_choices(LocalBackend()) == ["smollm2-135m-instruct"]
    bases = ["smollm2-135m-instruct"]
    assert base_of("ft:smollm2-135m-instruct:afinar:tienda:0a1b2c", bases) == "smollm2-135m-instruct"
    assert base_of("ft:otra-base:afinar:tienda:0a1b2c", bases) is None and base_of(None, bases) is None


def test_studio_hints_name_controls_not_commands() -> None:
    """Every finding hint that names a command has a studio hint, and no studio hint names a command."""
    import re

    command = re.compile(r"afinar |\s--[a-z]|`python|pip install")
    for key, entry in i18n.CATALOG.items():
        if key.startswith("finding.") and key.endswith(".hint") and command.search(entry["en"]):
            assert f"studio.hint.{key[len('finding.'):-len('.hint')]}" in i18n.CATALOG, key
        if key.startswith("studio.hint.") or key in ("studio.models.accept_needed", "studio.ft.file_invalid"):
            for lang in ("es", "en"):
                assert not command.search(entry[lang]), (key, lang)
    assert "«Acepto la licencia del modelo»" in i18n.t("studio.hint.models.license_not_accepted", "es")
