"""Matrices drawn as heat maps side by side, on one shared logarithmic colour scale, so equal
colours mean equal values across them."""

import numpy as np
from bokeh.models import ColorBar, ColumnDataSource, Image, LogColorMapper, Range1d
from bokeh.plotting import figure

from .lean import draw
from .palette import CONTOUR_PALETTE
from .sizing import responsive


def cell_ticks(count: int) -> list[int]:
    """Ticks on the centres of `count` cells, every cell up to ten of them, fewer beyond."""
    return list(range(0, count, max(1, int(np.ceil(count / 10)))))


class MatrixPair:
    """Two heat maps with a colour bar each: side by side on a wide screen, stacked on a phone
    (where each one is read on its own), and the two plots keep the same width either way."""

    def __init__(self, titles: tuple[str, str], *, name: str, height: int = 260):
        self.mapper = LogColorMapper(palette=CONTOUR_PALETTE, low=1e-3, high=1.0)
        self.sources = [ColumnDataSource({"image": [np.zeros((1, 1))], "dw": [1], "dh": [1]}) for _ in titles]
        self.figures = []
        for i, (title, source) in enumerate(zip(titles, self.sources, strict=True)):
            fig = responsive(figure(height=height, title=title, name=f"{name}{i}", tools="", toolbar_location=None,
                                    x_range=Range1d(0, 1), y_range=Range1d(1, 0), x_axis_label="column j",
                                    y_axis_label="row i"))
            fig.grid.visible = False
            draw(fig, Image(image="image", x=-0.5, y=-0.5, dw="dw", dh="dh", color_mapper=self.mapper), source)
            fig.add_layout(ColorBar(color_mapper=self.mapper, width=10), "right")
            self.figures.append(fig)

    def show(self, first: np.ndarray, second: np.ndarray):
        """Both matrices (rows down, columns across) on a scale from the smaller minimum to the larger maximum."""
        values = np.concatenate([first.ravel(), second.ravel()])
        positive = values[np.isfinite(values) & (values > 0)]
        low, high = (positive.min(), positive.max()) if positive.size else (1e-3, 1.0)
        self.mapper.update(low=float(low), high=float(max(high, low * 1.0001)))
        rows, cols = first.shape
        for fig, source, matrix in zip(self.figures, self.sources, (first, second), strict=True):
            # Cell (i, j) is centred on (j, i), under its tick; Bokeh draws an image's first row at the
            # bottom of its box, which this y axis turns to the top.
            source.data = {"image": [np.asarray(matrix, dtype=float)], "dw": [cols], "dh": [rows]}
            fig.x_range.update(start=-0.5, end=cols - 0.5)
            fig.y_range.update(start=rows - 0.5, end=-0.5)
            fig.xaxis.ticker = cell_ticks(cols)
            fig.yaxis.ticker = cell_ticks(rows)
