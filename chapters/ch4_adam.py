"""Chapter 4: Adam. Momentum's average over RMSProp's scale, with the first steps corrected."""

import functools

import numpy as np
import panel as pn

import landscapes
from lessons import Player
from lessons.adam import (
    ADAM,
    PRESETS,
    SCALE_RATE,
    SCALES,
    AdamByHand,
    AdamInternals,
    BiasRace,
    ScaleRace,
    correction_ratio,
    rmsprop_first_steps,
)
from optimizers.adam import adam
from widgets.code_view import code_view
from widgets.controls import FloatSlider, IntSlider, choice_slider
from widgets.deferred import Deferred
from widgets.line_chart import Curve, LineChart
from widgets.links import copy_link_button
from widgets.palette import PATH_COLORS
from widgets.quiz import Choice, Quiz
from widgets.race_view import RaceView, verdict_pane
from widgets.sizing import plots_row
from widgets.text import Reading, fill, prose
from widgets.worked_table import EditableTable, Table, WorkedTable

from .base import Chapter, Lesson

GREY = "#777777"


def steep_curvature() -> float:
    """The ellipse's larger curvature, the one that sets SGD's stability limit off the line y = 0."""
    return float(max(landscapes.get("ellipse").hess_diag(np.zeros(2))))


@functools.cache
def gentle_too_steep() -> list[int]:
    """The loss multipliers k at which SGD at the scale race's rate diverges even along the
    ellipse's gentle axis: η·k·c > 2 for its smaller curvature c."""
    gentle = float(min(landscapes.get("ellipse").hess_diag(np.zeros(2))))
    return [k for k in SCALES if SCALE_RATE * k * gentle > 2]


def facts() -> dict:
    """Figures the prose quotes, measured with the core (the same for every visitor)."""
    ratio = correction_ratio()
    bridge = {row[0]: row[1] for row in rmsprop_first_steps()}
    beta1, beta2 = ADAM["betas"]

    def peak(preset, **betas):
        return float(np.abs(AdamInternals(preset=preset, **betas).series()["update_over_lr"]).max())

    sparse = AdamInternals(preset="sparse").series()
    spike = int(np.flatnonzero(sparse["g"])[-2])
    after_spike = sparse["update_over_lr"][spike + 1] / sparse["update_over_lr"][spike]
    slow = BiasRace(lr=0.03)
    bias_steps = slow.steps
    flip = AdamInternals(preset="sign flip").series()
    flip_at = int(np.flatnonzero(flip["g"] < 0)[0]) + 1
    turn_delay = int(np.flatnonzero(flip["update_over_lr"] < 0)[0]) + 1 - flip_at
    return {
        "lr": f"{ADAM['lr']:g}", "beta1": f"{beta1:g}", "beta2": f"{beta2:g}", "eps": f"{ADAM['eps']:g}",
        "ratio1": f"{ratio[0]:.2g}", "ratio10": f"{ratio[9]:.2g}", "ratio1000": f"{ratio[999]:.3g}",
        "ratio_peak": f"{ratio.max():.2g}", "ratio_peak_at": int(ratio.argmax()) + 1,
        "window1": f"{1 / (1 - beta1):.0f}", "window2": f"{1 / (1 - beta2):.0f}",
        "bridge99": f"{bridge[0.99]:.3g}", "noisy_peak": f"{peak('noisy'):.2g}",
        "sparse_peak": f"{peak('sparse', beta1=0.0):.2g}", "wild_peak": f"{peak('noisy', beta2=0.0):.0f}",
        "sparse_after": f"{100 * after_spike:.0f}",
        "flip_at": flip_at, "turn_delay": turn_delay, "scale_lr": f"{SCALE_RATE:g}",
        "bias_steps": bias_steps, "ratio_end": f"{ratio[bias_steps - 1]:.2g}",
        "slow_uncorrected": slow.result.lanes[1].steps_to_tolerance,
        "slow_corrected": slow.result.lanes[0].steps_to_tolerance,
        "scale_gap": f"{max(ScaleRace(scale=k).differences()['adam'][0] for k in (10, 100, 1000)):.1g}",
        "scale_limit": f"{2 / (SCALE_RATE * steep_curvature()):g}",
        "scale_x_ks": " and ".join(f"{k:g}" for k in gentle_too_steep()),
    }


TEXT_INTRO = r"""
# Chapter 4 · Adam

Adam puts the last two chapters together. From momentum it takes an average of the gradients,
which smooths their direction. From RMSProp it takes an average of their squares, which sets each
coordinate's scale. Then it corrects both averages for starting at zero. Five lines, per
coordinate, at step $$t$$:

$$m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t$$

$$v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2$$

$$\hat m_t = \frac{m_t}{1-\beta_1^t} \qquad \hat v_t = \frac{v_t}{1-\beta_2^t}$$

$$\theta_t = \theta_{t-1} - \eta \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}$$

PyTorch's defaults are $$\eta$$ = [[lr]], $$\beta_1$$ = [[beta1]], $$\beta_2$$ = [[beta2]] and
$$\epsilon$$ = [[eps]]. So $$m$$ remembers about [[window1]] steps and $$v$$ about [[window2]].

Unlike chapter 2's velocity, $$\hat m$$ really is an average ($$m$$'s weights add up to $$1-\beta_1^t$$, and
the correction makes them add up to one), so $$\hat m/\sqrt{\hat v}$$ compares the mean gradient
with its typical size. When the gradients
agree, that ratio is close to 1 and the step is about $$\eta$$. When they disagree, the mean
shrinks while the typical size does not, and the step shrinks too. So each coordinate moves by
something of the order of $$\eta$$ per step, whatever the size of its gradients (as long as they
are far above $$\epsilon$$ = [[eps]]).

"Of the order" is not "at most". A gradient much larger than the recent ones makes a longer step:
at the default $$\beta$$s the largest step in the "noisy" sequence below is [[noisy_peak]] η, and with
$$\beta_1$$ = 0 (and the default $$\beta_2$$) a spike in the "sparse" one makes a step of [[sparse_peak]] η.
Is there a ceiling? Only while $$\beta_2$$ is greater than $$\beta_1^2$$: then $$v$$ forgets more slowly
than $$m$$ can grow, and no gradient sequence can make the step longer than a fixed multiple of
η (a multiple only contrived sequences come near). Below that there is no ceiling: $$\hat v$$ can
fall far under $$\hat m^2$$, and at $$\beta_1$$ = 0.9 and $$\beta_2$$ = 0 a noisy step reaches
[[wild_peak]] η.
"""

TEXT_BY_HAND = r"""
## By hand: three steps

One parameter, PyTorch's defaults, gradients 4, −1 and 3. At step 1 the raw averages are tiny:
$$m_1 = 0.1 \times 4$$ and $$v_1 = 0.001 \times 16$$. Dividing by $$1-\beta^1$$ restores
$$\hat m_1 = 4$$ and $$\hat v_1 = 16$$, and the update is $$\eta \cdot 4/\sqrt{16}$$, exactly η up to
ε. Then the gradient turns to −1: $$m$$ still points the old way, the two disagree, and the second
step is about half as long. Type your own gradients, a thousand times larger for instance: the
updates do not change.
"""

TEXT_INTERNALS = r"""
## Adam's internals, step by step

Pick a gradient sequence and move the step slider. The charts show the raw averages $$m$$ and
$$v$$ (thin), the corrected $$\hat m$$ and $$\hat v$$ (thick), and the update divided by $$\eta$$. The table
gives every quantity at the chosen step, including the two correction factors $$1-\beta^t$$.

Things to look for: with a constant gradient, $$\hat m$$ and $$\hat v$$ are exact from step 1 while
$$m$$ and $$v$$ creep up (at the default $$\beta_2$$, $$v$$ needs thousands of steps). With a sign flip at
step [[flip_at]] the update turns round [[turn_delay]] steps later at the default $$\beta_1$$, as momentum
did. With sparse gradients the update jumps at every spike. On each quiet step after it, $$\hat m$$
shrinks by $$\beta_1$$ and $$\sqrt{\hat v}$$ by $$\sqrt{\beta_2}$$, so each step is about
$$\beta_1/\sqrt{\beta_2}$$ times the one before. While $$\beta_2 \gt \beta_1^2$$ that factor is below 1
and every quiet step is shorter than the spike's, though at the default $$\beta$$s not by much: the
step right after a spike is [[sparse_after]]% of it.
With $$\beta_1$$ = 0 the quiet steps are 0. Below $$\beta_1^2$$ the factor is above 1: the quiet steps
do not fade, and they grow as large as the spikes' own (at $$\beta_1$$ = 0.9 and $$\beta_2$$ = 0.5, larger).
Set $$\beta_1$$ = 0 for RMSProp with bias correction; set $$\beta_2$$ close to 1 and watch
$$1-\beta_2^t$$ stay far from 1.
"""

TEXT_BRIDGE = r"""
**Back to chapter 3.** RMSProp has no bias correction. Its first average is $$(1-\rho) g_1^2$$, so
its first step is $$\eta/\sqrt{1-\rho}$$ in size: at PyTorch's $$\rho$$ = 0.99 (its `alpha`) that is [[bridge99]] times
η, as the core computes below. Adam's correction exists to avoid exactly this.
"""

TEXT_BIAS = r"""
## Bias correction, on and off

Two Adam runs from the same start on the ellipse, one without the two divisions by $$1-\beta^t$$.
Early on, $$v_t$$ is far smaller than the squared gradients it averages, and dividing by its root
makes the uncorrected steps too long.

Fed the same gradients, the uncorrected step is $$(1-\beta_1^t)/\sqrt{1-\beta_2^t}$$ times the
corrected one: [[ratio1]]× at step 1, [[ratio10]]× at step 10 (near the peak of [[ratio_peak]]× at step
[[ratio_peak_at]]) and still [[ratio1000]]× at step 1000, as the chart beside the step lengths shows.
On the map only step 1 is fed the same gradient, so only step 1 is sure to be [[ratio1]]× as long
(wherever the gradient is far above $$\epsilon$$). After that the paths part, and an uncorrected step
can be shorter or longer than the corrected one. Both reach the minimum of the ellipse, so they
end together, long before the factors reach 1 (at step [[bias_steps]] the ratio is still [[ratio_end]]).

What does skipping the correction cost? It runs with a larger effective rate in the most
fragile phase of training, the opposite of a warmup (chapter 7). On this convex bowl that is
harmless, and from the default start even helpful: at $$\eta$$ = 0.03 the uncorrected run settles within 0.001 of the
minimum's loss from step [[slow_uncorrected]], the corrected one from step [[slow_corrected]]. On a real
network, early steps several times too long are where training blows up.
"""

TEXT_SCALE = r"""
## Adam ignores the loss's scale

Multiply the loss by $$k$$ and every gradient is multiplied by $$k$$. SGD's steps grow $$k$$ times:
its largest stable rate shrinks by $$k$$, and at $$\eta$$ = [[scale_lr]] it diverges for every $$k$$ on the
slider above 1 from any start off the line $$y = 0$$ (it would for any $$k$$ above $$2/(\eta c)$$ =
[[scale_limit]], with $$c$$ the steeper curvature; for $$k$$ = [[scale_x_ks]], from that line too: then even the
gentle direction is too steep). Adam divides $$\hat m$$ (multiplied by $$k$$) by
$$\sqrt{\hat v}$$ (also multiplied by $$k$$), so apart from $$\epsilon$$ nothing changes: its path
on $$k \cdot L$$ stays within [[scale_gap]] of its path
on $$L$$ (the grey dotted line) from the default start, for every $$k$$ on the slider. Starts where
a coordinate's gradient is tiny (near the minimum, or close to an axis), so that $$\epsilon$$ is no
longer negligible beside it, differ more. So Adam's rate needs
no retuning when the loss is rescaled (a sum instead of a mean, a loss weight). It is not
invariant to rescaling the parameters: its steps are about $$\eta$$ in parameter units.
"""

TEXT_CODE = r"""
## The code that ran

The tables, charts and races above all called this function; `bias_correction=False` is the
switch the comparison used.
"""


def quiz() -> Quiz:
    return Quiz(
        "Why does Adam divide m and v by 1 − βᵗ?",
        [
            Choice("Both start at zero, so early on they are too small; the division removes that bias", True,
                   "m₁ = (1 − β₁)g₁ is only a tenth of g₁ and v₁ a thousandth of g₁². Dividing by 1 − βᵗ makes "
                   "each a weighted average whose weights sum to 1: unbiased while the gradients' distribution "
                   "does not change, and exact for a constant gradient. "
                   "Without it, v's deeper bias wins and the early steps are several times too long."),
            Choice("To make the learning rate decay over time", False,
                   "The factors 1 − βᵗ approach 1 within a few thousand steps, after which they change nothing; "
                   "a decay is the job of a schedule (chapter 7)."),
            Choice("To keep the update from dividing by zero", False,
                   "That is ε's job. The correction rescales m and v; it does not keep v̂ away from zero."),
            Choice("To make Adam scale-free", False,
                   "Adam is scale-free with or without the correction: m and √v both grow with the gradients, so "
                   "their ratio does not."),
        ],
        name="quiz4",
    )


def lessons() -> dict[str, Lesson]:
    return {"hand": Lesson("hand", AdamByHand(), AdamByHand.GRADIENTS),
            "inside": Lesson("inside", AdamInternals(), ("beta1", "beta2", "preset", "step")),
            "bias": Lesson("bias", BiasRace(), ("lr", "start"), player=Player()),
            "scale": Lesson("scale", ScaleRace(), ("scale", "start"), player=Player())}


def internals_view(model: AdamInternals) -> pn.Column:
    blue, orange = PATH_COLORS[0], PATH_COLORS[1]
    first = LineChart([Curve("g", "g", GREY, width=1), Curve("m", "m", blue, width=1.2),
                       Curve("m_hat", "m̂", blue, width=3)], name="inside-first", title="First moment",
                      y_label="value", log_x=True, height=250)
    second = LineChart([Curve("v", "v", orange, width=1.2), Curve("v_hat", "v̂", orange, width=3)],
                       name="inside-second", title="Second moment", y_label="value", log_x=True, log_y=True,
                       height=250)
    update = LineChart([Curve("update_over_lr", "update ÷ η", PATH_COLORS[2], width=2.5)], name="inside-update",
                       title="Update ÷ η", y_label="update ÷ η", log_x=True, height=250)
    charts = (first, second, update)
    marks = [chart.mark(1, dimension="height") for chart in charts]
    table = WorkedTable(name="inside-table")
    said = Reading("", name="inside-first-step", sizing_mode="stretch_width")
    current = {}

    def show_step(*_):
        rows = [[label, value] for label, value in model.at_step(current)]
        with pn.io.hold():
            table.show(Table(["at step " + str(model.step), "value"], rows))
            for mark in marks:
                mark.location = model.step

    def recompute(*_):
        current.clear()
        current.update(model.series())
        with pn.io.hold():
            for chart in charts:
                chart.show(current["step"], current)
            said.object = model.first_step()
            show_step()

    model.param.watch(recompute, ["beta1", "beta2", "preset"])
    model.param.watch(show_step, "step")
    recompute()
    controls = pn.FlexBox(
        pn.widgets.RadioButtonGroup.from_param(model.param.preset, options=list(PRESETS), color="primary",
                                              variant="outline"),
        FloatSlider.from_param(model.param.beta1, width=220, format="0.[000]"),
        FloatSlider.from_param(model.param.beta2, width=220, format="0.[0000]"),
        IntSlider.from_param(model.param.step, width=260), copy_link_button("inside"),
        sizing_mode="stretch_width", align_items="center", gap="0 24px")  # side by side, two sliders read as one
    plots = pn.FlexBox(*(pn.pane.Bokeh(c.figure, sizing_mode="stretch_width", min_width=280, max_width=420)
                         for c in charts), table, sizing_mode="stretch_width", name="inside-plots")
    return pn.Column(controls, said, plots, sizing_mode="stretch_width", name="inside")


def bridge_table() -> WorkedTable:
    table = WorkedTable(name="rmsprop-first-step")
    table.show(Table(["ρ", "RMSProp's first step ÷ η (core)", "1/√(1 − ρ)"], rmsprop_first_steps(),
                     "Adam's first step ÷ η is 1 at any β₂, thanks to the correction."))
    return table


def bias_view(race: BiasRace, player: Player) -> pn.Column:
    view = RaceView(race, "bias", player=player, titles=["Adam, corrected and not (click: new start)"])
    lengths = LineChart([Curve("corrected", "corrected", PATH_COLORS[0]),
                         Curve("uncorrected", "without correction", BiasRace.UNCORRECTED, dash="dashed")],
                        name="bias-lengths", title="Length of each step on the map", y_label="step length",
                        log_y=True, height=260)
    ratio = correction_ratio()
    same = LineChart([Curve("ratio", "uncorrected ÷ corrected", BiasRace.UNCORRECTED)], name="bias-ratio",
                     title="Step ratio when both are fed the same gradients", y_label="step ratio", log_x=True,
                     height=260)
    same.mark(1.0)
    same.show(np.arange(1, len(ratio) + 1), {"ratio": ratio})

    def refresh(*_):
        steps = race.step_lengths()
        lengths.show(np.arange(1, race.steps + 1), steps)

    race.param.watch(refresh, "result")
    refresh()
    controls = pn.FlexBox(choice_slider(race, "lr", width=260), copy_link_button("bias"), sizing_mode="stretch_width")
    charts = plots_row(lengths.figure, same.figure, name="bias-charts")
    return pn.Column(controls, verdict_pane(race, "bias-verdict"), view.layout(), charts,
                     sizing_mode="stretch_width")


def scale_view(race: ScaleRace, player: Player) -> pn.Column:
    view = RaceView(race, "scale", player=player, panels=[[0, 1], [2, 3]], loss=False,
                    titles=["SGD (click: new start)", "Adam (click: new start)"])
    controls = pn.FlexBox(choice_slider(race, "scale", width=260), copy_link_button("scale"),
                          sizing_mode="stretch_width")
    return pn.Column(controls, verdict_pane(race, "scale-verdict"), view.layout(), sizing_mode="stretch_width")


def page(lessons: dict[str, Lesson]):
    f = facts()
    hand = lessons["hand"].model
    return pn.Column(
        prose(fill(TEXT_INTRO, f)),
        prose(TEXT_BY_HAND),
        EditableTable(hand, AdamByHand.GRADIENTS, lambda: [Table(*hand.table())], name="adam"),
        prose(fill(TEXT_INTERNALS, f)),
        Deferred(lambda: internals_view(lessons["inside"].model), "Inside Adam: m, v and the update", 700),
        prose(fill(TEXT_BRIDGE, f)),
        bridge_table(),
        prose(fill(TEXT_BIAS, f)),
        Deferred(lambda: bias_view(lessons["bias"].model, lessons["bias"].player), "The bias-correction race", 900),
        prose(fill(TEXT_SCALE, f)),
        Deferred(lambda: scale_view(lessons["scale"].model, lessons["scale"].player), "The gradient-scale race", 800),
        prose(TEXT_CODE),
        code_view(adam, "Adam, as `torch.optim.Adam` computes it:"),
        quiz(),
        sizing_mode="stretch_width", name="chapter-4",
    )


CHAPTER = Chapter(4, lessons, page)
