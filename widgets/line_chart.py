"""Quantities against the step, drawn whole: a long run's rates, a gradient sequence's m and v.

Unlike the loss chart it is not played: each `show` sends whole curves. The set of lines is
fixed when the chart is made (their labels are the legend), so a new setting changes data only.
"""

from dataclasses import dataclass

import numpy as np
from bokeh.core.property.vectorization import value
from bokeh.models import ColumnDataSource, Line, Range1d, Span
from bokeh.plotting import figure

from .lean import draw
from .log_axis import fit_log_ticks
from .sizing import responsive

LEGEND_ROW = 19
"""Pixels per line of an 11 px legend."""


@dataclass(frozen=True)
class Curve:
    key: str
    label: str
    color: str
    dash: str = "solid"
    width: float = 2.0


class LineChart:
    def __init__(self, curves: list[Curve], *, name: str, title: str, y_label: str, x_label: str = "step",
                 log_y: bool = False, log_x: bool = False, height: int = 300):
        self.curves, self.log_y, self.log_x = curves, log_y, log_x
        self.source = ColumnDataSource({"step": [], **{c.key: [] for c in curves}}, name=f"{name}-source")
        self.figure = responsive(figure(
            height=height, name=name, title=title, x_range=Range1d(0, 1), y_range=Range1d(0, 1),
            y_axis_type="log" if log_y else "linear", x_axis_type="log" if log_x else "linear",
            x_axis_label=x_label, y_axis_label=y_label, tools="save", toolbar_location=None,
        ))
        for curve in curves:
            draw(self.figure, Line(x="step", y=curve.key, line_color=curve.color, line_dash=curve.dash,
                                   line_width=curve.width), self.source, legend=curve.label)
        self.chart_height = height
        self.legend_labels = [curve.label for curve in curves]
        self.figure.center.remove(legend := self.figure.legend[0])
        legend.update(location="top_left", label_text_font_size="11px", padding=4, margin=4, border_line_alpha=0)
        self.figure.add_layout(legend, "below")
        self._fit_legend()
        self.marks: list[Span] = []

    def _fit_legend(self):
        """The legend sits under the axes, where it covers no curve (inside, on a phone, it hid a
        third of the chart), in one row when the labels are short. The figure grows by the
        legend's height, so the chart keeps its size."""
        one_row = sum(len(label) + 6 for label in self.legend_labels) <= 44
        self.figure.legend[0].update(orientation="horizontal" if one_row else "vertical", spacing=12 if one_row else 2)
        self.figure.height = self.chart_height + LEGEND_ROW * (1 if one_row else len(self.legend_labels)) + 8

    def relabel(self, title: str, y_label: str, labels: list[str]):
        """New words for the same curves: the title, the y axis and each curve's legend entry."""
        self.figure.title.text = title
        self.figure.yaxis.axis_label = y_label
        for item, text in zip(self.figure.legend[0].items, labels, strict=True):
            item.label = value(text)

    def mark(self, value: float, color: str = "#555555", dimension: str = "width", label: str = "") -> Span:
        """A reference line across the chart (a limit such as 2/c), moved later with `.location`;
        with a `label`, it has a legend entry (a line sample with one point, NaN, to draw: BokehJS
        draws no sample for a renderer without data)."""
        span = Span(location=value, dimension=dimension, line_color=color, line_dash="dotted", line_width=1.5)
        self.figure.add_layout(span)
        self.marks.append(span)
        if label:
            sample = Line(x="x", y="y", line_color=color, line_dash="dotted", line_width=1.5)
            draw(self.figure, sample, ColumnDataSource({"x": [np.nan], "y": [np.nan]}), legend=label)
            self.legend_labels.append(label)
            self._fit_legend()
        return span

    def show(self, steps: np.ndarray, values: dict[str, np.ndarray]):
        """New curves; the axes are fixed to them (and to the reference lines)."""
        self.source.data = {"step": np.asarray(steps), **{c.key: np.asarray(values[c.key], dtype=float)
                                                         for c in self.curves}}
        ys = np.concatenate([np.asarray(values[c.key], dtype=float).ravel() for c in self.curves]
                            + [np.array([m.location for m in self.marks if m.dimension == "width"], dtype=float)])
        ys = ys[np.isfinite(ys) & ((ys > 0) if self.log_y else True)]
        low, high = (ys.min(), ys.max()) if ys.size else (1e-3, 1.0)
        if self.log_y:
            low, high = low / 2, high * 3
        else:
            span = max(high - low, 0.1 * max(abs(low), abs(high)), 1e-12)  # a flat curve is not magnified
            middle = (high + low) / 2
            low, high = middle - 0.54 * span, middle + 0.54 * span
        first, last = float(np.min(steps)), float(np.max(steps))
        self.figure.y_range.update(start=low, end=high)
        self.figure.x_range.update(start=first, end=last)
        if self.log_y:
            fit_log_ticks(self.figure.yaxis[0], low, high)
        if self.log_x:
            fit_log_ticks(self.figure.xaxis[0], first, last)
