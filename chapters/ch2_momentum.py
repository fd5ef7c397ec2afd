"""Chapter 2: momentum and Nesterov. Velocity as a sum of past gradients."""

import functools

import numpy as np
import panel as pn
import param

from landscapes import get
from lessons import Entry, Player, Race
from lessons.wording import counted
from optimizers import run
from optimizers.sgd import momentum_step
from widgets.code_view import code_view
from widgets.controls import FloatSlider, choice_slider
from widgets.deferred import Deferred
from widgets.links import copy_link_button
from widgets.quiz import Choice, Quiz
from widgets.race_view import RaceView, verdict_pane
from widgets.readout import fmt
from widgets.text import fill, prose
from widgets.worked_table import EditableTable, Table

from .base import Chapter, Lesson

RATES = [0.005, 0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3]
TOLERANCE = 1e-3
"""Loss above the minimum that counts as "arrived" in the step counts shown."""
VISIBLE_SWING = 0.01
"""A crossing counts as a swing when the ball gets this far past the minimum (as a share of the
start's distance): the tiny crossings of the last steps are invisible on the map."""
WALL = float(get("ravine").hess_diag(np.zeros(2))[1])
"""The ravine walls' curvature c (the floor's is a hundred times smaller)."""


class MomentumByHand(param.Parameterized):
    """Momentum and plain gradient descent on (x − 3)² from 0, five steps side by side."""

    lr = param.Number(default=0.01, bounds=(0.0, 1.0), label="Learning rate η")
    beta = param.Number(default=0.9, bounds=(0.0, 0.999), label="Momentum β")

    def table(self, steps: int = 5) -> Table:
        def grad(x):
            return 2 * (x - 3.0)

        with_momentum = run("momentum", grad, [0.0], steps, lr=self.lr, momentum=self.beta)
        plain = run("sgd", grad, [0.0], steps, lr=self.lr)
        rows = [[0, 0.0, 0.0, 0.0]]
        for k in range(steps):
            rows.append([k + 1, float(with_momentum.params[k + 1, 0]),
                         float(with_momentum.internals["velocity"][k, 0]), float(plain.params[k + 1, 0])])
        note = (f"After {steps} steps momentum is at θ = {fmt(float(with_momentum.params[-1, 0]))} and plain "
                f"gradient descent at θ = {fmt(float(plain.params[-1, 0]))}; the minimum is at 3.")
        return Table(["step", "momentum θ", "velocity v", "plain GD θ"], rows, note)


def last_swing(path: np.ndarray, start: np.ndarray, axis: int = 1) -> int:
    """The last step at which a path crosses the minimum's line along `axis` by a visible amount
    (VISIBLE_SWING of the start's offset), or 0 if it never does."""
    along = path[:, axis]
    visible = np.flatnonzero(np.isfinite(along) & (np.abs(along) > VISIBLE_SWING * abs(start[axis])))
    signs = np.sign(along[visible])
    crossings = visible[1:][signs[1:] != signs[:-1]]
    return int(crossings[-1]) if crossings.size else 0


def overshoot(path: np.ndarray, start: np.ndarray) -> tuple[float, int]:
    """How far a path goes past the minimum (at the origin) along the start's direction, and how
    many visible swings across it it makes."""
    direction = start / np.linalg.norm(start)
    along = path @ direction
    along = along[np.isfinite(along)]
    signs = np.sign(along[np.abs(along) > VISIBLE_SWING * np.linalg.norm(start)])
    return float(max(0.0, -along.min())), int(np.sum(signs[1:] != signs[:-1]))


class RavineRace(Race):
    """SGD and momentum from one start on the ravine, each on its own map, one player."""

    landscape = param.Selector(default="ravine", objects=["ravine"])
    beta = param.Number(default=0.9, bounds=(0.0, 0.99), step=0.01, label="Momentum β")
    lr = param.Selector(default=0.15, objects=RATES, label="Learning rate η")
    steps = param.Integer(default=300, bounds=(1, 5000), precedence=-1)
    tolerance = param.Number(default=TOLERANCE, precedence=-1)

    def entries(self):
        return [Entry("sgd", "SGD", {"lr": self.lr}),
                Entry("momentum", "momentum", {"lr": self.lr, "momentum": self.beta})]

    def verdict(self) -> str:
        def said(lane):
            if lane.diverged_at >= 0:
                return f"diverged at step {lane.diverged_at}"
            if lane.steps_to_tolerance is None:
                return f"not within {self.steps} steps"
            return counted(lane.steps_to_tolerance, "step")

        sgd_lane, momentum_lane = self.result.lanes
        return (f"Steps until the loss stays within {TOLERANCE:g} of the minimum: SGD <b>{said(sgd_lane)}</b>, "
                f"momentum <b>{said(momentum_lane)}</b>.")


class LookaheadLesson(Race):
    """Classical momentum and Nesterov from one start on the bowl, with Nesterov's ghost."""

    landscape = param.Selector(default="bowl", objects=["bowl"])
    beta = param.Number(default=0.9, bounds=(0.0, 0.99), step=0.01, label="Momentum β")
    lr = param.Selector(default=0.05, objects=RATES, label="Learning rate η")
    steps = param.Integer(default=150, bounds=(1, 5000), precedence=-1)

    def entries(self):
        hyper = {"lr": self.lr, "momentum": self.beta}
        return [Entry("momentum", "classical momentum", hyper), Entry("nesterov", "Nesterov", hyper, ghost=True)]

    def overshoots(self) -> list[tuple[float, int] | None]:
        start = np.array(self.start)
        return [overshoot(lane.path, start) if lane.ok else None for lane in self.result.lanes]

    def verdict(self) -> str:
        if not np.any(self.start):
            return "The start is the minimum: the gradient there is zero, so neither method moves."
        classical, nesterov = self.overshoots()
        if nesterov is None:
            return ("At β = 0 there is no velocity, so there is nothing to look ahead along: Nesterov needs β > 0. "
                    "Classical momentum at β = 0 is plain gradient descent.")
        (c_peak, c_cross), (n_peak, n_cross) = classical, nesterov
        return (f"Furthest past the minimum: classical <b>{c_peak:.3g}</b>, Nesterov <b>{n_peak:.3g}</b>. "
                f"Swings across it (farther than {VISIBLE_SWING:.0%} of the start's distance): "
                f"classical <b>{c_cross}</b>, Nesterov <b>{n_cross}</b>.")


@functools.cache
def race_facts() -> dict:
    """Figures the prose quotes, measured with the race's model (the same for every visitor)."""
    default = RavineRace()
    sgd_lane, momentum_lane = default.result.lanes
    start = np.array(default.start)
    fast = RavineRace(lr=0.3)
    beta = default.beta
    return {
        "sgd_steps": sgd_lane.steps_to_tolerance, "momentum_steps": momentum_lane.steps_to_tolerance,
        "sgd_swing": last_swing(sgd_lane.path, start), "momentum_swing": last_swing(momentum_lane.path, start),
        "fast_sgd_diverged": fast.result.lanes[0].diverged_at,
        "fast_momentum_steps": fast.result.lanes[1].steps_to_tolerance,
        "wall": f"{WALL:g}", "bounce_limit": f"{1 / WALL:g}", "sgd_limit": f"{2 / WALL:.2g}",
        "momentum_limit": f"{2 * (1 + beta) / WALL:.2g}",
        "nesterov_limit": f"{2 * (1 + beta) / ((1 + 2 * beta) * WALL):.2g}", "beta": f"{beta:g}",
        "sqrt_beta": f"{np.sqrt(beta):.3g}", "factor": f"{1 - default.lr * WALL:.2g}",
        "window": f"{1 / (1 - beta):.0f}", "weight10": f"{beta**10:.2f}", "weight50": f"{beta**50:.3f}",
        "short_memory_swing": last_swing(RavineRace(lr=0.2, beta=0.5).result.lanes[1].path, start),
        "long_memory_swing": last_swing(RavineRace(lr=0.2, beta=0.9).result.lanes[1].path, start),
    }


TEXT_INTRO = r"""
# Chapter 2 · Momentum and Nesterov

In a long narrow valley, plain gradient descent wastes its effort. The rate has to stay below
the limit set by the steep walls, so along the gentle floor every step is tiny and progress
toward the minimum is slow.

Momentum gives the ball mass. It keeps a **velocity** $$v$$, one number per parameter, and steps
along it instead of along the raw gradient:

$$v_t = \beta  v_{t-1} + g_t \qquad \theta_t = \theta_{t-1} - \eta  v_t$$

with $$v_0 = 0$$ and $$g_t$$ the gradient at $$\theta_{t-1}$$. This is the form PyTorch's SGD
uses. With $$\beta = 0$$ the velocity is just the gradient and we are back to plain descent.

## Velocity is a sum that remembers

Unroll the recursion: $$v_t = g_t + \beta g_{t-1} + \beta^2 g_{t-2} + \dots$$ A gradient from $$k$$
steps ago still counts with weight $$\beta^k$$. With $$\beta$$ = [[beta]] that is [[weight10]] after ten
steps and [[weight50]] after fifty, so the memory reaches back about $$1/(1-\beta)$$ = [[window]] steps.

The weights add up to $$1/(1-\beta)$$, not to 1, so $$v$$ is not itself an average: it is
$$1/(1-\beta)$$ times an exponential moving average of the gradients. On a steady slope the
velocity grows to [[window]] times the gradient. The ravine's floor is not a steady slope (it flattens
as the ball nears the minimum), so there the gain is smaller: compare the arrival times below.
(Adam's $$m$$, in chapter 4, is this average started from zero; its bias-corrected $$\hat m$$ is
the average itself.)

## By hand: five steps on $$(x-3)^2$$

Start at 0 with $$\eta = 0.01$$ and $$\beta = 0.9$$. The first step is identical for both
methods, because the velocity starts at zero. From the second step on, momentum adds 90% of its
previous velocity. Try $$\beta = 0$$ (the columns match) or $$\beta = 0.99$$.
"""

TEXT_RACE = r"""
## SGD vs momentum, side by side

Both start from the same point on the ravine $$0.05x^2 + 5y^2$$. The walls have curvature
$$c$$ = [[wall]] and the floor a hundred times less. Click either map to move the shared start; set
$$\beta = 0$$ and the two paths become the same path.

**How large can $$\eta$$ be?** On the walls, plain descent multiplies the offset by $$1 - \eta c$$
every step, so it diverges above $$2/c$$ = [[sgd_limit]]. Heavy-ball momentum tolerates more: its limit
is $$2(1+\beta)/c$$, [[momentum_limit]] at $$\beta$$ = [[beta]]. Set $$\eta$$ = 0.3 with $$\beta$$ = [[beta]]: SGD
diverges (at step [[fast_sgd_diverged]]) while momentum settles in [[fast_momentum_steps]] steps. At this rate any
$$\beta$$ above 0.5 keeps momentum stable; try 0.3 and watch it diverge too. So adding momentum does not
oblige you to lower $$\eta$$ for stability. People often lower it anyway, to keep the step on a
steady slope, $$\eta/(1-\beta)$$, about the same. Nesterov's method, below, is the exception: its
limit is $$2(1+\beta)/((1+2\beta)c)$$, only [[nesterov_limit]] here.
"""

TEXT_RACE_AFTER = r"""
**What you are looking at.** At the defaults SGD's sideways offset is multiplied by
$$1 - \eta c$$ = [[factor]] every step: its last visible swing across the floor is at step
[[sgd_swing]], and then it crawls. Momentum swings from wall to wall far longer (last visible swing at
step [[momentum_swing]]): once its swings are underdamped they shrink only by about $$\sqrt\beta$$ =
[[sqrt_beta]] per step. Yet its loss settles within 0.001 of the minimum in [[momentum_steps]] steps, against
SGD's [[sgd_steps]]. Momentum's gain
is speed along the floor, not a calmer crossing: it damps the bounce faster than SGD only when
$$|1 - \eta c| \gt \sqrt\beta$$, and below $$\eta = 1/c$$ = [[bounce_limit]] SGD does not bounce at all.

**Try next.** Set $$\eta = 0.2$$: the factor across the valley becomes $$-1$$, so SGD bounces
between the same two heights forever, while momentum (at $$\beta$$ = 0.9) still arrives. Then lower $$\beta$$ to 0.5:
a shorter memory damps the swings sooner (the last visible one comes at step [[short_memory_swing]], against
[[long_memory_swing]] at $$\beta$$ = 0.9) and the ball runs along the floor. Push
$$\beta$$ to 0.99 and the ball has so much memory that it has not settled after 300 steps.
"""

TEXT_NESTEROV = r"""
## Nesterov: measure the slope where you are about to be

Near a minimum, a heavy ball has a problem: its velocity still points the old way after it has
passed the bottom, and it only learns of the new slope a step late. Nesterov's method measures
the gradient at the **lookahead point**, where the current velocity is about to carry it:

$$g_t = \nabla L(\theta_{t-1} - \eta\beta  v_{t-1})$$

$$v_t = \beta v_{t-1} + g_t \qquad \theta_t = \theta_{t-1} - \eta  v_t$$

Past the minimum, the lookahead point is further past it, so the slope there already pulls
back, and the velocity turns earlier. The hollow marker (the ghost) is that lookahead point.
Everywhere on these two sliders Nesterov's peak overshoot is no larger than classical
momentum's, and it makes no more visible swings; where classical momentum overshoots at all,
Nesterov overshoots less.

A detail worth knowing: PyTorch stores the lookahead point itself as the parameters and writes
the step as $$\theta \leftarrow \theta - \eta(g_t + \beta v_t)$$. The two forms trace the same
sequence of points, shifted by $$\eta\beta v$$; the course's core follows PyTorch and records
both the ball and its ghost.
"""

TEXT_BETA = r"""
## Choosing β

- **β = 0**: no memory, plain SGD (and no Nesterov: there is no velocity to look ahead along).
- **β = 0.5**: a memory of about two steps; mild smoothing.
- **β = 0.9**: about ten steps. The usual default, and a good first choice.
- **β = 0.99**: about a hundred steps. Very smooth, very slow to turn: after passing the minimum
  it keeps going for a long time. Try it above and watch the loss curve.

With momentum the loss often falls in a sawtooth: it dips, rises while the ball overshoots,
then dips lower. Bumps that shrink are normal. Bumps that grow mean the learning rate is too
large for the curvature. Measuring the slope further ahead costs Nesterov stability on steep
walls: on the ravine at $$\beta$$ = 0.9 it diverges above $$\eta \approx$$ [[nesterov_limit]], where
classical momentum still converges.

## The code that ran
"""


def quiz() -> Quiz:
    return Quiz(
        "You use momentum with β = 0.9, and the gradient suddenly reverses direction. What happens next?",
        [
            Choice("The ball keeps moving the old way for a few steps, then turns around", True,
                   "The velocity still holds about ten steps of old gradients. Each new gradient subtracts from it, "
                   "so the ball slows, overshoots, and turns after a few steps. Nesterov turns a little earlier."),
            Choice("It reverses at once, like plain gradient descent", False,
                   "That is β = 0. With β = 0.9 the old velocity is kept at 90% and the new gradient is only added "
                   "to it, so the remembered motion wins for a while."),
            Choice("It stops dead, because the two directions cancel", False,
                   "They cancel only for an instant, while the velocity passes through zero; the new gradient keeps "
                   "pushing, so the ball then accelerates the new way."),
            Choice("It diverges", False,
                   "A reversal alone does not make momentum diverge; too large a learning rate for the curvature "
                   "does (above 2(1 + β)/c for heavy-ball momentum)."),
        ],
        name="quiz2",
    )


def slider_row(lesson: Race, prefix: str):
    return pn.FlexBox(
        FloatSlider.from_param(lesson.param.beta, width=260),
        choice_slider(lesson, "lr", width=260),
        copy_link_button(prefix),
        sizing_mode="stretch_width",
    )


def lessons() -> dict[str, Lesson]:
    return {"hand": Lesson("hand", MomentumByHand(), ("lr", "beta")),
            "race": Lesson("race", RavineRace(), ("beta", "lr", "start"), player=Player()),
            "look": Lesson("look", LookaheadLesson(), ("beta", "lr", "start"), player=Player())}


def lookahead_section(look: Lesson) -> pn.Column:
    view = RaceView(look.model, "nesterov", player=look.player, ghosts=True,
                    titles=["Momentum and Nesterov (click: new start)"])
    return pn.Column(slider_row(look.model, "look"), verdict_pane(look.model, "nesterov-verdict"), view.layout(),
                     sizing_mode="stretch_width")


def page(lessons: dict[str, Lesson]):
    hand, race, look = lessons["hand"].model, lessons["race"], lessons["look"]
    race_view = RaceView(race.model, "ravine", player=race.player, split=True,
                         titles=["SGD (click to set the start)", "momentum (click to set the start)"])
    facts = race_facts()
    return pn.Column(
        prose(fill(TEXT_INTRO, facts)),
        EditableTable(hand, ("lr", "beta"), lambda: [hand.table()], name="momentum"),
        prose(fill(TEXT_RACE, facts)),
        slider_row(race.model, "race"),
        verdict_pane(race.model, "race-verdict"),
        race_view.layout(),
        prose(fill(TEXT_RACE_AFTER, facts)),
        prose(TEXT_NESTEROV),
        Deferred(lambda: lookahead_section(look), "The lookahead race", 700),
        prose(fill(TEXT_BETA, facts)),
        code_view(momentum_step, "Classical momentum and Nesterov are one function with a flag; "
                                 "`sgd` from chapter 0 calls it whenever β > 0."),
        quiz(),
        sizing_mode="stretch_width", name="chapter-2",
    )


CHAPTER = Chapter(2, lessons, page)
