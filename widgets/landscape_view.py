"""A contour map of a landscape, with animated optimizer paths and click-to-set-start.

The bands are an image (one cell per grid point, coloured by level) under contour lines. Filled
contour polygons look the same but are the slowest thing a page can draw: three maps of them
took the browser about half a second to build.
"""

from collections.abc import Callable

import numpy as np
from bokeh.events import Tap
from bokeh.models import ColumnDataSource, Grid, Image, Line, LinearColorMapper, Range1d, Scatter, Segment
from bokeh.plotting import figure
from bokeh.plotting.contour import contour_data

from landscapes import Landscape

from .lean import draw, lean
from .palette import CONTOUR_PALETTE, MINIMUM_COLOR
from .timeline import Timeline

LEVELS = 18


def contour_field(landscape: Landscape, resolution: int = 140):
    """The grid and the values to contour: log10 of the gap to the minimum where the landscape
    asks for a log scale (its values span many decades), the loss itself otherwise."""
    xs, ys, z = landscape.grid(resolution)
    if landscape.log_contours:
        z = np.log10(z - z.min() + 1e-3)
    levels = np.linspace(z.min(), z.max(), LEVELS + 1)
    return xs, ys, z, levels


def _fill_colors():
    picks = np.linspace(0, len(CONTOUR_PALETTE) - 1, LEVELS).astype(int)
    return [CONTOUR_PALETTE[i] for i in picks]


class PathLayer:
    """One optimizer's path on a LandscapeView: the trail so far, the ball, and its start."""

    def __init__(self, view: "LandscapeView", label: str, color: str, dash: str = "solid"):
        timeline, fig = view.timeline, view.figure
        self.label = label
        self.color = color
        self.timeline = timeline
        self.track = timeline.track(f"{fig.name}-path{len(view.paths)}", "x", "y", trail=True, point=True)
        view.paths.append(self)
        x, y = self.track["x"], self.track["y"]
        draw(fig, Line(x=x, y=y, line_color=color, line_width=2.5, line_dash=dash), timeline.trails, legend=label)
        draw(fig, Scatter(x=x, y=y, size=3.5, fill_color=color, line_color=color, fill_alpha=0.8, line_alpha=0.8),
             timeline.trails)
        draw(fig, Scatter(x=x, y=y, size=13, fill_color=color, line_color="white", line_width=2), timeline.points,
             legend=label)

    def path(self) -> np.ndarray:
        """The whole path the browser has, shape (steps + 1, 2)."""
        return np.column_stack([self.timeline.column(self.track, "x"), self.timeline.column(self.track, "y")])

    def updates(self, path: np.ndarray) -> dict:
        """Track data for a path of shape (steps + 1, 2); NaN rows (after divergence) break it."""
        return {self.track: {"x": path[:, 0], "y": path[:, 1]}}


class GhostLayer:
    """A hollow marker at a second point per step, tied to the ball by a dashed line
    (Nesterov's lookahead: where the next gradient is measured)."""

    def __init__(self, view: "LandscapeView", label: str, color: str):
        timeline, fig = view.timeline, view.figure
        self.track = timeline.track(f"{fig.name}-ghost", "x", "y", "bx", "by", point=True)
        x, y = self.track["x"], self.track["y"]
        draw(fig, Segment(x0=self.track["bx"], y0=self.track["by"], x1=x, y1=y, line_color=color, line_dash="dashed",
                          line_width=2), timeline.points)
        draw(fig, Scatter(x=x, y=y, size=13, fill_alpha=0.15, fill_color=color, line_color=color, line_width=2),
             timeline.points, legend=label)

    def updates(self, ghost: np.ndarray, ball: np.ndarray) -> dict:
        return {self.track: {"x": ghost[:, 0], "y": ghost[:, 1], "bx": ball[:, 0], "by": ball[:, 1]}}


class LandscapeView:
    """A landscape's contour map (fixed axes, so playback never syncs ranges)."""

    def __init__(self, landscape: Landscape, timeline: Timeline, *, title: str = "",
                 width: int = 520, height: int = 440, name: str = "landscape"):
        self.timeline = timeline
        self.landscape = landscape
        self.figure = figure(
            title=title, width=width, height=height, name=name,
            x_range=Range1d(*landscape.x_range), y_range=Range1d(*landscape.y_range),
            tools="pan,wheel_zoom,reset,save", toolbar_location="above",
            x_axis_label="θ₁ (x)", y_axis_label="θ₂ (y)",
        )
        self.figure.center = [item for item in self.figure.center if not isinstance(item, Grid)]  # bands instead
        xs, ys, z, levels = contour_field(landscape)
        self.bands = ColumnDataSource({})
        self.band_colors = LinearColorMapper(palette=_fill_colors())
        draw(self.figure, Image(image="z", x="x", y="y", dw="dw", dh="dh", color_mapper=self.band_colors), self.bands)
        self.contours = self.figure.contour(xs, ys, z, levels, fill_color=None,
                                            line_color="white", line_alpha=0.35, line_width=0.8)
        lean(self.figure)
        self._show_bands(xs, ys, z, levels)
        self.paths: list[PathLayer] = []
        self.starts = ColumnDataSource({"x": [], "y": [], "color": []}, name=f"{name}-starts")
        draw(self.figure, Scatter(x="x", y="y", marker="square", fill_color="color", line_color="white", size=9),
             self.starts)
        self.minima = ColumnDataSource({"x": [], "y": []})
        draw(self.figure, Scatter(x="x", y="y", marker="star", size=17, fill_color=MINIMUM_COLOR, line_color="black"),
             self.minima, legend="minimum")
        self._show_minima(landscape)
        self.figure.legend.location = "top_right"
        self.figure.legend.background_fill_alpha = 0.75
        self.figure.legend.click_policy = "hide"

    def _show_bands(self, xs, ys, z, levels):
        half_x, half_y = (xs[1] - xs[0]) / 2, (ys[1] - ys[0]) / 2  # grid points are cell centres
        self.bands.data = {"z": [z.astype(np.float32)], "x": [xs[0] - half_x], "y": [ys[0] - half_y],
                           "dw": [xs[-1] - xs[0] + 2 * half_x], "dh": [ys[-1] - ys[0] + 2 * half_y]}
        self.band_colors.update(low=levels[0], high=levels[-1])

    def _show_minima(self, landscape):
        xs, ys = zip(*landscape.minima, strict=True)
        self.minima.data = {"x": list(xs), "y": list(ys)}

    def add_path(self, label: str, color: str, dash: str = "solid") -> PathLayer:
        return PathLayer(self, label, color, dash)

    def add_ghost(self, label: str, color: str) -> GhostLayer:
        return GhostLayer(self, label, color)

    def show_starts(self):
        """Square markers at the first point of each path (call after the timeline is loaded)."""
        starts = [layer.path()[0] for layer in self.paths]
        self.starts.data = {"x": [s[0] for s in starts], "y": [s[1] for s in starts],
                            "color": [layer.color for layer in self.paths]}

    def set_landscape(self, landscape: Landscape):
        """Redraw the contours and axes for another landscape."""
        self.landscape = landscape
        xs, ys, z, levels = contour_field(landscape)
        self._show_bands(xs, ys, z, levels)
        self.contours.set_data(contour_data(xs, ys, z, levels, want_fill=False))  # the bands are the image
        self.figure.x_range.update(start=landscape.x_range[0], end=landscape.x_range[1])
        self.figure.y_range.update(start=landscape.y_range[0], end=landscape.y_range[1])
        self._show_minima(landscape)

    def on_tap(self, callback: Callable[[float, float], None]):
        """Call `callback(x, y)` when the learner clicks on the map."""
        self.figure.on_event(Tap, lambda event: callback(event.x, event.y))
