"""Loss against step on a log axis, drawn in step with the player from a paths group."""

import numpy as np
from bokeh.models import MultiLine, Range1d, Scatter
from bokeh.plotting import figure

from .lean import animated, draw
from .log_axis import fit_log_ticks
from .sizing import responsive
from .timeline import Group

FLOOR = 1e-12
"""Gaps below this are drawn at it: a log axis cannot show zero."""


def loss_gap(values: np.ndarray, minimum: float) -> np.ndarray:
    """Loss above the landscape's minimum, so a log axis works even where loss is negative."""
    with np.errstate(invalid="ignore"):
        return np.maximum(np.asarray(values, dtype=float) - minimum, FLOOR)


class LossChart:
    """One line per row of the paths groups it draws, up to the current step, with a marker there."""

    def __init__(self, *, height: int = 300, name: str = "loss", title: str = "Loss above the minimum"):
        self.figure = responsive(figure(
            height=height, name=name, y_axis_type="log", title=title,
            x_range=Range1d(0, 1), y_range=Range1d(1e-6, 10), tools="save", toolbar_location=None,
            x_axis_label="step", y_axis_label="L(θ) − L*",
        ))

    def draw(self, group: Group):
        animated(draw(self.figure, MultiLine(xs="step", ys="gap", line_color="color", line_dash="dash",
                                             line_width=2.2), group.trail or group.full))
        if group.point is not None:
            animated(draw(self.figure, Scatter(x="step", y="gap", fill_color="color", line_color="color", size=8),
                          group.point))

    def fit(self, gaps: list[np.ndarray], steps: int):
        """Fix the axes to the runs shown (fixed ranges: playback must not sync them)."""
        finite = np.concatenate([g[np.isfinite(g)] for g in gaps]) if gaps else np.array([])
        self.figure.x_range.update(start=0, end=max(steps, 1))
        low = max(finite.min(), FLOOR) if finite.size else FLOOR
        start = max((g[0] for g in gaps if np.isfinite(g[0])), default=1.0)
        high = min(finite.max(), 1e3 * start) if finite.size else 1.0  # a diverging run leaves the top
        bottom, top = low / 3, max(high * 3, low * 10)
        self.figure.y_range.update(start=bottom, end=top)
        fit_log_ticks(self.figure.yaxis[0], bottom, top)
