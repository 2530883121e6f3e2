"""``Run``: a finished (or running) training, as the Python API returns it.

It reads the run folder every task writes (``meta.json``, ``config.yaml``, ``metrics.jsonl``,
``report.json``) and draws the figures of ``afinar.evaluate.plots`` inline in a notebook.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from afinar import i18n
from afinar.api.show import Picture, Shown, table_html, table_text
from afinar.engine.rundir import RunDir
from afinar.errors import AfinarError


@dataclass(repr=False)
class Run(Shown):
    """A run folder. ``model`` is what ``chat``, ``compare``, ``predict`` and ``export_*`` accept:
    the ``ft:`` id of a chat fine-tune, the folder of a classifier."""

    path: Path

    @classmethod
    def open(cls, path: str | Path) -> Run:
        """The run in folder ``path`` (any task's)."""
        folder = Path(path)
        if not (folder / "meta.json").is_file():
            raise AfinarError("predict.not_a_run", path=str(folder))
        return cls(folder)

    # What the run says about itself

    @property
    def meta(self) -> dict[str, Any]:
        return RunDir(self.path).read_meta()

    @property
    def config(self) -> dict[str, Any]:
        """The resolved config: every ``auto`` value replaced by what was used."""
        return RunDir(self.path).read_config()

    @property
    def task(self) -> str:
        return self.meta.get("task", "?")

    @property
    def status(self) -> str:
        return self.meta.get("status", "?")

    @property
    def job_id(self) -> str | None:
        return self.meta.get("job_id")

    @property
    def model(self) -> str:
        """A chat fine-tune's ``ft:`` id; a classifier's folder (what ``predict`` takes)."""
        meta = self.meta
        return meta["model_id"] if meta.get("task") == "chat" and meta.get("model_id") else str(self.path)

    @property
    def metrics(self) -> list[dict[str, Any]]:
        """Every record of ``metrics.jsonl``, in order."""
        return RunDir(self.path).metrics()

    @property
    def report(self) -> dict[str, Any] | None:
        """A classifier's ``report.json`` (final metrics, baselines, history); None for chat."""
        path = self.path / "report.json"
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None

    @property
    def evaluation(self) -> dict[str, Any] | None:
        """A chat fine-tune's end-of-job check: facts recalled and non-word rate on held-out prompts."""
        return self.meta.get("evaluation")

    def summary(self) -> dict[str, Any]:
        """The headline numbers of the run, by task."""
        meta, out = self.meta, {"task": self.task, "status": self.status, "model": self.model}
        report = self.report
        if report is not None:
            final = report["final"]
            out.update(accuracy=final["accuracy"], f1=final.get("f1"), valid_examples=report["valid_examples"],
                       baselines={k: v["accuracy"] for k, v in report["baselines"].items()})
        else:
            losses = [m["train_loss"] for m in self.metrics if isinstance(m.get("train_loss"), (int, float))]
            valid = [m["valid_loss"] for m in self.metrics if isinstance(m.get("valid_loss"), (int, float))]
            out.update(train_loss=losses[-1] if losses else None, valid_loss=valid[-1] if valid else None,
                       base=meta.get("base_model"), system_prompt=meta.get("system_prompt"))
            if self.evaluation:
                out.update(facts_recalled=self.evaluation.get("facts_recalled"),
                           facts_total=self.evaluation.get("facts_total"),
                           nonword_rate=self.evaluation.get("nonword_rate"))
        return out

    # Figures (the same as the report's PNG files and the studio's)

    def curves(self) -> Picture:
        """The loss (and accuracy) curves (drawn when it is a notebook cell's value; ``.figure`` is
        the matplotlib Figure, ``.save(path)`` writes a PNG)."""
        from afinar.evaluate import plots

        report = self.report
        if self.task == "chat" or report is None:
            figure = plots.chat_loss_figure(self.metrics)
        elif self.task == "image-classification":
            figure = plots.stage_curves_figure(report["history"])
        else:
            figure = plots.curves_figure(report["history"])
        return Picture(figure)

    def confusion_matrix(self) -> Picture:
        """A classifier's confusion matrix on the validation split (rows: true label)."""
        from afinar.evaluate import plots

        report = self._classifier_report("confusion_matrix")
        title = i18n.t("api.run.confusion_title")
        return Picture(plots.confusion_figure(report["final"]["confusion_matrix"], report["labels"], title))

    def mistakes(self, limit: int = 16) -> Picture | Mistakes:
        """The validation items the classifier got wrong, most confident first: a picture grid for
        images, a table for texts."""
        self._classifier_report("mistakes")
        rows = self._wrong_predictions()[:limit]
        if self.task == "image-classification":
            from afinar.evaluate import plots

            return Picture(plots.mistakes_figure([{**r, "path": self._picture(r["path"])} for r in rows]))
        return Mistakes(rows)

    def _classifier_report(self, what: str) -> dict[str, Any]:
        report = self.report
        if report is None:
            raise AfinarError("api.run.no_report", what=what, path=str(self.path), task=self.task)
        return report

    def _wrong_predictions(self) -> list[dict[str, Any]]:
        path = self.path / "valid_predictions.csv"
        with open(path, encoding="utf-8", newline="") as fh:
            rows = [r for r in csv.DictReader(fh) if r["label"] != r["predicted"]]
        for r in rows:
            r["confidence"] = float(r["confidence"])
        return sorted(rows, key=lambda r: -r["confidence"])

    def _picture(self, path: str) -> str:
        return path if Path(path).is_absolute() else str(self.path / path)

    # Display

    def _rows(self) -> list[tuple[str, Any]]:
        rows = [(i18n.t("api.run.folder"), str(self.path))]
        for key, value in self.summary().items():
            if isinstance(value, dict):
                value = ", ".join(f"{k} {v:.3f}" for k, v in value.items())
            if value is not None:
                rows.append((key, value))
        return rows

    def _repr_html_(self) -> str:
        return table_html((i18n.t("api.run.field"), i18n.t("api.run.value")), self._rows())

    def __str__(self) -> str:
        return table_text((i18n.t("api.run.field"), i18n.t("api.run.value")), self._rows())


@dataclass(repr=False)
class Mistakes(Shown):
    """A text classifier's wrong validation predictions (text, true label, predicted, confidence)."""

    rows: list[dict[str, Any]]

    def _cells(self) -> tuple[tuple[str, ...], list[tuple[Any, ...]]]:
        header = tuple(i18n.t(f"api.mistakes.{k}") for k in ("text", "label", "predicted", "confidence"))
        return header, [(r["text"], r["label"], r["predicted"], f"{r['confidence']:.0%}") for r in self.rows]

    def _repr_html_(self) -> str:
        header, rows = self._cells()
        return table_html(header, rows, caption=i18n.t("api.mistakes.caption", count=len(self.rows)))

    def __str__(self) -> str:
        header, rows = self._cells()
        return table_text(header, rows, caption=i18n.t("api.mistakes.caption", count=len(self.rows)))

    def __len__(self) -> int:
        return len(self.rows)
