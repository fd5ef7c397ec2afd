"""Fewer Bokeh models per figure, because a page's load time grows with its model count."""

from bokeh.models import ContourRenderer, GlyphRenderer, Plot


def lean(*figures: Plot) -> Plot:
    """Drop the copies of each glyph that `bokeh.plotting` makes for drawing it dimmed (when
    something else is selected) and muted (after a legend click in "mute" mode). Nothing in the
    course selects or mutes, and each copy is one more model to send and build; set to "auto",
    BokehJS derives the same copies itself if they are ever needed."""
    for figure in figures:
        for renderer in figure.renderers:
            contour = isinstance(renderer, ContourRenderer)
            for part in [renderer.fill_renderer, renderer.line_renderer] if contour else [renderer]:
                if isinstance(part, GlyphRenderer):
                    part.update(nonselection_glyph="auto", muted_glyph="auto")
    return figures[0]
