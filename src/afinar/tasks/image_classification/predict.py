"""Classify pictures with a finished run: the task's entry point for ``afinar predict``.

Implements the predictor interface of ``afinar.tasks.text_classification.predict`` (``labels``,
``input_column``, ``predict(items, on_batch)``), with image file paths as items, plus
``read_input(path, column)`` for ``afinar predict RUN --input DIR|CSV``: a folder gives every
picture under it (sorted, subfolders included), a table gives its rows with the path column;
relative paths in a table are relative to the table's folder. Results keep the input's order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from afinar.errors import AfinarError

BATCH_SIZE = 32


@dataclass
class ImagePredictor:
    model: Any
    labels: list[str]
    preprocessing: dict[str, Any]

    def input_column(self, columns: Sequence[str]) -> str | None:
        from afinar.tasks.image_classification.data import PATH_COLUMNS

        lowered = {c.strip().lower(): c for c in columns}
        return next((lowered[n] for n in PATH_COLUMNS if n in lowered), None)

    def read_input(self, path: Path, column: str | None = None) -> tuple[Any, list[str], str]:
        """``(table, image paths, column)`` for a folder of pictures or a table with a path column."""
        from afinar.data.images_validate import IMAGE_SUFFIXES, _files
        from afinar.data.tables import Table, read_table

        if path.is_dir():
            table = Table(format="folder")
            files = [p for p in _files(path) if p.suffix.lower() in IMAGE_SUFFIXES]
            if not files:
                raise AfinarError("imgcls.predict.empty_folder", path=str(path))
            for n, file in enumerate(files, 1):
                table.add(n, {"path": str(file)})
            return table, [str(f) for f in files], "path"
        table = read_table(path)
        if column is not None and column not in table.columns:
            raise AfinarError("predict.bad_column", path=str(path), column=column, columns=", ".join(table.columns))
        column = column or self.input_column(table.columns)
        if column is None:
            raise AfinarError("imgcls.predict.no_column", path=str(path), columns=", ".join(table.columns))
        items = [str((path.parent / str(r.get(column) or "")).resolve()) for _, r in table.records]
        return table, items, column

    def predict(self, items: Sequence[str], on_batch: Callable[[int], None] | None = None) -> list[dict[str, float]]:
        import torch

        from afinar.tasks.image_classification import images

        size = int(self.preprocessing["crop"])
        out: list[dict[str, float]] = []
        with torch.inference_mode():
            for start in range(0, len(items), BATCH_SIZE):
                chunk = list(items[start:start + BATCH_SIZE])
                batch = torch.stack([_load(p, size) for p in chunk])
                probs = torch.softmax(self.model(images.to_input(batch, self.preprocessing, "cpu")).float(), -1)
                out.extend(dict(zip(self.labels, row)) for row in probs.tolist())
                if on_batch:
                    on_batch(len(chunk))
        return out


def _load(path: str, size: int) -> Any:
    from afinar.tasks.image_classification import images

    if not Path(path).is_file():
        raise AfinarError("imgcls.predict.no_image", path=path)
    try:
        return images.load(path, size)
    except (OSError, SyntaxError, ValueError) as err:
        raise AfinarError("imgcls.predict.bad_image", path=path, problem=str(err) or type(err).__name__) from err


def load_predictor(run_dir: Path) -> ImagePredictor:
    """The trained network in ``run_dir/final`` (a finished image-classification run)."""
    from afinar.models.vision.folder import is_image_folder, load_image_model

    final = run_dir / "final"
    if not is_image_folder(final):
        raise AfinarError("imgcls.predict.no_model", path=str(run_dir))
    model, config = load_image_model(final)
    labels = [config["id2label"][str(i)] for i in range(int(config["num_classes"]))]
    return ImagePredictor(model.eval(), labels, config["preprocessing"])
