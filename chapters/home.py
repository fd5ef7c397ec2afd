"""The home page: what the course is, how to use it, and the family of optimizers at a glance."""

import panel as pn

from widgets.family_tree import family_figure

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
    return pn.pane.Bokeh(family_figure("family", "The optimizer family, by year"),
                         sizing_mode="stretch_width")


def page():
    links = "\n".join(f"{c.number}. [{c.title}](?chapter={c.number}): {c.promise}" for c in CHAPTERS)
    return pn.Column(
        pn.pane.Markdown(INTRO, sizing_mode="stretch_width"),
        pn.pane.Markdown("## The chapters\n\n" + links, sizing_mode="stretch_width"),
        pn.pane.Markdown("## The family at a glance\n\nEach method sits at the year it was published, "
                         "joined by a line to the methods it builds on. Blue: the momentum line (chapters 1-2). "
                         "Orange: adaptive rates (3-5). Green: what came after (6).", sizing_mode="stretch_width"),
        family_at_a_glance(),
        sizing_mode="stretch_width", name="home",
    )
