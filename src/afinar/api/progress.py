"""A live progress bar for a training followed from Python: ``tqdm.auto`` (a widget in Jupyter,
text in a terminal), fed by the run's ``metrics.jsonl`` records as the job writes them.

Every task writes records with ``step`` (and a loss); the classifiers also write a ``start``
record with ``total_steps``; chat runs know their total from the saved config.
"""

from __future__ import annotations

from typing import Any

LOSS_KEYS = ("loss", "train_loss")


class ProgressBar:
    """``bar(record)`` for each metrics record; ``close()`` at the end. ``enabled=False`` draws nothing."""

    def __init__(self, description: str, total: int | None = None, enabled: bool = True) -> None:
        self.description = description
        self.total = total
        self.enabled = enabled
        self.bar: Any = None

    def _open(self) -> None:
        if self.bar is None and self.enabled:
            import warnings

            with warnings.catch_warnings():  # without ipywidgets, tqdm.auto falls back to text and warns
                warnings.simplefilter("ignore")
                from tqdm.auto import tqdm

                self.bar = tqdm(total=self.total, desc=self.description, unit="step", dynamic_ncols=True)

    def __call__(self, record: dict[str, Any]) -> None:
        if not self.enabled:
            return
        if record.get("total_steps"):
            self.total = int(record["total_steps"])
            if self.bar is not None:
                self.bar.total = self.total
                self.bar.refresh()
        step = record.get("step")
        if not isinstance(step, int):
            return
        self._open()
        if step > self.bar.n:
            self.bar.update(step - self.bar.n)
        loss = next((record[k] for k in LOSS_KEYS if isinstance(record.get(k), (int, float))), None)
        if loss is not None:
            self.bar.set_postfix(loss=f"{loss:.4f}", refresh=False)

    def close(self, completed: bool) -> None:
        if self.bar is None:
            return
        if completed and self.bar.total and self.bar.n < self.bar.total:
            self.bar.update(self.bar.total - self.bar.n)
        self.bar.close()
