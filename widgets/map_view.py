"""A landscape's contour map and the layers drawn on it.

The bands are an image (one cell per grid point, coloured by level) under contour lines. Filled
contour polygons look the same but are the slowest thing a page can draw. The axes are fixed
(`Range1d`), so playback in the browser never syncs ranges back to the server.

Layers all draw from a timeline `Group` of paths whose rows are optimizers: the trail, the ball,
the start, Nesterov's ghost and the readout, which is written in a strip under the map so that it
never covers a path. A group with no player behind it is drawn whole.
"""

import functools
from collections.abc import Callable

import numpy as np
from bokeh.core.property.vectorization import field
from bokeh.events import Tap
from bokeh.layouts import column
from bokeh.models import (
    ColumnDataSource,
    CustomJS,
    Grid,
    Image,
    LayoutDOM,
    Legend,
    LegendItem,
    LinearColorMapper,
    MultiLine,
    Plot,
    Range1d,
    Scatter,
    Segment,
    Text,
)
from bokeh.plotting import figure
from bokeh.plotting.contour import contour_data

from landscapes import Landscape

from .lean import animated, draw, lean, legend_sample
from .palette import CONTOUR_PALETTE, MINIMUM_COLOR
from .sizing import MAX_WIDTH, responsive
from .timeline import Group

LEVELS = 18
GHOST_SAMPLE = "#555555"
"""The ghost's legend sample: dark grey, since each path's ghost takes that path's colour."""
PATH_SEQUENCES = ("x", "y", "gx", "gy", "step", "gap", "text")
PATH_STATICS = ("label", "color", "dash", "width", "x0", "y0", "dy")
"""The columns of a paths group: the ball (x, y), Nesterov's ghost (gx, gy), the loss chart's
(step, gap), the readout's text; the static label, colour, dash, trail width, start and readout
offset."""
TRAIL_WIDTH = 2.5
CASING = 2.0
"""How much wider each trail is than the one drawn over it, in a race of at most MOST_CASED paths."""
MOST_CASED = 3


def trail_widths(rows: int) -> list[float]:
    """Each row's trail width. Trails are drawn in row order, so where two paths run together the
    later one covers the earlier; in a small race each earlier trail is wider, and shows on both
    sides of the later one as a border in its own colour. A race of many paths draws every trail
    alike: fifteen widths would bury the map."""
    if rows > MOST_CASED:
        return [TRAIL_WIDTH] * rows
    return [TRAIL_WIDTH + CASING * (rows - 1 - i) for i in range(rows)]


def path_row(path: np.ndarray, steps: int, *, label: str, color: str, dash: str, start=None,
             ghost: np.ndarray | None = None, gap: np.ndarray | None = None, text=("",)) -> dict:
    """One path's row of a paths group, but for its place among the rows (see `paths_columns`).
    `start` defaults to the path's first point; no ghost, no loss gaps and no readout text by default."""
    ghost = np.full((1, 2), np.nan) if ghost is None else ghost
    start = path[0] if start is None else start
    return {"x": path[:, 0], "y": path[:, 1], "gx": ghost[:, 0], "gy": ghost[:, 1], "step": np.arange(steps + 1),
            "gap": np.full(1, np.nan) if gap is None else gap, "text": np.array(text, dtype=object),
            "label": label, "color": color, "dash": dash, "x0": start[0], "y0": start[1]}


def paths_columns(rows: list[dict]) -> dict[str, list]:
    """A paths group's columns from its rows (`path_row`, in drawing order); each row's trail width
    and readout offset follow from its place."""
    count = len(rows)
    placed = [{**row, "width": width, "dy": dy}
              for row, dy, width in zip(rows, readout_offsets(count), trail_widths(count), strict=True)]
    return {key: [row[key] for row in placed] for key in (*PATH_SEQUENCES, *PATH_STATICS)}


@functools.lru_cache(maxsize=64)
def contour_field(landscape: Landscape, resolution: int = 140):
    """The grid and the values to contour, the same for every visitor (so kept per process): log10
    of the gap to the minimum where the landscape's values span many decades, the loss otherwise."""
    xs, ys, z = landscape.grid(resolution)
    if landscape.log_contours:
        z = np.log10(z - z.min() + 1e-3)
    low, high = float(z.min()), float(z.max())
    if not high > low:  # a flat landscape (a typed constant): levels around its one value
        low, high = low - 1.0, high + 1.0
    levels = np.linspace(low, high, LEVELS + 1)
    return xs, ys, z.astype(np.float32), levels


@functools.lru_cache(maxsize=64)
def contour_lines(landscape: Landscape) -> dict:
    """The contour lines' columns (xs, ys: one array per line), the same for every visitor."""
    xs, ys, z, levels = contour_field(landscape)
    lines = contour_data(xs, ys, z, levels, want_fill=False).line_data
    return {"xs": list(lines.xs), "ys": list(lines.ys)}


FLAT = 0.6
"""A landscape whose ranges are less tall than this fraction of their width (the ravine) is drawn
as a low map, with its legend under the frame instead of over it."""
TO_SCALE = """
const width = plot.inner_width
const x = plot.x_range, y = plot.y_range
if (!(width > 0) || !(x.end > x.start)) return
const height = Math.max(1, Math.round(width * Math.abs((y.end - y.start) / (x.end - x.start))))
if (plot.frame_height !== height) plot.frame_height = height
"""
"""Browser code that keeps a map to scale: the frame's height follows its width and the
landscape's ranges, so a round bowl is round and a gradient crosses the contours at right angles."""


RESIZE_STRIP = """
strip.height += 1
setTimeout(() => { strip.height -= 1 })
"""
"""Browser code run when a map's frame changes height (its landscape has changed): the readout strip
under it is resized by a pixel and back. Moved without a change of size, the strip kept a stray
line of old text over its first line (BokehJS 3.9 in Chromium); a new size repaints it whole."""


def aspect(landscape: Landscape) -> float:
    """The landscape's map: its height over its width, in the landscape's units."""
    (x0, x1), (y0, y1) = landscape.x_range, landscape.y_range
    return (y1 - y0) / (x1 - x0)


FIRST_FRAME_WIDTH = MAX_WIDTH - 55
"""A map's frame on a wide screen: the plot's widest, less the y axis. The frame's height is set for
it until the browser has measured the frame it really has."""


def _first_frame_height(landscape: Landscape) -> int:
    return round(FIRST_FRAME_WIDTH * aspect(landscape))


def _fill_colors():
    picks = np.linspace(0, len(CONTOUR_PALETTE) - 1, LEVELS).astype(int)
    return [CONTOUR_PALETTE[i] for i in picks]


class MapView:
    """A landscape's contour map with its minima marked; click handlers and layers are added to it.
    No drag tool starts active: on a phone a finger drawn over the map then scrolls the page
    (an active pan tool kept it, and dragged the map off its landscape); a tap still lands, and
    the pan tool is one click away in the toolbar. `legend_below` puts a long legend under the
    axes, where it covers no part of the landscape."""

    def __init__(self, landscape: Landscape, *, title: str = "", name: str = "map", legend: bool = True,
                 legend_below: bool = False):
        self.landscape = landscape
        self.figure = responsive(figure(
            title=title, name=name, tags=["map"], frame_height=_first_frame_height(landscape),
            x_range=Range1d(*landscape.x_range), y_range=Range1d(*landscape.y_range),
            tools="pan,wheel_zoom,reset,save", toolbar_location="above", active_drag=None,
            x_axis_label="θ₁ (x)", y_axis_label="θ₂ (y)",
        ))
        self.figure.center = [item for item in self.figure.center if not isinstance(item, Grid)]  # bands instead
        xs, ys, z, levels = contour_field(landscape)
        self.bands = ColumnDataSource({})
        self.band_colors = LinearColorMapper(palette=_fill_colors())
        draw(self.figure, Image(image="z", x="x", y="y", dw="dw", dh="dh", color_mapper=self.band_colors), self.bands)
        self.contours = ColumnDataSource(dict(contour_lines(landscape)))
        draw(self.figure, MultiLine(xs="xs", ys="ys", line_color="white", line_alpha=0.35, line_width=0.8),
             self.contours)
        lean(self.figure)
        self._show_bands(xs, ys, z, levels)
        self.minima = ColumnDataSource({"x": [], "y": []})
        minima = draw(self.figure, Scatter(x="x", y="y", marker="star", size=17, fill_color=MINIMUM_COLOR,
                                           line_color="black"), self.minima)
        self._show_minima(landscape)
        self.legend_below, self.legend_shown = legend_below, legend
        below = self._wants_legend_below(landscape)
        self.legend = self._new_legend([LegendItem(label="minimum", renderers=[minima])], below)
        self.figure.add_layout(self.legend, "below" if below else "center")
        self.other_legend = self._new_legend([], not below)
        """Hidden until the map's landscape needs the legend in the other place; it then takes the
        entries of the first."""
        self.other_legend.visible = False
        self.figure.add_layout(self.other_legend, "center" if below else "below")
        to_scale = CustomJS(args={"plot": self.figure}, code=TO_SCALE)
        self.figure.js_on_change("inner_width", to_scale)
        for axis in (self.figure.x_range, self.figure.y_range):
            axis.js_on_change("start", to_scale)
            axis.js_on_change("end", to_scale)
        self.readout: Plot | None = None
        """The strip under the map with each path's readout, once `draw_paths` has drawn one."""
        self.plot: LayoutDOM = self.figure
        """What a page shows: the map, with its readout strip underneath once it has one."""

    def _show_bands(self, xs, ys, z, levels):
        half_x, half_y = (xs[1] - xs[0]) / 2, (ys[1] - ys[0]) / 2  # grid points are cell centres
        self.bands.data = {"z": [z], "x": [xs[0] - half_x], "y": [ys[0] - half_y],
                           "dw": [xs[-1] - xs[0] + 2 * half_x], "dh": [ys[-1] - ys[0] + 2 * half_y]}
        self.band_colors.update(low=levels[0], high=levels[-1])

    def _show_minima(self, landscape):
        xs, ys = zip(*landscape.minima, strict=True)
        self.minima.data = {"x": list(xs), "y": list(ys)}

    def _wants_legend_below(self, landscape: Landscape) -> bool:
        return self.legend_below or aspect(landscape) < FLAT

    def _new_legend(self, items: list[LegendItem], below: bool) -> Legend:
        return Legend(items=items, location="top_left" if below else "top_right", background_fill_alpha=0.75,
                      click_policy="hide", visible=self.legend_shown, label_text_font_size="11px", spacing=0,
                      padding=4, level="overlay")  # with the moving paths (see lean.animated), and over them

    def _place_legend(self, landscape: Landscape):
        """Show the legend over the map's top right corner, or under the frame of a low map. BokehJS
        3.9 does not redraw a legend moved from one side of a plot to another where it now belongs,
        so a map whose landscape turns low (or tall) shows its second legend, with the same entries,
        in the other place, and hides the first."""
        moved = (self.legend in self.figure.below) != self._wants_legend_below(landscape)
        if moved:
            self.other_legend.items = list(self.legend.items)
        self.other_legend.visible, self.legend.visible = self.legend_shown and moved, self.legend_shown and not moved

    def set_landscape(self, landscape: Landscape):
        """Redraw the contours and axes for another landscape."""
        if landscape.name == self.landscape.name:
            return
        self.landscape = landscape
        xs, ys, z, levels = contour_field(landscape)
        self._show_bands(xs, ys, z, levels)
        self.contours.data = dict(contour_lines(landscape))  # the bands are the image
        self.figure.x_range.update(start=landscape.x_range[0], end=landscape.x_range[1])
        self.figure.y_range.update(start=landscape.y_range[0], end=landscape.y_range[1])
        self._show_minima(landscape)
        self._place_legend(landscape)

    def on_tap(self, callback: Callable[[float, float], None]):
        """Call `callback(x, y)` when the learner clicks on the map."""
        self.figure.on_event(Tap, lambda event: callback(event.x, event.y))

    def draw_paths(self, group: Group, *, readout: bool = True, ghosts: bool = False):
        """The paths of `group`: trails, balls, starts, and optionally ghosts and the readout."""
        trail = group.trail or group.full
        point = group.point
        line = animated(draw(self.figure, MultiLine(xs="x", ys="y", line_color="color", line_dash="dash",
                                                    line_width="width"), trail))
        self.legend.items.append(LegendItem(label=field("label"), renderers=[line]))
        if point is None:
            return
        draw(self.figure, Scatter(x="x0", y="y0", marker="square", fill_color="color", line_color="white", size=9),
             group.full)  # the starts never move: from `full`, so a frame leaves the plot's first canvas alone
        animated(draw(self.figure, Scatter(x="x", y="y", size=13, fill_color="color", line_color="white",
                                           line_width=2), point))
        if ghosts:
            animated(draw(self.figure, Segment(x0="x", y0="y", x1="gx", y1="gy", line_color="color",
                                               line_dash="dashed", line_width=2), point))
            animated(draw(self.figure, Scatter(x="gx", y="gy", size=13, fill_alpha=0.15, fill_color="color",
                                               line_color="color", line_width=2), point))
            sample = legend_sample(self.figure, Scatter(size=13, fill_alpha=0.15, fill_color=GHOST_SAMPLE,
                                                        line_color=GHOST_SAMPLE, line_width=2), "x", "y")
            self.legend.items.append(LegendItem(label="lookahead point (ghost)", renderers=[sample]))
        if readout:
            self.readout = readout_strip(point, name=f"{self.figure.name}-readout")
            self.figure.js_on_change("frame_height", CustomJS(args={"strip": self.readout}, code=RESIZE_STRIP))
            self.plot = responsive(column(self.figure, self.readout, spacing=0))

    def fit_readout(self, rows: int):
        """Make the readout strip tall enough for `rows` paths."""
        if self.readout is not None:
            self.readout.height = readout_height(rows)


READOUT_LINE = 11 * 1.25 * 3 + 8
"""Pixels between two paths' readouts: three lines of 11 px text, and the box around them."""


def readout_offsets(rows: int) -> list[float]:
    """Each row's offset above the strip's bottom edge, the first row highest."""
    return [-6 - (rows - 1 - i) * READOUT_LINE for i in range(rows)]


def readout_height(rows: int) -> int:
    return round(rows * READOUT_LINE + 8)


def readout_strip(point: ColumnDataSource, name: str) -> Plot:
    """A band as wide as the map, where each path's readout (who, which step, where, how low) is
    written on every frame, from the same rows as the balls."""
    strip = responsive(figure(height=readout_height(1), name=name, x_range=Range1d(0, 1), y_range=Range1d(0, 1),
                              x_axis_type=None, y_axis_type=None, tools="", toolbar_location=None, min_border=0,
                              outline_line_color=None))
    animated(draw(strip, Text(x=0, y=0, text="text", x_offset=4, y_offset="dy", text_baseline="bottom",
                              text_font_size="11px", text_line_height=1.25, text_color="#111111"), point))
    return strip
