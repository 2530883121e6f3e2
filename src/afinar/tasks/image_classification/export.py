"""``afinar export space`` for an image run: the folder to upload to a Hugging Face Space.

::

    DIR/
      app.py            Gradio: a picture, a "Clasificar" button, the label with every class's confidence
      requirements.txt  what the Space installs (Gradio itself comes from the README's sdk_version)
      README.md         the Space's metadata (sdk, app_file, license, base_model, model-index), both
                        stages' results and the per-class metrics
      model/            the trained network: config.json (classes, preprocessing) + model.safetensors
      vision/           the network's definition in plain PyTorch (Afinar's own, no torchvision)
      examples/         one validation picture per class (at most 512 px, no EXIF), when the run's
                        pictures are still on disk

``python app.py`` in that folder runs it on 127.0.0.1:7860; on Spaces the same file runs as is.
The app prepares a picture as ``afinar predict`` does (upright by its EXIF orientation, RGB, short
side resized to the run's size, center crop, the base's normalization; only large JPEGs differ
slightly, since Afinar decodes them at a reduced scale for speed and Gradio hands the app the full
picture), loads the weights from safetensors with ``strict=True`` and turns Gradio's analytics off.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from afinar.engine.rundir import RunDir
from afinar.errors import AfinarError

# architecture -> (module of afinar.models.vision copied into vision/, class name)
NETWORKS = {"mobilenet_v2": ("mobilenet_v2", "MobileNetV2"), "efficientnet_lite0": ("efficientnet_lite", "EfficientNetLite0")}

APP = '''"""A Hugging Face Space made with Afinar. `python app.py` runs it locally."""

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import json  # noqa: E402
from pathlib import Path  # noqa: E402

import gradio as gr  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
from PIL import Image  # noqa: E402
from safetensors.torch import load_file  # noqa: E402

from vision.{module} import {network}  # noqa: E402

HERE = Path(__file__).resolve().parent
CONFIG = json.loads((HERE / "model" / "config.json").read_text(encoding="utf-8"))
LABELS = [CONFIG["id2label"][str(i)] for i in range(int(CONFIG["num_classes"]))]
SIZE = int(CONFIG["preprocessing"]["crop"])
MEAN = np.asarray(CONFIG["preprocessing"]["mean"], dtype=np.float32)
STD = np.asarray(CONFIG["preprocessing"]["std"], dtype=np.float32)

model = {network}(num_classes=len(LABELS))
model.load_state_dict(load_file(str(HERE / "model" / "model.safetensors")), strict=True)
model.eval()


def to_input(image: Image.Image) -> torch.Tensor:
    """As in training: RGB, short side resized to SIZE, center crop, the base's normalization."""
    image = image.convert("RGB")
    w, h = image.size
    scale = SIZE / min(w, h)
    w, h = max(SIZE, round(w * scale)), max(SIZE, round(h * scale))
    image = image.resize((w, h), Image.BILINEAR)
    left, top = (w - SIZE) // 2, (h - SIZE) // 2
    array = np.asarray(image.crop((left, top, left + SIZE, top + SIZE)), dtype=np.float32) / 255.0
    return torch.from_numpy(((array - MEAN) / STD).transpose(2, 0, 1).copy())


def classify(image: Image.Image | None) -> dict:
    """Every class with its confidence (they add up to 1)."""
    if image is None:
        return {{}}
    with torch.inference_mode():
        probs = torch.softmax(model(to_input(image)[None]).float(), dim=-1)[0]
    return {{label: float(p) for label, p in zip(LABELS, probs)}}


with gr.Blocks(title={title!r}, analytics_enabled=False) as demo:
    gr.Markdown({heading!r})
    picture = gr.Image(type="pil", label="Imagen")
    button = gr.Button("Clasificar", variant="primary")
    result = gr.Label(label="Resultado", num_top_classes=len(LABELS))
    button.click(classify, inputs=picture, outputs=result, api_name="classify")
    examples = sorted(str(p) for p in (HERE / "examples").glob("*") if p.is_file())
    if examples:
        gr.Examples(examples, inputs=picture)

if __name__ == "__main__":
    demo.launch()
'''


def _requirements() -> str:
    from afinar.engine.card import package_version

    torch = package_version("torch", "2.4").split("+")[0]
    return f"torch>={'.'.join(torch.split('.')[:2])}\nsafetensors>=0.4\nnumpy\npillow\n"


EXAMPLE_SIDE = 512  # examples are re-saved at most this large, without their metadata


def _examples(run: RunDir, labels: list[str], out: Path) -> None:
    """One validation picture per class (the first of each in the run's valid.csv), re-saved
    upright, at most EXAMPLE_SIDE pixels, without EXIF (no camera data or location leaves with it),
    as ``NN_label.png|jpg``."""
    import csv

    from PIL import Image, ImageOps

    table = run.path / "data" / "valid.csv"
    if not table.is_file():
        return
    picked: dict[str, Path] = {}
    with open(table, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            path = Path(row.get("path") or "")
            if row.get("label") in labels and row["label"] not in picked and path.is_file():
                picked[row["label"]] = path
    for number, label in enumerate(labels, 1):
        if label not in picked:
            continue
        safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in label)[:40] or "class"
        try:
            with Image.open(picked[label]) as img:
                img = ImageOps.exif_transpose(img).convert("RGB")
                img.thumbnail((EXAMPLE_SIDE, EXAMPLE_SIDE))
                photo = picked[label].suffix.lower() in (".jpg", ".jpeg")
                out.mkdir(exist_ok=True)
                img.save(out / f"{number:02d}_{safe}.{'jpg' if photo else 'png'}", quality=90)
        except OSError:
            continue  # an unreadable example is left out; the Space works without it


def space_card(meta: dict[str, Any], report: dict[str, Any], config: dict[str, Any], title: str,
               sdk_version: str) -> str:
    from afinar.engine.card import front_matter
    from afinar.tasks.image_classification.card import (
        classes_markdown,
        metadata,
        stages_markdown,
    )

    data = {"title": title, "emoji": "🖼️", "colorFrom": "yellow", "colorTo": "green", "sdk": "gradio",
            "sdk_version": sdk_version, "app_file": "app.py", "pinned": False}
    data.update(metadata(meta, report))
    final = report["final"]
    return (front_matter(data) + f"\n# {title}\n\n"
            "A picture and a **Clasificar** button: the fine-tuned network answers with the class and the "
            "confidence of every class. `python app.py` runs it on your machine (http://127.0.0.1:7860).\n\n"
            f"Fine-tuned from `{meta.get('base', '?')}` with Afinar's two-stage transfer learning on "
            f"{report['train_examples']} pictures at {config.get('image_size')}×{config.get('image_size')}; "
            f"validation accuracy {final['accuracy']:.3f}, macro F1 {final['f1']:.3f} on "
            f"{report['valid_examples']} pictures.\n\n"
            f"## The two stages\n\n{stages_markdown(report)}\n"
            f"## Validation results\n\n{classes_markdown(report)}")


def export_space(run_dir: Path, out_dir: Path, *, title: str | None = None, force: bool = False) -> Path:
    """Write the Space folder for a finished image run; returns ``out_dir``."""
    from afinar.engine.card import package_version
    from afinar.models import vision
    from afinar.models.vision.folder import is_image_folder, read_config

    run = RunDir(run_dir)
    final = run.final_dir
    if not is_image_folder(final):
        raise AfinarError("imgcls.predict.no_model", path=str(run_dir))
    model_config = read_config(final)
    if model_config["architecture"] not in NETWORKS:
        raise AfinarError("imgcls.export.unknown_architecture", architecture=model_config["architecture"],
                          known=", ".join(NETWORKS))
    if out_dir.exists() and any(out_dir.iterdir()):
        if not force:
            raise AfinarError("export.exists", path=str(out_dir))
        shutil.rmtree(out_dir)
    module, network = NETWORKS[model_config["architecture"]]
    meta = run.read_meta()
    report: dict[str, Any] = json.loads((run.path / "report.json").read_text(encoding="utf-8"))
    config = run.read_config()
    labels = report["labels"]
    title = title or f"Clasificador de imágenes: {', '.join(labels)}"
    (out_dir / "model").mkdir(parents=True)
    for name in ("config.json", "model.safetensors"):
        shutil.copy2(final / name, out_dir / "model" / name)
    (out_dir / "vision").mkdir()
    shutil.copy2(Path(vision.__file__).parent / f"{module}.py", out_dir / "vision" / f"{module}.py")
    (out_dir / "vision" / "__init__.py").write_text('"""The network\'s definition, from Afinar."""\n', encoding="utf-8")
    _examples(run, labels, out_dir / "examples")
    heading = (f"# {title}\n\nSube una imagen y pulsa **Clasificar**. / Upload a picture and press **Clasificar**.")
    (out_dir / "app.py").write_text(APP.format(title=title, heading=heading, module=module, network=network),
                                    encoding="utf-8")
    (out_dir / "requirements.txt").write_text(_requirements(), encoding="utf-8")
    (out_dir / "README.md").write_text(space_card(meta, report, config, title, package_version("gradio", "5.0.0")),
                                       encoding="utf-8")
    return out_dir
