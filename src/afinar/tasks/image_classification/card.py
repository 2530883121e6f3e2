"""The model card in Hugging Face's format: YAML metadata between ``---`` lines, then Markdown.

Both stages are reported separately (the course contrasts them): what the new head reached on
the frozen backbone, and what fine-tuning the top of the backbone added.
"""

from __future__ import annotations

from typing import Any

from afinar.engine.card import classification_metadata, front_matter

STAGE_NAMES = {1: "stage 1: new head, frozen backbone", 2: "stage 2: fine-tuning the top layers"}


def metadata(meta: dict[str, Any], report: dict[str, Any]) -> dict[str, Any]:
    return classification_metadata(meta, report["final"], task="image-classification",
                                   task_name="Image Classification", library="pytorch",
                                   tags=["image-classification", "transfer-learning", "afinar"],
                                   default_name="afinar-image-classifier")


def _stage1(config: dict[str, Any]) -> str:
    if config.get("stage1_probe", False):
        return (f"a linear probe (standardized features, L2-regularized logistic regression with C="
                f"{config.get('stage1_c')}, L-BFGS for up to {config.get('stage1_epochs')} passes)")
    return f"{config.get('stage1_epochs')} epochs at learning rate {config.get('stage1_lr')}"


def stages_markdown(report: dict[str, Any]) -> str:
    lines = ["| stage | best epoch | validation accuracy | validation loss | learning rate | time | images/s |",
             "|---|---|---|---|---|---|---|"]
    for s in report["stages"]:
        lines.append(f"| {STAGE_NAMES[s['stage']]} | {s['best_epoch']} of {s['epochs_run']} | {s['accuracy']:.3f} "
                     f"| {s['valid_loss']:.4f} | {'L-BFGS probe' if s['lr'] is None else format(s['lr'], 'g')} | {s['seconds']:.0f} s | {s['images_per_s']:.0f} |")
    majority = report["baselines"]["majority"]["accuracy"]
    lines.append(f"| baseline: always the most frequent class | - | {majority:.3f} | - | - | - | - |")
    return "\n".join(lines) + "\n"


def classes_markdown(report: dict[str, Any]) -> str:
    final, labels = report["final"], report["labels"]
    lines = ["| class | precision | recall | F1 | pictures |", "|---|---|---|---|---|"]
    for label in labels:
        c = final["per_class"][label]
        lines.append(f"| {label} | {c['precision']:.3f} | {c['recall']:.3f} | {c['f1']:.3f} | {c['support']} |")
    lines += ["", "Confusion matrix (rows: true class, columns: predicted):", "",
              "| true \\ predicted | " + " | ".join(labels) + " |", "|---" * (len(labels) + 1) + "|"]
    for label, row in zip(labels, final["confusion_matrix"]):
        lines.append(f"| {label} | " + " | ".join(str(v) for v in row) + " |")
    return "\n".join(lines) + "\n"


def model_card(meta: dict[str, Any], report: dict[str, Any], config: dict[str, Any]) -> str:
    title = meta.get("model_id", "Image classifier")
    final = report["final"]
    valid_from = "a validation folder" if report.get("valid_from") == "folder" else "a stratified split of the data"
    body = (
        f"Fine-tuned from `{meta.get('base', '?')}` with Afinar's two-stage transfer learning on "
        f"{report['train_examples']} pictures; validated on {report['valid_examples']} ({valid_from}).\n\n"
        f"Classes: {', '.join(report['labels'])}. Validation accuracy: {final['accuracy']:.3f}, "
        f"macro F1: {final['f1']:.3f}.\n\n"
        f"## The two stages\n\n{stages_markdown(report)}\n"
        f"## Validation results (final model: stage {report['stages'][-1]['stage']}'s kept epoch)\n\n"
        f"{classes_markdown(report)}\n"
        "## Training\n\n"
        f"Pictures resized to {config.get('image_size')}×{config.get('image_size')}, batch size "
        f"{config.get('batch_size')}, Adam. Stage 1: {_stage1(config)} with the backbone frozen. Stage 2: "
        f"{config.get('stage2_epochs')} epochs with the layers from {config.get('fine_tune_at')} on unfrozen, "
        f"learning rate {config.get('stage1_lr')} × {config.get('stage2_lr_factor')}. "
        f"Augmentation: {'horizontal flips and rotations up to ' + str(config.get('rotation')) + '°' if config.get('augment') else 'off'}; "
        f"dropout {config.get('dropout')}; early stopping patience {config.get('patience')} "
        f"(validation loss); seed {config.get('seed')}; {report['train_seconds']:.0f} s on {report.get('device', 'cpu')}.\n\n"
        "## Use\n\n`afinar predict RUN picture.jpg`, or `afinar predict RUN --input FOLDER -o out.csv`.\n\n"
        "In Python, `final/` is an Afinar image-model folder (`config.json` + `model.safetensors`):\n\n"
        "```python\nfrom afinar.tasks import image_classification\n\n"
        "image_classification.classify(\"RUN\", [\"picture.jpg\"])  # [{'label', 'confidence', 'scores'}]\n```\n"
    )
    return front_matter(metadata(meta, report)) + f"\n# {title}\n\n" + body
