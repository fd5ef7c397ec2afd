"""Loss against step on a log axis, drawn in step with the player."""

import numpy as np
from bokeh.models import Line, Range1d, Scatter
from bokeh.plotting import figure

from .lean import draw
from .timeline import Timeline

FLOOR = 1e-12
"""Gaps below this are drawn at it: a log axis cannot show zero."""


def loss_gap(values: np.ndarray, minimum: float) -> np.ndarray:
    """Loss above the landscape's minimum, so a log axis works even where loss is negative."""
    return np.maximum(np.asarray(values, dtype=float) - minimum, FLOOR)


class LossChart:
    """One line per path, drawn up to the current step, with a marker at that step."""

    def __init__(self, timeline: Timeline, *, width: int = 520, height: int = 260, name: str = "loss"):
        self.timeline = timeline
        self.figure = figure(
            width=width, height=height, name=name, y_axis_type="log", title="Loss above the minimum",
            x_range=Range1d(0, 1), y_range=Range1d(1e-6, 10), tools="save", toolbar_location=None,
            x_axis_label="step", y_axis_label="L(θ) − L*",
        )
        self.series = []

    def add_series(self, label: str, color: str, dash: str = "solid"):
        timeline = self.timeline
        track = timeline.track(f"{self.figure.name}-{len(self.series)}", "step", "gap", trail=True, point=True)
        x, y = track["step"], track["gap"]
        draw(self.figure, Line(x=x, y=y, line_color=color, line_width=2.2, line_dash=dash), timeline.trails,
             legend=label)
        draw(self.figure, Scatter(x=x, y=y, fill_color=color, line_color=color, size=8), timeline.points)
        self.figure.legend.location = "top_right"
        self.series.append(track)
        return len(self.series) - 1

    def updates(self, gaps: list[np.ndarray]) -> dict:
        """Track data for each series' loss gaps (same length: steps + 1); fixes the axes."""
        finite = np.concatenate([g[np.isfinite(g)] for g in gaps])
        out = {track: {"step": np.arange(len(gap)), "gap": gap} for track, gap in zip(self.series, gaps, strict=True)}
        steps = max(len(g) for g in gaps) - 1
        self.figure.x_range.update(start=0, end=max(steps, 1))
        low = max(finite.min(), FLOOR) if finite.size else FLOOR
        start = max((g[0] for g in gaps if np.isfinite(g[0])), default=1.0)
        high = min(finite.max(), 1e3 * start) if finite.size else 1.0  # a diverging run leaves the top
        self.figure.y_range.update(start=low / 3, end=max(high * 3, low * 10))
        return out
