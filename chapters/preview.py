"""A plot for each chapter not written yet, computed by the core, so every page shows something
real: that chapter's optimizers on Rosenbrock, or the schedules of chapter 7."""

import functools

import numpy as np
import panel as pn
from bokeh.layouts import row
from bokeh.models import ColumnDataSource, Line, Range1d
from bokeh.plotting import figure

from landscapes import get
from optimizers import REGISTRY, SCHEDULES, make_schedule, run
from widgets.landscape_view import LandscapeView
from widgets.lean import draw
from widgets.loss_chart import loss_gap
from widgets.palette import PATH_COLORS
from widgets.timeline import Timeline

PREVIEW_LR = {"sgd": 1e-3, "momentum": 5e-4, "nesterov": 5e-4, "adagrad": 0.5, "rmsprop": 0.01, "adam": 0.05,
              "adamw": 0.05, "amsgrad": 0.05, "adamax": 0.05, "nadam": 0.05, "radam": 1e-3, "adafactor": 0.05,
              "lion": 0.01, "lamb": 0.05, "sophia": 0.01}
"""Learning rates that make each method's character visible on Rosenbrock in 500 steps."""

STEPS = 500

CONTESTANTS = {3: ["adagrad", "rmsprop"], 4: ["sgd", "adam"], 5: ["adam", "adamw"],
               6: ["amsgrad", "adamax", "nadam", "radam", "adafactor", "lion", "lamb", "sophia"],
               8: list(REGISTRY)}


@functools.cache
def race_paths(number: int) -> tuple[tuple[str, np.ndarray, int], ...]:
    """(optimizer, path, diverged_at) for each contestant of chapter `number`'s preview. The
    same for every visitor, so computed once per server."""
    surface = get("rosenbrock")
    races = []
    for name in CONTESTANTS[number]:
        traj = run(name, surface.grad, surface.start, STEPS, lr=PREVIEW_LR[name], bound=surface.escape_bound,
                   hess_fn=surface.hess_diag)
        races.append((name, traj.params, traj.diverged_at))
    return tuple(races)


def race(number: int) -> pn.pane.Bokeh:
    """Static paths and loss curves (no player: these previews are pictures, not widgets)."""
    surface = get("rosenbrock")
    view = LandscapeView(surface, Timeline(f"preview{number}"), width=520, height=420, name="preview-map",
                         title=f"Preview: {STEPS} steps on Rosenbrock from (−1.2, 1)")
    loss = figure(width=520, height=420, y_axis_type="log", title="Loss above the minimum", toolbar_location=None,
                  x_range=Range1d(0, STEPS), y_range=Range1d(1e-8, 1e4), x_axis_label="step",
                  y_axis_label="L(θ) − L*")
    columns = {"step": np.arange(STEPS + 1)}
    for name, path, _ in race_paths(number):
        columns[f"{name}-x"], columns[f"{name}-y"] = path[:, 0], path[:, 1]
        with np.errstate(all="ignore"):
            columns[f"{name}-gap"] = loss_gap(surface.f(path), 0.0)
    source = ColumnDataSource(columns)  # one source for every line: fewer models to send
    for i, (name, _, diverged_at) in enumerate(race_paths(number)):
        color, dash = PATH_COLORS[i % len(PATH_COLORS)], "solid" if i < len(PATH_COLORS) else "dashed"
        label = REGISTRY[name].title + (f" (diverged at step {diverged_at})" if diverged_at >= 0 else "")
        draw(view.figure, Line(x=f"{name}-x", y=f"{name}-y", line_color=color, line_dash=dash, line_width=2.2), source,
             legend=label)
        draw(loss, Line(x="step", y=f"{name}-gap", line_color=color, line_dash=dash, line_width=2), source)
    if len(CONTESTANTS[number]) > 8:  # the arena's sixteen entries fit the map only when compact
        view.figure.legend.update(label_text_font_size="9px", label_height=11, glyph_height=11, spacing=0, padding=4)
    return pn.pane.Bokeh(row(view.figure, loss), name="preview")


def schedules() -> pn.pane.Bokeh:
    total, steps = 1000, np.arange(1001)
    fig = figure(width=880, height=360, title="Preview: each schedule, 1000 steps, 10% warmup, peak 1",
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
