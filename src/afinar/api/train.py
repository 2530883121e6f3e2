"""Training from Python: ``train_chat``, ``train_text_classifier``, ``train_image_classifier``.

The same path as ``afinar train TASK`` (which calls these): the data is checked, the run folder
written, and the training runs as a job of the one queue (``afinar jobs list`` and the API list
it) in its own process, which this process follows — a live progress bar (``tqdm.auto``) while
it runs and, in a notebook, the curves at the end. Options are the task's config fields (the
CLI's flags with ``_`` for ``-``); every invalid option is reported at once, named.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from afinar import i18n
from afinar.api.progress import ProgressBar
from afinar.api.runs import Run
from afinar.api.show import in_notebook, show
from afinar.errors import AfinarError

Progress = Callable[[dict[str, Any]], None]
Hook = Callable[[Run], None]


def _config(model: type, config: Any, values: dict[str, Any]) -> Any:
    """``config`` as given, or the task's config model built from keyword values (None = not given)."""
    if config is not None:
        return config
    from afinar.tasks.config import build

    return build(model, values, name=lambda field: field)


def _follow(description: str, total: int | None, progress: bool, on_progress: Progress | None) -> tuple[ProgressBar, Progress]:
    bar = ProgressBar(description, total, enabled=progress)

    def update(record: dict[str, Any]) -> None:
        bar(record)
        if on_progress is not None:
            on_progress(record)

    return bar, update


def _finish(run: Run, progress: bool) -> Run:
    if progress and in_notebook():
        show(run.curves())
    return run


def train_chat(data: str | Path | None = None, *, output: str | Path | None = None,
               resume: str | Path | None = None, merge: bool = False, progress: bool = True,
               on_findings: Callable[[Any], None] | None = None, on_start: Hook | None = None,
               on_progress: Progress | None = None, quiet: bool = True, config: Any = None,
               **options: Any) -> Run:
    """Fine-tune a chat model on ``data`` (chat JSONL in OpenAI's format): LoRA by default, loss
    on the assistant's replies only, every ``auto`` value decided from the data (see
    ``run.config`` and the job's events for what was chosen and why).

    ``options``: the fields of ``afinar train chat`` (``model``, ``epochs``, ``suffix``,
    ``eval_prompts``…). ``resume``: a stopped run's folder, continued from its last checkpoint.
    ``merge``: also save the base with the adapter merged in. ``on_findings`` gets the data's
    report when it has errors (default: shown). ``quiet``: the training process's own output goes
    to the run's ``train.log`` (else to this process's terminal). Returns the finished ``Run``;
    its ``model`` (``ft:BASE:afinar:SUFFIX:ID``) is what ``chat``, ``compare`` and the API accept.
    """
    from afinar.engine.rundir import RunDir
    from afinar.jobs.foreground import run_attached
    from afinar.tasks import job_tasks
    from afinar.tasks.chat.config import ChatTrainConfig, steps_per_epoch
    from afinar.tasks.chat.prepare import InvalidData, launch, prepare

    if resume is not None:
        rundir = RunDir(Path(resume))
        if not (rundir.config_path.exists() and (rundir.path / "meta.json").exists()):
            raise AfinarError("chat.train.not_a_run", exit_code=2, path=str(resume))
    else:
        if data is None and config is None:
            raise AfinarError("chat.train.need_data", exit_code=2)
        cfg = _config(ChatTrainConfig, config, {"data": data, **options})
        try:  # prepare() resolves the base, which shows its license before first use
            rundir = prepare(cfg, Path(output) if output else None)
        except InvalidData as err:
            (on_findings or (lambda report: show(_findings(report))))(err.report)
            raise
    run = Run(rundir.path)
    if on_start is not None:
        on_start(run)
    resolved = rundir.read_config()
    total = steps_per_epoch(resolved["train_examples"], resolved["batch_size"]) * resolved["epochs"]
    bar, update = _follow(i18n.t("api.train.chat"), total, progress, on_progress)
    try:
        job = run_attached(job_tasks()["chat"], rundir, update, resume=resume is not None,
                           launch=lambda r, again: launch(r, resume=again, quiet=quiet))
    finally:
        bar.close(completed=run.status == "succeeded")
    if job["status"] != "succeeded":
        error = (job.get("error") or {}).get("message") or run.meta.get("error") or job["status"]
        raise AfinarError("chat.train.failed", error=error, log=str(run.path / "train.log"), run=str(run.path))
    if merge:
        from afinar.tasks.chat.merge import merge_run

        merge_run(rundir)
    return _finish(run, progress)


def train_text_classifier(data: str | Path | None = None, *, progress: bool = True,
                          on_findings: Callable[[list[Any]], None] | None = None, on_start: Hook | None = None,
                          on_progress: Progress | None = None, config: Any = None, **options: Any) -> Run:
    """Fine-tune a text classifier on ``data`` (CSV/TSV or JSONL with a text and a label column,
    recognized by name in Spanish and English). The report compares it with the majority class
    and TF-IDF + logistic regression on the same validation split (``run.summary()``).

    ``options``: the fields of ``afinar train text-classification`` (``base``, ``epochs``,
    ``output``…). ``on_findings`` gets the data reports (default: shown when they hold anything).
    """
    from afinar.tasks.text_classification import launch
    from afinar.tasks.text_classification.config import TextClassificationConfig

    cfg = _config(TextClassificationConfig, config, {"data": data, **options})
    reports = launch.check_data(cfg)
    (on_findings or _show_findings)(reports)
    errors = [r for r in reports if r.errors]
    if errors:
        raise AfinarError("textcls.data.invalid", errors=sum(len(r.errors) for r in errors),
                          files=", ".join(r.file for r in errors))
    prepared = launch.prepare(cfg, launch.resolve_base(cfg.base))
    return _classifier(Run(prepared.run.path), prepared.run, launch, "api.train.text", progress, on_start,
                       on_progress)


def train_image_classifier(data: str | Path | None = None, *, progress: bool = True,
                           on_findings: Callable[[Any], None] | None = None, on_start: Hook | None = None,
                           on_progress: Progress | None = None, config: Any = None, **options: Any) -> Run:
    """Fine-tune an image classifier on ``data`` in two stages (transfer learning): a new head on
    the frozen backbone, then the top layers unfrozen at a lower learning rate.

    ``data``: a folder with train/<class>/ and validation/<class>/ (the course's layout), a folder
    with one subfolder per class, or a CSV with path,label columns. ``options``: the fields of
    ``afinar train image-classification`` (``base``, ``image_size``, ``stage1_epochs``…).
    """
    from afinar.tasks.image_classification import launch
    from afinar.tasks.image_classification.config import ImageClassificationConfig

    cfg = _config(ImageClassificationConfig, config, {"data": data, **options})
    shown = on_findings or (lambda report: _show_findings([report]))
    prepared = launch.prepare_run(cfg, on_findings=lambda report: shown(report) if report.findings else None)
    return _classifier(Run(prepared.run.path), prepared.run, launch, "api.train.image", progress, on_start,
                       on_progress)


def _classifier(run: Run, rundir: Any, launch: Any, label: str, progress: bool, on_start: Hook | None,
                on_progress: Progress | None) -> Run:
    if on_start is not None:
        on_start(run)
    bar, update = _follow(i18n.t(label), None, progress, on_progress)
    try:
        launch.run(rundir, update)
    finally:
        bar.close(completed=run.status == "succeeded")
    return _finish(run, progress)


def _show_findings(reports: list[Any]) -> None:
    if any(r.findings for r in reports):
        for report in reports:
            if report.findings:
                show(_findings(report))


def _findings(report: Any) -> Any:
    from afinar.api.data import DataReport

    return DataReport(report)
