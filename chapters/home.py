"""The home page: what the course is, how to use it, and the family of optimizers at a glance."""

import panel as pn
from bokeh.models import ColumnDataSource, LabelSet, MultiLine, Range1d, Scatter
from bokeh.plotting import figure

from optimizers import REGISTRY
from widgets.lean import draw

from .catalog import CHAPTERS

INTRO = """
# Optimizer Lab

Training a neural network means walking downhill on a surface you cannot see, one small step at
a time. The *optimizer* decides each step. This course builds the optimizers in use today, one
idea at a time, and lets you watch each of them move.

Every number on these pages comes from the same small NumPy functions that are printed in each
chapter. Tables and widgets compute theirs as you change a setting; the figures quoted in the
text are measured by the same code when the server starts.

## How to use the widgets

- **Click** on a contour map to put the ball somewhere else.
- **Play** replays, step by step in your browser, a path the server has already computed in full;
  **Step** and **Back** move one step;
  **Reset** goes back to the start. The speed slider sets steps per second.
- **Sliders** change a hyperparameter; the path is recomputed at once and shown in full.
- A run that blows up is not an error: the readout tells you the step where the ball left the map,
  and the step where it diverged if it got that far.
- **Copy link** copies the page's address, which holds every setting: opening it shows the page
  exactly as you left it.
"""


def family_at_a_glance():
    """Each optimizer placed by its year, one lane each, joined to the methods it builds on (all
    read from the registry)."""
    lanes = {name: i for i, name in enumerate(REGISTRY)}
    position = {name: (spec.year, lanes[name]) for name, spec in REGISTRY.items()}
    fig = figure(height=max(380, 26 * len(lanes)), title="The optimizer family: year of publication, and what each "
                 "builds on", x_range=Range1d(1945, 2045), y_range=Range1d(-1, len(lanes) + 0.5),
                 toolbar_location=None, name="family", x_axis_label="year", sizing_mode="stretch_width",
                 min_width=280)
    fig.yaxis.visible = False
    fig.ygrid.visible = False
    xs, ys = [], []
    for child, spec in REGISTRY.items():
        for parent in spec.parents:
            (x0, y0), (x1, y1) = position[parent], position[child]
            xs.append([x0, x1])
            ys.append([y0, y1])
    draw(fig, MultiLine(xs="xs", ys="ys", line_color="#999999", line_width=1.5), ColumnDataSource({"xs": xs, "ys": ys}))
    source = ColumnDataSource({
        "x": [position[n][0] for n in REGISTRY], "y": [position[n][1] for n in REGISTRY],
        "label": [f"{spec.title} (ch. {spec.chapter})" for spec in REGISTRY.values()],
        "color": ["#0072B2" if spec.chapter <= 2 else "#D55E00" if spec.chapter <= 5 else "#009E73"
                  for spec in REGISTRY.values()],
    })
    draw(fig, Scatter(x="x", y="y", size=11, fill_color="color", line_color="white"), source)
    fig.add_layout(LabelSet(x="x", y="y", text="label", source=source, x_offset=8, y_offset=-7,
                            text_font_size="11px"))
    return pn.pane.Bokeh(fig, sizing_mode="stretch_width")


def page():
    links = "\n".join(f"{c.number}. [{c.title}](?chapter={c.number}): {c.promise}" for c in CHAPTERS)
    return pn.Column(
        pn.pane.Markdown(INTRO, sizing_mode="stretch_width"),
        pn.pane.Markdown("## The chapters\n\n" + links, sizing_mode="stretch_width"),
        pn.pane.Markdown("## The family at a glance\n\nBlue: the momentum line (chapters 1-2). "
                         "Orange: adaptive rates (3-5). Green: what came after (6).", sizing_mode="stretch_width"),
        family_at_a_glance(),
        sizing_mode="stretch_width", name="home",
    )
