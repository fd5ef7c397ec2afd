"""The internals layer: one bar per optimizer and coordinate for a recorded internal (an
effective rate, m, v, ...) at the player's step, played with the paths."""

import numpy as np
from bokeh.models import FactorRange, Range1d, Text, VBar
from bokeh.plotting import figure

from lessons import Lane

from .lean import draw
from .log_axis import fit_log_ticks
from .readout import fmt
from .sizing import responsive
from .timeline import Group, Timeline

NO_GRADIENT = "no gradient yet"
COORDINATES = ("x", "y")


def bar_rows(lanes: list[tuple[Lane, str]], internal: str) -> dict:
    """Rows for the bars: one per (lane, coordinate) whose run recorded `internal`. Step 0 comes
    before any update, so its value is blank; a NaN value means the coordinate has had no
    gradient yet (see the rules' `effective_lr`)."""
    rows = {key: [] for key in ("top", "text", "slot", "color", "label")}
    for lane, color in lanes:
        if not lane.ok or internal not in lane.internals:
            continue
        values = lane.internals[internal]
        for c, axis in enumerate(COORDINATES):
            series = np.concatenate([[np.nan], values[:, c]])
            missing = ~np.isfinite(series)
            rows["top"].append(series)
            rows["text"].append(np.array(["" if k == 0 else NO_GRADIENT if missing[k] else fmt(v)
                                          for k, v in enumerate(series)], dtype=object))
            rows["slot"].append(f"{lane.entry.title} · {axis}")
            rows["color"].append(color)
            rows["label"].append(lane.entry.title)
    return rows


class InternalsBars:
    def __init__(self, timeline: Timeline, internal: str, *, title: str, name: str, height: int = 260,
                 log: bool = True):
        self.internal = internal
        self.log = log
        self.group: Group = timeline.group(name, ("top", "y_text", "text"), ("slot", "color", "label"),
                                           trail=False)
        self.figure = responsive(figure(
            height=height, name=name, title=title, x_range=FactorRange(), y_range=Range1d(1e-3, 1),
            y_axis_type="log" if log else "linear", tools="save", toolbar_location=None,
        ))
        self.figure.xgrid.visible = False
        draw(self.figure, VBar(x="slot", top="top", bottom=1e-300 if log else 0.0, width=0.7, fill_color="color",
                               line_color="color"), self.group.point)
        draw(self.figure, Text(x="slot", y="y_text", text="text", text_align="center", text_baseline="bottom",
                               text_font_size="11px", y_offset=-2), self.group.point)

    def rows(self, lanes: list[tuple[Lane, str]]) -> dict:
        rows = bar_rows(lanes, self.internal)
        finite = np.concatenate([v[np.isfinite(v)] for v in rows["top"]]) if rows["top"] else np.array([])
        low, high = (finite.min(), finite.max()) if finite.size else (1e-3, 1.0)
        if self.log:
            low, high = max(low, 1e-12) / 3, max(high, 1e-12) * 3
        else:
            low, high = min(low, 0.0), max(high, 0.0) * 1.15 + 1e-12
        self.figure.y_range.update(start=low, end=high)
        if self.log:
            fit_log_ticks(self.figure.yaxis[0], low, high)
        self.figure.x_range.factors = rows["slot"]
        rows["y_text"] = [np.where(np.isfinite(v), v, low * 1.5 if self.log else 0.0) for v in rows["top"]]
        return rows
