"""``afinar export space``: the folder the course uploads to a Hugging Face Space.

::

    DIR/
      app.py            Gradio: a text box, a "Clasificar" button, the label with every class's confidence
      requirements.txt  what the Space installs (Gradio itself comes from the README's sdk_version)
      README.md         the Space's metadata (sdk, app_file, license, base_model, model-index) and metrics
      model/            the fine-tuned model (safetensors, config with the label names, tokenizer;
                        a mean-pooling head adds classifier.safetensors, see ``heads``)

``python app.py`` in that folder runs it on 127.0.0.1:7860; on Spaces the same file runs as is.
The app loads the model with ``trust_remote_code=False`` from safetensors and turns Gradio's
analytics off.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from afinar.engine.card import package_version as _version
from afinar.engine.rundir import RunDir
from afinar.errors import AfinarError

MODEL_FILES = ("config.json", "model.safetensors", "classifier.safetensors", "tokenizer.json", "tokenizer_config.json",
               "special_tokens_map.json", "vocab.txt", "sentencepiece.bpe.model")

APP = '''"""A Hugging Face Space made with Afinar. `python app.py` runs it locally."""

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from pathlib import Path  # noqa: E402

import gradio as gr  # noqa: E402
import torch  # noqa: E402
{imports}

MODEL_DIR = Path(__file__).resolve().parent / "model"
MAX_LENGTH = {max_length}
TEXT_PREFIX = {text_prefix!r}  # what every text gets before the model reads it (as in training)
EXAMPLES = {examples}

tokenizer = AutoTokenizer.from_pretrained(MODEL_DIR, trust_remote_code=False)
{loader}

def classify(text: str) -> dict:
    """Every label with its confidence (they add up to 1)."""
    if not text or not text.strip():
        return {{}}
    inputs = tokenizer([TEXT_PREFIX + text], truncation=True, max_length=MAX_LENGTH, return_tensors="pt")
    with torch.inference_mode():
        probs = torch.softmax(logits(inputs).float(), dim=-1)
    return {{label: float(p) for label, p in zip(LABELS, probs)}}


with gr.Blocks(title={title!r}, analytics_enabled=False) as demo:
    gr.Markdown({heading!r})
    text = gr.Textbox(label="Comentario", lines=3, placeholder="Escribe un comentario...")
    button = gr.Button("Clasificar", variant="primary")
    result = gr.Label(label="Resultado", num_top_classes=len(LABELS))
    button.click(classify, inputs=text, outputs=result, api_name="classify")
    text.submit(classify, inputs=text, outputs=result)
    gr.Examples(EXAMPLES, inputs=text)

if __name__ == "__main__":
    demo.launch()
'''

# How app.py loads the model and computes the logits of one text, per head (see ``heads``).
LOADERS = {
    "cls": (
        "from transformers import AutoModelForSequenceClassification, AutoTokenizer  # noqa: E402",
        '''model = AutoModelForSequenceClassification.from_pretrained(
    MODEL_DIR, trust_remote_code=False, use_safetensors=True
).eval()
LABELS = [model.config.id2label[i] for i in range(model.config.num_labels)]


def logits(inputs) -> torch.Tensor:
    return model(**inputs).logits[0]
'''),
    "mean": (
        ("from safetensors.torch import load_file  # noqa: E402\n"
         "from transformers import AutoModel, AutoTokenizer  # noqa: E402"),
        '''encoder = AutoModel.from_pretrained(MODEL_DIR, trust_remote_code=False, use_safetensors=True).eval()
head = load_file(MODEL_DIR / "classifier.safetensors")  # weight (labels x hidden), bias (labels)
LABELS = [encoder.config.id2label[i] for i in range(len(head["bias"]))]


def logits(inputs) -> torch.Tensor:
    """The sentence vector (mean of the token vectors, L2-normalised) through the linear head."""
    hidden = encoder(**inputs).last_hidden_state
    mask = inputs["attention_mask"].unsqueeze(-1).to(hidden.dtype)
    vector = torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=-1)
    return (vector @ head["weight"].T + head["bias"])[0]
'''),
}


def _requirements() -> str:
    torch = _version("torch", "2.4").split("+")[0]
    return (f"torch>={'.'.join(torch.split('.')[:2])}\n"
            f"transformers>={_version('transformers', '4.50')}\n"
            "safetensors>=0.4\n")


def _examples(run: RunDir, labels: list[str]) -> list[str]:
    """One validation text per label, for the app's clickable examples."""
    picked: dict[str, str] = {}
    path = run.path / "data" / "valid.jsonl"
    for line in path.read_text(encoding="utf-8").splitlines() if path.exists() else []:
        record = json.loads(line)
        picked.setdefault(record["label"], record["text"])
    return [picked[label] for label in labels if label in picked]


def export_space(run_dir: Path, out_dir: Path, *, title: str | None = None, force: bool = False) -> Path:
    """Write the Space folder for a finished run; returns ``out_dir``."""
    from afinar.tasks.text_classification import card
    from afinar.tasks.text_classification import config as config_module

    run = RunDir(run_dir)
    final = run.final_dir
    if not (final / "config.json").is_file():
        raise AfinarError("textcls.predict.no_model", path=str(run_dir))
    if out_dir.exists() and any(out_dir.iterdir()):
        if not force:
            raise AfinarError("export.exists", path=str(out_dir))
        shutil.rmtree(out_dir)
    meta = run.read_meta()
    cfg = config_module.load(run.path)
    report: dict[str, Any] = json.loads((run.path / "report.json").read_text(encoding="utf-8"))
    title = title or f"Clasificador de textos: {', '.join(report['labels'])}"
    model_dir = out_dir / "model"
    model_dir.mkdir(parents=True)
    for path in final.iterdir():
        if path.is_file() and (path.name in MODEL_FILES or path.suffix == ".safetensors"):
            shutil.copy2(path, model_dir / path.name)
    heading = f"# {title}\n\nEscribe un comentario y pulsa **Clasificar**. / Write a comment and press **Clasificar**."
    settings = json.loads((final / "config.json").read_text(encoding="utf-8")).get("afinar") or {}
    imports, loader = LOADERS[settings.get("head", "cls")]
    (out_dir / "app.py").write_text(APP.format(title=title, heading=heading, max_length=cfg.max_length,
                                               text_prefix=settings.get("text_prefix", ""), imports=imports, loader=loader,
                                               examples=repr(_examples(run, report["labels"]))), encoding="utf-8")
    (out_dir / "requirements.txt").write_text(_requirements(), encoding="utf-8")
    (out_dir / "README.md").write_text(card.space_card(meta, report, cfg.model_dump(mode="json"), title,
                                                       _version("gradio", "5.0.0")), encoding="utf-8")
    return out_dir
