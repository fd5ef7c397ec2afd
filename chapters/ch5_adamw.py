"""Chapter 5: AdamW. Weight decay that is not divided by the gradient's size."""

import functools

import numpy as np
import panel as pn
from bokeh.layouts import column
from bokeh.models import MultiLine, Range1d, Scatter
from bokeh.plotting import figure

from lessons import Player
from lessons.decay import BUSY, QUIET, DecayByHand, TwoWeights
from optimizers.adam import adamw
from widgets.code_view import code_view
from widgets.controls import FloatSlider
from widgets.lean import draw
from widgets.links import copy_link_button
from widgets.palette import legend_entry, optimizer_style
from widgets.quiz import Choice, Quiz
from widgets.sizing import MIN_WIDTH, RIGHT_BORDER
from widgets.text import fill, prose
from widgets.timeline import Timeline
from widgets.worked_table import EditableTable, Table, WorkedTable

from .base import Chapter, Lesson


@functools.cache
def facts() -> dict:
    """Figures the prose quotes, measured with the core (the same for every visitor)."""
    hand = DecayByHand()
    steps = hand.steps()
    weights = TwoWeights().weights()
    undecayed = TwoWeights(lam=0.0).weights()
    quiet_step, quiet_divisor = TwoWeights().quiet_divisor(QUIET)
    return {
        "theta": f"{hand.theta:g}", "g": f"{hand.g:g}", "lam": f"{hand.lam:g}", "lr": f"{hand.lr:g}",
        "fed": f"{steps['Adam + L2']['fed']:g}", "v_hat": f"{steps['Adam + L2']['v_hat']:.3g}",
        "l2_decay": f"{steps['Adam + L2']['decay']:.2g}", "w_decay": f"{steps['AdamW']['decay']:.2g}",
        "l2_share": f"{100 * steps['Adam + L2']['decay'] / hand.theta:.3g}%",
        "w_share": f"{100 * steps['AdamW']['decay'] / hand.theta:.3g}%",
        "busy": f"{BUSY:g}", "quiet": f"{QUIET:g}", "two_lr": f"{TwoWeights.LR:g}", "two_steps": TwoWeights.STEPS,
        "two_lam": f"{TwoWeights().lam:g}",
        "l2_busy": f"{weights['adam'][-1, 0]:.2f}", "l2_quiet": f"{weights['adam'][-1, 1]:.1g}",
        "w_both": f"{weights['adamw'][-1, 0]:.2f}",
        "drift": f"{max(abs(w[-1] - 1).max() for w in undecayed.values()):.2g}",
        "quiet_step": quiet_step, "quiet_sqrt_v": f"{quiet_divisor:.2g}", "quiet_times": f"{1 / quiet_divisor:.0f}",
    }


TEXT_INTRO = r"""
# Chapter 5 · AdamW

Weight decay pulls every weight a little toward zero at every step (a little as long as
$$\eta\lambda \ll 1$$), so that weights the data
do not need fade away. There are two ways to write it, and for years they were treated as the
same thing.

- **An L2 penalty** adds $$\tfrac{\lambda}{2}\lVert\theta\rVert^2$$ to the loss. Its gradient, $$\lambda\theta$$, is
  added to the gradient: the optimizer is fed $$g + \lambda\theta$$.
- **Decoupled weight decay** leaves the gradient alone and shrinks the weights directly:
  $$\theta \leftarrow (1-\eta\lambda)\theta$$, then the optimizer's own step.

Under plain SGD (no momentum) these are one formula: $$\theta - \eta(g + \lambda\theta) =
(1-\eta\lambda)\theta - \eta g$$.
With momentum, and under Adam, they are not. Whatever is fed to Adam is divided by $$\sqrt{\hat
v}$$, and that includes
$$\lambda\theta$$. A weight with large gradients has a large $$\hat v$$, so its decay is divided by a
large number and almost vanishes. The decay is multiplied by $$1/(\sqrt{\hat v} + \epsilon)$$, where
$$\sqrt{\hat v}$$ is the root mean square of the recent values of $$g + \lambda\theta$$: shrunk when
they are above 1, blown up when they are below.
AdamW (Loshchilov and Hutter, 2019) applies the decay outside Adam's division; as PyTorch
writes it (the paper multiplies $$\lambda$$ by the schedule's factor rather than by $$\eta$$):

$$\theta_t = (1 - \eta\lambda)\theta_{t-1} - \eta\frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}$$
"""

TEXT_BY_HAND = r"""
## By hand: how much of a step is decay?

Take $$\theta$$ = [[theta]], $$g$$ = [[g]], $$\lambda$$ = [[lam]] and $$\eta$$ = [[lr]], with the
same gradient at every
step so that Adam's averages have settled. Adam + L2 is fed $$g + \lambda\theta$$ = [[fed]], so
$$\hat v$$ = [[v_hat]] and the decay's part of the step is $$\eta\lambda\theta/(\sqrt{\hat v}+\epsilon)$$ =
[[l2_decay]]: [[l2_share]] of
$$\theta$$ per step. AdamW removes $$\eta\lambda\theta$$ = [[w_decay]], [[w_share]] of $$\theta$$, whatever the
gradients are. Change the numbers: from the default, make $$g$$ a hundred times larger and watch Adam + L2's decay
shrink while AdamW's stays put.
"""

TEXT_TWO = r"""
## Two weights, one λ

Both weights start at 1. Their gradients only swing back and forth, $$\pm s$$ at alternate steps,
so the gradients average to zero. On their own they barely move the weights: at $$\lambda$$ = 0 every
weight ends within [[drift]] of 1, about two steps' worth. Whatever moves a weight further is the decay.
The busy weight has $$s$$ = [[busy]], the quiet one $$s$$ = [[quiet]]. Solid lines are the busy weight,
dashed the quiet one; each colour is one method, at $$\eta$$ = [[two_lr]].

At $$\lambda$$ = [[two_lam]], after [[two_steps]] steps, Adam + L2 has left the busy weight at [[l2_busy]] and
driven the quiet one to [[l2_quiet]]. For the quiet weight $$\lambda\theta$$ is much larger than its gradient,
so the decay is most of what Adam normalises, and at first the weight is pulled down by nearly $$\eta$$ per
step. Once the weight is small, $$\sqrt{\hat v}$$ still remembers the larger $$\lambda\theta$$ of earlier
steps ($$\beta_2$$ averages over about a thousand steps): when the weight falls below [[quiet]], at step
[[quiet_step]], $$\sqrt{\hat v}$$ is [[quiet_sqrt_v]], so its decay is multiplied by about [[quiet_times]], and
it keeps falling fast. AdamW has brought both to [[w_both]]: the
same curve, since Adam's normalised steps are the
same for both and the decay is the same factor $$1-\eta\lambda$$ for both (its two lines lie on top of
each other).
"""

TEXT_TRAP = r"""
## The PyTorch trap

In PyTorch, `torch.optim.Adam(..., weight_decay=λ)` is the L2 penalty: λθ is added to the
gradient before Adam's division. `torch.optim.AdamW(..., weight_decay=λ)` is the decoupled
decay. The argument has the same name and means different things (recent versions also take
`torch.optim.Adam(..., decoupled_weight_decay=True)`, which is AdamW). Below, the two calls
from the race above, run by the course's core with exactly those arguments (it matches
`torch.optim` step for step). Note also that AdamW's default is `weight_decay=0.01`, and Adam's
is 0.
"""

TEXT_CODE = r"""
## The code that ran

AdamW in the core is Adam plus one line: the weights are shrunk first, and Adam is then called
with no weight decay of its own.
"""


def quiz() -> Quiz:
    return Quiz(
        "Why does AdamW apply weight decay outside Adam's update instead of adding λθ to the gradient?",
        [
            Choice("Because Adam divides whatever it is fed by √v̂, so a penalty in the gradient decays weights "
                   "with large gradients less than weights with small ones", True,
                   "Adding λθ to the gradient makes the decay pass through the per-coordinate division. AdamW "
                   "shrinks every weight by the same factor 1 − ηλ, whatever its gradients."),
            Choice("Because it is cheaper to compute", False,
                   "Both cost one multiply-add per weight; the difference is where the decay enters."),
            Choice("Because L2 regularisation and weight decay are different for plain SGD too", False,
                   "For plain SGD they are the same formula: θ − η(g + λθ) = (1 − ηλ)θ − ηg. They part with "
                   "momentum (the penalty then enters the velocity) and under adaptive methods."),
            Choice("Because it makes Adam converge faster", False,
                   "Speed is not the reason. Decoupling changes which weights are decayed and by how much (and "
                   "so the training loss too); AdamW's advantage is regularisation that behaves as λ says."),
        ],
        name="quiz5",
    )


def lessons() -> dict[str, Lesson]:
    return {"hand": Lesson("hand", DecayByHand(), DecayByHand.NAMES),
            "two": Lesson("two", TwoWeights(), ("lam",), player=Player(speed=200))}


METHODS = (("adam", "Adam + L2"), ("adamw", "AdamW"))
"""The two runs of the lesson: torch's Adam with weight_decay (an L2 penalty), and AdamW."""


class TwoWeightsView:
    """The two weights under both methods, against the step, played in the browser."""

    def __init__(self, model: TwoWeights, player: Player):
        self.model = model
        self.timeline = Timeline("weights", player)
        self.group = self.timeline.group("lines", ("step", "w"), ("label", "color", "dash"))
        self.figure = figure(height=320, name="weights-chart", title="Weights against the step",
                             x_range=Range1d(0, model.STEPS), y_range=Range1d(-0.1, 1.1), x_axis_label="step",
                             y_axis_label="weight", tools="save", toolbar_location=None,
                             sizing_mode="stretch_width", min_width=MIN_WIDTH, max_width=760,
                             min_border_right=RIGHT_BORDER)
        draw(self.figure, MultiLine(xs="step", ys="w", line_color="color", line_dash="dash", line_width=2.2),
             self.group.trail)
        draw(self.figure, Scatter(x="step", y="w", fill_color="color", line_color="color", size=7), self.group.point)
        self.legend = pn.pane.HTML(self._legend(), sizing_mode="stretch_width")
        self.table = WorkedTable(name="trap-table")
        model.param.watch(self.show_whole, "lam")
        self.refresh()

    @staticmethod
    def _legend() -> str:
        parts = []
        for name, title in METHODS:
            color = optimizer_style(name)[0]
            parts.append(legend_entry(color, "solid", title))
        return " &nbsp; ".join(parts) + " &nbsp; (solid: busy weight, dashed: quiet weight)"

    def show_whole(self, *_):
        """A new λ's runs are shown whole; the step a link gives holds only for the λ it came with."""
        self.timeline.player.step = -1
        self.refresh()

    def refresh(self):
        weights = self.model.weights()
        rows = {key: [] for key in ("step", "w", "label", "color", "dash")}
        steps = np.arange(self.model.STEPS + 1)
        for name, title in METHODS:
            for index, which, dash in ((0, "busy", "solid"), (1, "quiet", "dashed")):
                rows["step"].append(steps)
                rows["w"].append(weights[name][:, index])
                rows["label"].append(f"{title}, {which}")
                rows["color"].append(optimizer_style(name)[0])
                rows["dash"].append(dash)
        values = np.concatenate([w.ravel() for w in weights.values()])
        with pn.io.hold():
            low, high = min(values.min(), 0.0), max(values.max(), 1.0)
            self.figure.y_range.update(start=low - 0.05 * (high - low), end=high + 0.05 * (high - low))
            self.timeline.load(self.group, rows, self.model.STEPS)
            self.timeline.show(last=self.model.STEPS)
            self.table.show(Table(*self.model.table(weights)))

    def layout(self) -> pn.Column:
        controls = pn.FlexBox(FloatSlider.from_param(self.model.param.lam, width=280), copy_link_button("two"),
                              sizing_mode="stretch_width")
        return pn.Column(controls, pn.pane.Bokeh(column(self.timeline.controls(), sizing_mode="stretch_width")),
                         self.legend, pn.pane.Bokeh(self.figure, sizing_mode="stretch_width", max_width=760),
                         sizing_mode="stretch_width", name="weights")


def page(lessons: dict[str, Lesson]):
    f = facts()
    hand = lessons["hand"].model
    two = TwoWeightsView(lessons["two"].model, lessons["two"].player)
    return pn.Column(
        prose(TEXT_INTRO),
        prose(fill(TEXT_BY_HAND, f)),
        EditableTable(hand, DecayByHand.NAMES, lambda: [Table(*hand.table())], name="decay"),
        prose(fill(TEXT_TWO, f)),
        two.layout(),
        prose(TEXT_TRAP),
        two.table,
        prose(TEXT_CODE),
        code_view(adamw, "AdamW, as `torch.optim.AdamW` computes it:"),
        quiz(),
        sizing_mode="stretch_width", name="chapter-5",
    )


CHAPTER = Chapter(5, lessons, page)
