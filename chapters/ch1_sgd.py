"""Chapter 1: stochastic gradient descent. The mini-batch gradient as a noisy, unbiased estimate."""

import typing

import numpy as np
import panel as pn
import param
from bokeh.models import Arrow, ColumnDataSource, LegendItem, NormalHead, Segment, VeeHead

from landscapes import LineFit, regression_landscape, synthetic_line
from lessons.race import CLICK_DECIMALS
from lessons.wording import counted
from optimizers import run
from widgets.code_view import code_view
from widgets.controls import choice_slider
from widgets.lean import draw, legend_sample
from widgets.links import copy_link_button
from widgets.map_view import MapView
from widgets.palette import PATH_COLORS
from widgets.quiz import Choice, Quiz
from widgets.readout import coordinate, fmt
from widgets.sizing import CLIPPED
from widgets.text import Reading, fill, prose
from widgets.worked_table import EditableTable, Table, WorkedTable

from .base import Chapter, Lesson

TOY = LineFit(np.array([1.0, 2.0, 3.0, 4.0]), np.array([2.0, 4.0, 5.0, 8.0]), intercept=False)
TOY_BATCHES = ([0, 2], [1, 3])
ARROW_LR = 0.25
"""Arrows are drawn as the step SGD would take with this learning rate: −0.25 × gradient."""


class ToyByHand(param.Parameterized):
    """The four-point fit θ·x by hand: a full-batch step, then two mini-batch steps in turn."""

    theta = param.Number(default=1.0, bounds=(-10.0, 10.0), label="Starting θ")
    lr = param.Number(default=0.01, bounds=(0.0, 1.0), label="Learning rate η")

    def tables(self) -> list[Table]:
        theta, lr = self.theta, self.lr
        point = np.array([theta])
        per_example = TOY.per_example_grads(point)[:, 0]
        rows = [[i + 1, float(TOY.x[i]), float(TOY.y[i]), float(per_example[i])] for i in range(TOY.n)]
        full = run("sgd", TOY.grad, point, 1, lr=lr)
        first = run("sgd", lambda p: TOY.grad(p, batch=TOY_BATCHES[0]), point, 1, lr=lr)
        second = run("sgd", lambda p: TOY.grad(p, batch=TOY_BATCHES[1]), first.final, 1, lr=lr)
        batch_at_start = [float(TOY.grad(point, batch=b)[0]) for b in TOY_BATCHES]
        updates = [
            ["full batch {1,2,3,4}", f"θ = {fmt(theta)}", fmt(float(TOY.grad(point)[0])), fmt(float(full.final[0]))],
            ["mini-batch {1,3}", f"θ = {fmt(theta)}", fmt(batch_at_start[0]), fmt(float(first.final[0]))],
            ["mini-batch {2,4}", f"θ = {fmt(float(first.final[0]))}",
             fmt(float(TOY.grad(first.final, batch=TOY_BATCHES[1])[0])), fmt(float(second.final[0]))],
        ]
        note = (f"{outcome(float(TOY.loss(full.final)), float(TOY.loss(second.final)))} "
                f"Measured at the same point, θ = {fmt(theta)}, the two batch gradients are {fmt(batch_at_start[0])} "
                f"and {fmt(batch_at_start[1])}; their mean, {fmt(float(np.mean(batch_at_start)))}, is exactly the "
                f"full-batch gradient. (The table's second batch is measured where the first step left θ.)")
        return [Table(["i", "x_i", "y_i", "gradient −2x_i(y_i − θx_i)"], rows),
                Table(["update", "from", "gradient", "new θ"], updates, note)]


TOY_START = {"theta": f"{ToyByHand.param.theta.default:g}", "lr": f"{ToyByHand.param.lr.default:g}",
             "curvature": f"{TOY.hess_diag(np.zeros(1))[0]:g}"}
"""The by-hand table's first numbers and the toy loss's curvature, as the prose names them."""


def outcome(after_full: float, after_batches: float) -> str:
    """Which ended lower: the full-batch step or the two mini-batch steps (losses on all four points)."""
    losses = f"(loss {fmt(after_batches)} against {fmt(after_full)})"
    if after_batches < after_full:
        return f"The two cheap noisy steps ended lower than the one exact step {losses}."
    if after_batches > after_full:
        return f"Here the one exact step ended lower than the two cheap noisy steps {losses}."
    return f"The one exact step and the two cheap noisy steps ended at the same loss, {fmt(after_full)}."


def _spread_of(batch_grads: np.ndarray, full: np.ndarray) -> float:
    spread = float(np.sqrt(np.mean(np.sum((batch_grads - full) ** 2, axis=-1))))
    return 0.0 if spread < 1e-9 else spread  # B = N: only rounding error is left


def divisors(n: int) -> list[int]:
    return [b for b in range(1, n + 1) if n % b == 0]


class MiniBatchLesson(param.Parameterized):
    """One epoch of mini-batch gradients at a chosen point of a line-fitting loss."""

    batch_size = param.Selector(objects=divisors(24), default=4, label="Batch size B")
    show = param.Selector(objects=["mini-batches", "full batch only"], default="mini-batches", label="Show")
    seed = param.Integer(default=0, bounds=(0, 2**31 - 1), label="Shuffle")
    point = param.NumericTuple(default=(0.0, 0.0), length=2, doc="Where the gradients are taken.")

    def __init__(self, **params):
        self.fit = synthetic_line()
        self.landscape = regression_landscape(self.fit)
        params.setdefault("point", tuple(self.landscape.start))
        super().__init__(**params)

    def link_problem(self, name, value, accepted):
        if name == "point" and not self.landscape.contains(value):
            return "the point is off the map"
        return None

    def move_point(self, x, y):
        if x is not None and y is not None and self.landscape.contains((x, y)):
            self.point = (round(float(x), CLICK_DECIMALS), round(float(y), CLICK_DECIMALS))

    def resample(self, *_):
        self.seed += 1

    @property
    def _at(self) -> np.ndarray:
        return np.array(self.point)

    def batch_gradients(self, batch_size: int | None = None, seed: int | None = None) -> np.ndarray:
        """The gradients of one shuffled epoch split into batches of B: shape (N/B, 2)."""
        batch_size = batch_size or self.batch_size
        order = np.random.default_rng(self.seed if seed is None else seed).permutation(self.fit.n)
        batches = order.reshape(-1, batch_size)
        return np.array([self.fit.grad(self._at, batch=b) for b in batches])

    def full_gradient(self) -> np.ndarray:
        return self.fit.grad(self._at)

    def spread(self, batch_size: int | None = None, seed: int | None = None) -> float:
        """Root-mean-square distance of one epoch's batch gradients from the full-batch gradient."""
        return _spread_of(self.batch_gradients(batch_size, seed), self.full_gradient())

    def expected_spread(self, batch_size: int) -> float:
        """The root-mean-square spread over all shuffles: σ²/B · (N − B)/(N − 1) under the root."""
        per_example = self.fit.per_example_grads(self._at)
        variance = np.mean(np.sum((per_example - per_example.mean(axis=0)) ** 2, axis=-1))
        n = self.fit.n
        return float(np.sqrt(variance / batch_size * (n - batch_size) / (n - 1)))

    def summary(self) -> str:
        grads, full = self.batch_gradients(), self.full_gradient()
        mean, count = grads.mean(axis=0), len(grads)
        scale = max(np.abs(grads).max(), 1.0)  # below a billionth of this, a component is rounding error

        def vector(v):
            return f"({coordinate(v[0], scale)}, {coordinate(v[1], scale)})"

        batches, make = counted(count, "batch", "batches"), "makes" if count == 1 else "make"
        return (  # HTML: it changes with every move, and Markdown would be parsed each time
            f"<b>{batches} of {self.batch_size}</b> {make} one epoch ({self.fit.n} examples). "
            f"Full-batch gradient: {vector(full)}. Mean of the batch gradients: {vector(mean)}. "
            f"Spread of the batch gradients (root-mean-square distance from the full one): "
            f"<b>{fmt(_spread_of(grads, full))}</b>; each arrow is the step −{ARROW_LR:g} × its gradient "
            f"(η = {ARROW_LR:g})."
        )

    def spectrum(self) -> Table:
        rows = [[b, self.fit.n // b, float(self.expected_spread(b)), float(self.spread(b))]
                for b in divisors(self.fit.n)]
        return Table(["batch size B", "updates per epoch N/B", "RMS spread over all shuffles",
                      "RMS spread, this shuffle"], rows)


class GradientFan:
    """The lesson drawn: the full-batch arrow, one arrow per mini-batch and their mean, on the map."""

    KINDS: typing.ClassVar = {"full": ("full batch", "white", "solid", 4),
                              "fan": ("each mini-batch", PATH_COLORS[1], "solid", 1.8),
                              "mean": ("mean of the mini-batches", "black", "dashed", 2)}

    def __init__(self, lesson: MiniBatchLesson):
        self.lesson = lesson
        self.view = MapView(lesson.landscape, title="Gradient steps (click to move the point)",
                            name="minibatch-map")
        self.view.figure.xaxis.axis_label = "slope w"
        self.view.figure.yaxis.axis_label = "intercept b"
        self.sources, self.legend_items = {}, {}
        for kind, (label, color, dash, width) in self.KINDS.items():
            source = ColumnDataSource({"x0": [], "y0": [], "x1": [], "y1": []}, name=f"{kind}-arrow")
            self.sources[kind] = source
            style = {"line_color": color, "line_width": width, "line_dash": dash}
            draw(self.view.figure, Segment(x0="x0", y0="y0", x1="x1", y1="y1", **style), source)
            head = VeeHead(size=10, line_color=color, fill_color=color) if kind != "full" else \
                NormalHead(size=14, fill_color="white", line_color="black")
            self.view.figure.add_layout(Arrow(source=source, x_start="x0", y_start="y0", x_end="x1", y_end="y1",
                                              line_alpha=0, end=head))
            sample = legend_sample(self.view.figure, Segment(x0="x0", y0="y0", x1="x1", y1="y1", **style),
                                   "x0", "y0", "x1", "y1")  # the arrows' data change: the legend's must not
            self.legend_items[kind] = LegendItem(label=label, renderers=[sample])
            self.view.legend.items.append(self.legend_items[kind])
        self.view.on_tap(lesson.move_point)
        lesson.param.watch(lambda *_: self.refresh(), ["batch_size", "show", "seed", "point"])
        self.refresh()

    def refresh(self):
        lesson = self.lesson
        grads, full = lesson.batch_gradients(), lesson.full_gradient()
        x, y = lesson.point

        def arrows(vectors):
            ends = np.array(lesson.point) - ARROW_LR * np.atleast_2d(vectors).reshape(-1, 2)
            return {"x0": [x] * len(ends), "y0": [y] * len(ends), "x1": list(ends[:, 0]), "y1": list(ends[:, 1])}

        mini = lesson.show == "mini-batches"
        with pn.io.hold():  # the three arrow sets reach the browser in one message
            self.sources["fan"].data = arrows(grads if mini else np.zeros((0, 2)))
            self.sources["mean"].data = arrows(grads.mean(axis=0) if mini else np.zeros((0, 2)))
            self.sources["full"].data = arrows(full)
            for kind in ("fan", "mean"):  # an entry with nothing drawn would show a label without a line
                self.legend_items[kind].visible = mini


TEXT_INTRO = r"""
# Chapter 1 · Stochastic gradient descent

In chapter 0 the gradient was exact. In real training the loss is an average over a data set
of $$N$$ examples,

$$L(\theta) = \frac{1}{N}\sum_{i=1}^{N} \ell_i(\theta)$$

and so is its gradient: one backward pass per example, then a mean. With a million images,
a single exact step means a million backward passes.

The way out is to look at a few examples only. Draw a **mini-batch** of $$B$$ examples at
random and average their gradients. The result is a random vector, but its *expected value* is
the true gradient: it is **unbiased**. Each estimate errs, yet the errors average to zero. That
does not make them equally large in every direction: at most points the fan of batch arrows below
is longer one way than the other, because the examples disagree more along some directions than
others.

$$\theta \leftarrow \theta - \eta \cdot \frac{1}{B}\sum_{j \in \text{batch}} \nabla \ell_j(\theta)$$

That is **stochastic gradient descent** (SGD). The rule is unchanged; only the gradient is
estimated.

## By hand: four points, one weight

Fit $$y = \theta x$$ to the points (1, 2), (2, 4), (3, 5) and (4, 8), with squared error.
Each example's gradient is $$-2x_i(y_i - \theta x_i)$$. From $$\theta$$ = [[theta]] with
$$\eta$$ = [[lr]]: the full batch averages all four; SGD instead takes one step on batch
{1, 3} and a second on batch {2, 4}, measured where the first step left it.
"""

TEXT_TABLE_AFTER = r"""
From θ = [[theta]] with η = [[lr]], the two cheap noisy steps end lower than the one exact step. That
depends on η; the note under the table says which one wins for whatever you type. The loss has
curvature [[curvature]], so at η = 1/[[curvature]] one exact step lands on the minimum: from θ =
[[theta]], try η = 0.07 and the exact step ends lower. The two batches disagree a lot (at θ =
[[theta]], batch {2, 4} holds $$x = 4$$, whose error is the biggest), and that disagreement is the
price of the shortcut. Measured at the same point, they average to the full gradient exactly
(the note under the table shows it).

## Full-batch vs mini-batch gradients

Below is the loss of a straight-line fit, $$y = wx + b$$, to 24 noisy points, drawn over the
two parameters. At the chosen point, the white arrow is the full-batch step and the vermillion
(red-orange) arrows are the steps of one epoch of mini-batches: the data shuffled, then cut into $$24/B$$
batches. The dashed black arrow is their mean.

Try: move the batch size from 1 to 24 and watch the fan close; press **Resample** for another
shuffle; click near the minimum (the star), where the true gradient is small but the batch
gradients are not.
"""

TEXT_NOISE = r"""
The spread is the root-mean-square distance of the batch gradients from the full-batch gradient
(the arrows draw each gradient times −η, so on the map they spread η times as far). Its root
mean square over all shuffles is $$\sqrt{\frac{\sigma^2}{B}\cdot\frac{N-B}{N-1}}$$, where $$\sigma^2$$ is the
variance of the per-example gradients at this point: the mean, over the $$N$$ examples, of each
gradient's squared distance from the full-batch gradient. For small batches that is about
$$\sigma/\sqrt{B}$$; the second factor makes it fall faster as $$B$$ nears $$N$$, and it is
zero at $$B = N$$, where every "batch" is the whole data set. One shuffle is a single draw: its
spread, in the table's last column, can even grow from one batch size to the next.

## Why the noise can help

Noise in the step is not only a cost.

- **Saddles.** At a saddle the full gradient is zero, but a batch gradient almost never is. A
  random push moves the parameters off the ridge, and from there the descent direction takes
  over (chapter 0 showed exact gradient descent stopping dead on the ridge).
- **Sharp and flat minima.** A narrow pit can be escaped by a random kick; a wide basin is much harder to leave.
  So SGD tends to end in wide basins, where small changes to the weights barely change the loss.
  Wide minima are often linked to better results on unseen data, although that link is an
  empirical observation, not a theorem.
- **Batch size sets the noise.** Small batches give noisy, cheap steps; large batches give
  accurate, expensive ones. Very large batches usually need their learning rate retuned.

## One epoch, step by step

Training repeats the same loop, and one pass over the data is an **epoch**:
"""

TEXT_CODE = r"""
Shuffle the data again at the start of every epoch. Without it, the same batches come in the
same order each time, and the noise stops being random.

## The code that ran

The update is the same function as in chapter 0; what changes is the gradient we pass it.
The core's `run` accepts any gradient function, including one that draws a new batch each step.
In PyTorch the same loop reads as follows (shown for reference, not run here):

```python
loader = DataLoader(data, batch_size=32, shuffle=True)   # a new order every epoch (default: none)
sgd = torch.optim.SGD(net.parameters(), lr=0.05)
for epoch in range(epochs):
    for inputs, targets in loader:          # one mini-batch at a time
        sgd.zero_grad()                     # PyTorch adds gradients up unless they are cleared
        loss_fn(net(inputs), targets).backward()   # the mini-batch gradient
        sgd.step()                          # theta <- theta - lr * gradient
```
"""


def loop_diagram(batch_size: int, n: int) -> str:
    """The training loop as boxes joined by arrows. Each arrow travels with the box it points to,
    so a line that wraps on a phone starts with an arrow instead of ending with one."""
    count = n // batch_size
    if count == 1:
        cut, last = f"One batch: N/B = 1, B = N = {n}", "After this 1 update, one epoch is done"
    else:
        cut = f"Cut into N/B = {count} batches of B = {batch_size}"
        last = f"Next batch; after {count} updates, one epoch is done"
    steps = ["Shuffle the N examples", cut, "Gradient on one batch", "Update θ ← θ − η·g", last]
    box = ('<div style="border:2px solid #0072B2;border-radius:8px;padding:8px 10px;margin:4px;min-width:130px;'
           'max-width:220px;text-align:center">{}</div>')
    arrow = '<div style="padding:0 2px">→</div>'
    group = '<div style="display:flex;align-items:center">{}</div>'
    groups = [group.format(("" if i == 0 else arrow) + box.format(step)) for i, step in enumerate(steps)]
    groups.append(group.format(arrow + '<div style="padding:0 4px">repeat from the shuffle</div>'))
    return f'<div style="display:flex;flex-wrap:wrap;align-items:stretch">{"".join(groups)}</div>'


def quiz() -> Quiz:
    return Quiz(
        "Why does SGD estimate the gradient from a random subset instead of using all the data?",
        [
            Choice("Each step is far cheaper, and the estimate is right on average", True,
                   "A batch of B examples costs B backward passes instead of N, and its mean gradient is unbiased. "
                   "For the same amount of computation, many cheap noisy steps usually get further than a few "
                   "exact ones, until the noise itself is what limits progress near the minimum."),
            Choice("The subset's gradient is more accurate than the full one", False,
                   "It is less accurate: it has variance the full gradient does not. Its advantage is cost."),
            Choice("Using all the data would overfit immediately", False,
                   "Full-batch and mini-batch descent minimise the same training loss, so either can overfit, and "
                   "neither does so immediately. The reason for batches is cost; any effect of their noise on "
                   "generalisation is a side effect."),
            Choice("Random subsets make the loss function convex", False,
                   "The loss surface is what it is; sampling only changes how we estimate its slope."),
        ],
        name="quiz1",
    )


def lessons() -> dict[str, Lesson]:
    return {"hand": Lesson("hand", ToyByHand(), ("theta", "lr")),
            "batches": Lesson("batches", MiniBatchLesson(), ("batch_size", "show", "seed", "point"))}


def page(lessons: dict[str, Lesson]):
    hand, lesson = lessons["hand"].model, lessons["batches"].model
    fan = GradientFan(lesson)
    resample = pn.widgets.Button(label="Resample", color="primary", width=110)
    resample.on_click(lesson.resample)
    summary = Reading(lesson.summary(), name="minibatch-summary", sizing_mode="stretch_width")
    spectrum = WorkedTable(name="spectrum")
    diagram = pn.pane.HTML(loop_diagram(lesson.batch_size, lesson.fit.n), sizing_mode="stretch_width")

    def sync(*_):
        summary.object = lesson.summary()
        spectrum.show(lesson.spectrum())
        diagram.object = loop_diagram(lesson.batch_size, lesson.fit.n)

    lesson.param.watch(sync, ["batch_size", "show", "seed", "point"])
    sync()
    controls = pn.FlexBox(
        choice_slider(lesson, "batch_size", width=280),
        pn.widgets.RadioButtonGroup.from_param(lesson.param.show, width=260), resample,
        copy_link_button("batches"), sizing_mode="stretch_width",
    )
    return pn.Column(
        prose(fill(TEXT_INTRO, TOY_START)),
        EditableTable(hand, ("theta", "lr"), hand.tables, name="toy"),
        prose(fill(TEXT_TABLE_AFTER, TOY_START)),
        controls,
        pn.FlexBox(pn.pane.Bokeh(fan.view.figure, name="minibatch", sizing_mode="stretch_width", min_width=280,
                                 max_width=500, styles=CLIPPED),
                   pn.Column(summary, spectrum, sizing_mode="stretch_width", min_width=280, max_width=500),
                   flex_wrap="wrap", gap="16px", sizing_mode="stretch_width"),
        prose(TEXT_NOISE),
        diagram,
        prose(TEXT_CODE),
        code_view(LineFit.grad, "What changes from chapter 0 is only the gradient handed to the update: the "
                                "mean over a batch instead of over all the data."),
        quiz(),
        sizing_mode="stretch_width", name="chapter-1",
    )


CHAPTER = Chapter(1, lessons, page)
