"""The studio end to end in Chromium: the course's two exercises done from the browser.

Datos: the dirty TechStore file's errors in Spanish with their lines, then repaired in one click.
Clasificador de texto: the restaurant reviews trained on a tiny BERT, then a text classified.
Ajuste fino: the TechStore conversations fine-tuned (tiny chat model) until the job succeeds.
Playground: base and fine-tuned side by side on a course test case. Every page is photographed.
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
TECHSTORE = REPO / "examples" / "techstore"
RESTAURANTE = REPO / "examples" / "restaurante"


def shot(page: Page, artifacts: Path, name: str) -> None:
    page.wait_for_timeout(300)
    page.screenshot(path=str(artifacts / f"{name}.png"), full_page=True)


def open_tab(page: Page, name: str) -> None:
    page.get_by_role("tab", name=name, exact=True).click()


def switch_language(page: Page, lang: str) -> None:
    """Choose ``lang`` and wait until the page is relabelled (slow on 2 shared cores: every control
    and every result on screen is redrawn)."""
    page.get_by_label("English" if lang == "en" else "Español").check()
    expect(page.get_by_role("tab", name="Data" if lang == "en" else "Datos", exact=True)).to_be_visible(timeout=30_000)


def test_data_errors_in_spanish_with_lines_then_repair(page: Page, artifacts: Path) -> None:
    from afinar.data.validate import validate

    dirty = TECHSTORE / "train_sucio.jsonl"
    expected = validate(dirty).sorted_findings()
    page.locator("#data-file input[type=file]").set_input_files(str(dirty))
    summary = page.locator("#data-summary")
    expect(summary).to_contain_text("train_sucio.jsonl", timeout=20_000)
    expect(summary).to_contain_text("3 errores y 6 avisos")
    report = page.locator("#data-report")
    for header in ("Línea", "Tipo", "Problema", "Cómo arreglarlo"):
        expect(report).to_contain_text(header)
    trailing = next(f for f in expected if f.code == "trailing_comma")
    row = report.locator("[role=row]", has_text=trailing.message("es")).first
    expect(row).to_contain_text(str(trailing.line))
    expect(row).to_contain_text("Pulsa «Reparar»: quita la coma del final de la línea.")  # the page's button
    shot(page, artifacts, "01-datos-errores")

    page.locator("#data-fix").click()
    expect(page.locator("#data-result")).to_contain_text("Reparado", timeout=20_000)
    expect(summary).to_contain_text("train_sucio_corregido.jsonl")
    expect(summary).to_contain_text("válidos")
    expect(report).not_to_contain_text(trailing.message("es"))
    link = page.locator("#data-download a[download]").first
    expect(link).to_have_attribute("download", "train_sucio_corregido.jsonl")
    repaired = page.request.get(link.get_attribute("href")).text().splitlines()
    assert len(repaired) == 24 and all(json.loads(line)["messages"] for line in repaired)

    page.locator("#data-send").click()
    expect(page.locator("#data-sent")).to_contain_text("train_sucio_corregido.jsonl (file-", timeout=20_000)

    page.locator("#data-stats").click()
    expect(page.locator("#data-stats-table")).to_contain_text("ejemplos utilizables")
    expect(page.locator("#data-hist canvas, #data-hist svg").first).to_be_visible()
    page.locator("#data-estimate").click()
    expect(page.locator("#data-estimate-result")).to_contain_text("Estimación para")
    expect(page.locator("#data-estimate-result")).to_contain_text("gpt-4o-mini")
    shot(page, artifacts, "02-datos-reparado")


def test_language_switch(page: Page, artifacts: Path) -> None:
    switch_language(page, "en")
    expect(page.get_by_role("tab", name="Text classifier", exact=True)).to_be_visible()
    expect(page.locator("#data-report")).to_contain_text("How to fix it")
    expect(page.locator("#data-fix")).to_have_text("Repair")
    expect(page.locator("#data-result")).to_contain_text("Repaired:")  # the repair's notes, in English now
    expect(page.locator("#data-result")).to_contain_text("line 21")
    expect(page.locator("#data-summary")).to_contain_text("1 warning")
    expect(page.locator("#data-sent")).to_contain_text("choose it on the Fine-tuning page")
    expect(page.locator("#data-estimate-result")).to_contain_text("$0.")  # dollars the English way
    shot(page, artifacts, "03-english")
    switch_language(page, "es")
    expect(page.locator("#data-report")).to_contain_text("Cómo arreglarlo")
    expect(page.locator("#data-result")).to_contain_text("Reparado:")


def test_text_classifier_trains_and_classifies(page: Page, artifacts: Path, tiny_models: dict) -> None:
    open_tab(page, "Clasificador de texto")
    page.locator("#cls-data input[type=file]").set_input_files(str(RESTAURANTE / "train.csv"))
    page.locator("#cls-valid input[type=file]").set_input_files(str(RESTAURANTE / "valid.csv"))
    base = page.locator("#cls-base input")
    base.fill(str(tiny_models["bert"]))
    base.press("Enter")
    for box, value in (("#cls-epochs", "3"), ("#cls-lr", "0.005"), ("#cls-batch", "8")):
        page.locator(f"{box} input").fill(value)
    expect(page.locator("#cls-data")).to_contain_text("train", timeout=30_000)
    expect(page.locator("#cls-valid")).to_contain_text("valid", timeout=30_000)
    page.locator("#cls-train").click()
    expect(page.locator("#cls-message")).to_contain_text("Entrenamiento iniciado", timeout=30_000)
    expect(page.locator("#cls-status")).to_contain_text("terminado", timeout=90_000)
    metrics = page.locator("#cls-metrics")
    expect(metrics).to_contain_text("Mejor época")
    expect(metrics).to_contain_text("TF-IDF")
    expect(page.locator("#cls-confusion img")).to_be_visible()
    page.locator("#cls-text").get_by_role("textbox").fill("La comida estaba deliciosa y el servicio excelente")
    page.locator("#cls-classify").click()
    label = page.locator("#cls-label")
    expect(label).to_contain_text(re.compile("positivo|negativo|neutral"), timeout=30_000)
    expect(label).to_contain_text("%")
    shot(page, artifacts, "04-clasificador")


def test_finetune_job_succeeds(page: Page, artifacts: Path, tiny_models: dict) -> None:
    open_tab(page, "Ajuste fino")
    page.locator("#ft-upload input[type=file]").set_input_files(str(TECHSTORE / "train_sucio.jsonl"))
    expect(page.locator("#ft-file-msg")).to_contain_text("tiene errores", timeout=20_000)
    expect(page.locator("#ft-findings [role=row]", has_text="coma").first).to_contain_text("21")
    expect(page.locator("#ft-findings")).to_contain_text("Pulsa «Reparar» de la página Datos")
    page.locator("#ft-file input").click()  # the file repaired and sent from the Datos page is offered
    expect(page.get_by_role("option", name=re.compile("train_sucio_corregido.jsonl"))).to_be_visible()
    page.keyboard.press("Escape")
    page.locator("#ft-upload input[type=file]").set_input_files(str(TECHSTORE / "train.jsonl"))
    expect(page.locator("#ft-file-msg")).to_contain_text("es válido", timeout=20_000)
    base = page.locator("#ft-base input")
    base.fill(str(tiny_models["chat"]))
    base.press("Enter")
    page.locator("#ft-epochs").get_by_role("textbox").fill("1")
    page.locator("#ft-suffix").get_by_role("textbox").fill("techstore")
    page.wait_for_timeout(300)
    page.locator("#ft-start").click()
    expect(page.locator("#ft-start-msg")).to_contain_text("creado", timeout=20_000)
    status = page.locator("#ft-status")
    expect(status).to_contain_text("terminado", timeout=120_000)
    expect(status).to_contain_text("ft:")
    expect(page.locator("#ft-events [role=row]").nth(3)).to_be_visible()
    expect(page.locator("#ft-curves canvas, #ft-curves svg").first).to_be_visible()
    shot(page, artifacts, "05-ajuste-fino")


def test_compare_base_and_tuned(page: Page, artifacts: Path, tiny_models: dict) -> None:
    open_tab(page, "Zona de pruebas")
    expect(page.locator("#play-model input")).to_have_value(re.compile(r"^ft:"), timeout=20_000)
    page.locator("#play-max-tokens input[type=number]").fill("16")
    page.locator("#play-max-tokens input[type=number]").press("Enter")
    page.locator("#play-prompt").get_by_role("textbox").fill("Hola, ¿tienen laptops?")
    page.locator("#play-send").click()
    chat = page.locator("#play-chat")
    expect(chat).to_contain_text("Hola, ¿tienen laptops?", timeout=30_000)
    expect(chat.locator(".bot, [data-testid=bot]").first).to_be_visible(timeout=60_000)
    tuned = page.locator("#cmp-tuned input")
    expect(tuned).to_have_value(re.compile(r"^ft:"), timeout=20_000)
    base = page.locator("#cmp-base input")
    base.fill(str(tiny_models["chat"]))
    base.press("Enter")
    page.locator("#cmp-cases").get_by_text("¿Cuál es la garantía de los productos?").click()
    expect(page.locator("#cmp-prompt").get_by_role("textbox")).to_have_value("¿Cuál es la garantía de los productos?")
    page.locator("#cmp-run").click()
    for box in ("#cmp-base-answer", "#cmp-tuned-answer"):
        expect(page.locator(box)).to_contain_text("Datos esperados encontrados", timeout=60_000)
    page.locator("#cmp-all").click()
    results = page.locator("#cmp-all-results")
    expect(results).to_contain_text("Datos esperados encontrados:", timeout=90_000)
    expect(results).to_contain_text(re.compile(r"base \d+/12, ajustado \d+/12"))
    expect(results.locator("tr")).to_have_count(6)  # header + the 5 course cases
    shot(page, artifacts, "06-playground-comparar")


def test_image_classifier_trains_and_classifies(page: Page, artifacts: Path, tiny_models: dict) -> None:
    open_tab(page, "Imágenes")
    page.locator("#img-zip input[type=file]").set_input_files(str(tiny_models["shapes_zip"]))
    base = page.locator("#img-base input")
    base.fill(str(tiny_models["image_base"]))
    base.press("Enter")
    for box, value in (("#img-size", "32"), ("#img-epochs1", "2"), ("#img-epochs2", "1"), ("#img-lr", "0.01")):
        page.locator(f"{box} input").fill(value)
    expect(page.locator("#img-zip")).to_contain_text("formas", timeout=30_000)
    page.locator("#img-train").click()
    expect(page.locator("#img-message")).to_contain_text("Entrenamiento iniciado", timeout=30_000)
    expect(page.locator("#img-status")).to_contain_text("terminado", timeout=90_000)
    expect(page.locator("#img-metrics")).to_contain_text("Etapa")
    expect(page.locator("#img-metrics")).to_contain_text("blue")
    page.locator("#img-picture input[type=file]").set_input_files(str(tiny_models["picture"]))
    expect(page.locator("#img-picture img").first).to_be_visible(timeout=30_000)
    page.locator("#img-classify").click()
    expect(page.locator("#img-label")).to_contain_text(re.compile("red|blue"), timeout=30_000)
    expect(page.locator("#img-label")).to_contain_text("%")
    page.locator("#img-export").click()  # the trained network as a Hugging Face Space, downloaded
    expect(page.locator("#img-export-msg")).to_contain_text("está listo", timeout=60_000)
    with page.expect_download() as download:
        page.locator("#img-space a").first.click()
    names = set(zipfile.ZipFile(download.value.path()).namelist())
    assert {"app.py", "requirements.txt", "README.md", "model/model.safetensors", "vision/mobilenet_v2.py"} <= names
    shot(page, artifacts, "07-imagenes")


def test_knowledge_base_answers_with_citations(page: Page, artifacts: Path, tiny_models: dict) -> None:
    open_tab(page, "Conocimiento")
    expect(page.locator("#kb-model input")).to_have_value(re.compile(r"^ft:"), timeout=20_000)  # page loaded
    name = page.locator("#kb-name input")
    name.fill("tienda")
    name.press("Enter")
    embedding = page.locator("#kb-embedding input")
    embedding.fill(str(tiny_models["bert"]))
    embedding.press("Enter")
    docs = sorted((REPO / "examples" / "techstore-catalog" / "docs").iterdir())
    page.locator("#kb-docs input[type=file]").set_input_files([str(p) for p in docs])
    for doc in docs:  # every upload finished before indexing
        expect(page.locator("#kb-docs")).to_contain_text(doc.stem, timeout=30_000)
    page.locator("#kb-index").click()
    expect(page.locator("#kb-indexed")).to_contain_text(f"{len(docs)} documentos nuevos", timeout=60_000)
    model = page.locator("#kb-model input")
    model.fill(str(tiny_models["chat"]))
    model.press("Enter")
    page.locator("#kb-question").get_by_role("textbox").fill("¿Cuánta RAM tiene la MacBook Pro?")
    page.locator("#kb-ask").click()
    sources = page.locator("#kb-sources")
    expect(sources).to_contain_text("Fuente", timeout=60_000)
    expect(sources).to_contain_text(re.compile("|".join(re.escape(p.name) for p in docs)))
    expect(page.locator("#kb-answer")).not_to_contain_text("Elige una base", timeout=60_000)
    expect(sources).to_contain_text(re.compile("Frases citadas|Escrita por el modelo|Sin respuesta"))
    shot(page, artifacts, "08-conocimiento")
    # the extractive mode needs no model: the answer quotes a chunk, and the "Citada" column is filled
    page.locator("#kb-mode").get_by_label("citar los documentos").check()
    page.locator("#kb-ask").click()
    expect(sources).to_contain_text("Frases citadas", timeout=60_000)
    expect(sources).to_contain_text("✓")
    # measure it on the example's questions, from the page
    page.get_by_text("Medir con preguntas de prueba").click()
    page.locator("#kb-qa input[type=file]").set_input_files(str(REPO / "examples" / "techstore-catalog" / "qa.jsonl"))
    expect(page.locator("#kb-qa")).to_contain_text("qa", timeout=30_000)
    page.locator("#kb-eval").click()
    report = page.locator("#kb-eval-report")
    expect(report).to_contain_text("20 preguntas", timeout=120_000)
    expect(report).to_contain_text("Datos de las respuestas que están en las fuentes citadas")
    shot(page, artifacts, "08b-conocimiento-medir")


# Gradio's own texts of an upload box in each language: a box drawn at start-up in the browser's
# language (Spanish here) is rewritten in the page's (GRADIO_LOCALE_JS in afinar.studio.app).
GRADIO_UPLOAD_TEXTS = {"es": ("Coloque el archivo aquí", "Haga clic para cargar"),
                       "en": ("Drop File Here", "Click to Upload")}


def visible_text(page: Page, tab: str) -> str:
    """What a learner reads on a page: opened, its server state loaded, accordions included."""
    open_tab(page, tab)
    page.wait_for_timeout(2500)
    return page.locator("body").inner_text()


PAGES = {"es": ("Datos", "Ajuste fino", "Zona de pruebas", "Clasificador de texto", "Imágenes", "Conocimiento",
                "Modelos"),
         "en": ("Data", "Fine-tuning", "Playground", "Text classifier", "Images", "Knowledge", "Models")}


# The pages whose results and messages on screen a language switch writes again (the others are
# relabelled, and their results read in one language after a reload: test_every_page_speaks_one_language).
SWITCHED = ("Data", "Fine-tuning", "Playground", "Text classifier", "Images", "Models")


def test_a_switch_rewrites_what_the_pages_show(page: Page, artifacts: Path) -> None:
    """After the exercises, done in Spanish, and without a reload: switching to English writes again
    what these pages show (reports, estimates, job and training messages, Comparar's facts and table), not only
    their labels, and Gradio's upload boxes drawn in Spanish."""
    from language import foreign_texts

    from afinar.models.listing import rows

    switch_language(page, "en")
    names = tuple(r["name"] for r in rows()) + ("train_sucio", "train_sucio_corregido")
    found = {}
    for tab in SWITCHED:
        text = visible_text(page, tab)
        shot(page, artifacts, f"13-en-switched-{tab.lower()}")
        problems = foreign_texts(text, "en", allowed=names) + [
            f"{gradio!r} (Gradio's upload box)" for gradio in GRADIO_UPLOAD_TEXTS["es"] if gradio in text]
        if problems:
            found[tab] = problems
    switch_language(page, "es")
    assert not found, "\n".join(f"{tab}: {problem}" for tab, problems in found.items() for problem in problems)


@pytest.mark.parametrize("lang", ["es", "en"])
def test_every_page_speaks_one_language(page: Page, artifacts: Path, lang: str) -> None:
    """After the exercises (a finished job, classifier runs, a knowledge base, answers on screen),
    no page shows a text of the other language's catalog or a raw code such as train_loss."""
    from language import foreign_texts

    from afinar.models.listing import rows

    switch_language(page, lang)
    # model names (mobilenet_v2) and the learner's file names (train_sucio.jsonl, its stem shown apart
    # by the upload box) are names, not codes
    names = tuple(r["name"] for r in rows()) + ("train_sucio", "train_sucio_corregido")
    found = {}
    for n, tab in enumerate(PAGES[lang]):
        text = visible_text(page, tab)
        shot(page, artifacts, f"10-{lang}-{n}-{tab.lower().replace(' ', '-')}")
        problems = foreign_texts(text, lang, allowed=names)
        problems += [f"{gradio!r} (Gradio's upload box)" for other, texts in GRADIO_UPLOAD_TEXTS.items()
                     if other != lang for gradio in texts if gradio in text]
        if problems:
            found[tab] = problems
    page.reload()  # the choice is remembered by this browser
    page.wait_for_selector("#data-file")
    expect(page.get_by_role("tab", name=PAGES[lang][0], exact=True)).to_be_visible(timeout=20_000)
    switch_language(page, "es")
    assert not found, "\n".join(f"{tab}: {problem}" for tab, problems in found.items() for problem in problems)


def test_reload_comes_back_to_the_job(page: Page) -> None:
    open_tab(page, "Ajuste fino")
    job_id = page.locator("#ft-job input").input_value().split(" ")[0]
    assert job_id.startswith("ftjob-")
    page.reload()
    page.wait_for_selector("#data-file")
    open_tab(page, "Ajuste fino")
    expect(page.locator("#ft-job input")).to_have_value(re.compile("^" + job_id), timeout=20_000)
    expect(page.locator("#ft-status")).to_contain_text("terminado")


def test_preference_pairs_are_estimated_and_trained_with_dpo(page: Page, artifacts: Path, tiny_models: dict) -> None:
    """Preference pairs: the Datos page estimates them as DPO; Ajuste fino names the chosen file and
    its method, keeps it chosen across a reload, and trains it with DPO (events in Spanish)."""
    pairs = TECHSTORE / "preferencias.jsonl"
    open_tab(page, "Datos")
    page.locator("#data-file input[type=file]").set_input_files(str(pairs))
    expect(page.locator("#data-summary")).to_contain_text("pares de preferencias", timeout=20_000)
    page.locator("#data-estimate").click()
    estimate = page.locator("#data-estimate-result")
    expect(estimate).to_contain_text("24 pares de preferencias (DPO", timeout=20_000)
    expect(estimate).to_contain_text("log-probabilidades de la referencia")
    shot(page, artifacts, "11-es-datos-preferencias")
    switch_language(page, "en")
    expect(estimate).to_contain_text("24 preference pairs (DPO", timeout=20_000)
    expect(page.locator("#data-file")).not_to_contain_text("Coloque el archivo", timeout=20_000)
    shot(page, artifacts, "11-en-data-preferences")
    switch_language(page, "es")
    expect(estimate).to_contain_text("24 pares de preferencias (DPO", timeout=20_000)

    open_tab(page, "Ajuste fino")
    page.locator("#ft-upload input[type=file]").set_input_files(str(pairs))
    expect(page.locator("#ft-file-msg")).to_contain_text("archivo de preferencias válido", timeout=20_000)
    chosen = page.locator("#ft-file-chosen")
    expect(chosen).to_contain_text("preferencias.jsonl")
    expect(chosen).to_contain_text("método: DPO")
    expect(page.locator("#ft-upload")).to_contain_text("Coloque el archivo aquí")  # emptied for the next file
    page.reload()  # the chosen file is remembered by this browser, like the job
    page.wait_for_selector("#data-file")
    open_tab(page, "Ajuste fino")
    expect(page.locator("#ft-file input")).to_have_value(re.compile(r"^preferencias\.jsonl"), timeout=20_000)
    expect(chosen).to_contain_text("método: DPO")
    base = page.locator("#ft-base input")
    base.fill(str(tiny_models["chat"]))
    base.press("Enter")
    page.locator("#ft-epochs").get_by_role("textbox").fill("1")
    page.locator("#ft-suffix").get_by_role("textbox").fill("dpo")
    page.wait_for_timeout(300)
    page.locator("#ft-start").click()
    expect(page.locator("#ft-start-msg")).to_contain_text("creado", timeout=20_000)
    status = page.locator("#ft-status")
    expect(status).to_contain_text("método: DPO")
    expect(status).to_contain_text("terminado", timeout=120_000)
    expect(page.locator("#ft-events")).to_contain_text("Comprobación de preferencias")
    expect(page.locator("#ft-rewards")).to_be_visible()  # the rewards beside the loss
    expect(page.locator("#ft-rewards")).to_contain_text("Recompensas (DPO)")
    expect(page.locator("#ft-events")).to_contain_text("Log-probabilidades de referencia")
    expect(page.locator("#ft-events")).to_contain_text("acierto de preferencia")  # DPO's step, all of it
    shot(page, artifacts, "12-es-ajuste-fino-dpo")
    switch_language(page, "en")
    expect(status).to_contain_text("method: DPO", timeout=20_000)
    expect(page.locator("#ft-start-msg")).to_contain_text("created", timeout=20_000)  # what the page said, said again
    expect(page.locator("#ft-events")).to_contain_text("Preference check", timeout=20_000)
    expect(page.locator("#ft-upload")).to_contain_text("Drop File Here", timeout=20_000)
    expect(page.locator("#ft-rewards")).to_contain_text("Rewards (DPO)", timeout=20_000)
    shot(page, artifacts, "12-en-fine-tuning-dpo")
    switch_language(page, "es")
    expect(status).to_contain_text("método: DPO", timeout=20_000)


def test_models_page(page: Page, artifacts: Path) -> None:
    open_tab(page, "Modelos")
    table = page.locator("#models-table")
    expect(table).to_contain_text("smollm2-135m-instruct")
    expect(table).to_contain_text("Apache-2.0")
    expect(page.locator("#models-info")).to_contain_text("Licencia")
    expect(page.locator("#models-tuned input")).to_have_value(re.compile(r"^ft:"))
    shot(page, artifacts, "09-modelos")
