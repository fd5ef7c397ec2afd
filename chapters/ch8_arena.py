"""Chapter 8: the Optimizer Arena. Every optimizer on any landscape, compared fairly."""

import functools
import html
import math
import urllib.parse

import numpy as np
import panel as pn
from bokeh.models import CustomJSTickFormatter

import landscapes
from lessons import Link, Player
from lessons.arena import MODES, SWEEP_METRICS, Arena, basins, sweep
from optimizers import get_spec, names
from widgets.arena_views import BasinLayer, Leaderboard, SweepChart, basin_summary
from widgets.controls import FloatSlider, IntSlider
from widgets.links import copy_link_button
from widgets.map_view import MapView
from widgets.quiz import Choice, Quiz
from widgets.race_view import RaceView
from widgets.readout import fmt
from widgets.text import fill, prose

from .base import Chapter, Lesson

LINK = ("landscape", "formula", "span", "optimizers", "log_lr", "mode", "own_rates", "own_name", "own_log_lr", "steps",
        "tolerance", "noise", "seed", "schedule", "warmup", "start", "sort_by", "show_sweep", "sweep_metric",
        "show_basins", "basin_optimizer")
ETA_LABEL = "return 'η = ' + Math.pow(10, tick).toPrecision(2)"
SADDLE_RATE = 0.05
SADDLE_OFFSET = 1e-6
RIDGE = 0.5
"""A path has left the saddle's ridge once |y| passes this (the valleys are at y = ±1)."""
BASIN_TRIO = ("sgd", "momentum", "adam")
BASIN_RATE = 0.01

PRESETS = {
    "SGD diverges": {"landscape": "ravine", "optimizers": ["sgd", "momentum", "adam"], "log_lr": math.log10(0.25)},
    "Saddle: the exact ridge": {"landscape": "saddle", "optimizers": names(), "log_lr": math.log10(SADDLE_RATE)},
    "Saddle: a tiny offset": {"landscape": "saddle", "optimizers": names(), "log_lr": math.log10(SADDLE_RATE),
                              "start": (1.8, SADDLE_OFFSET)},
    "Saddle: noise": {"landscape": "saddle", "optimizers": names(), "log_lr": math.log10(SADDLE_RATE),
                      "noise": 0.1},
    "The ravine at a shared rate": {"landscape": "ravine", "optimizers": names(), "log_lr": -2.0},
    "Each at its best rate": {"landscape": "ravine", "optimizers": names(), "mode": "tuned", "show_sweep": True},
    "Rosenbrock's curved valley": {"landscape": "rosenbrock", "optimizers": ["sgd", "momentum", "rmsprop", "adam"],
                                   "log_lr": -3.0, "steps": 2000},
    "Many minima (Rastrigin)": {"landscape": "rastrigin", "optimizers": ["sgd", "momentum", "adam", "lion"],
                                "log_lr": -2.0},
    "Himmelblau's four basins": {"landscape": "himmelblau", "optimizers": list(BASIN_TRIO), "log_lr": -2.0,
                                 "show_basins": True, "basin_optimizer": "adam", "steps": 300},
    "A typed landscape": {"landscape": "typed", "formula": "x**2/4 + 2*sin(x)*sin(y) + y**2/4",
                          "optimizers": ["sgd", "momentum", "adam"], "log_lr": -1.5},
}


@functools.cache
def preset_links() -> dict[str, str]:
    """Each preset's address: every setting of the arena, as its link writes them."""
    links = {}
    for title, settings in PRESETS.items():
        query = {"chapter": "8", **Link(Arena(**settings), "arena", LINK).query()}
        links[title] = "?" + urllib.parse.urlencode(query)
    return links


def _arrival(lane) -> float:
    return np.inf if lane.steps_to_tolerance is None or lane.diverged_at >= 0 else lane.steps_to_tolerance


def _left_ridge(path) -> int | None:
    away = np.flatnonzero(np.abs(path[:, 1]) > RIDGE)
    return int(away[0]) if away.size else None


@functools.cache
def facts() -> dict:
    """Figures the prose quotes, measured with the arena's model (the same for every visitor)."""
    everyone = names()
    winners = {}
    for landscape in ("ravine", "himmelblau", "ellipse", "beale"):
        arena = Arena(landscape=landscape, optimizers=everyone)
        best = min(arena.result.lanes, key=_arrival)
        winners[landscape] = best.entry.title
    ravine = Arena(landscape="ravine", optimizers=everyone)
    windows = {name: sweep(name, ravine.surface, tuple(ravine.start), ravine.steps, ravine.tolerance, 0.0, 0,
                           "constant", 0.0).window for name in everyone}
    arriving = {name: width for name, width in windows.items() if name != "sgd" and width > 0}
    runner_up = min(arriving, key=arriving.get)
    never = [get_spec(name).title for name, width in windows.items() if width == 0]
    defaults = Arena(landscape="ravine", optimizers=everyone, mode="defaults")
    adam_default = next(lane for lane in defaults.result.lanes if lane.entry.optimizer == "adam")
    ridge = Arena(**PRESETS["Saddle: the exact ridge"])
    offset = Arena(**PRESETS["Saddle: a tiny offset"])
    left = {lane.entry.optimizer: _left_ridge(lane.path) for lane in offset.result.lanes}
    him = Arena(**PRESETS["Himmelblau's four basins"])
    near = {name: basins(name, him.surface, BASIN_RATE, him.steps).stayed_near(him.surface.minima)
            for name in BASIN_TRIO}
    adam_nowhere = basins("adam", him.surface, BASIN_RATE, him.steps).shares()[-2]
    return {
        "steps": ravine.steps, "tolerance": f"{ravine.tolerance:g}", "shared": f"{ravine.shared_rate:g}",
        "win_ravine": winners["ravine"], "win_himmelblau": winners["himmelblau"], "win_ellipse": winners["ellipse"],
        "win_beale": winners["beale"],
        "sgd_window": f"{windows['sgd']:.2g}", "runner_up": get_spec(runner_up).title,
        "runner_up_window": f"{arriving[runner_up]:.2g}", "adam_window": f"{windows['adam']:.2g}",
        "never": ", ".join(never) or "no method",
        "adam_default": f"{get_spec('adam').defaults['lr']:g}",
        "adam_default_gap": fmt(float(adam_default.losses[-1] - defaults.result.minimum)),
        "ridge_stuck": sum(lane.steps_to_tolerance is None for lane in ridge.result.lanes),
        "count": len(everyone), "saddle_rate": f"{SADDLE_RATE:g}", "offset": f"{SADDLE_OFFSET:g}",
        "rms_left": left["rmsprop"], "adam_left": left["adam"], "sgd_left": left["sgd"],
        "basin_rate": f"{BASIN_RATE:g}", "basin_steps": him.steps,
        "sgd_near": f"{near['sgd']:.0%}", "momentum_near": f"{near['momentum']:.0%}",
        "adam_near": f"{near['adam']:.0%}", "adam_nowhere": f"{adam_nowhere:.0%}",
        "adam_reach": f"{BASIN_RATE * him.steps:g}",
    }


TEXT_INTRO = r"""
# Chapter 8 · The Optimizer Arena

Every optimizer of the course, on the same landscape, from the same start, with the same
number of steps. Tick the ones you want (all fifteen at once is fine), pick a landscape or type
your own, and press Play. Click the map to move the start. Every setting is in the page's
address: copy the link and whoever opens it sees this exact race.

A race is only fair if it says what it holds equal. The line under the controls does: the
start, the step budget, the tolerance that counts as arrived, where the rates come from, the
noise, and that nobody clips gradients. Change any of them and the order can change.

**Presets.** One click each, and each is a link you can share:
"""

TEXT_MODES = r"""
## Three ways to choose the rates

- **Shared rate.** Everyone gets the slider's $$\eta$$. Simple, and unfair in a specific way:
  a rate is not a neutral unit. Lion moves every coordinate by exactly $$\eta$$ per step, SGD by
  $$\eta$$ times the gradient, so the same number means very different steps.
- **Registry defaults.** Each method at the rate PyTorch (or its paper) ships with. On the
  ravine at the defaults nobody arrives within [[steps]] steps; Adam's default of [[adam_default]] leaves it
  [[adam_default_gap]] above the minimum, because that rate was chosen for networks with millions of
  weights, not for a 2-D bowl.
- **Each at its best rate.** The arena runs every ticked optimizer over 40 rates from $$10^{-5}$$
  to 10 (one run of the core per optimizer: the rates are an array, one per copy of the start)
  and races each at the rate that arrives soonest. This is the fair comparison, and the sweep
  chart below shows where each best rate came from.

**No optimizer wins everywhere.** At the shared rate [[shared]] and [[steps]] steps, the first to arrive is
[[win_ravine]] on the ravine, [[win_himmelblau]] on Himmelblau, [[win_ellipse]] on the ellipse and
[[win_beale]] on Beale. Move the rate slider one notch either way and watch the leaderboard reorder.
"""

TEXT_SWEEP = r"""
## The learning-rate sweep

Each line is one optimizer: how many steps it needs to arrive, at each of the 40 rates. A line that
stops has stopped arriving: too slow on the left, unstable on the right. The dotted vertical line is
the shared rate.

The width of the window where a line exists is what tuning costs. On the ravine ([[steps]] steps,
tolerance [[tolerance]]) plain SGD arrives over only [[sgd_window]] decades of rate: its rate must
sit under the walls' limit $$2/c$$ yet be large enough to cross the flat floor in time. Of the
methods that arrive at any rate, the next narrowest is [[runner_up]] with [[runner_up_window]]
decades; Adam's window spans [[adam_window]]. Arriving at no rate at all in [[steps]] steps:
[[never]]. SGD's window is the narrowest of the methods that arrive, for every step budget up to
1000 and every tolerance; with short budgets and tight tolerances it arrives at no rate at all. At
2000 steps and a tolerance of 0.001 or tighter RMSProp's becomes narrower: its steps stay about
$$\eta$$ long near the minimum, so only small rates settle. Tick SGD alone, set *Each at its best
rate*, and compare its line with Adam's.
"""

TEXT_SADDLE = r"""
## The saddle: a ridge that holds every method

The saddle preset starts at $$(1.8, 0)$$, exactly on the ridge $$y = 0$$. There the gradient
has no $$y$$ part at all, so no method can ever leave it: all [[ridge_stuck]] of [[count]] stop at the
saddle point and none arrives. This is not a weakness of any one optimizer. It is what a
gradient cannot tell you.

Move the start by [[offset]] (the *tiny offset* preset) and they all escape, at very different
speeds. At $$\eta$$ = [[saddle_rate]], RMSProp leaves the ridge (gets more than 0.5 from $$y = 0$$)
after [[rms_left]] steps and Adam after [[adam_left]], while plain SGD needs [[sgd_left]]. RMSProp
and Adam divide by the size of the tiny $$y$$ gradient, so their steps off the ridge are full-sized
from the start; SGD's are as tiny as the gradient. Gradient noise of σ = 0.1 (the *noise* preset)
frees them too, from the exact ridge: in real training, mini-batch noise is one reason exact saddles
are rarely a trap. (Much stronger noise is another story: at σ = 1 and a small rate, AdaGrad's rate
shrinks before it gets away.)
"""

TEXT_BASINS = r"""
## Basins of attraction

Which minimum a method ends in depends on where it starts. Tick *Show basins*: the arena runs
the chosen optimizer from each of 40,000 starts on a 200 × 200 grid (exact gradients, up to
300 steps) and colours every start by the minimum its run ends near. White means it settled
nowhere in time; dark grey, that it diverged. The race's paths are drawn on top.

On Himmelblau at $$\eta$$ = [[basin_rate]] ([[basin_steps]] steps), SGD ends in the minimum nearest
to its start from [[sgd_near]] of the starts. Momentum does so from only [[momentum_near]]: its
velocity carries the ball past the nearest valley into another. Adam, [[adam_near]]: its steps are
about $$\eta$$ long whatever the slope, so in [[basin_steps]] steps a ball covers at most about
[[adam_reach]] per coordinate, and the farthest starts ([[adam_nowhere]]) have not arrived anywhere yet.
Raise the shared rate and watch the white area shrink (the basins use at most 300 steps).
"""

TEXT_LIMITS = r"""
## What a 2-D race can and cannot tell

A race on a map shows *mechanisms*: how momentum overshoots, how a per-coordinate rate
straightens a ravine, why a sign-based step never settles, how a saddle holds a gradient. Those
carry over to real networks.

Rankings do not. A network has millions of coordinates, a loss that is an average over data,
noise that depends on the batch, and curvature that changes as it trains. LAMB and AdaFactor
scale their steps by the size of the weights, which in two dimensions near the origin is
nearly nothing; Sophia's diagonal curvature is exact here and only estimated in practice. And
the best rate on a toy says nothing about the best rate for your model. Use the arena to
understand why each method behaves as it does, then tune on the real problem.
"""


def quiz() -> Quiz:
    return Quiz(
        "In the arena, Adam beats SGD on the ravine at the shared rate. What can you conclude?",
        [
            Choice("Only that Adam arrives sooner at that rate, from that start, in that many steps", True,
                   "Right: a race compares methods under its stated conditions. Set *Each at its best rate* and "
                   "the order on the ravine changes again; change the landscape and the winner changes too."),
            Choice("Adam is the better optimizer for training networks", False,
                   "A 2-D race shows mechanisms, not rankings for real models: those have millions of weights, "
                   "batch noise and curvature that changes during training."),
            Choice("SGD would win at its own best rate", False,
                   "Not necessarily, and the arena can check: switch to *Each at its best rate* and read the "
                   "leaderboard. Claims about tuned rates need the sweep, not a guess."),
            Choice("The shared rate favours SGD", False,
                   "A shared rate favours whichever methods it happens to suit; on the ravine SGD has the narrowest "
                   "window of working rates, so a shared rate is more often wrong for SGD than for Adam."),
        ],
        name="quiz8",
    )


def lessons() -> dict[str, Lesson]:
    return {"arena": Lesson("arena", Arena(), LINK, player=Player())}


def _landscape_options() -> dict[str, str]:
    titles = {name: landscapes.get(name).title for name in landscapes.names()}
    return {("Type your own" if name == "typed" else titles[name]): name for name in Arena.param.landscape.objects}


class FormulaBox:
    """The typed landscape's box: a formula is used only if it reads; otherwise its message
    shows under the box and nothing else changes."""

    def __init__(self, arena: Arena):
        self.arena = arena
        self.input = pn.widgets.TextInput(value=arena.formula, name="Your landscape f(x, y)", max_length=400,
                                          sizing_mode="stretch_width", css_classes=["formula-box"])
        self.button = pn.widgets.Button(name="Use this landscape", button_type="primary", width=160)
        self.message = pn.pane.HTML("", visible=False, name="formula-message", sizing_mode="stretch_width",
                                    styles={"color": "#8a1c12"})
        self.input.param.watch(lambda _: self.use(), "value")
        self.button.on_click(lambda _: self.use())
        arena.param.watch(lambda event: setattr(self.input, "value", event.new), "formula")
        arena.param.watch(lambda event: self.show(event.new), "problem")

    def use(self):
        self.show(self.arena.try_formula(self.input.value))

    def show(self, problem: str):
        self.message.object = html.escape(problem)
        self.message.visible = bool(problem)

    def layout(self):
        hint = pn.pane.HTML("Numbers, x, y, pi, e, + − * / and ** (a plain number as the power), "
                            "sin cos tan exp log sqrt abs tanh sinh cosh. Example: x**2 + 3*sin(y)**2",
                            styles={"font-size": "12px", "color": "#555"}, sizing_mode="stretch_width")
        return pn.Column(pn.Row(self.input, self.button, sizing_mode="stretch_width"), self.message, hint,
                         sizing_mode="stretch_width")


def _controls(arena: Arena, formula: FormulaBox) -> pn.Column:
    eta = CustomJSTickFormatter(code=ETA_LABEL)
    boxes = pn.widgets.CheckBoxGroup.from_param(arena.param.optimizers, inline=True,
                                                options={get_spec(n).title: n for n in names()},
                                                sizing_mode="stretch_width", css_classes=["optimizer-boxes"],
                                                stylesheets=[".bk-input-group { flex-wrap: wrap; gap: 2px 10px; }"])
    every = pn.widgets.Button(name="All fifteen", width=110)
    every.on_click(lambda _: setattr(arena, "optimizers", names()))
    clear = pn.widgets.Button(name="None", width=70)
    clear.on_click(lambda _: setattr(arena, "optimizers", []))
    typed = pn.Column(formula.layout(), FloatSlider.from_param(arena.param.span, width=260),
                      visible=arena.landscape == "typed", sizing_mode="stretch_width")
    arena.param.watch(lambda event: setattr(typed, "visible", event.new == "typed"), "landscape")
    give = pn.widgets.Button(name="Give it this rate", width=140)
    give.on_click(lambda _: arena.give_own_rate())
    follow = pn.widgets.Button(name="Let it follow the mode", width=170)
    follow.on_click(lambda _: arena.give_own_rate(follow_mode=True))
    own = pn.pane.HTML("", sizing_mode="stretch_width", name="own-rates")

    def show_own(*_):
        own.object = html.escape(f"Own rates: {arena.own_rates.replace(',', ', ')}" if arena.own_rates else
                                 "No optimizer has a rate of its own: each follows the mode.")

    arena.param.watch(show_own, "own_rates")
    show_own()
    own_rates = pn.FlexBox(
        pn.widgets.Select.from_param(arena.param.own_name, options={get_spec(n).title: n for n in names()},
                                     width=150),
        FloatSlider.from_param(arena.param.own_log_lr, format=CustomJSTickFormatter(code=ETA_LABEL), width=240),
        give, follow, own)
    return pn.Column(
        pn.FlexBox(pn.widgets.Select.from_param(arena.param.landscape, options=_landscape_options(), width=200),
                   pn.widgets.RadioBoxGroup.from_param(arena.param.mode, options={v: k for k, v in MODES.items()},
                                                       inline=False, css_classes=["rate-modes"]),
                   copy_link_button("arena")),
        typed,
        pn.pane.HTML("<b>Optimizers</b>", margin=(0, 10)),
        pn.FlexBox(boxes, every, clear),
        pn.FlexBox(
            FloatSlider.from_param(arena.param.log_lr, format=eta, width=260),
            IntSlider.from_param(arena.param.steps, step=10, width=240),
            pn.widgets.Select.from_param(arena.param.tolerance, width=200),
            FloatSlider.from_param(arena.param.noise, width=220),
            pn.widgets.IntInput.from_param(arena.param.seed, width=110),
            pn.widgets.Select.from_param(arena.param.schedule, width=150),
            FloatSlider.from_param(arena.param.warmup, step=0.05, width=200),
            pn.widgets.Select.from_param(arena.param.sort_by, width=190),
        ),
        pn.pane.HTML("<b>A rate of its own</b> for one optimizer, whatever the mode:", margin=(0, 10)),
        own_rates,
        sizing_mode="stretch_width", name="arena-controls",
    )


def _presets() -> pn.pane.HTML:
    links = " ".join(f"<a class='preset' href='{html.escape(href)}'>{html.escape(title)}</a>"
                     for title, href in preset_links().items())
    style = ("<style>a.preset{display:inline-block;margin:3px 4px;padding:4px 10px;border:1px solid #0072B2;"
             "border-radius:14px;color:#0072B2;text-decoration:none;font-size:13px}"
             "a.preset:hover{background:#0072B2;color:white}</style>")
    return pn.pane.HTML(style + links, sizing_mode="stretch_width", name="presets")


class BasinView:
    """A second map of the landscape with the basins of one optimizer and the race's paths."""

    def __init__(self, arena: Arena, race_view: RaceView):
        self.arena = arena
        self.map = MapView(arena.surface, title="Basins of attraction", name="basin-map", height=440)
        self.layer = BasinLayer(self.map.figure)
        self.map.draw_paths(race_view.groups[0], readout=False)
        self.map.on_tap(arena.set_start)
        self.summary = pn.pane.HTML("", sizing_mode="stretch_width", name="basin-summary")
        self.pane = pn.Column(pn.pane.Bokeh(self.map.figure, sizing_mode="stretch_width", min_width=280,
                                            max_width=500), visible=arena.show_basins, sizing_mode="stretch_width")
        arena.param.watch(lambda _: self.draw(), ["result", "show_basins", "basin_optimizer"])
        self.draw()

    def draw(self):
        with pn.io.hold():
            self._send()

    def _send(self):
        shown = self.arena.show_basins
        self.pane.visible = shown
        self.summary.visible = shown
        if not shown:
            return
        surface = self.arena.surface
        result = self.arena.basin_map()
        self.map.set_landscape(surface)
        self.layer.show(result)
        self.summary.object = basin_summary(result, surface.minima)

    def layout(self):
        options = {get_spec(n).title: n for n in names()}
        return pn.Column(
            pn.FlexBox(pn.widgets.Checkbox.from_param(self.arena.param.show_basins, css_classes=["show-basins"]),
                       pn.widgets.Select.from_param(self.arena.param.basin_optimizer, options=options, width=200)),
            self.summary, self.pane, sizing_mode="stretch_width", name="basins")


def _verdict(arena: Arena) -> pn.pane.HTML:
    def text():
        return f"<b>This race compares:</b> {html.escape(arena.compared())}"

    pane = pn.pane.HTML(text(), name="arena-verdict", sizing_mode="stretch_width",
                        styles={"background": "#eef5fb", "padding": "4px 10px", "border-radius": "6px"})
    arena.param.watch(lambda _: setattr(pane, "object", text()), "result")
    return pane


def page(lessons: dict[str, Lesson]):
    lesson = lessons["arena"]
    arena = lesson.model
    f = facts()
    race_view = RaceView(arena, "arena", player=lesson.player, readout=False, map_height=460,
                         titles=["The race (click to set the start)"])
    formula = FormulaBox(arena)
    board = Leaderboard(arena)
    sweep_chart = SweepChart(arena)
    sweep_section = pn.Column(
        pn.FlexBox(pn.widgets.Checkbox.from_param(arena.param.show_sweep, css_classes=["show-sweep"]),
                   pn.widgets.RadioBoxGroup.from_param(arena.param.sweep_metric,
                                                       options={v: k for k, v in SWEEP_METRICS.items()}, inline=True)),
        pn.Column(pn.pane.Bokeh(sweep_chart.figure, sizing_mode="stretch_width", min_width=280, max_width=700),
                  visible=arena.sweeps is not None, sizing_mode="stretch_width", name="sweep-pane"),
        sizing_mode="stretch_width")
    sweep_pane = sweep_section[1]  # a Column: Panel cannot toggle a Bokeh pane's own visibility
    arena.param.watch(lambda event: setattr(sweep_pane, "visible", event.new is not None), "sweeps")
    basin_view = BasinView(arena, race_view)
    return pn.Column(
        prose(TEXT_INTRO),
        _presets(),
        _controls(arena, formula),
        _verdict(arena),
        race_view.layout(),
        pn.pane.HTML("<b>Leaderboard</b> (click a column's title to sort by it)", sizing_mode="stretch_width"),
        board.table,
        prose(fill(TEXT_MODES, f)),
        prose(fill(TEXT_SWEEP, f)),
        sweep_section,
        prose(fill(TEXT_SADDLE, f)),
        prose(fill(TEXT_BASINS, f)),
        basin_view.layout(),
        prose(TEXT_LIMITS),
        quiz(),
        sizing_mode="stretch_width", name="chapter-8",
    )


CHAPTER = Chapter(8, lessons, page)
