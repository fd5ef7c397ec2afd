"""Chapter 3: AdaGrad and RMSProp. A learning rate for every parameter."""

import functools

import numpy as np
import panel as pn

from lessons import Player
from lessons.adaptive import (
    BY_HAND_LR,
    BY_HAND_RHO,
    STEEP,
    AdaptiveByHand,
    EllipseRace,
    RateOverTime,
    SparseFeatures,
    turned_valley_steps,
)
from optimizers import get_spec
from optimizers.adaptive import adagrad, rmsprop
from widgets.code_view import code_view
from widgets.controls import FloatSlider, check_box, choice_slider
from widgets.deferred import Deferred
from widgets.line_chart import Curve, LineChart
from widgets.links import copy_link_button
from widgets.palette import PATH_COLORS
from widgets.pipeline import pipeline
from widgets.quiz import Choice, Quiz
from widgets.race_view import RaceView, verdict_pane
from widgets.text import Reading, fill, prose
from widgets.worked_table import EditableTable, Table, WorkedTable

from .base import Chapter, Lesson

ADAGRAD_COLOR, RMSPROP_COLOR = PATH_COLORS[3], PATH_COLORS[4]


@functools.cache
def facts() -> dict:
    """Figures the prose quotes, measured with the lessons' models (the same for every visitor)."""
    race = EllipseRace()
    adagrad_lane, rmsprop_lane = race.result.lanes
    fast = EllipseRace(lr=1.0)
    long_memory = EllipseRace(lr=1.0, rho=0.999)
    by_hand = AdaptiveByHand()
    adagrad_run, rmsprop_run = by_hand.runs()
    sparse = SparseFeatures()
    return {
        "steep": f"{STEEP:g}", "edge": f"{2 / STEEP:g}", "shallow": f"{race.surface.hess_diag(np.zeros(2))[0]:g}",
        "lr": f"{BY_HAND_LR:g}", "rho": f"{BY_HAND_RHO:g}",
        "G4": f"{adagrad_run.internals['G'][-1, 0]:.4g}",
        "a_rate1": f"{adagrad_run.internals['effective_lr'][0, 0]:.3g}",
        "a_rate4": f"{adagrad_run.internals['effective_lr'][-1, 0]:.3g}",
        "b_rate": f"{adagrad_run.internals['effective_lr'][-1, 1]:.3g}",
        "r_rate1": f"{rmsprop_run.internals['effective_lr'][0, 0]:.3g}",
        "warm_factor": f"{1 / np.sqrt(1 - BY_HAND_RHO):.3g}",
        "race_steps": race.steps, "race_lr": f"{race.lr:g}", "race_rho": f"{race.rho:g}",
        "adagrad_loss": f"{adagrad_lane.losses[-1]:.2g}", "rmsprop_loss": f"{rmsprop_lane.losses[-1]:.2g}",
        "fast_adagrad": fast.result.lanes[0].steps_to_tolerance,
        "turned_adagrad": turned_valley_steps(1.0)[1],
        "fast_rmsprop_end": f"{np.abs(fast.result.lanes[1].path[-1]).max():.2g}",
        "first_step_999": f"{np.abs(np.diff(long_memory.result.lanes[1].path[:2], axis=0)).max():.3g}",
        "back_999": long_memory.result.lanes[1].steps_to_tolerance,
        "adagrad_cap": round(np.log10(BY_HAND_LR / get_spec("adagrad").defaults["eps"])),
        "rmsprop_cap": round(np.log10(BY_HAND_LR / get_spec("rmsprop").defaults["eps"])),
        "long_lr": f"{RateOverTime.LR:g}", "sigma": f"{RateOverTime.SIGMA:g}", "long_steps": RateOverTime.STEPS,
        "sparse_lr": f"{SparseFeatures.LR:g}", "sparse_steps": SparseFeatures.STEPS,
        "sparse_every": sparse.every, "sparse_root": f"{np.sqrt(sparse.every):.3g}",
    }


TEXT_INTRO = r"""
# Chapter 3 · AdaGrad and RMSProp

One learning rate for every parameter is a compromise. On the ellipse $$0.25x^2 + 2y^2$$ the
curvature across the valley is $$c$$ = [[steep]] and along it [[shallow]]. Plain gradient descent
must keep $$\eta$$ below $$2/c$$ = [[edge]] or it bounces out of the valley, and at such a rate the
gentle direction, eight times less curved, creeps.

The adaptive methods give every parameter a rate of its own. Each coordinate keeps a record of
the squared gradients it has seen and divides its step by the square root of that record. A
coordinate with large gradients gets a small rate; a coordinate with small or rare gradients
gets a large one. For steady gradients the two effects cancel: the step no longer depends on
the gradient's size. How long the step is still depends on the record: AdaGrad's shrinks as
$$\eta/\sqrt{t}$$ after $$t$$ equal gradients, while RMSProp's settles at about $$\eta$$ once its
average has filled, a few times $$1/(1-\rho)$$ steps in.

## AdaGrad: a running sum

$$G_t = G_{t-1} + g_t^2 \qquad \theta_t = \theta_{t-1} - \frac{\eta}{\sqrt{G_t} + \epsilon} g_t$$

All of this is per coordinate, and $$G_0 = 0$$. The fraction $$\eta/(\sqrt{G_t}+\epsilon)$$ is the
coordinate's **effective learning rate**. Since $$G$$ never shrinks, that rate never rises.

## RMSProp: a moving average

$$E_t = \rho E_{t-1} + (1-\rho) g_t^2 \qquad \theta_t = \theta_{t-1} - \frac{\eta}{\sqrt{E_t} + \epsilon} g_t$$

$$E$$ forgets: a squared gradient from $$k$$ steps ago counts $$\rho^k$$ times as much as the newest one, so the memory
reaches back about $$1/(1-\rho)$$ steps (a hundred at PyTorch's default $$\rho$$ = 0.99, which
PyTorch calls `alpha`). When recent gradients shrink, $$E$$ shrinks with them and the rate rises
again.

Both methods run the same four stages every step; only the second one differs.
"""

TEXT_BY_HAND = r"""
## By hand: a busy parameter and a quiet one

Parameter A gets a gradient of about 3 at every step. Parameter B gets nothing for three steps,
then a 5. With these gradients and $$\eta$$ = [[lr]], AdaGrad's sum for A reaches [[G4]] after four
steps and its rate falls from [[a_rate1]] to [[a_rate4]]. B's sum is empty until step 4, so its
first real step gets the rate
[[b_rate]]: larger than A's, although its gradient is larger too.

Before its first gradient B has no rate at all: the formula would give $$\eta/\epsilon$$
($$10^{[[adagrad_cap]]}$$ with AdaGrad's $$\epsilon$$, $$10^{[[rmsprop_cap]]}$$ with RMSProp's), but a zero gradient is
multiplied by it, so the table says "no gradient yet". That number is also a ceiling: no rate
can exceed $$\eta/\epsilon$$, and a tiny gradient such as $$10^{-12}$$ gets close to it.

RMSProp (here $$\rho$$ = [[rho]]) starts from $$E_0 = 0$$ too, and its first average is only
$$(1-\rho)g_1^2$$, a tenth of the squared gradient. So its first rate, [[r_rate1]] for A, is
$$1/\sqrt{1-\rho}$$ = [[warm_factor]] times what a settled average of gradients near 3 would give.
Chapter 4 shows how Adam corrects this start-up bias. Type other gradients into the boxes: a
zero, a negative number, a huge spike.
"""

TEXT_RACE = r"""
## AdaGrad vs RMSProp on the ellipse

Both start from the same point with the same $$\eta$$. The bars show each method's effective rate on
each axis at the player's step; press Play and watch them. AdaGrad's bars only ever go down.
RMSProp's go down while the gradients are large and back up as the ball nears the bottom and the
gradients shrink. The line above the map counts the steps on which a rate went up.
"""

TEXT_RACE_AFTER = r"""
**What you are looking at.** From the default start at $$\eta$$ = [[race_lr]] and $$\rho$$ = [[race_rho]], after
[[race_steps]] steps AdaGrad's loss is still [[adagrad_loss]]: its rates fell so fast that it crawls. RMSProp's is
[[rmsprop_loss]], and it does not settle: near the bottom its rates grow until the steps
overshoot, and the ball hops around the minimum. With a longer memory ($$\rho$$ = 0.99 or more)
its rates grow more slowly: the ball still swings across the valley floor, but its loss falls on
every one of the [[race_steps]] steps, and the hopping starts later (the long run below shows it).

**Try next.** Set $$\eta$$ = 1. AdaGrad's loss now stays within 0.001 of the minimum from step
[[fast_adagrad]] on: a large $$\eta$$ suits it, because its sum soon scales the rate down. RMSProp at
$$\rho$$ = [[race_rho]] ends hopping between points [[fast_rmsprop_end]] from the minimum on each
axis, on either side of it. That distance is $$\eta/2$$ whatever the curvature: once the rate
reaches $$2/c$$, a step of $$(2/c) \cdot c\ |y| = 2|y|$$ lands the ball at the mirror point, $$-y$$,
and the average of $$g^2$$ is then $$(c\ |y|)^2$$, which holds the rate at $$2/c$$ exactly when
$$|y| = \eta/2$$. Each hop is $$\eta$$ long on each axis.

**The rates belong to the axes.** This ellipse's valley runs along $$x$$, so a rate per
coordinate is a rate per curvature. Turn the same valley by 45° and each coordinate sees both
curvatures at once: from the same start, turned with it, AdaGrad at $$\eta$$ = 1 needs
[[turned_adagrad]] steps to stay within 0.001 of the minimum instead of [[fast_adagrad]]. No rate
per coordinate, whatever rule sets it, can straighten a valley that lies across the axes: that
takes a matrix that mixes the coordinates, as Newton's method uses.

Now, still at $$\eta$$ = 1, raise $$\rho$$ to 0.999. RMSProp's first step is $$\eta/\sqrt{1-\rho}$$ on every axis,
whatever the gradient's size, as long as it is well above ε ([[first_step_999]] at $$\rho$$ = 0.999 and
$$\eta$$ = 1), and the ball leaves the map at once. This is the start-up bias of the by-hand
table, and chapter 4 shows how Adam removes it. Watch the loss chart: out there the gradients are
huge, $$E$$ fills with their squares and the rate falls, so the ball comes back. On this bowl it
then settles, from every start: from the first one after [[back_999]] steps, where AdaGrad takes
[[fast_adagrad]]. Click the map for a new start.

At the slider's other end, $$\rho$$ = 0, $$E$$ holds only the latest $$g^2$$, so each step is
$$\eta\,g/(|g| + \epsilon)$$: $$\eta$$ long on each axis whatever the slope, in the slope's direction
(wherever $$|g|$$ is far above ε). It never slows down, so once an axis is within $$\eta$$ of the
minimum it hops across it and stays within $$\eta$$. Chapter 6's Lion also steps by the sign alone.
"""

TEXT_LONG = r"""
## The effective rate over a long run

Here both methods run [[long_steps]] steps on the ellipse at $$\eta$$ = [[long_lr]], and the chart shows the
steep axis's effective rate at every step, on a log scale. By default each gradient carries
random noise of size $$\sigma$$ = [[sigma]], as mini-batch gradients do.

**With noise** the gradient never shrinks to zero, because the noise does not. Every step adds
about $$\sigma^2$$ to AdaGrad's sum, so the sum grows without end and the rate keeps falling toward
zero. RMSProp's average forgets old gradients and settles at about the noise's $$\sigma^2$$, so its
rate levels off near $$\eta/\sigma$$.

Which is better depends on the problem. On this ellipse AdaGrad's falling rate averages the noise
away, and its ball ends far closer to the floor than RMSProp's, which keeps jumping by about
$$\eta$$ (the figures are under the switch). In long non-convex training the same fall hurts: the
large gradients of the first steps shrink the rate for good, before the model reaches the
region that matters, and learning slows to a crawl. RMSProp's moving average avoids that fall:
its rate can rise again.

**Without noise** (switch it off) both stories change. The gradients now shrink fast enough that
their squares add up to a finite total: AdaGrad's sum stops growing, its rate stops falling, and
the ball reaches the minimum. RMSProp's average keeps shrinking with the gradients, so its rate
climbs past $$2/c$$ (the dotted line). Above that rate the steep axis no longer converges: the
offset grows again, the gradients grow, and the average pulls the rate back down. RMSProp never
comes to rest. At $$\rho$$ = 0.9 and 0.99 it ends hopping steadily between $$y = \eta/2$$ and
$$y = -\eta/2$$ with its rate exactly at $$2/c$$; at $$\rho$$ = 0.999 it moves in bursts, with long
quiet spells between them.
"""

TEXT_SPARSE = r"""
## Rare features keep a large rate

This is the case AdaGrad was built for. In a language model each word has its own row of
embedding weights, and a row gets a gradient only in a batch that contains its word. A common
word's row is updated at every step; a rare word's row once in a while.

Here the frequent feature gets a gradient of 1 at every step and the rare one a gradient of 1 every
$$k$$ steps, for [[sparse_steps]] steps at $$\eta$$ = [[sparse_lr]]. Under AdaGrad each rate is
$$\eta/\sqrt{\text{number of gradients so far}}$$, so the rare feature's rate stays
$$\sqrt{k}$$ times the frequent one's at every step where the rare one gets a gradient: it still
learns quickly from the few examples it gets.
Between its gradients the rare rate stays flat, because nothing is added to its sum: a staircase
on the chart, clearest at large $$k$$. Move $$k$$ and compare with RMSProp (here $$\rho$$ = 0.9) in the
table: it favours the rare feature too, but its memory fades between the rare gradients, and the advantage never exceeds
$$1/\sqrt{1-\rho}$$.
"""

TEXT_CODE = r"""
## The code that ran

Every rate and sum on this page came from these two functions.
"""


def quiz() -> Quiz:
    return Quiz(
        "You train with AdaGrad for a long time on noisy mini-batch gradients. Why does learning "
        "eventually almost stop?",
        [
            Choice("Its sum of squared gradients only grows, so every effective rate keeps shrinking", True,
                   "Each step adds g² ≥ 0 to G, and noise keeps g² from vanishing, so G grows without bound and "
                   "η/√G heads to zero, whether or not the model has finished learning. RMSProp's moving average "
                   "forgets old gradients, which is why its rate levels off instead."),
            Choice("The gradients become zero at the minimum", False,
                   "With noisy gradients they never become zero. And even on exact gradients a slow AdaGrad can "
                   "still be far from the minimum: its rate shrank while the gradients were still large, and it "
                   "crawls."),
            Choice("ε grows over time", False,
                   "ε is a constant (1e-10 in PyTorch's Adagrad): it keeps the division safe and caps every "
                   "rate at η/ε, and it never changes."),
            Choice("The learning rate η is decayed by a schedule inside AdaGrad", False,
                   "AdaGrad's rule has no schedule: η stays fixed (PyTorch's optional lr_decay is 0 unless you "
                   "set it). The decay comes entirely from the growing sum in the denominator."),
        ],
        name="quiz3",
    )


def lessons() -> dict[str, Lesson]:
    return {"hand": Lesson("hand", AdaptiveByHand(), AdaptiveByHand.GRADIENTS),
            "race": Lesson("race", EllipseRace(), ("lr", "rho", "start"), player=Player()),
            "long": Lesson("long", RateOverTime(), ("noise", "rho")),
            "sparse": Lesson("sparse", SparseFeatures(), ("every",))}


def by_hand_view(model: AdaptiveByHand) -> EditableTable:
    def tables():
        return [Table(*table) for table in model.tables()]

    return EditableTable(model, AdaptiveByHand.GRADIENTS, tables, name="adaptive")


def race_view(race: EllipseRace, player: Player) -> pn.Column:
    bars = {"internal": "effective_lr", "title": "Effective learning rate per axis, at the player's step"}
    view = RaceView(race, "ellipse", player=player, bars=bars,
                    titles=["AdaGrad and RMSProp (click: new start)"])
    controls = pn.FlexBox(choice_slider(race, "lr", width=260),
                          FloatSlider.from_param(race.param.rho, width=260, format="0.[000]"), copy_link_button("race"),
                          sizing_mode="stretch_width")
    return pn.Column(controls, verdict_pane(race, "ellipse-verdict"), view.layout(), sizing_mode="stretch_width")


def long_run_view(model: RateOverTime) -> pn.Column:
    chart = LineChart([Curve("adagrad", "AdaGrad", ADAGRAD_COLOR), Curve("rmsprop", "RMSProp", RMSPROP_COLOR)],
                      name="long-chart", title="Effective rate of the steep axis (y)", y_label="η / (√G or √E)",
                      log_y=True, height=320)
    chart.mark(model.edge, label="2/c")
    summary = Reading("", name="long-summary", sizing_mode="stretch_width")

    def refresh(*_):
        curves = model.curves()
        with pn.io.hold():
            chart.show(np.arange(1, model.STEPS + 1), curves)
            summary.object = model.summary(curves)

    model.param.watch(refresh, ["noise", "rho"])
    refresh()
    noise = check_box(model, "noise", label=f"Gradient noise (σ = {model.SIGMA:g})", css_class="long-noise")
    controls = pn.FlexBox(noise, choice_slider(model, "rho", width=240), copy_link_button("long"),
                          sizing_mode="stretch_width", align_items="center")
    return pn.Column(controls, summary, pn.pane.Bokeh(chart.figure, sizing_mode="stretch_width", max_width=760),
                     sizing_mode="stretch_width", name="long")


def sparse_view(model: SparseFeatures) -> pn.Column:
    chart = LineChart([Curve("frequent", "frequent feature", ADAGRAD_COLOR),
                       Curve("rare", "rare feature", ADAGRAD_COLOR, dash="dashed")],
                      name="sparse-chart", title="AdaGrad's effective rates", y_label="effective rate", log_y=True,
                      height=280)
    table = WorkedTable(name="sparse-table")

    def refresh(*_):
        rates = model.rates()["adagrad"]
        with pn.io.hold():
            chart.show(np.arange(1, model.STEPS + 1), {"frequent": rates[:, 0], "rare": rates[:, 1]})
            table.show(Table(*model.table()))

    model.param.watch(refresh, "every")
    refresh()
    return pn.Column(pn.FlexBox(choice_slider(model, "every", width=300), copy_link_button("sparse"),
                                sizing_mode="stretch_width"),
                     pn.FlexBox(pn.pane.Bokeh(chart.figure, sizing_mode="stretch_width", min_width=280,
                                              max_width=520), table, sizing_mode="stretch_width"),
                     sizing_mode="stretch_width", name="sparse")


PIPELINE = [("1 · gradient", "g = ∇L(θ)"),
            ("2 · accumulate", "AdaGrad: G ← G + g²\nRMSProp: E ← ρE + (1−ρ)g²"),
            ("3 · effective rate", "r = η / (√G + ε)\nor η / (√E + ε)"),
            ("4 · update", "θ ← θ − r·g")]


def page(lessons: dict[str, Lesson]):
    race = lessons["race"]
    f = facts()
    return pn.Column(
        prose(fill(TEXT_INTRO, f)),
        pipeline(PIPELINE, name="pipeline"),
        prose(fill(TEXT_BY_HAND, f)),
        by_hand_view(lessons["hand"].model),
        prose(TEXT_RACE),
        Deferred(lambda: race_view(race.model, race.player), "The race of AdaGrad and RMSProp", 800),
        prose(fill(TEXT_RACE_AFTER, f)),
        prose(fill(TEXT_LONG, f)),
        Deferred(lambda: long_run_view(lessons["long"].model), "The long run", 600),
        prose(fill(TEXT_SPARSE, f)),
        Deferred(lambda: sparse_view(lessons["sparse"].model), "Sparse features", 600),
        prose(TEXT_CODE),
        code_view(adagrad, "AdaGrad, as `torch.optim.Adagrad` computes it with its defaults (no `lr_decay`, "
                  "an accumulator starting at 0):"),
        code_view(rmsprop, "RMSProp, with PyTorch's options for momentum and centring:"),
        quiz(),
        sizing_mode="stretch_width", name="chapter-3",
    )


CHAPTER = Chapter(3, lessons, page)
