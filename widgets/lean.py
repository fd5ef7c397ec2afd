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


def legend_sample(figure: Plot, glyph: Glyph, *columns: str) -> GlyphRenderer:
    """`glyph` drawn from one row of NaN in `columns`: nowhere on the plot, but a legend entry can
    draw its sample from it. An entry tied to a renderer whose data change from the server is
    rebuilt blank by BokehJS 3.9 at each change and not always repainted."""
    return draw(figure, glyph, ColumnDataSource({column: [float("nan")] for column in columns}))


CLIP_OVERLAYS = """{
  // BokehJS clips glyphs to the plot's frame only on the levels under "overlay": clip those too
  const glyphs = Bokeh.Models.get("GlyphRenderer")?.prototype.default_view?.prototype;
  if (glyphs != null && !Object.prototype.hasOwnProperty.call(glyphs, "needs_clip")) {
    Object.defineProperty(glyphs, "needs_clip", {configurable: true, get() { return this.model.level == "overlay"; }});
    const Plot = Bokeh.Models.get("Plot");
    for (const plot of Bokeh.index.query((v) => v.model instanceof Plot)) plot.request_paint();
  }
}
"""
"""Run once in the page, before playback (see `animated`): `widgets.timeline.clip_overlays` adds it
to a page, and the player's script runs it again at its first click. It reaches into BokehJS's
renderer views, like `widgets/speedups.py` into Bokeh's Python side, so it is checked with the same
pinned version (`speedups.CHECKED`); on another version it may do nothing, and the moving paths
are then drawn unclipped, never wrong."""


def animated(renderer: GlyphRenderer) -> GlyphRenderer:
    """Mark a renderer redrawn on every frame of playback.

    - On the "overlay" level it is drawn on the plot's second canvas, so a frame repaints only
      what moves; the first one (bands, contours, axes, legend, title) stays as it is. BokehJS
      leaves that level unclipped: CLIP_OVERLAYS, run in the page, clips it to the frame.
    - BokehJS moves each renderer's (empty) page element to its glyph's box whenever the data
      change: a style change, a relayout and a re-layerising of the page every frame. Hidden, the
      element costs nothing; nothing is drawn in it."""
    renderer.update(level="overlay", styles={"display": "none"})
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
