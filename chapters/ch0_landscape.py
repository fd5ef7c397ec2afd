"""Chapter 0: the landscape problem. Gradient descent, and the three ways it fails."""

import numpy as np
import panel as pn
import param

from landscapes import get
from optimizers import run
from optimizers.sgd import sgd
from widgets.code_view import code_view
from widgets.controls import choice_slider
from widgets.explorer import Contestant, Explorer
from widgets.palette import PATH_COLORS
from widgets.quiz import Choice, Quiz
from widgets.text import prose
from widgets.worked_table import EditableTable, Field, Table, WorkedTable

LEARNING_RATES = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 0.7, 0.9, 0.95, 1.0, 1.05, 1.1, 1.5]
EXPLORER_LANDSCAPES = ("bowl", "ravine", "saddle")
STEP_CHOICES = [50, 200, 1000, 3000]


def parabola(x):
    return (x - 3.0) ** 2


def parabola_grad(x):
    return 2 * (x - 3.0)


def descent_table(lr: float, x0: float, shown: int = 5, checkpoints=(100, 1000)):
    """Rows of gradient descent on (x - 3)^2, computed by the core, and a summary note."""
    traj = run("sgd", parabola_grad, [x0], max(checkpoints), lr=lr, bound=1e12)
    x = traj.params[:, 0]
    rows = []
    for k in range(shown + 1):
        if np.isnan(x[k]):
            break
        gradient = parabola_grad(x[k])
        rows.append(
            [k, float(x[k]), float(parabola(x[k])), float(gradient), float(-lr * gradient), float(abs(x[k] - 3))]
        )
    if traj.diverged_at >= 0:
        note = (
            f"Diverged at step {traj.diverged_at}: each step multiplies the distance to 3 by |1 − 2η| = "
            f"{abs(1 - 2 * lr):.3g} > 1."
        )
    else:
        note = (
            "; ".join(f"after {c} steps x = {x[c]:.4g}" for c in checkpoints)
            + f". Each step multiplies the distance to 3 by 1 − 2η = {1 - 2 * lr:.3g}."
        )
    return rows, note, traj.diverged_at >= 0


class ExplorerLesson(param.Parameterized):
    """The Loss Landscape Explorer: its settings, and the explorer they drive (the page adds the widgets)."""

    landscape = param.Selector(objects=list(EXPLORER_LANDSCAPES), default="bowl")
    lr = param.Selector(objects=LEARNING_RATES, default=0.1, label="Learning rate η")
    steps = param.Selector(objects=STEP_CHOICES, default=200, label="Steps")

    def __init__(self, **params):
        super().__init__(**params)
        self.explorer = Explorer(
            "explorer",
            get(self.landscape),
            [self._contestant()],
            self.steps,
            title="Gradient descent on the landscape (click to move the ball)",
        )
        self.explorer.recompute()

    def _contestant(self):
        return Contestant("sgd", "gradient descent", PATH_COLORS[0], {"lr": self.lr})

    @param.depends("landscape", watch=True)
    def _new_landscape(self):
        self.explorer.set_landscape(get(self.landscape))

    @param.depends("lr", "steps", watch=True)
    def _new_settings(self):
        self.explorer.set_contestants([self._contestant()], steps=self.steps)


DESCENT_HEADERS = ["step k", "x_k", "loss (x_k − 3)²", "gradient 2(x_k − 3)", "step −η·gradient",
                   "distance to 3"]


def descent_tables(values: dict) -> list[Table]:
    rows, note, diverged = descent_table(values["lr"], values["x0"])
    return [Table(DESCENT_HEADERS, rows, note, alarm=diverged)]


def descent_editor() -> EditableTable:
    """Gradient descent on (x − 3)² by hand, for any η and start the learner types."""
    fields = [Field("lr", "Learning rate η", "0.1", 0.0, 10.0), Field("x0", "Start x₀", "0", -100.0, 100.0)]
    return EditableTable(fields, descent_tables, name="descent")


def saddle_odds_table() -> WorkedTable:
    table = WorkedTable(name="saddle-odds")
    rows = [[d, f"{0.5**d:.3g}" if d < 1000 else f"10^−{d * np.log10(2):,.0f}"] for d in (1, 2, 3, 10, 100, 10**6)]
    table.show(["dimensions d", "chance that every direction curves up, (1/2)^d"], rows)
    return table


TEXT_SLOPE = r"""
# Chapter 0 · The landscape problem

Imagine the loss of a model drawn as a surface. Each point on the ground is one choice of all
the model's weights; the height there is the loss those weights give. Training is a search for
a low spot on this surface, and the search is blind: from where we stand we can only measure how
the ground tilts under our feet.

That tilt is the **gradient**. For a single weight it is the ordinary derivative. Take
$$f(x) = (x-3)^2$$, whose lowest point is at $$x = 3$$. Its derivative is $$f'(x) = 2(x - 3)$$:
negative left of 3 (the ground falls as $$x$$ grows), positive right of it, and largest far away.

With many weights the gradient $$\nabla L(\theta)$$ collects one such slope per weight. It points
in the direction of fastest *increase*, so we move the other way, by a step proportional to it:

$$\theta \leftarrow \theta - \eta \nabla L(\theta)$$

The number $$\eta$$ is the **learning rate**. This one line is gradient descent, and everything in
this course is a refinement of it.

## By hand: five steps on $$(x-3)^2$$

Start at $$x_0 = 0$$ with $$\eta = 0.1$$. The gradient there is $$-6$$, so the step is
$$+0.6$$. The table below is computed by the course's optimizer core. Type another learning
rate or start and it recomputes: try 0.5, then 1.1, then 0.001.
"""

TEXT_AFTER_TABLE = r"""
Every step multiplies the distance to the minimum by the same factor, $$1 - 2\eta$$
(the gradient is exactly twice the distance). At $$\eta = 0.1$$ that is 0.8: steady, geometric
progress. At $$\eta = 0.5$$ the factor is zero and one step lands exactly on 3. Above
$$\eta = 1$$ the factor is below $$-1$$: each step jumps past the minimum and lands farther away
than it started. At $$\eta = 0.001$$ the factor is 0.998, and a hundred steps barely move.

So a single number decides whether gradient descent converges, and how fast. The critical rate
depends on the curvature: for a bowl whose second derivative is $$c$$, steps diverge once
$$\eta \gt 2/c$$. For $$(x-3)^2$$, $$c = 2$$, so the limit is 1.
"""

TEXT_EXPLORER = r"""
## The Loss Landscape Explorer

Pick a landscape and a learning rate, then press **Play** (or **Drop ball** to start over and
play). Click anywhere on the map to move the ball there. The chart below the map shows the loss
above the minimum on a log scale, so steady progress looks like a straight line going down.

Things to try:

- **Bowl**, $$\eta$$ = 0.9, then 1.05. The bowl is $$x^2 + y^2$$ (curvature 2), so 1.0 is the edge.
- **Bowl**, $$\eta$$ = 0.005: the ball creeps. Count how many steps the loss needs to fall tenfold.
- **Ravine**, $$\eta$$ = 0.15 with 1000 steps, then 0.005 with 3000: the walls are 100 times
  steeper than the floor.
- **Saddle**: the default start lies exactly on the ridge $$y = 0$$. Watch where the ball stops,
  then click a point just off the ridge.
"""

TEXT_FAILURES = r"""
## Three ways to fail

**Divergence.** Above the critical rate, every step overshoots by more than the last, and the
loss grows without bound. In a training log this is the loss turning into `nan`. The explorer
stops drawing the path at the step where it left the map and tells you which step that was.

**Crawling.** Far below the critical rate, steps are tiny. On the bowl that only wastes time.
On the ravine it is much worse: the rate must be small enough for the steep walls (curvature 10),
so along the gentle floor (curvature 0.1) each step removes only a sliver of the distance. At
$$\eta = 0.005$$ the floor needs thousands of steps.

**Saddles.** On the saddle landscape the origin has zero gradient, yet it is not a minimum: the
surface curves up along $$x$$ and down along $$y$$. A ball placed exactly on the ridge feels no
sideways pull, so gradient descent rolls to the saddle point and stops there. Any tiny offset
would eventually roll off, but only slowly, because the slope near the saddle is nearly flat.

## Why saddles are the common case

At a point where the gradient is zero, each direction curves either up or down. Only if *every*
direction curves up is the point a minimum. As a rough model, treat each direction as a coin
flip: with $$d$$ directions, the chance that all of them curve up is $$(1/2)^d$$.
"""

TEXT_CLOSING = r"""
A network has millions of weights, so a point of zero gradient picked this way is almost never
a minimum. It is a saddle, with some directions still leading down. Getting stuck in a poor
local minimum is rarely what slows training; flat regions and saddles are.

## The code that ran

The path above was computed by the function below. Without momentum it is one line: subtract
the learning rate times the gradient.
"""


def quiz() -> Quiz:
    return Quiz(
        "Gradient descent keeps bouncing from one wall of a narrow valley to the other. What helps?",
        [
            Choice(
                "Lower the learning rate, or add momentum",
                True,
                "Bouncing means the steps across the valley overshoot: the rate is above the limit set by the steep "
                "walls. A smaller rate stops the overshoot; momentum (chapter 2) averages the back-and-forth away "
                "and keeps the motion along the floor.",
            ),
            Choice(
                "Raise the learning rate to get through faster",
                False,
                "A larger rate makes each overshoot bigger; past the critical rate the bounces grow and the run "
                "diverges.",
            ),
            Choice(
                "Start from a different point",
                False,
                "The bouncing comes from the valley's shape and the rate, not the start: from any start in the "
                "valley the steep direction is overshot the same way.",
            ),
            Choice(
                "Nothing: bouncing always dies out",
                False,
                "It dies out only when the rate is below the critical one; above it the bounces grow (try η = 1.05 "
                "on the bowl).",
            ),
        ],
        name="quiz0",
    )


def page():
    lesson = ExplorerLesson()
    explorer = lesson.explorer
    controls = pn.Row(
        pn.widgets.RadioButtonGroup.from_param(lesson.param.landscape, width=300),
        choice_slider(lesson, "lr", width=300),
        pn.widgets.RadioButtonGroup.from_param(lesson.param.steps, width=300),
    )
    return pn.Column(
        prose(TEXT_SLOPE),
        descent_editor(),
        prose(TEXT_AFTER_TABLE),
        prose(TEXT_EXPLORER),
        controls,
        pn.pane.Bokeh(explorer.layout(replay=True), name="explorer"),
        prose(TEXT_FAILURES),
        saddle_odds_table(),
        prose(TEXT_CLOSING),
        code_view(sgd),
        quiz(),
        sizing_mode="stretch_width",
        name="chapter-0",
    )
