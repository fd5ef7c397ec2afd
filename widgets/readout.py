"""A line of text per path and step (step, position, loss, gradient), drawn on the map itself.

It is a text glyph in the map's bottom-left corner: a glyph's data can change in the browser
during playback without a message to the server (a Div's text could not), and drawing it on
an existing plot costs the page no extra figure.
"""

import numpy as np
from bokeh.models import Plot, Text

from .lean import draw
from .timeline import Timeline


def fmt(value: float) -> str:
    """A number in at most four significant figures, readable from 1e-9 to 1e9."""
    if not np.isfinite(value):
        return "—"
    return f"{value:.4g}".replace("-", "−")


def step_lines(label: str, params: np.ndarray, losses: np.ndarray, grads: np.ndarray,
               diverged_at: int) -> list[str]:
    """The readout for each step of a path (steps + 1, 2): who and when on one line, where on the
    next (one line of both would not fit on a map half a page wide)."""
    last = len(params) - 1
    lines = []
    for k in range(last + 1):
        if 0 <= diverged_at <= k:
            lines.append(f"{label}: diverged at step {diverged_at} (the loss ran off to infinity)")
            continue
        x, y = params[k]
        lines.append(f"{label}: step {k}/{last}\n"
                     f"   θ = ({fmt(x)}, {fmt(y)}) · loss {fmt(losses[k])} · |∇L| = {fmt(float(np.hypot(*grads[k])))}")
    return lines


class Readout:
    """Text lines in a plot's bottom-left corner; line i is path i's state at the current step."""

    def __init__(self, timeline: Timeline, figure: Plot, *, name: str = "readout"):
        self.figure = figure
        self.timeline = timeline
        self.track = timeline.track(name, "text", point=True)
        self.glyph = Text(
            x=figure.x_range.start, y=figure.y_range.start, text=self.track["text"], x_offset=6, y_offset=-6,
            text_baseline="bottom", text_font_size="11px", text_line_height=1.25, text_color="#111111",
            background_fill_color="white", background_fill_alpha=0.8, padding=4,
        )
        draw(figure, self.glyph, timeline.points)

    def updates(self, *per_path_lines: list[str]) -> dict:
        """Track data for the lines; also pins the text to the corner of the current axes."""
        self.glyph.update(x=self.figure.x_range.start, y=self.figure.y_range.start)
        joined = ["\n".join(parts) for parts in zip(*per_path_lines, strict=True)]
        return {self.track: {"text": joined}}

    def lines(self) -> list[str]:
        """The text for every step, as sent to the browser."""
        return list(self.timeline.column(self.track, "text"))
