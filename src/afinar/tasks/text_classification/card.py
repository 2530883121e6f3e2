"""Model cards in Hugging Face's format: YAML metadata between ``---`` lines, then Markdown.

``model_card`` goes into ``final/README.md`` (and the run folder); ``space_card`` is the README of
an exported Space: the same metrics under the Space's own metadata (sdk, app_file, ...).
Metadata keys follow the Hub's model-card spec: license, base_model, pipeline_tag, tags, metrics
and a model-index with the validation results.
"""

from __future__ import annotations

from typing import Any

from afinar.engine.card import classification_metadata, front_matter


def metadata(meta: dict[str, Any], report: dict[str, Any]) -> dict[str, Any]:
    return classification_metadata(meta, report["final"], task="text-classification", task_name="Text Classification",
                                   library="transformers", tags=["text-classification", "afinar"],
                                   default_name="afinar-text-classifier")


def metrics_markdown(report: dict[str, Any]) -> str:
    final, labels = report["final"], report["labels"]
    lines = ["| model | accuracy | precision | recall | F1 (macro) |", "|---|---|---|---|---|",
             f"| fine-tuned (epoch {report['best_epoch']}) | {final['accuracy']:.3f} | {final['precision']:.3f} "
             f"| {final['recall']:.3f} | {final['f1']:.3f} |"]
    for name, scores in report.get("baselines", {}).items():
        lines.append(f"| baseline: {name} | {scores['accuracy']:.3f} | {scores['precision']:.3f} "
                     f"| {scores['recall']:.3f} | {scores['f1']:.3f} |")
    lines += ["", "| class | precision | recall | F1 | examples |", "|---|---|---|---|---|"]
    for label in labels:
        c = final["per_class"][label]
        lines.append(f"| {label} | {c['precision']:.3f} | {c['recall']:.3f} | {c['f1']:.3f} | {c['support']} |")
    lines += ["", "Confusion matrix (rows: true label, columns: predicted):", "",
              "| true \\ predicted | " + " | ".join(labels) + " |", "|---" * (len(labels) + 1) + "|"]
    for label, row in zip(labels, final["confusion_matrix"]):
        lines.append(f"| {label} | " + " | ".join(str(v) for v in row) + " |")
    lines += ["", f"Expected calibration error of the confidences: {final['ece']:.3f}."]
    return "\n".join(lines) + "\n"


def _body(meta: dict[str, Any], report: dict[str, Any], config: dict[str, Any]) -> str:
    return (
        f"Fine-tuned from `{meta.get('base', '?')}` with Afinar on "
        f"{report['train_examples']} examples; validated on {report['valid_examples']} "
        f"({'a separate file' if report.get('valid_from') == 'file' else 'a stratified split of the data'}).\n\n"
        f"Labels: {', '.join(report['labels'])}.\n\n"
        f"## Validation results\n\n{metrics_markdown(report)}\n"
        "## Training\n\n"
        f"epochs {config.get('epochs')} (best epoch {report['best_epoch']}, by validation F1), "
        f"learning rate {config.get('lr')}, batch size {config.get('batch_size')}, "
        f"max length {config.get('max_length')} tokens, head: {config.get('head', 'cls')}, "
        f"word embeddings frozen: {config.get('freeze_embeddings')}, "
        f"class weights: {config.get('class_weights')}, seed {config.get('seed')}; "
        f"{report['train_seconds']:.0f} s of training on {report.get('device', 'cpu')}.\n\n"
        f"## Use\n\n{_usage(config, report['labels'][0])}\n"
        "Or with Afinar: `afinar predict RUN \"texto\"`.\n"
    )


def _usage(config: dict[str, Any], example: str) -> str:
    """How to classify with plain transformers: the pipeline for the standard head; for the
    mean-pooling head the encoder, ``classifier.safetensors`` and e5's pooling in a few lines."""
    text = f"{config.get('text_prefix') or ''}{example}"
    if config.get("head") != "mean":
        return ("```python\nfrom transformers import pipeline\n\n"
                "classify = pipeline(\"text-classification\", model=\"PATH\", top_k=None)\n"
                f"classify({text!r})\n```\n")
    return ("A linear head on the mean-pooled, L2-normalised sentence vector (not the `[CLS]` token): "
            "load the encoder with `AutoModel` (not `AutoModelForSequenceClassification`) and the head "
            "from `classifier.safetensors`.\n\n```python\nimport torch\nfrom safetensors.torch import load_file\n"
            "from transformers import AutoModel, AutoTokenizer\n\n"
            "tokenizer, encoder = AutoTokenizer.from_pretrained(\"PATH\"), AutoModel.from_pretrained(\"PATH\")\n"
            "head = load_file(\"PATH/classifier.safetensors\")\n"
            f"inputs = tokenizer([{text!r}], return_tensors=\"pt\")\n"
            "with torch.inference_mode():\n"
            "    hidden = encoder(**inputs).last_hidden_state\n"
            "    mask = inputs[\"attention_mask\"].unsqueeze(-1).float()\n"
            "    vector = torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=-1)\n"
            "    probs = torch.softmax(vector @ head[\"weight\"].T + head[\"bias\"], dim=-1)[0]\n"
            "print({encoder.config.id2label[i]: float(p) for i, p in enumerate(probs)})\n```\n")


def model_card(meta: dict[str, Any], report: dict[str, Any], config: dict[str, Any]) -> str:
    title = meta.get("model_id", "Text classifier")
    return front_matter(metadata(meta, report)) + f"\n# {title}\n\n" + _body(meta, report, config)


def space_card(meta: dict[str, Any], report: dict[str, Any], config: dict[str, Any], title: str,
               sdk_version: str) -> str:
    data = {"title": title, "emoji": "💬", "colorFrom": "green", "colorTo": "blue", "sdk": "gradio",
            "sdk_version": sdk_version, "app_file": "app.py", "pinned": False}
    data.update(metadata(meta, report))
    intro = ("A text box and a **Clasificar** button: the fine-tuned model answers with the label "
             "and the confidence of every class. `python app.py` runs it on your machine "
             "(http://127.0.0.1:7860).\n\n")
    return front_matter(data) + f"\n# {title}\n\n" + intro + _body(meta, report, config)
