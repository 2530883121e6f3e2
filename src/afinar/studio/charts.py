"""Curves over steps or epochs with whole-number ticks.

Gradio's line plot (Vega-Lite) puts about one tick per 40 pixels on a numeric axis, so a run of
three epochs is drawn with ticks at 1.0, 1.1 ... 3.0, and Gradio lets a page set neither the tick
step nor a label expression. A short axis is therefore given as text, each step or epoch its own
tick, in order; a long one stays numeric, where those ticks fall on whole numbers already.
"""

from __future__ import annotations

from typing import Any

# Numeric from this span on: a plot as wide as the page (about 30 ticks) steps by 1 or more.
DISCRETE_SPAN = 25


def whole_number_axis(frame: Any, x: str) -> dict[str, Any]:
    """The plot's ``value`` and ``sort`` for ``frame`` (a DataFrame) drawn over its column ``x`` of
    whole numbers: ``gr.update(**whole_number_axis(frame, "epoch"))``."""
    if frame.empty or frame[x].max() - frame[x].min() >= DISCRETE_SPAN:
        return {"value": frame, "sort": None}
    numbers = frame[x].astype(int)
    return {"value": frame.assign(**{x: numbers.astype(str)}), "sort": [str(n) for n in sorted(set(numbers))]}
