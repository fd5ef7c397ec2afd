"""Chapter 2: momentum and Nesterov. Velocity as a moving average of gradients."""

import numpy as np
import panel as pn
import param

from landscapes import get
from optimizers import run
from optimizers.sgd import sgd
from widgets.code_view import code_view
from widgets.controls import FloatSlider, choice_slider
from widgets.explorer import Contestant, Explorer
from widgets.palette import PATH_COLORS
from widgets.quiz import Choice, Quiz
from widgets.text import prose
from widgets.worked_table import EditableTable, Field, Table

RATES = [0.005, 0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3]
TOLERANCE = 1e-3
"""Loss above the minimum that counts as "arrived" in the step counts shown."""


def momentum_table(lr: float, beta: float, steps: int = 5):
    """Momentum and plain gradient descent on (x − 3)² from 0, side by side, from the core."""
    def grad(x):
        return 2 * (x - 3.0)

    with_momentum = run("momentum", grad, [0.0], steps, lr=lr, momentum=beta)
    plain = run("sgd", grad, [0.0], steps, lr=lr)
    rows = [[0, 0.0, 0.0, 0.0]]
    for k in range(steps):
        rows.append([k + 1, float(with_momentum.params[k + 1, 0]), float(with_momentum.internals["velocity"][k, 0]),
                     float(plain.params[k + 1, 0])])
    ratio = with_momentum.params[-1, 0] / plain.params[-1, 0] if plain.params[-1, 0] else float("nan")
    note = f"After {steps} steps momentum has covered {ratio:.2f} times the distance of plain gradient descent."
    return rows, note


def momentum_tables(values: dict) -> list[Table]:
    rows, note = momentum_table(values["lr"], values["beta"])
    return [Table(["step", "momentum θ", "velocity v", "plain GD θ"], rows, note)]


def momentum_editor() -> EditableTable:
    fields = [Field("lr", "Learning rate η", "0.01", 0.0, 1.0), Field("beta", "Momentum β", "0.9", 0.0, 0.999)]
    return EditableTable(fields, momentum_tables, name="momentum")


class MomentumComparison(param.Parameterized):
    """Two optimizers sharing β and η; both paths are recomputed when either setting moves."""

    beta = param.Number(default=0.9, bounds=(0.0, 0.99), step=0.01, label="Momentum β")
    lr = param.Selector(objects=RATES, default=0.15, label="Learning rate η")
    explorer: Explorer

    def _contestants(self) -> list[Contestant]:
        raise NotImplementedError

    @param.depends("beta", "lr", watch=True)
    def _changed(self):
        self.explorer.set_contestants(self._contestants())


class RavineRace(MomentumComparison):
    """SGD and momentum from one start on the ravine, each on its own map, one player."""

    def __init__(self, **params):
        super().__init__(**params)
        self.explorer = Explorer("ravine", get("ravine"), self._contestants(), 300, width=520, height=330,
                                 separate_maps=True)
        self.explorer.recompute()

    def _contestants(self):
        return [Contestant("sgd", "SGD", PATH_COLORS[1], {"lr": self.lr}),
                Contestant("momentum", "momentum", PATH_COLORS[0],
                           {"lr": self.lr, "momentum": self.beta})]

    def verdict(self) -> str:
        sgd_steps, momentum_steps = self.explorer.steps_to_reach(TOLERANCE)

        def said(n):
            return f"{n} steps" if n is not None else f"not within {self.explorer.steps} steps"

        return (f"Steps until the loss is within {TOLERANCE:g} of the minimum: SGD <b>{said(sgd_steps)}</b>, "
                f"momentum <b>{said(momentum_steps)}</b>.")


VISIBLE_SWING = 0.01
"""A crossing counts as a swing when the ball gets this far past the minimum (as a share of the
start's distance): the tiny crossings of the last steps are invisible on the map."""


def overshoot(path: np.ndarray, start: np.ndarray) -> tuple[float, int]:
    """How far a path goes past the minimum (at the origin) along the start's direction, and how
    many visible swings across it it makes."""
    direction = start / np.linalg.norm(start)
    along = path @ direction
    along = along[np.isfinite(along)]
    signs = np.sign(along[np.abs(along) > VISIBLE_SWING * np.linalg.norm(start)])
    return float(max(0.0, -along.min())), int(np.sum(signs[1:] != signs[:-1]))


class LookaheadLesson(MomentumComparison):
    """Classical momentum and Nesterov from one start on the bowl, with Nesterov's ghost."""

    lr = param.Selector(objects=RATES, default=0.05, label="Learning rate η")

    def __init__(self, **params):
        super().__init__(**params)
        self.explorer = Explorer("nesterov", get("bowl"), self._contestants(), 150, width=520, height=460,
                                 title="Classical momentum and Nesterov (click to set the start)")
        self.explorer.recompute()

    def _contestants(self):
        hyper = {"lr": self.lr, "momentum": self.beta}
        return [Contestant("momentum", "classical momentum", PATH_COLORS[1], hyper),
                Contestant("nesterov", "Nesterov", PATH_COLORS[0], hyper, ghost=True)]

    def overshoots(self) -> list[tuple[float, int]]:
        start = self.explorer.start
        return [overshoot(c.path(t), start) for c, t in zip(self.explorer.contestants, self.explorer.trajectories,
                                                             strict=True)]

    def verdict(self) -> str:
        (c_peak, c_cross), (n_peak, n_cross) = self.overshoots()
        return (f"Furthest past the minimum: classical <b>{c_peak:.3g}</b>, Nesterov <b>{n_peak:.3g}</b>. "
                f"Swings across it (farther than {VISIBLE_SWING:.0%} of the start's distance): "
                f"classical <b>{c_cross}</b>, Nesterov <b>{n_cross}</b>.")


TEXT_INTRO = r"""
# Chapter 2 · Momentum and Nesterov

In a long narrow valley, plain gradient descent wastes its effort. The slope across the valley
is steep, so every step overshoots sideways; the slope along the floor is gentle, so progress
toward the minimum is slow. Most of each step goes into bouncing between the walls.

Momentum gives the ball mass. It keeps a **velocity** $$v$$, one number per parameter, and steps
along it instead of along the raw gradient:

$$v_t = \beta  v_{t-1} + g_t \qquad \theta_t = \theta_{t-1} - \eta  v_t$$

with $$v_0 = 0$$ and $$g_t$$ the gradient at $$\theta_{t-1}$$. This is the form PyTorch's SGD
uses. With $$\beta = 0$$ the velocity is just the gradient and we are back to plain descent.

## Velocity is a moving average

Unroll the recursion: $$v_t = g_t + \beta g_{t-1} + \beta^2 g_{t-2} + \dots$$ A gradient from $$k$$
steps ago still counts with weight $$\beta^k$$. With $$\beta = 0.9$$ that is 0.35 after ten steps
and 0.005 after fifty, so the memory reaches back about $$1/(1-\beta) = 10$$ steps.

This is why momentum fixes the valley. Across the valley the gradient flips sign every step, and
in the sum those terms cancel. Along the floor it points the same way every step, and the terms
add up: on a steady slope the velocity grows to $$1/(1-\beta)$$ times the gradient.

## By hand: five steps on $$(x-3)^2$$

Start at 0 with $$\eta = 0.01$$ and $$\beta = 0.9$$. The first step is identical for both
methods, because the velocity starts at zero. From the second step on, momentum adds 90% of its
previous velocity. Try $$\beta = 0$$ (the columns match) or $$\beta = 0.99$$.
"""

TEXT_RACE = r"""
Momentum multiplies the step on a steady slope by up to $$1/(1-\beta)$$, so a learning rate
that was comfortable without momentum can be too large with it. Lower $$\eta$$ when you turn
momentum on.

## SGD vs momentum, side by side

Both start from the same point on the ravine $$0.05x^2 + 5y^2$$. The walls have curvature 10
and the floor 0.1. At $$\eta = 0.15$$ plain descent overshoots across the valley on every step
(the factor is $$1 - 0.15 \times 10 = -0.5$$) while crawling along the floor. Click either map to
move the shared start. Set $$\beta = 0$$ and the two paths become the same path.
"""

TEXT_RACE_AFTER = r"""
**What you are looking at.** At the default settings SGD's sideways bounce halves on every step,
so after about ten steps it has died out, and all that is left is the slow crawl along the floor.
Momentum looks worse at first: its velocity carries it past the floor again and again, and it
swings from wall to wall for dozens of steps. Yet it arrives long before SGD (the line above the
maps counts the steps). The swings cost little; the speed along the floor is what matters.

**Try next.** Set $$\eta = 0.2$$. The factor across the valley becomes $$-1$$, so SGD bounces
between the same two heights forever and never arrives, while momentum still gets there. Then
lower $$\beta$$ to 0.5: a shorter memory damps the swings within a few steps, and the ball really
does run along the floor.
"""

TEXT_NESTEROV = r"""
## Nesterov: measure the slope where you are about to be

Near a minimum, a heavy ball has a problem: its velocity still points the old way after it has
passed the bottom, and it only learns of the new slope a step late. Nesterov's method measures
the gradient at the **lookahead point**, where the current velocity is about to carry it:

$$g_t = \nabla L(\theta_{t-1} - \eta\beta  v_{t-1}) \qquad v_t = \beta v_{t-1} + g_t
\qquad \theta_t = \theta_{t-1} - \eta  v_t$$

Past the minimum, the lookahead point is further past it, so the slope there already pulls
back, and the velocity turns earlier. The hollow marker (the ghost) is that lookahead point.

A detail worth knowing: PyTorch stores the lookahead point itself as the parameters and writes
the step as $$\theta \leftarrow \theta - \eta(g_t + \beta v_t)$$. The two forms trace the same
sequence of points, shifted by $$\eta\beta v$$; the course's core follows PyTorch and records
both the ball and its ghost.
"""

TEXT_BETA = r"""
## Choosing β

- **β = 0**: no memory, plain SGD.
- **β = 0.5**: a memory of about two steps; mild smoothing.
- **β = 0.9**: about ten steps. The usual default, and a good first choice.
- **β = 0.99**: about a hundred steps. Very smooth, very slow to turn: after passing the minimum
  it keeps going for a long time. Try it above and watch the loss curve.

With momentum the loss often falls in a sawtooth: it dips, rises while the ball overshoots,
then dips lower. Bumps that shrink are normal. Bumps that grow mean the learning rate is too
large. Nesterov is not free of limits either: on the ravine at $$\eta = 0.15$$ and
$$\beta = 0.9$$ classical momentum converges but Nesterov diverges, because measuring the slope
further ahead makes it more sensitive to the steep walls.

## The code that ran

Classical momentum and Nesterov are the same function with a flag:
"""


def quiz() -> Quiz:
    return Quiz(
        "You use momentum with β = 0.9, and the gradient suddenly reverses direction. What happens next?",
        [
            Choice("The ball keeps moving the old way for a few steps, then turns around", True,
                   "The velocity still holds about ten steps of old gradients. Each new gradient subtracts from it, "
                   "so the ball slows, overshoots, and turns after a few steps. Nesterov turns a little earlier."),
            Choice("It reverses at once, like plain gradient descent", False,
                   "That is β = 0. With β = 0.9 only 10% of the new velocity comes from the new gradient's side "
                   "at first; the rest is remembered motion."),
            Choice("It stops dead, because the two directions cancel", False,
                   "They cancel only for an instant, while the velocity passes through zero; the new gradient keeps "
                   "pushing, so the ball then accelerates the new way."),
            Choice("It diverges", False,
                   "A reversal alone does not make momentum diverge; too large a learning rate for the curvature "
                   "does."),
        ],
        name="quiz2",
    )


def slider_row(lesson):
    return pn.Row(
        FloatSlider.from_param(lesson.param.beta, width=280),
        choice_slider(lesson, "lr", width=280),
    )


def verdict_pane(lesson: MomentumComparison, name: str) -> pn.pane.HTML:
    """The lesson's verdict, refreshed after each recomputation (a slider move or a click on a map).
    HTML, not Markdown: parsing Markdown on every move was a tenth of the server's time for it."""
    pane = pn.pane.HTML(lesson.verdict(), name=name)

    def refresh(*_):
        pane.object = lesson.verdict()

    lesson.param.watch(refresh, ["beta", "lr"])
    for view in lesson.explorer.views:
        view.on_tap(lambda x, y: refresh())
    return pane


def page():
    race, lookahead = RavineRace(), LookaheadLesson()
    race_verdict = verdict_pane(race, "race-verdict")
    lookahead_verdict = verdict_pane(lookahead, "nesterov-verdict")
    return pn.Column(
        prose(TEXT_INTRO),
        momentum_editor(),
        prose(TEXT_RACE),
        slider_row(race),
        race_verdict,
        pn.pane.Bokeh(race.explorer.layout(loss=False), name="race"),
        pn.Row(pn.pane.Bokeh(race.explorer.loss.figure, name="race-loss"), prose(TEXT_RACE_AFTER),
               sizing_mode="stretch_width"),
        prose(TEXT_NESTEROV),
        slider_row(lookahead),
        lookahead_verdict,
        pn.pane.Bokeh(lookahead.explorer.layout(), name="lookahead"),
        prose(TEXT_BETA),
        code_view(sgd),
        quiz(),
        sizing_mode="stretch_width", name="chapter-2",
    )
