"""The optimizer family drawn from the registry: each method at its year, joined to the methods
it builds on. With a `FamilyTree` lesson, a click on a node selects it and a ring marks it."""

from bokeh.events import Tap
from bokeh.models import ColumnDataSource, LabelSet, MultiLine, Range1d, Scatter
from bokeh.plotting import figure

from lessons.family import FamilyTree, label, positions
from optimizers import REGISTRY

from .lean import draw
from .sizing import MIN_WIDTH, RIGHT_BORDER

GROUP_COLORS = ((2, "#0072B2"), (5, "#D55E00"), (9, "#009E73"))
"""Node colours by chapter: the momentum line (up to 2), adaptive rates (3-5), what came after."""


def group_color(chapter: int) -> str:
    return next(color for last, color in GROUP_COLORS if chapter <= last)


LABELS_LEFT_FROM = 2000
"""Methods from this year on carry their label to the left of their dot, so that on a phone the
newest ones' labels stay inside the plot (each method has its own lane, so no label meets
another)."""


def family_figure(name: str, title: str):
    place = positions()
    fig = figure(height=max(380, 30 * len(place)), title=title, x_range=Range1d(1945, 2035),
                 y_range=Range1d(len(place) - 0.5, -1), toolbar_location=None, name=name, x_axis_label="year",
                 sizing_mode="stretch_width", min_width=MIN_WIDTH, min_border_right=RIGHT_BORDER, tools="")
    fig.yaxis.visible = False
    fig.ygrid.visible = False
    xs, ys = [], []
    for child, spec in REGISTRY.items():
        for parent in spec.parents:
            (x0, y0), (x1, y1) = place[parent], place[child]
            xs.append([x0, x1])
            ys.append([y0, y1])
    draw(fig, MultiLine(xs="xs", ys="ys", line_color="#999999", line_width=1.5), ColumnDataSource({"xs": xs, "ys": ys}))
    on_left = [place[n][0] >= LABELS_LEFT_FROM for n in REGISTRY]
    source = ColumnDataSource({
        "x": [place[n][0] for n in REGISTRY], "y": [place[n][1] for n in REGISTRY],
        "label": [label(n) for n in REGISTRY], "color": [group_color(s.chapter) for s in REGISTRY.values()],
        "align": ["right" if left else "left" for left in on_left], "offset": [-8 if left else 8 for left in on_left],
    })
    draw(fig, Scatter(x="x", y="y", size=11, fill_color="color", line_color="white"), source)
    fig.add_layout(LabelSet(x="x", y="y", text="label", source=source, x_offset="offset", text_align="align",
                            y_offset=-7, text_font_size="11px", background_fill_color="white",
                            background_fill_alpha=1.0))  # a line that passes behind a label hides there
    return fig


class FamilyTreeView:
    """The tree answering clicks: a click on a node or its label selects it in `tree`."""

    def __init__(self, tree: FamilyTree, name: str):
        self.tree = tree
        self.figure = family_figure(name, "The family tree: click a method")
        self.ring = ColumnDataSource({"x": [], "y": []})
        draw(self.figure, Scatter(x="x", y="y", size=22, fill_alpha=0, line_color="#222222", line_width=2.5),
             self.ring)
        self.figure.on_event(Tap, lambda event: tree.pick(event.y))
        tree.param.watch(lambda *_: self.mark(), "selected")
        self.mark()

    def mark(self):
        year, lane = positions()[self.tree.selected]
        self.ring.data = {"x": [year], "y": [lane]}
