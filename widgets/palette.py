"""Colours that colour-blind learners can tell apart (Okabe and Ito, 2008)."""

import html

from bokeh.palettes import Cividis256

PATH_COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#B8A000")
"""Blue, vermillion, bluish green, reddish purple, orange, sky blue, black, dark yellow."""

CONTOUR_PALETTE = Cividis256
"""Dark (low loss) to light (high loss); readable in grey and for every common colour vision."""

MINIMUM_COLOR = "#F0E442"


def optimizer_style(optimizer: str) -> tuple[str, str]:
    """The colour and dash an optimizer has on every page: by its place in the registry, so
    ticking another one on or off never recolours it."""
    from optimizers import names

    known = names()
    index = known.index(optimizer) if optimizer in known else len(known)
    dash = "solid" if index < len(PATH_COLORS) else "dashed"
    return PATH_COLORS[index % len(PATH_COLORS)], dash


LINE_MARKS = {"solid": "━━", "dashed": "╺╸╺╸"}
"""How a line's dash looks in a text legend."""


def legend_entry(color: str, dash: str, label: str) -> str:
    """One entry of a legend written as text under a chart: a line mark in the line's colour and
    dash, then `label` (escaped) in the text's own colour, which stays readable where the line's
    colour is light (orange and sky blue have about 2:1 contrast on white). A text legend wraps
    on a phone and leaves the plot to clicks, where a legend inside the plot would cover the
    lines and take the clicks meant for the map."""
    return (f'<span style="white-space:nowrap"><span style="color:{color};font-weight:700">{LINE_MARKS[dash]}</span>'
            f" {html.escape(label)}</span>")


def tint(color: str, strength: float) -> str:
    """`color` ('#rrggbb') laid over white at `strength` (0: white, 1: the colour itself)."""
    channels = (int(color[i:i + 2], 16) for i in (1, 3, 5))
    return "#" + "".join(f"{round(255 - strength * (255 - c)):02x}" for c in channels)
