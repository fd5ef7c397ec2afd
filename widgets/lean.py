"""Fewer Bokeh models per figure, because a page's load time grows with its model count.

`bokeh.plotting` gives every renderer two extra copies of its glyph: one to draw it dimmed while
something else is selected, one to draw it muted after a legend click. Nothing in the course
selects or mutes, and each copy is one more model to build, send and turn into a view. Left as
"auto", BokehJS derives the same copies itself if they are ever needed.
"""

from bokeh.core.property.vectorization import value
from bokeh.models import ColumnDataSource, ContourRenderer, Glyph, GlyphRenderer, Legend, LegendItem, Plot


def draw(figure: Plot, glyph: Glyph, source: ColumnDataSource, legend: str | None = None) -> GlyphRenderer:
    """Add `glyph` drawn from `source`, with no copies. Renderers given the same `legend` label
    share one legend entry, as with `bokeh.plotting`'s `legend_label`."""
    renderer = GlyphRenderer(glyph=glyph, data_source=source)
    figure.renderers.append(renderer)
    if legend is not None:
        legends = list(figure.legend)
        if not legends:
            legends = [Legend()]
            figure.add_layout(legends[0])
        items = legends[0].items
        entry = next((item for item in items if item.label == value(legend)), None)
        if entry is None:
            items.append(LegendItem(label=value(legend), renderers=[renderer]))
        else:
            entry.renderers.append(renderer)
    return renderer


def lean(*figures: Plot) -> Plot:
    """Drop the glyph copies from renderers that `bokeh.plotting` made; returns the first figure."""
    for figure in figures:
        for renderer in figure.renderers:
            contour = isinstance(renderer, ContourRenderer)
            for part in [renderer.fill_renderer, renderer.line_renderer] if contour else [renderer]:
                if isinstance(part, GlyphRenderer):
                    part.update(nonselection_glyph="auto", muted_glyph="auto")
    return figures[0]
