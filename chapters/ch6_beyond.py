"""Chapter 6: the methods after Adam, each with a demo of its idea, AdaFactor's factored second
moment on a matrix, the family tree and the summary table."""

import functools
import math

import numpy as np
import panel as pn

import landscapes
from lessons import Player
from lessons.adam import preset_gradients
from lessons.beyond import DEMOS, FactoredMoment, MethodDemo, clipped
from lessons.family import FamilyTree
from lessons.sequence import replay
from lessons.wording import counted
from optimizers import REGISTRY, in_chapter, run
from optimizers.adam import radam_rectifier
from optimizers.modern import lion
from widgets.code_view import code_view
from widgets.controls import IntSlider, log_rate_slider
from widgets.deferred import Deferred
from widgets.family_tree import FamilyTreeView
from widgets.inputs import whole_number_box
from widgets.line_chart import Curve, LineChart
from widgets.links import copy_link_button
from widgets.matrix_view import MatrixPair
from widgets.palette import optimizer_style
from widgets.quiz import Choice, Quiz
from widgets.race_view import RaceView, verdict_pane
from widgets.sizing import plots_row
from widgets.text import Reading, displayed, fill, prose
from widgets.worked_table import Table, WorkedTable

from .base import Chapter, Lesson

CHAPTER6 = in_chapter(6)
OWN_SECOND_COLOR = "#555555"
"""The second curve's colour when it, too, comes from the method's own run."""
SOPHIA_RATES = (1e-3, 1e-2, 1e-1)
"""The rates over which the page quotes how often Sophia's clip decides a step on the ravine."""


def memory_text(name: str) -> str:
    buffers = REGISTRY[name].buffers
    if not buffers:
        return "nothing: no state is kept between steps"
    text = f"{counted(len(buffers), 'number')} per parameter ({', '.join(buffers)})"
    if name == "adafactor":
        text += "; for a d₁ × d₂ matrix only d₁ + d₂ numbers in all (its factored form, below)"
    if name == "schedule_free":
        text += " in this course's code; the authors' package keeps two (z and v) and recovers x from y and z"
    return text


def card(name: str) -> str:
    """What the family tree shows for one method, all of it read from the registry."""
    spec = REGISTRY[name]
    parents = ", ".join(REGISTRY[p].title for p in spec.parents) or "nothing: it is where the family starts"
    rule = displayed(spec.rule_tex)
    demo = " The demo under *One idea each* now races it." if name in DEMOS else ""
    # bold, not a heading: in Chromium a heading here was drawn larger after a click on the tree than at first
    return (f"**{spec.title} · {spec.year}**\n\n*{spec.paper}* · builds on {parents} · "
            f"[chapter {spec.chapter}](?chapter={spec.chapter})\n\n{spec.idea}{demo}\n\n{rule}\n\n"
            f"**State kept:** {memory_text(name)}. **Best for:** {spec.best_for}.")


def summary_table() -> Table:
    rows = [[spec.title, spec.year, spec.idea, memory_text(name), spec.best_for]
            for name, spec in REGISTRY.items()]
    return Table(["method", "year", "key idea", "state kept", "best for"], rows,
                 "Every row is read from the course's registry of optimizers, the table the code runs from.",
                 words=True)


def rosenbrock_hessian(point) -> np.ndarray:
    """Rosenbrock's full Hessian at `point`, by central differences of its exact gradient."""
    surface, h = landscapes.get("rosenbrock"), 1e-5
    point = np.asarray(point, dtype=float)
    columns = [(surface.grad(point + h * e) - surface.grad(point - h * e)) / (2 * h) for e in np.eye(2)]
    return np.column_stack(columns)


def layer_facts() -> dict:
    """The memory figures of the factored-moment lesson's default layer."""
    model = FactoredMoment()
    memory = model.memory()
    return {"layer": f"{model.layer_rows} × {model.layer_cols}", "adam_numbers": f"{memory['adam']:,}",
            "weights": f"{memory['weights']:,}"}


def amsgrad_facts() -> dict:
    """When the AMSGrad demo's maximum of v last grows, and how far the divisor falls after it."""
    demo = MethodDemo(method="amsgrad")
    own_state = demo.result.lanes[0].internals
    v_max = own_state["v_max"][:, 0]
    beta2 = REGISTRY["amsgrad"].defaults["betas"][1]
    divisor = np.sqrt(v_max / (1 - beta2 ** np.arange(1, demo.steps + 1)))
    last_growth = int(np.flatnonzero(np.diff(v_max) > 0)[-1]) + 2
    own, adam = (lane.path for lane in demo.result.lanes)
    return {"ams_last_growth": last_growth, "ams_steps": demo.steps,
            "ams_fall": f"{divisor[last_growth - 1] / divisor[-1]:.1f}",
            "ams_apart": f"{np.linalg.norm(own - adam, axis=1).max():.1g}",
            "ams_parts": int(np.flatnonzero(np.any(own_state["v_max"] > own_state["v"], axis=1))[0]) + 1}


def turn_step(name: str, gradients: np.ndarray) -> int:
    """The step at which `name`'s update (default betas) turns round when fed `gradients`, a
    sequence that flips sign once."""
    moved = -np.diff(replay(name, gradients).params[:, 0])
    return int(np.flatnonzero(moved < 0)[0]) + 1


def adafactor_facts() -> dict:
    """The AdaFactor demo at its first settings, with the steps at the slider's end."""
    steps = MethodDemo.param.steps.bounds[1]
    demo = MethodDemo(method="adafactor", steps=steps)
    path = demo.result.lanes[0].params
    rms = np.sqrt(np.mean(path**2, axis=1))
    closest = int(np.argmin(rms))
    back = closest + int(np.flatnonzero(rms[closest:] > 0.5)[0])
    return {"af_closest": closest, "af_rms": f"{rms[closest]:.1e}", "af_steps": steps, "af_back": back,
            "af_x": f"{path[-1, 0]:.2f}", "af_y": f"{path[-1, 1]:.2f}",
            "af_loss": f"{float(demo.surface.f(path[-1])):.3f}", "af_calm": f"{adafactor_calm_rate():.2g}",
            "af_far": f"{adafactor_farthest_end():g}",
            "af_jump": f"{adafactor_first_jump():,.0f}"}


ADAFACTOR_NEAR = (0.9, 0.9)
"""The start near Rosenbrock's minimum that the AdaFactor demo's text suggests clicking."""


@functools.cache
def _slider_rates_from_near() -> tuple[np.ndarray, np.ndarray]:
    """Every rate on the demo's slider, and AdaFactor's path from ADAFACTOR_NEAR at each for the
    most steps the demo takes, (steps + 1, rates, 2), in one batch: a run of fewer steps is the
    start of this one."""
    log_lr = MethodDemo.param.log_lr
    values = np.round(np.arange(log_lr.bounds[0], log_lr.bounds[1] + log_lr.step / 2, log_lr.step), 2)
    surface = MethodDemo(method="adafactor").surface
    starts = np.repeat(np.array([ADAFACTOR_NEAR]), len(values), axis=0)
    most = MethodDemo.param.steps.bounds[1]
    path = run("adafactor", surface.grad, starts, most, lr=10**values, record="params").params
    path.flags.writeable = False
    return 10**values, path


def adafactor_calm_rate() -> float:
    """The largest rate on the demo's slider up to which AdaFactor, started at ADAFACTOR_NEAR,
    never climbs above its starting loss within the demo's steps."""
    demo = MethodDemo(method="adafactor", start=ADAFACTOR_NEAR)
    rates, path = _slider_rates_from_near()
    losses = demo.surface.f(path[:demo.steps + 1])
    climbs = np.any(losses > losses[0], axis=0)
    return float(rates[np.argmax(climbs) - 1])


def adafactor_farthest_end() -> float:
    """How far from the minimum (1, 1) AdaFactor, started at ADAFACTOR_NEAR at a rate above the
    calm one, can end after any number of steps the demo takes; rounded up to hundredths, so the
    text's bound holds."""
    rates, path = _slider_rates_from_near()
    ends = path[MethodDemo.param.steps.bounds[0]:, rates > adafactor_calm_rate()]
    return math.ceil(100 * float(np.linalg.norm(ends - 1.0, axis=-1).max())) / 100


def adafactor_first_jump() -> float:
    """AdaFactor's loss after step 1 over its starting loss, from ADAFACTOR_NEAR at the top rate."""
    top = MethodDemo.param.log_lr.bounds[1]
    losses = MethodDemo(method="adafactor", log_lr=top, start=ADAFACTOR_NEAR).result.lanes[0].losses
    return float(losses[1] / losses[0])


def lamb_facts() -> dict:
    """How far LAMB's first step goes at the demo's first rate, and how many steps ‖θ‖ then takes
    to pass 1."""
    demo = MethodDemo(method="lamb")
    norms = np.linalg.norm(demo.result.lanes[0].params, axis=1)
    top = MethodDemo(method="lamb", log_lr=MethodDemo.param.log_lr.bounds[1]).result.lanes[0].params
    return {"lamb_rate": f"{demo.rate:g}", "lamb_norm1": f"{norms[1]:.3g}",
            "lamb_to_one": int(np.flatnonzero(norms > 1)[0]), "lamb_top_step": f"{np.linalg.norm(top[1] - top[0]):.3g}"}


def sophia_facts(steps: int = 2000) -> dict:
    """How slowly Sophia's curvature average fills (refreshed every k steps, no bias correction):
    the first step at which it holds half of a constant curvature; and the steps at which the
    demo's two coordinates first leave the clip."""
    defaults = REGISTRY["sophia"].defaults
    traj = run("sophia", lambda theta: np.zeros_like(theta), [1.0], steps, hess_fn=np.ones_like)
    half = int(np.flatnonzero(traj.internals["h"][:, 0] >= 0.5)[0]) + 1
    steps, first, second = MethodDemo(method="sophia").curves()
    off = [int(steps[np.flatnonzero(share < 1 - 1e-9)[0]]) for share in (first, second)]
    return {"sophia_every": defaults["hessian_interval"], "sophia_beta2": f"{defaults['betas'][1]:g}",
            "sophia_half": half, "sophia_rho": f"{defaults['rho']:g}", "sophia_off1": off[0], "sophia_off2": off[1]}


@functools.cache
def facts() -> dict:
    beta2 = REGISTRY["radam"].defaults["betas"][1]
    first = next(t for t in range(1, 100) if radam_rectifier(t, beta2) > 0)
    crawl = MethodDemo(method="adafactor")
    flip = preset_gradients("sign flip")  # chapter 4's sequence: Adam's turn there, NAdam's beside it
    end, rosenbrock = crawl.result.lanes[0].params[-1], crawl.surface
    ravine = landscapes.get("ravine")
    shares = []
    for rate in SOPHIA_RATES:
        traj = run("sophia", ravine.grad, np.array(ravine.start), 200, hess_fn=ravine.hess_diag, lr=rate)
        shares.append(float(clipped(traj.params, rate).mean()))
    hessian = rosenbrock_hessian((1.0, 1.0))
    flat, steep = np.linalg.eigvalsh(hessian)
    return {
        "radam_first": first, "radam_last": first - 1, "radam_r_first": f"{radam_rectifier(first, beta2):.3f}",
        "radam_r_1000": f"{radam_rectifier(1000, beta2):.2f}", "beta2": f"{beta2:g}",
        "crawl_steps": crawl.steps, "crawl_rate": f"{crawl.rate:g}",
        "crawl_x": f"{end[0]:.1e}", "crawl_y": f"{end[1]:.1e}",
        "crawl_loss": f"{float(rosenbrock.f(end)):.3f}",
        "sophia_low": f"{min(shares):.0%}", "sophia_high": f"{max(shares):.0%}",
        "sophia_rates": ", ".join(f"{r:g}" for r in SOPHIA_RATES),
        "h_xx": f"{hessian[0, 0]:.0f}", "h_yy": f"{hessian[1, 1]:.0f}", "h_xy": f"{hessian[0, 1]:.0f}",
        "flat": f"{flat:.2f}", "steep": f"{steep:.0f}",
        **layer_facts(),
        "adam_state": len(REGISTRY["adam"].buffers), "lion_state": len(REGISTRY["lion"].buffers),
        **amsgrad_facts(), **adafactor_facts(), **sophia_facts(), **lamb_facts(),
        "flip_at": int(np.flatnonzero(flip < 0)[0]) + 1, "nadam_turn": turn_step("nadam", flip),
        "adam_turn": turn_step("adam", flip), "af_eps2": f"{REGISTRY['adafactor'].defaults['eps'][1]:g}",
    }



TEXT_INTRO = r"""
# Chapter 6 · Beyond Adam

Adam (2015) is still the default, but it has a large family. Each later method changes a part of
it, mostly for one reason: to need no warmup, to keep its rate from growing back when gradients
shrink, to react sooner, to save memory, to train with huge batches, or to use curvature. This
chapter gives each its idea, its update rule, and a small race where that idea can be seen.

A word on what a two-dimensional map can show. Several of these methods were built for millions
of weights arranged in matrices and layers. Two of them measure their step against the size of
the weights themselves, which on a 2-D map is just the distance from the origin (0, 0). Near the
origin they crawl, and the races below say so instead of letting them look broken. AdaFactor's
real saving needs a matrix: it gets one of its own further down.

## The family tree

Every method in the course, with a line to each method it builds on (Schedule-Free AdamW, the
newest, has chapter 7 to itself).
Click a method (its dot or its name) to read its idea, its rule, its year and paper, and how much
it remembers per parameter. The one you pick goes into the page's link.
"""

TEXT_DEMOS = r"""
## One idea each

Pick a method. It races the method it is best read against (Adam, at the same rate and from the
same start), and the chart under the map plots the quantity where the difference lives. The line
above the map reads the numbers out of the current run. Click the map to move the start.
"""

DEMO_TEXT = {
    "radam": r"""
**RAdam** (rectified Adam). In the first steps Adam's $$\hat v_t$$ is an average of very few
squared gradients, so the size it divides by is a poor estimate. RAdam measures how poor with a
number $$\rho_t$$ that grows with the step count. While $$\rho_t \le 5$$ (PyTorch's threshold, used
here; the paper's algorithm starts rectifying above 4), that is for the first [[radam_last]] steps
when $$\beta_2$$ = [[beta2]], it does not divide at all and takes a plain momentum step
$$\eta\,\hat m_t$$. From step [[radam_first]] it takes Adam's step multiplied by a rectifier $$r_t$$
that starts at [[radam_r_first]] and creeps towards 1 ([[radam_r_1000]] by step 1000): a warmup
built into the method. On the chart, Adam's first step moves each coordinate whose gradient is
not zero by exactly $$\eta$$; RAdam's first steps are as long as the gradient makes them. From the
demo's start, where the gradient is large, its steps then drop at step [[radam_first]] and grow
slowly with $$r_t$$. On a map
with steep slopes those first momentum steps can be huge: try the rate at 0.1.
""",
    "amsgrad": r"""
**AMSGrad**. When gradients shrink, Adam's $$v_t$$ shrinks too, and its effective rate
$$\eta/\sqrt{\hat v_t}$$ grows again. Reddi, Kale and Kumar showed when that hurts: if a large,
informative gradient comes only now and then, Adam's average forgets it within a few times
$$1/(1-\beta_2)$$ steps, its rate grows back in between, and the many small gradients pointing
the other way win. On a simple convex problem built this way, Adam converges to the wrong point.
AMSGrad divides by the largest $$v$$ seen so far instead: that maximum never shrinks, so a rare
large gradient keeps the rate down until the next one comes. (PyTorch, like
this course, still divides the maximum by the bias correction $$1-\beta_2^t$$, which grows towards
1, so the divisor keeps falling slowly: at the demo's first settings the maximum last grows at
step [[ams_last_growth]], and from there to step [[ams_steps]] the divisor for $$\theta_1$$ falls
by a factor of [[ams_fall]]. What a quiet spell no longer does is shrink the maximum itself.)
Here the bowl's gradients shrink as the ball nears its centre, and the chart shows $$v$$
falling while the maximum stays put. Early in a run $$v$$ is still filling up from zero and only
grows: with few steps, or before the ball slows down, the two curves are one. On the map the two
paths lie on top of each other: at the first settings they part only at step [[ams_parts]], where
a maximum first stays above its $$v$$, and are never more than [[ams_apart]] apart. The difference
is in the sizes of the late steps, which the chart and the readout show.
""",
    "adamax": r"""
**Adamax**. Adam divides by the root mean square of recent gradients; Adamax divides by a
decaying *maximum* of their sizes, $$u_t = \max(\beta_2 u_{t-1}, |g_t|)$$. One large gradient
sets $$u$$ at once and it then fades by a factor $$\beta_2$$ per step. $$u$$ needs no bias
correction, because it starts at the size of the first gradient instead of at zero ($$m$$ keeps
Adam's, the $$1/(1-\beta_1^t)$$ in the rule). The chart
compares the two denominators for $$\theta_2$$ on the ravine, whose steep direction it is.
""",
    "nadam": r"""
**NAdam** puts Nesterov's look-ahead (chapter 2) inside Adam: the step uses momentum as it
*will be* after this step, $$\mu_{t+1} m_t$$, plus a share of the current gradient, instead of
momentum as it was. Like Nesterov, it reacts sooner when the slope turns. In Dozat's schedule,
which PyTorch and the core follow, the momentum factor $$\mu_t$$ starts near $$\beta_1/2$$ and grows only slowly, so the
current gradient weighs far more in each step than in Adam's. Fed a gradient that flips sign at
step [[flip_at]], NAdam's step turns round at step [[nadam_turn]] and Adam's at step [[adam_turn]]
(both at their default betas). Whether that pays depends on the landscape and the rate: compare
the final losses in the line above the map
at a few rates.
""",
    "adafactor": r"""
**AdaFactor** keeps RMSProp's normalised step but sizes it *relative to the weights*: the step's
root mean square over the coordinates is at most
$$\max(\epsilon_2, \mathrm{RMS}(\theta))\cdot\min(\eta, 1/\sqrt t)$$ with $$\epsilon_2$$ = [[af_eps2]]. On a
network, a weight matrix's RMS is a sensible scale for its changes. On this map the RMS of
$$\theta$$ is its distance from (0, 0) over $$\sqrt 2$$. The map is Rosenbrock's, $$(1-x)^2 + 100(y-x^2)^2$$,
a curved valley with its minimum at (1, 1). At the demo's first settings AdaFactor slides from
its start towards the origin, and its steps shrink with
$$\mathrm{RMS}(\theta)$$ towards the floor $$\epsilon_2\min(\eta, 1/\sqrt t)$$. It passes closest to
the origin at step [[af_closest]] (RMS(θ) = [[af_rms]]) and lingers there, far from the minimum at
(1, 1). Then every step lets $$\mathrm{RMS}(\theta)$$ grow a little and the next step grows with
it: set the steps to [[af_steps]] and it climbs the valley towards (1, 1) (RMS(θ) is back above 0.5
at step [[af_back]]) and ends at ([[af_x]], [[af_y]]), loss [[af_loss]]. That is the relative step meeting a
map whose origin is not a minimum, not a fault in the method. Click near (0.9, 0.9): with
$$\mathrm{RMS}(\theta)$$ near 0.9 its steps keep their size. At rates up to [[af_calm]] it stays
in the valley near the minimum and its loss never climbs above the start's. Above that its first
steps, sized by $$\eta$$, climb the valley's wall (at $$\eta$$ = 1 the loss is [[af_jump]] times
the start's after step 1) until the cap $$1/\sqrt t$$ brings them down, and it still ends within
[[af_far]] of (1, 1), whatever the number of steps.
""",
    "lion": r"""
**Lion** was found by a computer search over update rules. It keeps one buffer, the momentum, and
steps by the *sign* of a blend of momentum and gradient: every coordinate whose blend is not zero
moves by exactly $$\eta$$ (before weight decay, which this demo sets to 0). Adam's steps shrink as
the gradients it averages cancel out; Lion's cannot, so near a minimum it rattles back and forth by
$$\eta$$. And since every coordinate moves by the full $$\eta$$ at every step, not only near a
minimum, Lion's updates are usually larger than Adam's all through training: that is why its recommended
rates are 3-10 times smaller than AdamW's. It also stores
one number per weight where Adam stores two.
""",
    "lamb": r"""
**LAMB** was made for training with very large batches. It takes Adam's direction and rescales
it, layer by layer, so that the step is $$\eta$$ times the size of that layer's weights (the
*trust ratio* $$\lVert\theta\rVert / \lVert u\rVert$$). Here the whole point is one layer, so every
step is $$\eta\lVert\theta\rVert$$ long (exactly at $$\theta = 0$$ the ratio falls back to 1, so the
first step from Himmelblau's start at (0, 0) is $$\eta\lVert u\rVert$$, which is $$\eta\sqrt 2$$:
Adam's first step moves each coordinate by $$\eta$$). At small rates it then crawls, because
$$\lVert\theta\rVert$$ is tiny: at the demo's first rate, $$\eta$$ = [[lamb_rate]],
$$\lVert\theta\rVert$$ is [[lamb_norm1]] after the first step and first passes 1 at step
[[lamb_to_one]]. At $$\eta$$ = 1 the first step alone reaches [[lamb_top_step]], and nothing crawls. If it
reaches a minimum, its steps there are still
$$\eta\lVert\theta\rVert$$ long, so at a constant rate it circles the minimum instead of settling;
at large rates it flies past every minimum.
Real training pairs LAMB with a decaying schedule.
""",
    "sophia": r"""
**Sophia** divides momentum by an estimate of the curvature $$h$$ (the Hessian's diagonal: each
coordinate's second derivative, $$\partial^2 L/\partial\theta_i^2$$), like a Newton step, and clips
the result to at most 1 in size, so no coordinate moves more than $$\eta$$. Where the curvature is
negative or tiny, the division would point the wrong way or blow up; there the clip takes over and
the step is $$\eta\,\mathrm{sign}(m)$$. The chart shows each coordinate's step as a share of
$$\eta$$ (1: clipped). At first both are pinned at 1 (unless the start is almost flat). Mostly that
is $$\rho$$ = [[sophia_rho]]: the ratio $$m/(\rho h)$$ stays above 1 until the momentum is smaller
than that small share of the curvature. The curvature average also fills slowly: it starts at zero
and is refreshed every [[sophia_every]] steps with $$\beta_2$$ = [[sophia_beta2]] and no bias
correction, so it holds half of a steady curvature only from step [[sophia_half]]. At the demo's
first settings $$\theta_1$$ leaves the clip at step [[sophia_off1]] and $$\theta_2$$ at step
[[sophia_off2]]. A coordinate's step falls below 1 only where its curvature is positive and large
next to its momentum; on the saddle, $$\theta_2$$'s curvature is negative near the ridge
$$\theta_2 = 0$$. This course gives Sophia the exact Hessian diagonal; the paper estimates it every few steps
from random samples.""",
}

TEXT_FACTORED = r"""
## AdaFactor's real idea: a matrix's second moment in two vectors

Adam keeps two numbers for every weight ($$m$$ and $$v$$). For a layer with a [[layer]] weight
matrix that is [[adam_numbers]] numbers of optimizer state beside [[weights]] weights. AdaFactor,
as PyTorch implements it, keeps no first moment (the paper makes it optional) and stores $$v$$
factored: for each row $$i$$ the running mean $$R_i$$ of that
row's $$g^2$$, and for each column $$j$$ the running mean $$C_j$$, which is $$d_1 + d_2$$ numbers.
It rebuilds every entry from them,

$$\hat v_{ij} = \frac{R_i\, C_j}{\operatorname{mean}_k R_k},$$

an estimate that is exact when $$v$$ is a product of a row factor and a column factor (rank one).

Below, a small layer's gradients $$G = \delta^\top x / B$$ over a batch of $$B$$ examples are fed to
AdaFactor twice: keeping $$v$$ in full (left) and factored (right), both from the course's code,
which matches `torch.optim.Adafactor` step for step. Set the batch to 1 and the steps to 1: one
example's gradient is an outer product, its square is rank one, and the two maps agree exactly.
A larger batch makes $$G$$ a sum of outer products, whose square is no longer rank one, and more
steps make $$v$$ an average of many squares. The estimate then keeps each row's and column's
overall size and loses the detail inside. Yet the running averages tend towards a product of row
and column sizes, so with more steps the error falls again.
"""

TEXT_NOTES = r"""
## What a 2-D toy misleads about, measured

- **Relative steps crawl near the origin.** AdaFactor's step scales with $$\mathrm{RMS}(\theta)$$
  and LAMB's with $$\lVert\theta\rVert$$. In the AdaFactor demo (Rosenbrock from (−1.2, 1), η =
  [[crawl_rate]], [[crawl_steps]] steps) it ends at ([[crawl_x]], [[crawl_y]]), where the loss is
  still [[crawl_loss]]. It is not stuck on a flat region: it is passing the origin at its slowest,
  because its steps are sized by $$\max(\epsilon_2, \mathrm{RMS}(\theta))$$, which near the origin
  is the floor $$\epsilon_2$$ = [[af_eps2]]. Only at step [[af_back]] is RMS(θ) back at 0.5, on its way
  up the valley towards (1, 1). Real weight matrices are not near zero: they start at random
  values of a chosen size, which is what these rules assume.
- **LAMB at a constant rate does not settle** on a minimum away from the origin: its step never
  becomes shorter than $$\eta\lVert\theta\rVert$$. In practice its rate is decayed to zero.
- **Sophia is mostly its clip in short runs.** On the ravine from (−9, 2), over 200 steps at rates
  [[sophia_rates]], the clip decides [[sophia_low]] to [[sophia_high]] of its coordinate-steps:
  there it behaves like Lion's sign steps with a momentum, and the curvature hardly enters.
- **A diagonal misses curvature across the axes.** At Rosenbrock's minimum the Hessian's diagonal
  is [[h_xx]] and [[h_yy]], but the entry across the axes is [[h_xy]]. The true curvatures, along
  the valley and across it, are [[flat]] and [[steep]]. Sophia's diagonal sees neither the flat
  valley floor nor how steep its walls are, because the valley runs diagonally.
"""

TEXT_SUMMARY = r"""
## The whole family in one table

Memory is the state a method keeps per parameter, beside the parameter itself: Adam keeps
[[adam_state]] numbers, Lion [[lion_state]], plain SGD none.
"""

TEXT_RACE = """
## Racing them

The arena (chapter 8) races any of these on any landscape, at one shared rate or each at its own
best rate. [Open it with Adam and this chapter's methods on the ravine, each at its best rate]({link}).
"""


def quiz() -> Quiz:
    return Quiz(
        "What is Lion's key difference from Adam?",
        [
            Choice("It divides by the largest second moment seen so far", False,
                   "That is AMSGrad: it keeps Adam's two moments and adds a third buffer, the maximum of v."),
            Choice("It scales each layer's step by the size of that layer's weights", False,
                   "That is LAMB's trust ratio. Before weight decay, Lion moves each coordinate by η (or not at all "
                   "where the sign is 0), whatever the size of the weights."),
            Choice("It steps by the sign of a momentum blend, so each coordinate moves by η (before weight decay), "
                   "and it keeps one buffer instead of two", True,
                   "Lion has no second moment at all: the sign does the normalising that Adam's division by "
                   "√v̂ does, and the saving is one number per weight. At a given rate its steps do not shrink as "
                   "the gradients do, which is why its rate is usually set several times smaller than AdamW's."),
            Choice("It uses the Hessian's diagonal to take Newton-like steps", False,
                   "That is Sophia. Lion uses no curvature: only the sign of a blend of momentum and gradient."),
        ],
        name="quiz6",
    )


def lessons() -> dict[str, Lesson]:
    return {"tree": Lesson("tree", FamilyTree(), ("selected",)),
            "demo": Lesson("demo", MethodDemo(), ("method", "log_lr", "steps", "start"), player=Player()),
            "matrix": Lesson("matrix", FactoredMoment(), ("rows", "cols", "batch", "steps", "seed", "layer_rows",
                                                          "layer_cols"))}


class DemoView:
    """The chosen method's race, its text, and the chart of the quantity its idea is about."""

    def __init__(self, lesson: Lesson, facts_: dict):
        self.demo, self.facts = lesson.model, facts_
        self.race = RaceView(self.demo, "demo", player=lesson.player, readout=False,
                             titles=["The two methods (click: new start)"])
        self.text = prose(self.explanation())
        self.chart = LineChart([Curve("a", "a", "#000000"), Curve("b", "b", "#000000", dash="dashed")],
                               name="demo-chart", title="", y_label="", log_y=True, height=300)
        self.demo.param.watch(lambda *_: self.draw(), "result")
        self.draw()

    def explanation(self) -> str:
        """The method's idea, then its update rule as the core runs it."""
        method = self.demo.method
        return fill(DEMO_TEXT[method], self.facts) + "\n\n" + displayed(REGISTRY[method].rule_tex)

    def draw(self):
        demo = self.demo
        chart = demo.demo.chart
        steps, first, second = demo.curves()
        # the method and its rival drawn as on the map; two quantities of the method, solid and dashed
        method_color = optimizer_style(demo.demo.method)[0]
        styles = ([optimizer_style(demo.demo.method), optimizer_style(demo.demo.rival)] if chart.from_rival
                  else [(method_color, "solid"), (OWN_SECOND_COLOR, "dashed")])
        with pn.io.hold():
            self.text.object = self.explanation()
            for renderer, (color, dash) in zip(self.chart.figure.renderers, styles, strict=True):
                renderer.glyph.update(line_color=color, line_dash=dash)
            self.chart.relabel(chart.title, chart.y_label, list(chart.labels))
            floor = 1e-12
            self.chart.show(steps, {"a": np.maximum(first, floor), "b": np.maximum(second, floor)})

    def layout(self):
        return pn.Column(self.race.layout(), plots_row(self.chart.figure, name="demo-chart-row"),
                         sizing_mode="stretch_width")


class FactoredView:
    def __init__(self, model: FactoredMoment):
        self.model = model
        self.maps = MatrixPair(("v kept in full (d₁·d₂ numbers)", "rebuilt from R and C (d₁ + d₂ numbers)"),
                               name="factored-map")
        self.reading = Reading("", name="factored-reading", sizing_mode="stretch_width")
        self.memory = WorkedTable(name="factored-memory")
        model.param.watch(lambda *_: self.draw(), "result")
        model.param.watch(lambda *_: self.count(), ["layer_rows", "layer_cols"])
        self.draw()
        self.count()

    def draw(self):
        result, model = self.model.result, self.model
        with pn.io.hold():
            self.maps.show(result.full, result.estimate)
            kept, full = model.rows + model.cols, model.rows * model.cols
            keeps = (f"keeps {kept} numbers instead of {full}" if kept < full
                     else f"keeps {kept} numbers, no fewer than v in full: a {model.rows} × {model.cols} matrix is "
                          "too small for factoring to save any")
            self.reading.object = (
                f"{model.rows} × {model.cols} weights, {counted(model.steps, 'step')} of batches "
                f"of {model.batch}: AdaFactor {keeps}. The rebuilt entries are off by {result.error:.1%} (median "
                f"over the weights).")

    def count(self):
        memory = self.model.memory()
        rows = [[title, f"{memory[key]:,}", byte_size(4 * memory[key])]
                for title, key in (("Adam: m and v", "adam"), ("AdaFactor, v in full", "full"),
                                   ("AdaFactor, factored", "factored"))]
        self.memory.show(Table(["state for a layer", "numbers", "in 32-bit floats"], rows, memory_note(memory)))


def byte_size(count: int) -> str:
    """A number of bytes in the largest binary unit that keeps it at 1 or more: 8 bytes, 32 KiB, 64 MiB."""
    for unit, size in (("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if count >= size:
            amount = count / size
            return f"{amount:.3g} {unit}" if float(f"{amount:.3g}") < 1000 else f"{amount:,.0f} {unit}"
    return counted(count, "byte")


def memory_note(memory: dict[str, int]) -> str:
    """What the memory table says: how many times Adam's count the factored form keeps, and when a
    layer is too thin for factoring to pay (torch's Adafactor factors every matrix all the same)."""
    weights, adam, full, factored = memory["weights"], memory["adam"], memory["full"], memory["factored"]
    ratio = adam / factored
    times = f"{ratio:,.0f}" if ratio >= 10 else f"{ratio:.2g}"
    note = (f"For {counted(weights, 'weight')}: "
            + ("Adam and factored AdaFactor keep the same count." if adam == factored
               else f"Adam keeps {times} times as many numbers as factored AdaFactor."))
    if factored >= full:
        note += (" At this shape factoring saves nothing over keeping v in full: the row and column averages "
                 f"take {factored:,} numbers, v itself {full:,}.")
    return note


def arena_link() -> str:
    from .ch8_arena import preset_links

    return preset_links()["Beyond Adam, each at its best rate"]


def demo_section(demo: Lesson, f: dict) -> pn.Column:
    view, model = DemoView(demo, f), demo.model
    controls = pn.FlexBox(
        pn.widgets.Select.from_param(model.param.method, width=150, options={REGISTRY[n].title: n for n in DEMOS}),
        log_rate_slider(model.param.log_lr, width=240),
        IntSlider.from_param(model.param.steps, step=10, width=240),
        copy_link_button("demo"),
        sizing_mode="stretch_width", name="demo-controls",
    )
    return pn.Column(view.text, controls, verdict_pane(model, "demo-verdict"), view.layout(),
                     sizing_mode="stretch_width")


def factored_section(matrix) -> pn.Column:
    factored = FactoredView(matrix)
    controls = pn.FlexBox(
        *(IntSlider.from_param(matrix.param[n], width=200) for n in ("rows", "cols", "batch", "steps")),
        whole_number_box(matrix, "seed"),
        copy_link_button("matrix"),
        sizing_mode="stretch_width", name="factored-controls",
    )
    memory_controls = pn.FlexBox(whole_number_box(matrix, "layer_rows", width=140),
                                 whole_number_box(matrix, "layer_cols", width=140), sizing_mode="stretch_width")
    return pn.Column(controls, factored.reading, plots_row(*factored.maps.figures, name="factored-plots"),
                     memory_controls, factored.memory, sizing_mode="stretch_width")


def page(lessons: dict[str, Lesson]):
    f = facts()
    tree, demo, matrix = lessons["tree"].model, lessons["demo"], lessons["matrix"].model
    tree_view = FamilyTreeView(tree, "family-tree")
    selected = prose(card(tree.selected), name="family-card")
    tree.param.watch(lambda event: setattr(selected, "object", card(event.new)), "selected")

    def follow(event):
        if event.new in DEMOS:
            demo.model.method = event.new

    tree.param.watch(follow, "selected")
    summary = WorkedTable(name="summary-table")
    summary.show(summary_table())
    return pn.Column(
        prose(TEXT_INTRO),
        pn.FlexBox(pn.pane.Bokeh(tree_view.figure, sizing_mode="stretch_width", min_width=280, max_width=640),
                   pn.Column(selected, min_width=280, max_width=560, sizing_mode="stretch_width"),
                   flex_wrap="wrap", gap="16px", sizing_mode="stretch_width"),
        prose(TEXT_DEMOS),
        Deferred(lambda: demo_section(demo, f), "The demo race", 800),
        prose(fill(TEXT_FACTORED, f)),
        Deferred(lambda: factored_section(matrix), "AdaFactor's factored second moment", 900),
        prose(fill(TEXT_NOTES, f)),
        prose(fill(TEXT_SUMMARY, f)),
        summary,
        prose(TEXT_RACE.format(link=arena_link())),
        code_view(lion, "Lion, the shortest rule in this chapter, as it runs in the course:"),
        quiz(),
        sizing_mode="stretch_width", name="chapter-6",
    )


CHAPTER = Chapter(6, lessons, page)
