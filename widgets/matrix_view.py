"""Matrices drawn as heat maps side by side, on one shared logarithmic colour scale, so equal
colours mean equal values across them."""

import numpy as np
from bokeh.models import ColorBar, ColumnDataSource, Image, LogColorMapper, Range1d
from bokeh.plotting import figure

from .lean import draw
from .palette import CONTOUR_PALETTE
from .sizing import responsive


class MatrixPair:
    def __init__(self, titles: tuple[str, str], *, name: str, height: int = 260):
        self.mapper = LogColorMapper(palette=CONTOUR_PALETTE, low=1e-3, high=1.0)
        self.sources = [ColumnDataSource({"image": [np.zeros((1, 1))], "dw": [1], "dh": [1]}) for _ in titles]
        self.figures = []
        for i, (title, source) in enumerate(zip(titles, self.sources, strict=True)):
            fig = responsive(figure(height=height, title=title, name=f"{name}{i}", tools="", toolbar_location=None,
                                    x_range=Range1d(0, 1), y_range=Range1d(1, 0), x_axis_label="column j",
                                    y_axis_label="row i"))
            fig.grid.visible = False
            draw(fig, Image(image="image", x=0, y=0, dw="dw", dh="dh", color_mapper=self.mapper), source)
            self.figures.append(fig)
        self.figures[-1].add_layout(ColorBar(color_mapper=self.mapper, width=10), "right")

    def show(self, first: np.ndarray, second: np.ndarray):
        """Both matrices (rows down, columns across) on a scale from the smaller minimum to the larger maximum."""
        values = np.concatenate([first.ravel(), second.ravel()])
        positive = values[np.isfinite(values) & (values > 0)]
        low, high = (positive.min(), positive.max()) if positive.size else (1e-3, 1.0)
        self.mapper.update(low=float(low), high=float(max(high, low * 1.0001)))
        rows, cols = first.shape
        for fig, source, matrix in zip(self.figures, self.sources, (first, second), strict=True):
            # Bokeh draws an image's first row at y = 0, which this y axis puts at the top.
            source.data = {"image": [np.asarray(matrix, dtype=float)], "dw": [cols], "dh": [rows]}
            fig.x_range.update(start=0, end=cols)
            fig.y_range.update(start=rows, end=0)
