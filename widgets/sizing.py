"""Plots that follow the screen: they stretch to their column, from a phone's 390 px up."""

import panel as pn
from bokeh.models import LayoutDOM, Plot

MIN_WIDTH = 280
MAX_WIDTH = 500
RIGHT_BORDER = 14
"""Pixels kept right of a plot's frame, where half of the x axis's last tick label lies."""
CLIPPED = {"overflow": "hidden"}
"""Bokeh gives some renderers page elements as wide as the plot, placed beside it; clipped to the
plot's box they cannot widen a phone's page."""


def sideways_scroll(cover: str, shade: str) -> str:
    """CSS declarations for a box that scrolls sideways and shows a shadow (`shade`) on the side
    where more of its content lies. The box's backgrounds alone draw it: two covers in the box's
    own colour (`cover`) scroll with the content and hide each shadow once its edge is reached."""
    return (f"overflow-x:auto;max-width:100%;background-color:{cover};background-repeat:no-repeat;"
            f"background-image:linear-gradient(to right,{cover} 30%,transparent),"
            f"linear-gradient(to left,{cover} 30%,transparent),"
            f"radial-gradient(farthest-side at 0 50%,{shade},transparent),"
            f"radial-gradient(farthest-side at 100% 50%,{shade},transparent);"
            "background-position:left,right,left,right;background-size:40px 100%,40px 100%,14px 100%,14px 100%;"
            "background-attachment:local,local,scroll,scroll")


def responsive(plot: LayoutDOM) -> LayoutDOM:
    """Fill the container's width, from a phone's width up to MAX_WIDTH, at the plot's own height,
    and keep room for the x axis's last tick label (a plot stretched to the edge of a phone's
    screen would cut it). A map sets its height in the browser, to scale (`map_view.TO_SCALE`)."""
    plot.update(sizing_mode="stretch_width", min_width=MIN_WIDTH, max_width=MAX_WIDTH)
    if isinstance(plot, Plot) and plot.below:
        plot.min_border_right = RIGHT_BORDER
    return plot


def plots_row(*plots: LayoutDOM, name: str = "", max_width: int = MAX_WIDTH) -> pn.FlexBox:
    """Plots side by side where the screen is wide enough, stacked on a phone."""
    return pn.FlexBox(*(pn.pane.Bokeh(p, sizing_mode="stretch_width", min_width=MIN_WIDTH, max_width=max_width,
                                      styles=CLIPPED) for p in plots),
                      flex_wrap="wrap", gap="16px", sizing_mode="stretch_width", name=name)
