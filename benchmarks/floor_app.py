"""The floor under a page's load time: the course's own frame holding N plain Bokeh figures and
nothing else (`/floor_app?figures=N`). `python -m benchmarks.pages` serves it beside the course
and times it next to each chapter, so a chapter's time can be read against what Bokeh needs just
to show that many plots in this template on this machine.

Each figure has what a map in the course has around its data: a title, two labelled axes and the
map's toolbar. Its data is a single line.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import panel as pn
from bokeh.layouts import column
from bokeh.plotting import figure

from app import course_template, serve, theme_of, url_value

MOST = 12


def figure_count(args: dict) -> int:
    text = url_value(args, "figures")
    return min(int(text), MOST) if text.isdigit() else 1


def plain_figure(i: int):
    fig = figure(width=520, height=330, title=f"plain figure {i + 1}", x_axis_label="x", y_axis_label="y",
                 tools="pan,wheel_zoom,reset,save", toolbar_location="above")
    fig.line([0, 1], [0, 1])
    return fig


def floor_page(args: dict) -> pn.template.BaseTemplate:
    template = course_template(None, theme_of(args))
    figures = [plain_figure(i) for i in range(figure_count(args))]
    template.main.append(pn.pane.Bokeh(column(*figures), name="floor"))
    return template


if __name__.startswith("bokeh"):
    serve(floor_page)
