"""How a pull or import shows itself: the license first, then a progress bar of named steps.

``RichReporter`` draws on stderr (the CLI and other commands that resolve a base model use it);
``QuietReporter`` records the steps without printing (tests, the web server).
"""

from __future__ import annotations

from typing import Any, Protocol

from afinar import i18n
from afinar.models.catalog import License


class Reporter(Protocol):
    def license(self, name: str, license: License, terms_path: str | None) -> None: ...

    def start(self, name: str, total: int) -> None: ...

    def step(self, key: str, **params: Any) -> None: ...

    def finish(self, ok: bool = True) -> None: ...

    def note(self, key: str, **params: Any) -> None: ...


def license_text(name: str, license: License, terms_path: str | None = None) -> str:
    """The license notice a user sees before a base model is used, in the current language."""
    license_name = license.name or i18n.t("models.license.unknown")
    lines = [i18n.t("models.license.notice", name=name, license=license_name, url=license.url)]
    if terms_path:
        lines.append(i18n.t("models.license.terms_file", path=terms_path))
    if license.requires_acceptance:
        lines.append(i18n.t("models.license.acceptance_required"))
    return "\n".join(lines)


class QuietReporter:
    """Keeps what would have been shown, for tests and for callers without a terminal."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str]] = []

    def license(self, name: str, license: License, terms_path: str | None) -> None:
        self.events.append(("license", license_text(name, license, terms_path)))

    def start(self, name: str, total: int) -> None:
        self.events.append(("start", name))

    def step(self, key: str, **params: Any) -> None:
        self.events.append(("step", i18n.t(key, **params)))

    def finish(self, ok: bool = True) -> None:
        self.events.append(("finish", "ok" if ok else "failed"))

    def note(self, key: str, **params: Any) -> None:
        self.events.append(("note", i18n.t(key, **params)))


class RichReporter:
    """A rich progress bar on stderr; the license notice is printed in a panel before it starts."""

    def __init__(self) -> None:
        from rich.console import Console

        self.console = Console(stderr=True, highlight=False, emoji=False)
        self._progress: Any = None
        self._task: Any = None

    def license(self, name: str, license: License, terms_path: str | None) -> None:
        from rich.panel import Panel

        title = i18n.t("models.license.title")
        self.console.print(Panel(license_text(name, license, terms_path), title=title, expand=False))

    def start(self, name: str, total: int) -> None:
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        self._progress = Progress(
            TextColumn("[bold]{task.fields[name]}[/]"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=self.console,
            transient=False,
        )
        self._progress.start()
        self._task = self._progress.add_task("", total=total, name=name)

    def step(self, key: str, **params: Any) -> None:
        if self._progress is None:
            self.console.print(i18n.t(key, **params))
            return
        task = self._progress.tasks[0]
        advance = 1 if task.description else 0
        self._progress.update(self._task, description=i18n.t(key, **params), advance=advance)

    def finish(self, ok: bool = True) -> None:
        if self._progress is not None:
            if ok:
                total = self._progress.tasks[0].total
                self._progress.update(self._task, completed=total, description=i18n.t("models.step.done"))
            self._progress.stop()
            self._progress = None

    def note(self, key: str, **params: Any) -> None:
        self.console.print(i18n.t(key, **params))
