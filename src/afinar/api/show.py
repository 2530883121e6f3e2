"""How the Python API shows things: rich HTML in a notebook, plain text elsewhere.

Objects the API returns carry ``_repr_html_`` (Jupyter draws it when the object is a cell's last
value) and ``__str__``; ``show(obj)`` draws one explicitly, in a notebook or in a terminal.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any


def in_notebook() -> bool:
    """True inside a Jupyter kernel (Jupyter, VS Code, Colab), where HTML and images are drawn."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and "IPKernelApp" in getattr(shell, "config", {})


def show(obj: Any) -> None:
    """Draw ``obj``: its HTML in a notebook, its text (``str``) elsewhere."""
    if in_notebook():
        from IPython.display import display

        display(obj)
    else:
        print(obj)


def show_image(path: Path) -> None:
    """A picture in a notebook; its path elsewhere."""
    if in_notebook():
        from IPython.display import Image, display

        display(Image(filename=str(path)))
    else:
        print(path)


def table_html(header: Sequence[str], rows: Iterable[Sequence[Any]], caption: str | None = None) -> str:
    """An HTML table; every cell is escaped (user data never becomes markup)."""
    cells = "".join(f"<th style='text-align:left'>{html.escape(str(h))}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td style='text-align:left'>{html.escape(_cell(c))}</td>" for c in row)
                   + "</tr>" for row in rows)
    title = f"<caption style='text-align:left'><b>{html.escape(caption)}</b></caption>" if caption else ""
    return f"<table>{title}<thead><tr>{cells}</tr></thead><tbody>{body}</tbody></table>"


def table_text(header: Sequence[str], rows: Iterable[Sequence[Any]], caption: str | None = None) -> str:
    """The same table as aligned plain text."""
    rows = [[_cell(c) for c in row] for row in rows]
    widths = [max([len(str(h)), *(len(r[i]) for r in rows)]) for i, h in enumerate(header)]
    lines = [caption] if caption else []
    lines.append("  ".join(str(h).ljust(w) for h, w in zip(header, widths)).rstrip())
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3f}"
    return "" if value is None else str(value)


class Picture:
    """A figure of ``afinar.evaluate.plots``: drawn as a PNG when it is a notebook cell's value
    (no pyplot backend is touched); ``figure`` is the matplotlib Figure, ``save(path)`` writes it."""

    def __init__(self, figure: Any) -> None:
        self.figure = figure

    def _repr_png_(self) -> bytes:
        from afinar.evaluate.plots import png_bytes

        return png_bytes(self.figure)

    def save(self, path: str | Path) -> Path:
        from afinar.evaluate.plots import save_png

        return save_png(self.figure, Path(path))


class Shown:
    """For results with a ``__str__`` table: IPython's plain-text view (a console, or a notebook's
    text fallback) prints that table rather than the object's repr. Dataclasses that use it are
    declared with ``repr=False``: IPython prefers a class's own ``__repr__`` to an inherited
    ``_repr_pretty_``."""

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(str(self))
