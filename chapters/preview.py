"""A plot for each chapter not written yet, computed by the core, so every page shows something
real: that chapter's optimizers on Rosenbrock, or the schedules of chapter 7."""

import functools

import numpy as np
import panel as pn
from bokeh.models import ColumnDataSource, Line, Range1d
from bokeh.plotting import figure

from landscapes import get
from lessons import Entry, Race
from optimizers import REGISTRY, SCHEDULES, in_chapter, make_schedule
from widgets.lean import draw
from widgets.loss_chart import LossChart
from widgets.map_view import PATH_SEQUENCES, PATH_STATICS, MapView
from widgets.palette import PATH_COLORS
from widgets.race_view import path_rows
from widgets.sizing import plots_row
from widgets.timeline import Timeline

STEPS = 500

CONTESTANTS = {3: ["adagrad", "rmsprop"], 4: ["sgd", "adam"], 5: ["adam", "adamw"], 6: "chapter 6", 8: "all"}


def contestants(number: int) -> list[str]:
    """Chapter `number`'s preview racers, read from the registry where the chapter is a group."""
    chosen = CONTESTANTS[number]
    if chosen == "all":
        return list(REGISTRY)
    if chosen == "chapter 6":
        return in_chapter(6)
    return chosen


@functools.cache
def preview_race(number: int) -> Race:
    """Chapter `number`'s contestants on Rosenbrock, each at its registry preview rate: the same for
    every visitor, so computed once per server."""
    entries = [Entry(name, hyper={"lr": REGISTRY[name].preview_lr}) for name in contestants(number)]
    return Race(landscape="rosenbrock", steps=STEPS, contestants=entries)


def race(number: int) -> pn.Column:
    """Static paths and loss curves (no player: these previews are pictures, not widgets)."""
    result = preview_race(number).result
    timeline = Timeline(f"preview{number}")
    group = timeline.group("paths", PATH_SEQUENCES, PATH_STATICS, trail=False, point=False)
    view = MapView(get("rosenbrock"), name="preview-map", height=420,
                   title=f"Preview: {STEPS} steps on Rosenbrock from (−1.2, 1)")
    view.draw_paths(group, readout=False)
    loss = LossChart(name="preview-loss", height=420)
    loss.draw(group)
    def label(lane):
        suffix = f" (diverged at step {lane.diverged_at})" if lane.diverged_at >= 0 else ""
        return f"{lane.entry.title} at η = {lane.entry.hyper['lr']:g}{suffix}"

    rows, gaps = path_rows(result, list(result.lanes), readout=False, label=label)
    timeline.load(group, rows, STEPS)
    loss.fit(gaps, STEPS)
    if len(result.lanes) > 8:  # the arena's sixteen entries fit the map only when compact
        view.legend.update(label_text_font_size="9px", label_height=11, glyph_height=11, spacing=0, padding=2)
    return plots_row(view.figure, loss.figure, name="preview")


def schedules() -> pn.pane.Bokeh:
    total, steps = 1000, np.arange(1001)
    fig = figure(height=360, title="Preview: each schedule, 1000 steps, 10% warmup, peak 1",
                 sizing_mode="stretch_width", min_width=280,
                 x_range=Range1d(0, total), y_range=Range1d(0, 1.05), toolbar_location=None,
                 x_axis_label="step", y_axis_label="learning rate / peak", name="preview")
    rates = {f"rate-{kind}": make_schedule(kind, total, 1.0, warmup_steps=100, min_lr=0.0)(steps)
             for kind in SCHEDULES}  # "rate-" keeps the step schedule's column apart from the steps
    source = ColumnDataSource({"step": steps, **rates})
    for i, kind in enumerate(SCHEDULES):
        draw(fig, Line(x="step", y=f"rate-{kind}", line_color=PATH_COLORS[i], line_width=2.5), source, legend=kind)
    legend = fig.legend[0]
    fig.center.remove(legend)
    fig.add_layout(legend, "right")  # inside, it would hide the lines that end near the top right
    return pn.pane.Bokeh(fig, name="preview")


def preview(number: int):
    """The preview plot for an unwritten chapter, or None."""
    if number in CONTESTANTS:
        return race(number)
    if number == 7:
        return schedules()
    if number == 9:
        from .home import family_at_a_glance

        return family_at_a_glance()
    return None
