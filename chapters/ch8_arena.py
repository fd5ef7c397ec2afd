"""Chapter 8: the Optimizer Arena. Every optimizer on any landscape, compared fairly."""

import functools
import html
import math
import urllib.parse

import numpy as np
import panel as pn

import landscapes
from lessons import Link, Player
from lessons.arena import (
    BASIN_GRID,
    BASIN_STEPS,
    DIP,
    HOLD,
    MODES,
    RESTING,
    RESTING_STEPS,
    SETTLED,
    SWEEP_METRICS,
    SWEEP_RATES,
    TOLERANCES,
    Arena,
    basins,
    first_sweep,
    own_rate_table,
)
from lessons.numbers import number
from lessons.own_settings import MAX_TEXT, adjustable, defaults_text, settings_text
from optimizers import get_spec, in_chapter, names, run
from optimizers.schedules import SCHEDULE_TITLES, SCHEDULES
from widgets.arena_views import BasinLayer, Leaderboard, SweepChart, basin_summary
from widgets.controls import FloatSlider, IntSlider, check_box, landscape_options, log_rate_slider, optimizer_options
from widgets.deferred import Deferred, OnRequest, Unbuilt
from widgets.inputs import whole_number_box
from widgets.links import copy_link_button
from widgets.map_view import MapView
from widgets.quiz import Choice, Quiz
from widgets.race_view import RaceView, verdict_pane
from widgets.sizing import plots_row
from widgets.text import Reading, fill, prose

from .base import Chapter, Lesson

LINK = ("landscape", "formula", "span", "optimizers", "log_lr", "mode", "own_rates", "own_settings", "own_name",
        "own_log_lr", "steps",
        "tolerance", "noise", "seed", "schedule", "warmup", "start", "sort_by", "show_sweep", "sweep_metric",
        "show_basins", "basin_optimizer")
SADDLE_RATE = 0.05
SADDLE_OFFSET = 1e-6
RIDGE = 0.5
"""A path has left the saddle's ridge once |y| passes this (the valleys are at y = ±1)."""
BASIN_TRIO = ("sgd", "momentum", "adam")
BASIN_RATE = 0.01
RASTRIGIN_RATE = 0.01
"""The Rastrigin preset's shared rate, at which Adam rests in a dip and SGD and momentum rest nowhere."""
ROLLING_LOG_LR = -2.1
"""A rate on the shared slider (log₁₀ η) at which momentum still rests on Rastrigin (below
2(1 + β)/c) after rolling past dips."""
QUIZ_LOG_LR = -1.0
"""The quiz's shared rate (log₁₀ η), one at which Adam arrives on the ravine before SGD."""

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
                                "log_lr": math.log10(RASTRIGIN_RATE), "show_basins": True, "basin_optimizer": "adam"},
    "Himmelblau's four basins": {"landscape": "himmelblau", "optimizers": list(BASIN_TRIO), "log_lr": -2.0,
                                 "show_basins": True, "basin_optimizer": "adam", "steps": 300},
    "Beyond Adam, each at its best rate": {"landscape": "ravine", "mode": "tuned",
                                           "optimizers": ["adam", *in_chapter(6)]},
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


def _winner(arena: Arena):
    """The leaderboard's first row if it arrived, else None."""
    arrived = [row for row in arena.standings() if row.steps_to_tolerance is not None]
    return min(arrived, key=lambda row: row.steps_to_tolerance) if arrived else None


def _left_ridge(path) -> int | None:
    away = np.flatnonzero(np.abs(path[:, 1]) > RIDGE)
    return int(away[0]) if away.size else None


def closest_approach(optimizer: str, landscape: str = "rosenbrock",
                     steps: int = Arena.param.steps.default) -> np.ndarray:
    """For each of the sweep's rates, how near `optimizer`'s run (the arena's first settings, but
    for `steps`) comes to the landscape's first minimum; NaN where it diverges at once."""
    surface = landscapes.get(landscape)
    starts = np.repeat(np.array([surface.start], dtype=float), len(SWEEP_RATES), axis=0)
    path = run(optimizer, surface.grad, starts, steps, lr=SWEEP_RATES, record="params",
               bound=surface.escape_bound).params
    with np.errstate(invalid="ignore"):
        return np.nanmin(np.linalg.norm(path - np.array(surface.minima[0]), axis=-1), axis=0)


def _arrivals(counts: dict) -> str:
    """How many of the sweep's rates LAMB and AdaFactor arrive at, as the prose says it."""
    if not any(counts.values()):
        return f"neither arrives at any of the sweep's {len(SWEEP_RATES)} rates"
    return (f"they arrive at {counts['lamb']} (LAMB) and {counts['adafactor']} (AdaFactor) of the sweep's "
            f"{len(SWEEP_RATES)} rates")


def rastrigin_walls(dips) -> np.ndarray:
    """The curvature of Rastrigin's walls at each of its minima on the map: the marked lowest
    one and the `others` of a basin map that rests in every dip (both axes alike)."""
    rastrigin = landscapes.get("rastrigin")
    return rastrigin.hess_diag(np.vstack([rastrigin.minima, dips.others_on_map]))[:, 0]


def _limits(values: np.ndarray) -> str:
    low, high = f"{values.min():.2g}", f"{values.max():.2g}"
    return low if low == high else f"{low} to {high}"


@functools.cache
def facts() -> dict:
    """Figures the prose and the quiz quote, measured with the arena's model (the same for every
    visitor)."""
    everyone = names()
    winners = {land: _winner(Arena(landscape=land, optimizers=everyone)).title
               for land in ("ravine", "himmelblau", "ellipse", "beale")}
    ravine = Arena(landscape="ravine", optimizers=everyone)
    sweeps = {name: first_sweep(name) for name in everyone}
    top = [get_spec(name).title for name, result in sweeps.items() if np.isfinite(result.steps_to_tolerance[-1])]
    tuned = {row.optimizer: row for row in Arena(landscape="ravine", optimizers=everyone, mode="tuned").standings()}
    tuned_winner = min((row for row in tuned.values() if row.steps_to_tolerance is not None),
                       key=lambda row: row.steps_to_tolerance)
    adam_lr = get_spec("adam").defaults["lr"]
    ridge = Arena(**PRESETS["Saddle: the exact ridge"])
    offset = Arena(**PRESETS["Saddle: a tiny offset"])
    left = {lane.entry.optimizer: _left_ridge(lane.path) for lane in offset.result.lanes}
    rmsprop = next(lane for lane in offset.result.lanes if lane.entry.optimizer == "rmsprop")
    him = Arena(**PRESETS["Himmelblau's four basins"])
    near = {name: basins(name, him.surface, BASIN_RATE, him.steps).stayed_near(him.surface.minima)
            for name in BASIN_TRIO}
    adam_basins = basins("adam", him.surface, BASIN_RATE, him.steps)
    nowhere = adam_basins.label == -1
    edge = np.abs(np.stack(np.meshgrid(adam_basins.xs, adam_basins.ys), axis=-1)[..., 1]) >= him.surface.y_range[1] - 1
    faster = 2 * BASIN_RATE
    rastrigin = landscapes.get("rastrigin")
    beta = get_spec("momentum").defaults["momentum"]
    dips = basins("adam", rastrigin, RASTRIGIN_RATE)
    walls = rastrigin_walls(dips)
    rolling = basins("momentum", rastrigin, 10**ROLLING_LOG_LR)
    flung = basins("momentum", rastrigin, RASTRIGIN_RATE)
    on_rosenbrock = {name: first_sweep(name, "rosenbrock").arrivals for name in ("lamb", "adafactor")}
    lamb_near = closest_approach("lamb")
    most_steps = Arena.param.steps.bounds[1]
    on_rosenbrock_long = {name: first_sweep(name, "rosenbrock", most_steps).arrivals for name in ("lamb", "adafactor")}
    quiz_race = {row.optimizer: row.steps_to_tolerance
                 for row in Arena(landscape="ravine", optimizers=["sgd", "adam"], log_lr=QUIZ_LOG_LR).standings()}
    divergers = [get_spec(name).title for name, result in sweeps.items() if np.any(result.diverged_at >= 0)]
    return {
        "steps": ravine.steps, "tolerance": f"{ravine.tolerance:g}", "shared": f"{ravine.shared_rate:g}",
        "win_ravine": winners["ravine"], "win_himmelblau": winners["himmelblau"], "win_ellipse": winners["ellipse"],
        "win_beale": winners["beale"],
        "sgd_arrivals": sweeps["sgd"].arrivals, "adam_arrivals": sweeps["adam"].arrivals,
        "lion_arrivals": f"{sweeps['lion'].arrivals or 'none'} of the {len(SWEEP_RATES)}",
        "rate_count": len(SWEEP_RATES), "grid_low": number(SWEEP_RATES[0]),
        "rate_gap": f"{np.log10(SWEEP_RATES[1] / SWEEP_RATES[0]):.2g}",
        "hold": HOLD, "basin_starts": f"{BASIN_GRID**2:,}", "basin_grid": BASIN_GRID, "basin_most": BASIN_STEPS,
        "resting_steps": RESTING_STEPS, "resting": f"{RESTING:.1%}", "settled": f"{SETTLED:.0%}", "dip": f"{DIP:.0%}",
        "grid_top": f"{SWEEP_RATES[-1]:g}", "divergers": ", ".join(divergers),
        "lamb_ravine": tuned["lamb"].steps_to_tolerance, "adafactor_ravine": tuned["adafactor"].steps_to_tolerance,
        "relative_rosenbrock": _arrivals(on_rosenbrock), "relative_long": _arrivals(on_rosenbrock_long),
        "lamb_reaches": f"{SWEEP_RATES[np.flatnonzero(lamb_near < 0.5)[0]]:.2g}",
        "adafactor_closest": f"{np.nanmin(closest_approach('adafactor')):.2g}", "most_steps": most_steps,
        "adafactor_long": f"{np.nanmin(closest_approach('adafactor', steps=most_steps)):.2g}",
        "lamb_long": f"{np.nanmin(closest_approach('lamb', steps=most_steps)):.2g}",
        "quiz_rate": f"{10**QUIZ_LOG_LR:g}", "quiz_adam": quiz_race["adam"], "quiz_sgd": quiz_race["sgd"],
        "top": ", ".join(top),
        "adam_tuned": tuned["adam"].steps_to_tolerance, "sgd_tuned": tuned["sgd"].steps_to_tolerance,
        "tuned_winner": tuned_winner.title, "tuned_winner_rate": f"{tuned_winner.rate:.3g}",
        "adam_default": f"{adam_lr:g}", "adam_travel": f"{ravine.steps * adam_lr:g}",
        "start_x": f"{abs(ravine.start[0]):g}",
        "ridge_stuck": sum(lane.steps_to_tolerance is None for lane in ridge.result.lanes),
        "count": len(everyone), "saddle_rate": f"{SADDLE_RATE:g}", "offset": f"{SADDLE_OFFSET:g}",
        "rms_left": left["rmsprop"], "adam_left": left["adam"], "sgd_left": left["sgd"],
        "rms_first": f"{abs(rmsprop.path[1, 1] - rmsprop.path[0, 1]) / SADDLE_RATE:.2g}",
        "basin_rate": f"{BASIN_RATE:g}", "basin_steps": him.steps,
        "sgd_near": f"{near['sgd']:.0%}", "momentum_near": f"{near['momentum']:.0%}",
        "adam_near": f"{near['adam']:.0%}", "adam_nowhere": f"{nowhere.mean():.0%}",
        "nowhere_edge": f"{(nowhere & edge).sum() / max(nowhere.sum(), 1):.0%}",
        "faster": f"{faster:g}",
        "adam_nowhere_faster": f"{basins('adam', him.surface, faster, him.steps).shares()[-2]:.0%}",
        "sgd_nowhere_faster": f"{basins('sgd', him.surface, faster, him.steps).shares()[-2]:.0%}",
        "rastrigin_rate": f"{RASTRIGIN_RATE:g}", "rastrigin_dips": len(walls),
        "walls_low": f"{walls.min():.0f}", "walls_high": f"{walls.max():.0f}",
        "sgd_limit": _limits(2 / walls), "momentum_limit": _limits(2 * (1 + beta) / walls), "beta": f"{beta:g}",
        "momentum_flung": f"{flung.shares()[-3]:.1%}",
        "adam_rastrigin_near": f"{dips.stayed_near(rastrigin.minima):.0%}",
        "rolling_rate": f"{10**ROLLING_LOG_LR:.2g}", "rolling_moved": f"{rolling.moved_on(rastrigin.minima):.0%}",
        "rolling_lowest": f"{rolling.shares()[0]:.1%}", "rolling_nowhere": f"{rolling.shares()[-2]:.0%}",
        "lowest_own": f"{np.mean(dips.nearest_minimum(rastrigin.minima) == 0):.1%}",
    }


TEXT_INTRO = r"""
# Chapter 8 · The Optimizer Arena

Every optimizer of the course, on the same landscape, from the same start, with the same
number of steps. Tick the ones you want (all of them at once is fine), pick a landscape or type
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
  a rate is not a neutral unit. Lion moves each coordinate whose momentum blend is not zero by
  exactly $$\eta$$ per step (before weight decay), SGD by
  $$\eta$$ times the gradient, so the same number means very different steps.
- **Registry defaults.** Each method at the rate PyTorch (or its paper) ships with. On the
  ravine at the defaults nobody arrives within [[steps]] steps (tolerance [[tolerance]]). Adam moves each coordinate by
  about $$\eta$$ per step, so [[steps]] steps at its default [[adam_default]] cover about
  [[adam_travel]] of the [[start_x]] units between the start and the minimum. That default suits
  network weights of size 0.01 to 1, not a map [[start_x]] units wide.
- **Each at its best rate.** The arena runs every ticked optimizer over [[rate_count]] rates from [[grid_low]]
  to [[grid_top]] (one run of the core per optimizer: the rates are an array, one per copy of the
  start) and races each at the rate that arrives soonest. This is a fairer comparison, not a
  perfect one: the best rate is chosen on this very start and these very noise draws, and only
  the rate is tuned (momentum, betas and weight decay keep their defaults, or the settings you
  gave the method). The line under the controls says so whenever it applies.

You can also give any one optimizer **settings of its own**, whatever the mode: a rate of its
own, and in the box under it anything else the method takes, such as `momentum=0.5` for
Momentum or `betas=0.5/0.9` for Adam. The box shows the method's defaults, and a value it
cannot take is answered under the box without changing the race. Try Momentum's momentum at
0.5 and at 0.99 on the ravine and watch its lane on the leaderboard.

**No optimizer wins everywhere.** At the shared rate [[shared]] and [[steps]] steps, with every
optimizer ticked, the first to arrive is [[win_ravine]] on the ravine, [[win_himmelblau]] on
Himmelblau, [[win_ellipse]] on the ellipse and [[win_beale]] on Beale. Move the shared rate
across 0.001 to 0.3 and the winner changes several times on each of these landscapes.

A run has **arrived** when its loss is within the tolerance of the minimum and stays there to
the end, for at least the last [[hold]] steps, and it ends on the map. A zig-zag that touches the
tolerance on its last step has not arrived.
"""

TEXT_SWEEP = r"""
## The learning-rate sweep

Each line is one optimizer: how many steps it needs to arrive, at each of the [[rate_count]] rates ([[rate_gap]] decades
apart). Where a line stops, that method stops arriving: on the left its steps are too small to get
there in time; on the right it either diverges (on the ravine: [[divergers]]) or its steps stay
too coarse to settle within the tolerance.

The number of rates at which a method arrives is what tuning it costs. On the ravine ([[steps]]
steps, tolerance [[tolerance]]) plain SGD arrives at only [[sgd_arrivals]] of the [[rate_count]] rates: its rate
must stay under the walls' limit $$2/c$$ (c = 10 on the walls, so 0.2) and still be large enough to
cross the flat floor in time. Adam arrives at [[adam_arrivals]]. Some methods ([[top]]) still arrive
at the grid's largest rate, [[grid_top]], so their windows are cut off there, not closed.

On the ravine, from its first start, at budgets of 100, 300, 500, 1000 and 2000 steps and every
tolerance, each method arrives at no fewer rates than SGD, with three exceptions. Lion moves each
coordinate that moves at all by exactly $$\eta$$ (before weight decay), so it settles only in a
narrow band of rates, if at all (here, at [[steps]] steps and tolerance [[tolerance]], it arrives at
[[lion_arrivals]] rates).
RMSProp, in long runs with tight tolerances, keeps steps about $$\eta$$ long near the minimum, so
only small rates settle. Sophia, once: at 300 steps and a tolerance of 0.001 it arrives at no rate,
while SGD arrives at one. Tick only SGD and Adam, set *Each at its best rate*, and compare
their lines.
"""

TEXT_SADDLE = r"""
## The saddle: a ridge that holds every method

The saddle preset starts at $$(1.8, 0)$$, exactly on the ridge $$y = 0$$. There the gradient
has no $$y$$ part at all, so no method can ever leave it: at their own default settings all
[[ridge_stuck]] of [[count]] stay on the ridge and none arrives. This is not a weakness of any
one optimizer. It is what a gradient cannot tell you.

Move the start by [[offset]] (the *tiny offset* preset) and they all escape, at very different
speeds. At $$\eta$$ = [[saddle_rate]], RMSProp leaves the ridge (gets more than 0.5 from
$$y = 0$$) after [[rms_left]] steps and Adam after [[adam_left]], while plain SGD needs
[[sgd_left]]. Adam divides by the size of the tiny $$y$$ gradient, so its steps off the ridge are
about $$\eta$$ long from the start; SGD's are as tiny as the gradient. RMSProp is faster still
because it has no bias correction: its first average of $$g^2$$ is only 1% of $$g^2$$, so its
first step is $$10\eta\,|g|/(|g| + 10\epsilon)$$, up to 10 times $$\eta$$: [[rms_first]] times
here, where the gradient is so tiny that $$\epsilon$$ counts.

Gradient noise of σ = 0.1 (the *noise* preset) frees them too, from the exact ridge: in real
training, mini-batch noise is one reason exact saddles are rarely a trap. Much stronger noise
is another story: at σ = 1 and $$\eta$$ = 0.01, AdaGrad, whose denominator fills up with noise,
is still on the ridge after 2000 steps.
"""

TEXT_BASINS = r"""
## Basins of attraction

Which minimum a method ends in depends on where it starts. Tick *Show basins*: the arena runs the
chosen optimizer from each of [[basin_starts]] starts on a [[basin_grid]] × [[basin_grid]] grid and
colours every start by the minimum where its run comes to rest. A run rests when its last
[[resting_steps]] steps all stay within [[resting]] of the map's width of where it ends; a run that
still swings back and forth by less than that counts as resting too.

The landscape's own minima (★) have a colour each, and a run that rests within [[settled]] of the
width of one ends there. (On a typed landscape the ★ is the lowest point found on the map, which can
lie on its edge.) A run that rests anywhere else is at a minimum the landscape does not mark if the
middle of its last [[resting_steps]] steps is a dip: no point around it, out to [[dip]] of the map's
width, is lower, and some are higher. A run still crawling down a slope, however slowly, is at no
minimum, and nor is a run stopped on a flat plateau. Runs at dips within about [[dip]] of the width
of each other share one minimum, drawn as a small ○, in soft tints; areas that touch get different
tints wherever six tints allow.

White means the run rests at no minimum: it is still travelling, or it bounces. Dark grey means it
diverged. The race's paths are drawn on top. The basins use exact gradients, a constant rate (the
race's schedule is ignored) and at most [[basin_most]] steps; the rate is the one the optimizer has
in the race (if it is not ticked: the shared rate, or its default).

On Himmelblau at $$\eta$$ = [[basin_rate]] ([[basin_steps]] steps), SGD ends in the minimum
nearest to its start from [[sgd_near]] of the starts. Momentum does so from only
[[momentum_near]]: its velocity carries the ball past the nearest valley into another. Adam,
[[adam_near]]: its steps are about $$\eta$$ long whatever the slope, so after [[basin_steps]] steps
[[adam_nowhere]] of the starts are not yet resting at any minimum ([[nowhere_edge]] of those
started within 1 of the map's top or bottom edge).

A larger rate is no cure-all. At $$\eta$$ = [[faster]], Adam's white area is
[[adam_nowhere_faster]]; SGD's grows to [[sgd_nowhere_faster]], because that rate is above
$$2/c$$ for the steepest direction at two of the four minima, so SGD cannot come to rest there:
it bounces around them, or leaves.

Rastrigin (the *many minima* preset) is a grid of dips: [[rastrigin_dips]] of them on the map,
the marked lowest one included. Their walls curve by $$c$$ ≈ [[walls_low]] to [[walls_high]], so
plain SGD can rest in a dip only at rates below $$2/c$$ ≈ [[sgd_limit]], and momentum only below
$$2(1+\beta)/c$$ ≈ [[momentum_limit]] (β = [[beta]]). At the preset's $$\eta$$ = [[rastrigin_rate]],
SGD rests nowhere and momentum in no dip on the map ([[momentum_flung]] of its runs are flung off
the map and end in flatter dips out there, where some still swing back and forth, too little for
the rest test to notice). Adam does rest: from [[adam_rastrigin_near]] of the starts, in the dip
nearest to where it started.

Momentum at $$\eta$$ = [[rolling_rate]] is the method that travels. From [[rolling_moved]] of the
starts it rolls past the nearest dip and rests in another, and [[rolling_nowhere]] are still
rolling after 300 steps. Only [[rolling_lowest]] come to rest in the lowest dip, which is the
nearest one for [[lowest_own]] of the starts: rolling past dips is not a search for the lowest.
Pick *Momentum* under *Basins of*, set the shared rate to [[rolling_rate]], and watch the colours
leave their squares.
"""

TEXT_LIMITS = r"""
## What a 2-D race can and cannot tell

A race on a map shows *mechanisms*: how momentum overshoots, how a per-coordinate rate
straightens a ravine, why a sign-based step never settles, how a saddle holds a gradient. Those
carry over to real networks.

Rankings do not. A network has millions of coordinates, a loss that is an average over data, noise
that depends on the batch, and curvature that changes as it trains. LAMB and AdaFactor size their
steps by the size of the weights, which on a map is the distance from the origin. That flatters
them where the minimum is the origin: their steps shrink as they close in, a built-in decay (each
at its best rate on the ravine, LAMB arrives in [[lamb_ravine]] steps and AdaFactor in
[[adafactor_ravine]], Adam in [[adam_tuned]]). Rosenbrock's valley runs through the origin. In
the arena's first [[steps]] steps AdaFactor crawls there and comes no nearer than
[[adafactor_closest]] to the minimum at (1, 1), and LAMB stays more than 1 away at the sweep's
rates below [[lamb_reaches]]. From there up to the rates where it diverges, LAMB comes within 0.5
of (1, 1), but its steps stay too large there to settle: [[relative_rosenbrock]]. Give them the
slider's [[most_steps]] steps and both climb the valley, AdaFactor to within [[adafactor_long]]
of the minimum and LAMB to within [[lamb_long]], yet at the tolerance [[tolerance]]
[[relative_long]]. Sophia's diagonal curvature is exact here and only estimated in practice.
And the best rate on a toy says nothing about the best rate for your model. Use the arena to
understand why each method behaves as it does, then tune on the real problem.
"""


def quiz() -> Quiz:
    f = facts()
    return Quiz(
        f"In the arena, Adam beats SGD on the ravine at a shared rate of {f['quiz_rate']} ({f['quiz_adam']} "
        f"steps against {f['quiz_sgd']}). What can you conclude?",
        [
            Choice("Only that Adam arrives sooner at that rate, from that start, in that many steps", True,
                   f"A race compares methods under its stated conditions. Here Adam stays ahead even with each "
                   f"at its best rate ({f['adam_tuned']} steps against SGD's {f['sgd_tuned']}), yet neither wins: "
                   f"{f['tuned_winner']} does, at η = {f['tuned_winner_rate']}. Change the landscape and the winner "
                   f"changes again."),
            Choice("Adam is the better optimizer for training networks", False,
                   "A 2-D race shows mechanisms, not rankings for real models: those have millions of weights, "
                   "batch noise and curvature that changes during training."),
            Choice("SGD would win at its own best rate", False,
                   f"Not here: with each at its best rate SGD needs {f['sgd_tuned']} steps on the ravine and Adam "
                   f"{f['adam_tuned']}. The mode *Each at its best rate* shows it; claims about tuned rates need "
                   f"the sweep, not a guess."),
            Choice("The shared rate favours SGD", False,
                   f"A shared rate favours whichever methods it happens to suit. On the ravine SGD arrives at only "
                   f"{f['sgd_arrivals']} of the {f['rate_count']} rates of the sweep and Adam at "
                   f"{f['adam_arrivals']}, so a rate picked at random is far more often wrong for SGD."),
        ],
        name="quiz8",
    )


def lessons() -> dict[str, Lesson]:
    return {"arena": Lesson("arena", Arena(), LINK, player=Player())}


SORT_OPTIONS = {"steps to tolerance": "steps", "final loss − minimum": "final", "name": "name"}
"""The leaderboard's orders, named by the column each sorts on."""


def _landscape_options() -> dict[str, str]:
    drawn = [name for name in Arena.param.landscape.objects if name != "typed"]
    return {**landscape_options(drawn), "Type your own": "typed"}


class FormulaBox:
    """The typed landscape's box: a formula is used only if it reads; otherwise its message
    shows under the box and nothing else changes."""

    def __init__(self, arena: Arena):
        self.arena = arena
        self.input = pn.widgets.TextInput(value=arena.formula, label="Your landscape f(x, y)", max_length=400,
                                          sizing_mode="stretch_width", css_classes=["formula-box"])
        self.button = pn.widgets.Button(label="Use this landscape", color="primary", width=160)
        self.message = pn.pane.HTML("", visible=False, name="formula-message", sizing_mode="stretch_width",
                                    styles={"color": "#8a1c12"})
        self.input.param.watch(lambda *_: self.use(), "value")
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
    boxes = pn.widgets.CheckBoxGroup.from_param(arena.param.optimizers, inline=True,
                                                options=optimizer_options(names()),
                                                sizing_mode="stretch_width", css_classes=["optimizer-boxes"],
                                                stylesheets=[".bk-input-group { flex-wrap: wrap; gap: 2px 10px; }"])
    every = pn.widgets.Button(label="All", width=70)
    every.on_click(lambda _: setattr(arena, "optimizers", names()))
    clear = pn.widgets.Button(label="None", width=70)
    clear.on_click(lambda _: setattr(arena, "optimizers", []))
    typed = Unbuilt(lambda: pn.Column(formula.layout(), FloatSlider.from_param(arena.param.span, width=260),
                                      sizing_mode="stretch_width"),
                    [pn.Spacer(width=0, height=0)])

    def show_typed(*_):  # drawn the first time a typed landscape is chosen
        shown = arena.landscape == "typed"
        if shown:
            typed.draw()
        typed.visible = shown

    arena.param.watch(show_typed, "landscape")
    show_typed()
    shared = log_rate_slider(arena.param.log_lr, width=260)
    unused = pn.pane.HTML("<i>The shared rate is used only when everyone races at it (the first choice "
                          "above).</i>", width=260, margin=(0, 10), css_classes=["shared-unused"])

    def follow_mode(*_):  # the other modes give each optimizer its own rate: the slider would do nothing
        shared.disabled = unused.visible = arena.mode != "shared"

    arena.param.watch(follow_mode, "mode")
    follow_mode()
    return pn.Column(
        pn.FlexBox(pn.widgets.Select.from_param(arena.param.landscape, options=_landscape_options(), width=200),
                   pn.widgets.RadioBoxGroup.from_param(arena.param.mode, options={v: k for k, v in MODES.items()},
                                                       inline=False, css_classes=["rate-modes"]),
                   copy_link_button("arena")),
        typed,
        pn.pane.HTML("<b>Optimizers</b>", margin=(0, 10)),
        pn.FlexBox(boxes, every, clear),
        pn.FlexBox(
            pn.Column(shared, unused),
            IntSlider.from_param(arena.param.steps, step=10, width=240),
            pn.widgets.Select.from_param(arena.param.tolerance, options={number(t): t for t in TOLERANCES}, width=200),
            FloatSlider.from_param(arena.param.noise, width=220),
            whole_number_box(arena, "seed"),
            pn.widgets.Select.from_param(arena.param.schedule, options={SCHEDULE_TITLES[k]: k for k in SCHEDULES},
                                         width=190),
            FloatSlider.from_param(arena.param.warmup, step=0.05, width=200),
            pn.widgets.Select.from_param(arena.param.sort_by, options=SORT_OPTIONS, width=190),
        ),
        _own_section(arena),
        sizing_mode="stretch_width", name="arena-controls",
    )


OWN_CONTROLS = ("own_rates", "own_settings", "own_name", "own_log_lr")


def _own_section(arena: Arena) -> OnRequest:
    """One optimizer's own rate and settings, behind a button while they are all at their defaults
    (most races): a link that sets any of them opens with them shown."""
    section = OnRequest(lambda: pn.Column(
        pn.pane.HTML("<b>Settings of its own</b> for one optimizer, whatever the mode:", margin=(0, 10)),
        _own_rates(arena), _own_settings(arena), sizing_mode="stretch_width"),
        "Give one optimizer settings of its own…", name="own-section")
    if any(getattr(arena, name) != arena.param[name].default for name in OWN_CONTROLS):
        section.draw()
    return section


def _own_rates(arena: Arena) -> pn.FlexBox:
    """The picked optimizer's own rate: a slider, a button to give it, one to take it back."""
    give = pn.widgets.Button(label="Give it this rate", width=140)
    give.on_click(lambda _: arena.give_own_rate())
    follow = pn.widgets.Button(label="Let it follow the mode", width=170)
    follow.on_click(lambda _: arena.give_own_rate(follow_mode=True))
    own = Reading("", sizing_mode="stretch_width", name="own-rates")

    def show_own(*_):
        table = own_rate_table(arena.own_rates)
        own.object = html.escape(
            "Own rates: " + ", ".join(f"{get_spec(name).title} at {number(rate)}" for name, rate in table.items())
            if table else "No optimizer has a rate of its own: each follows the mode.")

    arena.param.watch(show_own, "own_rates")
    show_own()
    return pn.FlexBox(
        pn.widgets.Select.from_param(arena.param.own_name, options=optimizer_options(names()),
                                     width=150),
        log_rate_slider(arena.param.own_log_lr, width=240),
        give, follow, own)


def _own_settings(arena: Arena) -> pn.Column:
    """A box for the picked optimizer's settings other than its rate; a refusal is answered
    under it and changes nothing."""
    box = pn.widgets.TextInput(label="Its other settings, as name=value",
                               sizing_mode="stretch_width", max_length=MAX_TEXT, css_classes=["own-settings"])
    note = pn.pane.HTML("", sizing_mode="stretch_width", name="own-settings-note", styles={"font-size": "13px"})

    def as_typed(settings: str) -> str:
        """Settings as code, exactly as the box takes them (eps=1e-08, not a typeset 10⁻⁸)."""
        return f"<code>{html.escape(settings)}</code>"

    def show(*_):
        given = arena.settings_of(arena.own_name)
        box.value = settings_text(given)
        box.placeholder = defaults_text(arena.own_name)
        defaults = settings_text(adjustable(arena.own_name))
        note.styles = {"font-size": "13px", "color": "inherit"}
        note.object = (html.escape(f"{get_spec(arena.own_name).title}: ")
                       + (f"races with {as_typed(settings_text(given))}" if given else "races with its defaults")
                       + (f" (defaults: {as_typed(defaults)})." if defaults else " (no setting but its rate)."))

    def typed(event):
        if event.new == settings_text(arena.settings_of(arena.own_name)):
            return
        problem = arena.give_own_settings(event.new)
        if problem:
            note.styles = {"font-size": "13px", "color": "#8a1c12"}
            note.object = html.escape(f"Not used: {problem}.")
        else:
            show()  # the settings may be the ones already kept: no change event, but the note must clear

    box.param.watch(typed, "value")
    arena.param.watch(show, ["own_name", "own_settings"])
    show()
    return pn.Column(box, note, sizing_mode="stretch_width")


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
        self.map = MapView(arena.surface, title="Basins of attraction", name="basin-map",
                           legend=False)  # the race's paths: named by the race's legend
        self.layer = BasinLayer(self.map.figure)
        self.map.draw_paths(race_view.groups[0], readout=False)
        self.map.on_tap(arena.set_start)
        self.summary = Reading("", sizing_mode="stretch_width", name="basin-summary")
        # in the page only while shown: a hidden plot drawn from the race's sources would still take
        # every frame of playback, and relayout the whole page each time (its hidden axes never fit)
        self.plot = pn.pane.Bokeh(self.map.figure, sizing_mode="stretch_width", min_width=280, max_width=500)
        self.hidden = pn.Spacer(width=0, height=0)
        self.pane = pn.Column(self.plot if arena.show_basins else self.hidden, visible=arena.show_basins,
                              sizing_mode="stretch_width")
        arena.param.watch(lambda *_: self.draw(), ["result", "show_basins", "basin_optimizer"])
        self.draw()

    def draw(self):
        with pn.io.hold():
            self._send()

    def _send(self):
        shown = self.arena.show_basins
        self.pane.visible = shown
        self.summary.visible = shown
        if (self.pane.objects[0] is self.plot) != shown:
            self.pane.objects = [self.plot if shown else self.hidden]
        if not shown:
            return
        surface = self.arena.surface
        result = self.arena.basin_map()
        self.map.set_landscape(surface)
        self.layer.show(result)
        self.summary.object = basin_summary(result, surface.minima)

    def layout(self):
        options = optimizer_options(names())
        return pn.Column(
            pn.FlexBox(check_box(self.arena, "show_basins", css_class="show-basins"),
                       pn.widgets.Select.from_param(self.arena.param.basin_optimizer, options=options, width=200)),
            self.summary, self.pane, sizing_mode="stretch_width", name="basins")


def sweep_section(arena: Arena) -> pn.Column:
    chart = SweepChart(arena)
    # the chart sits in a Column: Panel cannot toggle a Bokeh pane's own visibility
    shown = pn.Column(plots_row(chart.figure, name="sweep-chart", max_width=700), chart.legend,
                      visible=arena.sweeps is not None, sizing_mode="stretch_width", name="sweep-pane")
    arena.param.watch(lambda event: setattr(shown, "visible", event.new is not None), "sweeps")
    return pn.Column(
        pn.FlexBox(check_box(arena, "show_sweep", css_class="show-sweep"),
                   pn.widgets.RadioBoxGroup.from_param(arena.param.sweep_metric,
                                                       options={v: k for k, v in SWEEP_METRICS.items()}, inline=True)),
        shown, sizing_mode="stretch_width")


def page(lessons: dict[str, Lesson]):
    lesson = lessons["arena"]
    arena = lesson.model
    f = facts()
    race_view = RaceView(arena, "arena", player=lesson.player, readout=False,
                         titles=["The race (click to set the start)"], text_legend=True)
    formula = FormulaBox(arena)
    board = Leaderboard(arena)
    return pn.Column(
        prose(TEXT_INTRO),
        _presets(),
        _controls(arena, formula),
        verdict_pane(arena, "arena-verdict",
                     styles={"background": "#eef5fb", "padding": "4px 10px", "border-radius": "6px"}),
        race_view.layout(),
        pn.pane.HTML("<b>Leaderboard</b> (click a column's title to sort by it; on a narrow screen, swipe it "
                     "sideways for every column). <i>First off the map at</i> is the step at which a path first "
                     "crossed the map's edge, even if it came back and arrived later. A final loss marked "
                     "<i>off the map</i> is where a path ended outside it: a typed landscape can fall below the "
                     "map's lowest point there, so the difference can be negative, and such rows rank below the "
                     "paths that ended on the map.", sizing_mode="stretch_width"),
        board.pane,
        prose(fill(TEXT_MODES, f)),
        prose(fill(TEXT_SWEEP, f)),
        Deferred(lambda: sweep_section(arena), "The learning-rate sweep", 120),
        prose(fill(TEXT_SADDLE, f)),
        prose(fill(TEXT_BASINS, f)),
        Deferred(lambda: BasinView(arena, race_view).layout(), "Basins of attraction", 120),
        prose(fill(TEXT_LIMITS, f)),
        quiz(),
        sizing_mode="stretch_width", name="chapter-8",
    )


CHAPTER = Chapter(8, lessons, page)
