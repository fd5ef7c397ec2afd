"""What the arena shows beside its race: the leaderboard, the learning-rate sweep and the
basins of attraction. Each is drawn from the Arena model and only redrawn when its data change."""

import html

import numpy as np
import panel as pn
from bokeh.models import (
    ColumnDataSource,
    CustomJS,
    DataTable,
    HTMLTemplateFormatter,
    Image,
    LinearColorMapper,
    MultiLine,
    NumberFormatter,
    Range1d,
    Scatter,
    Span,
    StringFormatter,
    TableColumn,
)
from bokeh.plotting import figure

from lessons.arena import SWEEP_METRICS, Arena, Basins
from lessons.numbers import number
from lessons.wording import counted
from optimizers import get_spec

from .lean import draw
from .log_axis import fit_log_ticks
from .loss_chart import FLOOR
from .palette import PATH_COLORS, legend_entry, optimizer_style, tint
from .readout import coordinate, fmt
from .sizing import responsive

NOT_REACHED = "never"
READABLE_NUMBER = """<%= (function (v) {
    if (v == null || !isFinite(v)) { return MISSING; }
    const [mantissa, power] = v.toExponential(2).split("e");
    const exponent = parseInt(power);
    if (exponent >= -3 && exponent <= 3) { return String(Number(v.toPrecision(3))).replace("-", "−"); }
    const raised = String(exponent).split("").map((c) => c == "-" ? "⁻" : "⁰¹²³⁴⁵⁶⁷⁸⁹"[c]).join("");
    return mantissa.replace("-", "−") + " × 10" + raised;
})(value) %>"""
"""A number as the rest of the page writes it (lessons.numbers): 0.0316 or 7.13 × 10⁻⁵, never
7.13e-5. Formatted in the browser, so that the column still sorts by the number itself."""

OFF_MAP_MARK = '<%= off_map ? " (off the map)" : "" %>'
"""After a final loss whose path ended off the map, where the loss can be below the map's lowest
point (the row's `off_map` field; a template sees every field of its row)."""

REDRAW_TABLE = "const view = Bokeh.index.find_one(table); if (view != null) view.updateGrid();"
"""BokehJS redraws a DataTable's cells only when its rows' indices change (bokeh issue 13859): new
standings with as many rows as before would leave the old numbers on screen."""


class Leaderboard:
    """One row per ticked optimizer, in the arena's order; the headers sort it in the browser."""

    COLUMNS = (("title", "optimizer", 170), ("rate", "rate η", 100), ("steps", "steps to tolerance", 140),
               ("final", "final loss − minimum", 160), ("diverged", "diverged at step", 130),
               ("left", "first off the map at", 150))
    """Field, title and width in pixels, wide enough for the title: where the page is narrower (a
    phone), the table scrolls sideways inside its box instead of cutting its headers."""

    NUMBERS_RIGHT = (".slick-pane-right .slick-header-column { display: flex; flex-direction: row-reverse; }"
                     ".slick-pane-right .slick-sort-indicator { margin-left: 0; margin-right: 4px; }")
    """Every column but the optimizer's holds numbers: they and their titles line up on the right,
    as in the course's other tables."""

    @staticmethod
    def formatter(key: str):
        """A new formatter for a column (Bokeh models belong to one page: never shared)."""

        def readable(missing, after=""):
            return HTMLTemplateFormatter(
                template=f"<div style='text-align:right'>{READABLE_NUMBER.replace('MISSING', missing)}{after}</div>")

        return {"title": lambda: StringFormatter(font_style="bold"),
                "rate": lambda: readable('"—"'),
                "steps": lambda: NumberFormatter(format="0", nan_format=NOT_REACHED, text_align="right"),
                "final": lambda: readable('"diverged"', OFF_MAP_MARK),
                }.get(key, lambda: NumberFormatter(format="0", nan_format="—", text_align="right"))()

    def __init__(self, arena: Arena, name: str = "leaderboard"):
        self.arena = arena
        self.source = ColumnDataSource({"off_map": [], **{key: [] for key, *_ in self.COLUMNS}},
                                       name=f"{name}-source")
        columns = [TableColumn(field=key, title=title, formatter=self.formatter(key), width=width)
                   for key, title, width in self.COLUMNS]
        self.table = DataTable(source=self.source, columns=columns, sortable=True, index_position=None,
                               height=60, sizing_mode="stretch_width", name=name, autosize_mode="none",
                               min_width=280, max_width=sum(width for *_, width in self.COLUMNS) + 2,
                               reorderable=False, frozen_columns=1)  # no wider than its columns
        # the optimizer's name stays in view while a phone swipes the other columns sideways
        self.source.js_on_change("data", CustomJS(args={"table": self.table}, code=REDRAW_TABLE))
        # Panel sets the table's own stylesheets when it shows it: the pane passes this one on
        self.pane = pn.pane.Bokeh(self.table, stylesheets=[self.NUMBERS_RIGHT], sizing_mode="stretch_width",
                                  min_width=self.table.min_width, max_width=self.table.max_width)
        arena.param.watch(lambda *_: self.draw(), ["result", "sort_by"])
        self.draw()

    def draw(self):
        """New rows, sent in one message (raw Bokeh models change only inside a hold)."""
        with pn.io.hold():
            self._send(self.arena.standings())

    def _send(self, rows):

        def number(value):
            return float(value) if value is not None and value >= 0 else np.nan

        self.source.data = {
            "title": [row.title + (" (not run)" if row.error else "") for row in rows],
            "rate": [row.rate for row in rows],
            "steps": [number(row.steps_to_tolerance) for row in rows],
            "final": [row.final_gap if np.isfinite(row.final_gap) else np.nan for row in rows],
            "diverged": [number(row.diverged_at) for row in rows],
            "left": [number(row.left_map_at) for row in rows],
            "off_map": [row.ended_off_map for row in rows],
        }
        self.table.height = 30 + 28 * max(len(rows), 1)


class SweepChart:
    """Steps to tolerance (or the final loss) against the rate, one line per ticked optimizer,
    with the shared rate marked. Its legend is text under the chart, which wraps on a phone where
    a legend inside the plot would cover the lines."""

    def __init__(self, arena: Arena, name: str = "sweep"):
        self.arena = arena
        self.source = ColumnDataSource({"xs": [], "ys": [], "color": [], "dash": [], "label": []},
                                       name=f"{name}-source")
        self.figure = responsive(figure(
            height=320, name=name, x_axis_type="log", y_axis_type="log", title="Learning-rate sweep",
            x_range=Range1d(1e-5, 10), y_range=Range1d(1, 1000), tools="save", toolbar_location=None,
            x_axis_label="learning rate η", y_axis_label=SWEEP_METRICS["steps"],
        ))
        draw(self.figure, MultiLine(xs="xs", ys="ys", line_color="color", line_dash="dash", line_width=2.2),
             self.source)
        self.shared = Span(location=arena.shared_rate, dimension="height", line_color="#555555",
                           line_dash="dotted", line_width=1.5)
        self.figure.add_layout(self.shared)
        self.legend = pn.pane.HTML("", sizing_mode="stretch_width", name=f"{name}-legend")
        arena.param.watch(lambda *_: self.draw(), ["sweeps", "log_lr", "sweep_metric", "mode"])
        self.draw()

    def draw(self):
        with pn.io.hold():
            self._send()

    def _send(self):
        self.shared.location = self.arena.shared_rate
        self.shared.visible = racing_at_it = self.arena.mode == "shared"  # the other modes ignore that rate
        metric = self.arena.sweep_metric
        self.figure.yaxis.axis_label = SWEEP_METRICS[metric]
        sweeps = self.arena.sweeps or {}
        rows = {key: [] for key in self.source.data}
        values, marks, floored = [], [], False
        for name, result in sweeps.items():
            ys = result.steps_to_tolerance if metric == "steps" else result.final_gap
            if metric == "final":  # a gap at or below the loss chart's floor is drawn at the floor, as there
                floored |= bool(np.any(np.isfinite(ys) & (ys < FLOOR)))
                ys = np.where(np.isfinite(ys), np.maximum(ys, FLOOR), np.nan)
            else:
                ys = np.maximum(ys, 1)
            color, dash = optimizer_style(name)
            title = get_spec(name).title
            for key, value in (("xs", result.rates), ("ys", ys), ("color", color), ("dash", dash), ("label", title)):
                rows[key].append(value)
            marks.append(legend_entry(color, dash, title))
            values.append(ys[np.isfinite(ys)])
        if not sweeps:
            marks.append('<span style="color:#555555">No optimizer is ticked: tick one to sweep its rates.</span>')
        self.source.data = rows
        shared = '<span style="color:#555555;white-space:nowrap">┆ the shared rate</span>'
        floor = [f'<span style="color:#555555">gaps below {number(FLOOR, 1)} drawn at it</span>'] if floored else []
        self.legend.object = " &nbsp; ".join([*marks, *([shared] if racing_at_it else []), *floor])
        finite = np.concatenate(values) if values else np.array([])
        low, high = (finite.min(), finite.max()) if finite.size else (1.0, 1000.0)
        self.figure.y_range.update(start=low / 1.5, end=high * 1.5)
        fit_log_ticks(self.figure.yaxis[0], low / 1.5, high * 1.5)
        rates = next(iter(sweeps.values())).rates if sweeps else (self.figure.x_range.start, self.figure.x_range.end)
        self.figure.x_range.update(start=rates[0], end=rates[-1])
        fit_log_ticks(self.figure.xaxis[0], rates[0], rates[-1])


DIVERGED_COLOR = "#444444"
OTHER_COLORS = ("#8dd3c7", "#bebada", "#fb8072", "#fdb462", "#b3de69", "#fccde5")
"""Soft teal, lavender, salmon, apricot, lime, pink: the minima a landscape does not mark, in
tints that stay apart from the marked minima's full colours."""
UNRESTING_COLOR = "#ffffff"
MARKED = 6
MARKED_COLORS = tuple(tint(color, 0.4) for color in PATH_COLORS[:MARKED])
"""The marked minima's colours: the paths' first six, lightened so that a path of the same
colour still shows on its own basin."""


def touching(label: np.ndarray, first: int) -> dict[int, set[int]]:
    """For each label from `first` up in the image `label`, the labels from `first` up whose
    areas touch its area, at an edge or a corner (areas that meet only at a corner, in one
    colour, would read as one)."""
    neighbours: dict[int, set[int]] = {}
    for a, b in ((label[:, :-1], label[:, 1:]), (label[:-1], label[1:]),  # side by side, one above the other
                 (label[:-1, :-1], label[1:, 1:]), (label[:-1, 1:], label[1:, :-1])):  # and the two diagonals
        edge = (a != b) & (a >= first) & (b >= first)
        for one, other in set(zip(a[edge].tolist(), b[edge].tolist(), strict=True)):
            neighbours.setdefault(one, set()).add(other)
            neighbours.setdefault(other, set()).add(one)
    return neighbours


def other_colors(basins: Basins) -> np.ndarray:
    """An index into OTHER_COLORS for each of `basins.others`, chosen largest area first so that
    areas that touch differ wherever the palette allows."""
    count = len(basins.others)
    neighbours = touching(basins.label, basins.minima)
    area = np.bincount(basins.label[basins.label >= basins.minima] - basins.minima, minlength=count)
    color = np.full(count, -1)
    for other in np.argsort(-area, kind="stable"):
        taken = [color[n - basins.minima] for n in neighbours.get(other + basins.minima, ())
                 if color[n - basins.minima] >= 0]
        free = [c for c in range(len(OTHER_COLORS)) if c not in taken]
        color[other] = free[0] if free else np.argmin(np.bincount(taken, minlength=len(OTHER_COLORS)))
    return color


def basin_image(basins: Basins) -> np.ndarray:
    """The index of each start's colour in BasinLayer's palette: a marked minimum's colour
    (0-5), diverged (6), an unmarked minimum's tint (7-12); NaN where the run rests nowhere."""
    label = basins.label
    image = np.where(label == -2, MARKED, np.nan)
    image = np.where((label >= 0) & (label < basins.minima), label % MARKED, image)
    if len(basins.others):
        tints = MARKED + 1 + other_colors(basins)
        image = np.where(label >= basins.minima, tints[np.clip(label - basins.minima, 0, None)], image)
    return image


class BasinLayer:
    """An image on a map: the colour of each start is the minimum it ends in. It is opaque, so
    each area is the colour of its swatch; the contour lines and paths stay on top."""

    def __init__(self, plot, name: str = "basins"):
        self.source = ColumnDataSource({"image": [], "x": [], "y": [], "dw": [], "dh": []}, name=f"{name}-source")
        self.mapper = LinearColorMapper(palette=[*MARKED_COLORS, DIVERGED_COLOR, *OTHER_COLORS],
                                        low=-0.5, high=MARKED + len(OTHER_COLORS) + 0.5, nan_color=UNRESTING_COLOR)
        self.renderer = draw(plot, Image(image="image", x="x", y="y", dw="dw", dh="dh", color_mapper=self.mapper),
                             self.source)
        plot.renderers.insert(1, plot.renderers.pop())  # above the bands, under the contour lines and paths
        self.ends = ColumnDataSource({"x": [], "y": []}, name=f"{name}-others")
        draw(plot, Scatter(x="x", y="y", marker="circle", size=5, fill_color="#ffffff", line_color="#222222"),
             self.ends)

    def show(self, basins: Basins | None):
        if basins is None:
            self.source.data = {"image": [], "x": [], "y": [], "dw": [], "dh": []}
            self.ends.data = {"x": [], "y": []}
            return
        xs, ys = basins.xs, basins.ys
        half_x, half_y = (xs[1] - xs[0]) / 2, (ys[1] - ys[0]) / 2
        self.source.data = {"image": [basin_image(basins)], "x": [xs[0] - half_x], "y": [ys[0] - half_y],
                            "dw": [xs[-1] - xs[0] + 2 * half_x], "dh": [ys[-1] - ys[0] + 2 * half_y]}
        self.ends.data = {"x": basins.others[:, 0], "y": basins.others[:, 1]}


def swatch(color: str, shape: str = "■") -> str:
    return f"<span style='color:{color}'>{shape}</span>"


def basin_summary(basins: Basins, minima) -> str:
    """The shares of starts per minimum, as escaped HTML."""
    shares = basins.shares()
    scale = float(max(np.abs(basins.xs).max(), np.abs(basins.ys).max()))  # below a billionth of it, 0
    parts = [f"{swatch(MARKED_COLORS[i % MARKED])} ({coordinate(x, scale)}, {coordinate(y, scale)}): {shares[i]:.0%}"
             for i, (x, y) in enumerate(minima)]
    if len(basins.others):
        used = dict.fromkeys(other_colors(basins).tolist())  # each tint once, in the order of use
        tints = "".join(swatch(OTHER_COLORS[index]) for index in list(used)[:3])
        places = counted(len(basins.others), "minimum", "minima")
        off = ("" if not basins.others_off_map else ", off the map" if len(basins.others) == 1
               else f", {basins.others_off_map} of them off the map")
        parts.append(f"{tints} at {places} the landscape does not mark (○{off}): {shares[-3]:.0%}")
    parts.append(f"{swatch('#bbbbbb', '□')} at no minimum after {basins.steps} steps: {shares[-2]:.0%}")
    parts.append(f"{swatch(DIVERGED_COLOR)} diverged: {shares[-1]:.0%}")
    title = html.escape(f"Where {get_spec(basins.optimizer).title} ends from each of {basins.label.size:,} starts "
                        f"(η = {fmt(basins.rate)}, {basins.steps} steps):")
    return f"<b>{title}</b> " + " · ".join(parts)
