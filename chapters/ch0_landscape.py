"""Chapter 0: the landscape problem. Gradient descent, and the three ways it fails."""

import functools
import math

import numpy as np
import panel as pn
import param

from landscapes import get
from lessons import Entry, Player, Race
from lessons.numbers import number
from lessons.wording import apart
from optimizers import run
from optimizers.sgd import sgd
from widgets.code_view import code_view
from widgets.controls import choice_slider, landscape_options
from widgets.links import copy_link_button
from widgets.quiz import Choice, Quiz
from widgets.race_view import RaceView
from widgets.readout import fmt
from widgets.text import fill, prose
from widgets.worked_table import EditableTable, Table, WorkedTable

from .base import Chapter, Lesson

LEARNING_RATES = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 0.7, 0.9, 0.95, 1.0, 1.05, 1.1, 1.5]
EXPLORER_LANDSCAPES = ("bowl", "ravine", "saddle")
STEP_CHOICES = [50, 200, 1000, 3000]
CHECKPOINTS = (100, 1000)


def parabola(x):
    return (x - 3.0) ** 2


def parabola_grad(x):
    return 2 * (x - 3.0)


def distinct(value: float) -> str:
    """`value` in four significant figures, or in as many more as it takes not to print 1, −1 or 0
    for a number that is not exactly that (a factor of −1.0002 is not a steady bounce)."""
    for digits in (4, 8, 12, 17):
        text = f"{value:.{digits}g}"
        if float(text) not in (1.0, -1.0, 0.0) or float(text) == value:
            break
    return text  # a plain Python number: the table typesets its note (−2 × 10⁻⁷, not -2e-07)


def steps_to_escape(x0: float, factor: float, bound: float = 1e12) -> int:
    """The step at which |x| first passes `bound` when each step multiplies the offset x − 3 by
    `factor` (|factor| > 1), to within a step of where rounding puts it."""
    return max(1, math.ceil(math.log((bound - 3) / abs(x0 - 3)) / math.log(abs(factor))))


def held_by_rounding(x: np.ndarray, k: int) -> bool:
    """Whether x has stopped short of 3 at step k (or swings between two doubles around it):
    rounding to the nearest double (4.4 × 10⁻¹⁶ apart near 3) then undoes what the factor
    1 − 2η would still change."""
    return x[k] != 3 and (x[k] == x[k - 1] or x[k] == x[k - 2])


def offset_text(x: np.ndarray, k: int, factor: float) -> str:
    """The offset x − 3 at step k, and why it no longer changes if rounding holds it."""
    offset = x[k] - 3
    if held_by_rounding(x, k):
        stays = "gets no closer" if abs(factor) < 1 else "moves no farther"
        return (f"offset {fmt(offset)}: x {stays}, because each new x is rounded to the "
                f"nearest double, and the doubles there are {number(float(np.spacing(abs(x[k]))), 2)} apart")
    return f"offset {fmt(offset)}"


class DescentByHand(param.Parameterized):
    """Gradient descent on (x − 3)² from x₀ at rate η, the by-hand table's two numbers."""

    lr = param.Number(default=0.1, bounds=(0.0, 10.0), label="Learning rate η")
    x0 = param.Number(default=0.0, bounds=(-100.0, 100.0), label="Start x₀")

    def table(self, shown: int = 5) -> Table:
        lr = self.lr
        traj = run("sgd", parabola_grad, [self.x0], max(CHECKPOINTS), lr=lr, bound=1e12)
        x = traj.params[:, 0]
        rows = []
        for k in range(shown + 1):
            if np.isnan(x[k]):
                break
            gradient = parabola_grad(x[k])
            rows.append([k, float(x[k]), float(parabola(x[k])), float(gradient), float(-lr * gradient),
                         float(x[k] - 3)])
        factor = 1 - 2 * lr
        shown = distinct(factor) if factor != 1.0 else f"1 − {2 * lr:.4g} (1 in double precision)"
        if self.x0 == 3.0:
            note = "x₀ = 3 is the minimum: the gradient there is 0, so no rate moves it."
        elif lr == 0:
            note = f"η = 0: every step is zero, so x stays at x₀ = {fmt(self.x0)}."
        elif factor == -1.0:
            note = (f"1 − 2η = {shown}: each step flips the offset x − 3 to the other side at the same size, "
                    "so x jumps between {} and {} forever.".format(*apart(x[0], x[1])))
        elif traj.diverged_at >= 0:
            note = (f"Diverged: at step {traj.diverged_at} |x| passed 10¹². Each step multiplies the offset x − 3 by "
                    f"1 − 2η = {shown}, whose size is above 1.")
        else:
            note = ("; ".join(f"after {c} steps x = {x[c]:.4g} ({offset_text(x, c, factor)})" for c in CHECKPOINTS)
                    + f". Each step multiplies the offset x − 3 by 1 − 2η = {shown}.")
            if abs(factor) > 1 and not held_by_rounding(x, max(CHECKPOINTS)):
                note += (f" Its size is above 1, so the offset keeps growing: |x| passes 10¹² after about "
                         f"{steps_to_escape(self.x0, factor):,} steps.")
        return Table(["step k", "x_k", "loss (x_k − 3)²", "gradient 2(x_k − 3)", "step −η·gradient",
                      "offset x_k − 3"], rows, note, alarm=traj.diverged_at >= 0)


class LandscapeExplorer(Race):
    """Gradient descent on a chosen landscape, at a chosen rate, from a clicked start."""

    landscape = param.Selector(default="bowl", objects=list(EXPLORER_LANDSCAPES))
    lr = param.Selector(default=0.1, objects=LEARNING_RATES, label="Learning rate η")
    steps = param.Selector(default=200, objects=STEP_CHOICES, label="Steps")

    def entries(self):
        return [Entry("sgd", "gradient descent", {"lr": self.lr})]

    @property
    def lane(self):
        return self.result.lanes[0]


def offset_kept(lr: float, steps: int, x0: float = 0.0) -> float:
    """The share of the starting offset x₀ − 3 that is left after `steps` steps at rate `lr`."""
    x = run("sgd", parabola_grad, [x0], steps, lr=lr).params[:, 0]
    return float((x[-1] - 3) / (x[0] - 3))


@functools.cache
def bowl_facts() -> dict:
    """Figures the prose quotes, measured with the lessons' models and the landscapes."""
    def lane(lr, steps=200):
        return LandscapeExplorer(landscape="bowl", lr=lr, steps=steps).lane

    diverging = lane(1.05)
    first = DescentByHand().table().rows[0]
    wall, floor = get("ravine").hess_diag(np.zeros(2))[::-1]
    return {"left": diverging.left_map_at, "diverged": diverging.diverged_at,
            "crawl": lane(0.005, 3000).steps_to_tolerance, "brisk": lane(0.1).steps_to_tolerance,
            "gradient0": fmt(first[3]), "step0": fmt(first[4]), "factor_default": fmt(1 - 2 * DescentByHand().lr),
            "factor_slow": fmt(1 - 2 * 0.001),
            "kept_slow": f"{fmt(100 * offset_kept(0.001, 100))}%", "wall": fmt(wall), "floor": fmt(floor),
            "ratio": fmt(wall / floor)}


TEXT_SLOPE = r"""
# Chapter 0 · The landscape problem

Imagine the loss of a model drawn as a surface. Each point on the ground is one choice of all
the model's weights; the height there is the loss those weights give. Training is a search for
a low spot on this surface, and the search is blind: from where we stand we can only measure how
the ground tilts under our feet.

That tilt is the **gradient**. For a single weight it is the ordinary derivative. Take
$$f(x) = (x-3)^2$$, whose lowest point is at $$x = 3$$. Its derivative is $$f'(x) = 2(x - 3)$$:
negative left of 3 (the ground falls as $$x$$ grows), positive right of it, and largest in size far away.

With many weights the gradient $$\nabla L(\theta)$$ collects one such slope per weight. It points
in the direction of fastest *increase*, so we move the other way, by a step proportional to it:

$$\theta \leftarrow \theta - \eta \nabla L(\theta)$$

The number $$\eta$$ is the **learning rate**. This one line is gradient descent, and everything in
this course is a refinement of it.

## By hand: five steps on $$(x-3)^2$$

Start at $$x_0 = 0$$ with $$\eta = 0.1$$. The gradient there is [[gradient0]], so the step is
+[[step0]]. The table below is computed by the course's optimizer core. Type another learning
rate or start and it recomputes: try 0.5, then 0.8, then 1.1, then 0.001.
"""

TEXT_AFTER_TABLE = r"""
The gradient is exactly twice the offset $$x - 3$$, so every step multiplies that offset by the
same factor, $$1 - 2\eta$$. At $$\eta = 0.1$$ the factor is [[factor_default]]: steady, geometric progress
from one side. At $$\eta = 0.5$$ it is zero and one step lands on 3 (up to rounding in the last digit).

Between 0.5 and 1 the factor is negative: every step jumps past 3 to the other side, yet lands
closer than it started, so the run **bounces but converges** (try 0.8). At exactly 1 it jumps
between the same two points forever. Above 1 the factor is below $$-1$$: each jump lands farther
away than the last, and from any start but 3 itself the run **diverges**. At $$\eta = 0.001$$ the
factor is [[factor_slow]]: after a hundred steps [[kept_slow]] of the starting offset is still there (the note
under the table gives the numbers).

For a bowl whose second derivative is $$c$$ the same holds with $$c\eta$$ in place of $$2\eta$$:
overshooting starts above $$\eta = 1/c$$ and divergence above $$\eta = 2/c$$. For $$(x-3)^2$$,
$$c = 2$$, so the two edges are 0.5 and 1.
"""

TEXT_EXPLORER = r"""
## The Loss Landscape Explorer

Pick a landscape and a learning rate, then press **Play** (or **Drop ball** to start over and
play). Click anywhere on the map to move the ball there. The chart beside the map shows the loss
above the minimum on a log scale, so steady progress looks like a straight line going down.

Every map in the course is drawn to scale: a unit across is as long as a unit up. The bowl is
round, the ravine is a low strip, and the first step of gradient descent leaves its start at a
right angle to the contour line there.

Things to try:

- **Bowl**, $$\eta$$ = 0.7, then 1.05. The bowl is $$x^2 + y^2$$ (curvature 2 in every direction),
  so 0.5 is where the ball starts to overshoot and 1.0 is where it stops coming back.
- **Bowl**, $$\eta$$ = 0.005 with 3000 steps: the ball creeps. From the start the page opens with, it
  needs [[crawl]] steps before the loss stays within 0.001 of its minimum (at $$\eta$$ = 0.1,
  [[brisk]]).
- **Ravine**, $$\eta$$ = 0.15 with 1000 steps, then 0.005 with 3000: the walls curve [[ratio]] times
  more sharply than the floor.
- **Saddle**, at any $$\eta$$ below 1 and enough steps: the default start lies exactly on the ridge
  $$y = 0$$. Watch where the ball stops, then click a point just off the ridge.
"""

TEXT_FAILURES = r"""
## Three ways to fail

**Divergence.** Above the critical rate, every step overshoots by more than the last, and the
loss grows without bound. In a training log this is the loss turning into `nan`. In the explorer
the path runs off the edge of the map and the readout says at which step it left (on the bowl at
$$\eta$$ = 1.05 from the start the page opens with, step [[left]]). The loss chart keeps climbing
after that. Once a coordinate passes a hundred times the map's edge (300 on the bowl), the run is
stopped and marked as diverged (step [[diverged]] in the same run, and the readout then gives both
steps; with only 50 steps it never gets that far, and the readout just says "off the map").

**Crawling.** Far below the critical rate, steps are tiny. On the bowl that only wastes time.
On the ravine it is much worse: the rate must be small enough for the steep walls (curvature
[[wall]]), so along the gentle floor (curvature [[floor]]) each step removes only a sliver of the distance. At
$$\eta = 0.005$$ the floor needs thousands of steps.

**Saddles.** On the saddle landscape the origin has zero gradient, yet it is not a minimum: the
surface curves up along $$x$$ and down along $$y$$. A ball placed exactly on the ridge feels no
sideways pull, so at any rate below 1 (the edge for the curvature 2 along $$x$$) gradient descent
rolls toward the saddle point and, given enough steps, stops there. From a point just off the
ridge it does roll away, but slowly at first, because the slope near the saddle is nearly flat.

## Why saddles are the common case

At a point where the gradient is zero, each direction through it curves up, curves down, or is
flat. If every direction curves up, the point is a minimum; if one curves down, it is not. (Flat
directions need a closer look: $$x^4$$ has a minimum at 0 and $$x^3$$ does not, yet both are
flat there.) As a rough model, ignore the flat ones and treat each direction as a coin flip: with
$$d$$ directions, the chance that all of them curve up is $$(1/2)^d$$.
"""

TEXT_CLOSING = r"""
By that coin-flip picture, a random point of zero gradient in a network with millions of
weights is almost never a minimum: it is a saddle, with some directions still leading down. The
directions are not really independent coins (models from random matrices make a minimum rarer
still), and near the bottom of a real loss most points of zero gradient are minima, many with flat
directions. Still, the picture points the right way: in high dimensions, plateaus and saddles
slow training down more often than poor local minima trap it.

## The code that ran
"""


def half_to_the(d: int) -> str:
    """(1/2)^d as e-notation text, through its logarithm: 0.5 ** 1e6 is below the smallest float."""
    power = -d * np.log10(2)
    whole = int(np.floor(power))
    return f"{10 ** (power - whole):.3g}e{whole}"


def saddle_odds_table() -> WorkedTable:
    table = WorkedTable(name="saddle-odds")
    rows = [[f"{d:,}", f"{0.5**d:.3g}" if d < 1000 else half_to_the(d)] for d in (1, 2, 3, 10, 100, 10**6)]
    table.show(Table(["dimensions d", "chance that every direction curves up, (1/2)ᵈ"], rows))
    return table


def quiz() -> Quiz:
    return Quiz(
        "Gradient descent bounces from one wall of a narrow valley to the other. What helps?",
        [
            Choice("A smaller learning rate", True,
                   "The bounce means the step across the valley overshoots: the rate is above 1/c for the steep "
                   "walls' curvature c. Between 1/c and 2/c the bounces shrink; at 2/c and above they never do. "
                   "Below 1/c the steps stop overshooting at all. (Momentum, in chapter 2, is another answer with "
                   "its own trade-offs: it stays stable at larger rates and speeds the trip along the floor, while "
                   "its own swings across the valley can last longer.)"),
            Choice("A larger learning rate, to get through faster", False,
                   "A larger rate makes each overshoot bigger: at 2/c the bounces keep their size, and above it they "
                   "grow until the run diverges."),
            Choice("A different start", False,
                   "The bounce comes from the valley's shape and the rate, not the start: from any start off the "
                   "floor the steep direction is overshot by the same factor, 1 − ηc, every step."),
            Choice("Nothing: bouncing always dies out", False,
                   f"Only below 2/c. On the bowl (c = 2) try η = 1.05 in the explorer: the offset is multiplied by "
                   f"{fmt(1 - 2 * 1.05)} each step and the ball leaves the map."),
        ],
        name="quiz0",
    )


def lessons() -> dict[str, Lesson]:
    explorer = LandscapeExplorer()
    return {"hand": Lesson("hand", DescentByHand(), ("lr", "x0")),
            "explorer": Lesson("explorer", explorer, ("landscape", "lr", "steps", "start"),
                               player=Player())}


def page(lessons: dict[str, Lesson]):
    hand, explorer = lessons["hand"].model, lessons["explorer"]
    view = RaceView(explorer.model, "explorer", player=explorer.player,
                    titles=["Gradient descent (click to move the ball)"])
    step_choice = pn.widgets.RadioButtonGroup.from_param(explorer.model.param.steps)
    controls = pn.FlexBox(
        pn.Column(pn.pane.HTML("<b>Landscape</b>"),
                  pn.widgets.RadioButtonGroup.from_param(
                      explorer.model.param.landscape, options=landscape_options(EXPLORER_LANDSCAPES))),
        choice_slider(explorer.model, "lr", width=280),
        pn.Column(pn.pane.HTML("<b>Steps</b>"), step_choice),
        copy_link_button("explorer"),
        sizing_mode="stretch_width",
    )
    return pn.Column(
        prose(fill(TEXT_SLOPE, bowl_facts())),
        EditableTable(hand, ("lr", "x0"), lambda: [hand.table()], name="descent"),
        prose(fill(TEXT_AFTER_TABLE, bowl_facts())),
        prose(fill(TEXT_EXPLORER, bowl_facts())),
        controls,
        view.layout(replay=True),
        prose(fill(TEXT_FAILURES, bowl_facts())),
        saddle_odds_table(),
        prose(TEXT_CLOSING),
        code_view(sgd, "Every path above came from the function below, the same one PyTorch's `SGD` computes."),
        quiz(),
        sizing_mode="stretch_width",
        name="chapter-0",
    )


CHAPTER = Chapter(0, lessons, page)
