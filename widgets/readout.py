"""A line of text per step (step, position, loss, gradient), shown in step with the player.

It is drawn as a text glyph on a bare canvas because a glyph's data can change in the browser
without a message to the server, where a Div's text could not.
"""

import numpy as np
from bokeh.models import Range1d
from bokeh.plotting import figure

from .timeline import Timeline


def fmt(value: float) -> str:
    """A number in at most four significant figures, readable from 1e-9 to 1e9."""
    if not np.isfinite(value):
        return "—"
    return f"{value:.4g}".replace("-", "−")


def step_lines(label: str, params: np.ndarray, losses: np.ndarray, grads: np.ndarray,
               diverged_at: int) -> list[str]:
    """One readout line per step for a path (steps + 1, 2)."""
    last = len(params) - 1
    lines = []
    for k in range(last + 1):
        if 0 <= diverged_at <= k:
            lines.append(f"{label}: diverged at step {diverged_at} (the loss ran off to infinity)")
            continue
        x, y = params[k]
        lines.append(f"{label}: step {k}/{last} · θ = ({fmt(x)}, {fmt(y)}) · loss {fmt(losses[k])}"
                     f" · |∇L| = {fmt(float(np.hypot(*grads[k])))}")
    return lines


class Readout:
    """Text lines under a plot; each line is one path's state at the current step."""

    def __init__(self, timeline: Timeline, *, width: int = 520, lines: int = 1, name: str = "readout"):
        self.full, shown = timeline.point(text=[])
        self.figure = figure(width=width, height=14 + 20 * lines, x_range=Range1d(0, 1), y_range=Range1d(0, 1),
                             toolbar_location=None, name=name, min_border=0, outline_line_color=None)
        self.figure.axis.visible = False
        self.figure.grid.visible = False
        self.figure.text(x=0.005, y=0.5, text="text", source=shown, text_baseline="middle",
                         text_font_size="14px", text_line_height=1.3)

    def updates(self, *per_path_lines: list[str]) -> dict:
        joined = ["\n".join(parts) for parts in zip(*per_path_lines, strict=True)]
        return {self.full: {"text": joined}}
