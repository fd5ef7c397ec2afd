"""Chapter 6's lessons: one small race per method after Adam, each with the quantity that shows
its idea, and AdaFactor's factored second moment on a weight matrix.

A demo is a method, the rival it is read against, a landscape and start where its idea shows,
and a chart: two curves computed from the two runs (`Demo.curves`). The learner picks the
method (also by clicking the family tree), the rate, the steps and the start.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import param

import landscapes
from optimizers import get_spec
from optimizers.adam import radam_rectifier
from optimizers.modern import adafactor, adafactor_factored, adafactor_factored_init, adafactor_init

from .race import Entry, Lane, Race


def step_lengths(lane: Lane) -> np.ndarray:
    """‖θₜ − θₜ₋₁‖ for t = 1..T (NaN after a divergence)."""
    with np.errstate(all="ignore"):
        return np.linalg.norm(np.diff(lane.params, axis=0), axis=-1)


def coordinate_steps(lane: Lane, axis: int = 0) -> np.ndarray:
    """|Δθ_axis| at each step."""
    with np.errstate(all="ignore"):
        return np.abs(np.diff(lane.params[:, axis]))


def relative_steps(lane: Lane) -> np.ndarray:
    """Each step's length divided by the size ‖θ_{t−1}‖ of the point it was taken from."""
    with np.errstate(all="ignore"):
        return step_lengths(lane) / np.linalg.norm(lane.params[:-1], axis=-1)


def gaps(lane: Lane, minimum: float) -> np.ndarray:
    return lane.losses[1:] - minimum


def clipped(params: np.ndarray, lr: float) -> np.ndarray:
    """Which of Sophia's coordinate-steps the clip decided (T, d): those of exactly the rate's size
    (without weight decay, an unclipped step is strictly shorter)."""
    with np.errstate(all="ignore"):
        return np.abs(np.diff(params, axis=0)) >= lr * (1 - 1e-9)


@dataclass(frozen=True)
class Chart:
    """A demo's chart, drawn on a log axis. `from_rival` says whether the second curve comes from
    the rival's run or, like the first, from the method's own."""

    title: str
    y_label: str
    labels: tuple[str, str]
    from_rival: bool = True


@dataclass(frozen=True)
class Demo:
    """Where `method`'s idea shows: raced against `rival` on `landscape` from `start` (None: the
    landscape's own) at rate 10**`log_lr`. `curves(method_lane, rival_lane, demo)` gives the
    chart's two curves over steps 1..T; `hyper` settings apply to both runs."""

    method: str
    rival: str
    landscape: str
    log_lr: float
    steps: int
    chart: Chart
    curves: Callable
    start: tuple[float, float] | None = None
    hyper: dict = field(default_factory=dict)


def _both(measure):
    return lambda own, rival, _: (measure(own), measure(rival))


DEMOS = {
    "radam": Demo("radam", "adam", "ravine", -2.0, 100,
                  Chart("Step length ‖θₜ − θₜ₋₁‖", "step length", ("RAdam", "Adam")), _both(step_lengths)),
    "amsgrad": Demo("amsgrad", "adam", "bowl", np.log10(0.05), 1000,
                    Chart("AMSGrad's v and the largest v so far, for θ₁", "second moment",
                          ("v (shrinks as the ball slows)", "max v (AMSGrad divides by this)"), from_rival=False),
                    lambda own, rival, _: (own.internals["v"][:, 0], own.internals["v_max"][:, 0])),
    "adamax": Demo("adamax", "adam", "ravine", -1.0, 200,
                   Chart("The denominator for θ₂: Adamax's u and Adam's √v̂", "denominator",
                         ("Adamax: u = max(β₂u, |g|)", "Adam: √v̂")),
                   lambda own, rival, _: (own.internals["u"][:, 1], np.sqrt(rival.internals["v_hat"][:, 1]))),
    "nadam": Demo("nadam", "adam", "bowl", np.log10(0.2), 300,
                  Chart("Loss above the minimum", "L − L*", ("NAdam", "Adam")),
                  lambda own, rival, race: (gaps(own, race.minimum), gaps(rival, race.minimum))),
    "adafactor": Demo("adafactor", "adam", "rosenbrock", np.log10(0.05), 500,
                      Chart("Step length ‖θₜ − θₜ₋₁‖", "step length", ("AdaFactor", "Adam")),
                      _both(step_lengths)),
    "lion": Demo("lion", "adam", "ravine", -1.0, 200,
                 Chart("Size of each step along θ₁", "|Δθ₁|", ("Lion", "Adam")), _both(coordinate_steps),
                 hyper={"weight_decay": 0.0}),
    "lamb": Demo("lamb", "adam", "himmelblau", np.log10(0.05), 300,
                 Chart("Step length relative to the weights, ‖Δθ‖ / ‖θ‖", "‖Δθ‖ / ‖θ‖", ("LAMB", "Adam")),
                 _both(relative_steps)),
    "sophia": Demo("sophia", "adam", "saddle", -2.0, 300,
                   Chart("Sophia's step per coordinate, as a share of η (1: clipped)", "|Δθᵢ| / η",
                         ("θ₁ (positive curvature)", "θ₂ (negative curvature near θ₂ = 0)"), from_rival=False),
                   lambda own, _, race: (coordinate_steps(own, 0) / race.rate, coordinate_steps(own, 1) / race.rate),
                   start=(1.8, 0.05)),
}


def first_settings(demo: Demo) -> dict:
    """The map, rate, steps and start a demo opens with (the start: the demo's own, else its map's)."""
    start = demo.start or tuple(landscapes.get(demo.landscape).start)
    return {"landscape": demo.landscape, "log_lr": demo.log_lr, "steps": demo.steps, "start": start}


class MethodDemo(Race):
    """The chosen method and its rival from one start; `curves()` is the chart of its idea."""

    method = param.Selector(default="radam", objects=list(DEMOS), label="Method")
    log_lr = param.Number(default=-2.0, bounds=(-5.0, 0.0), step=0.05, label="Learning rate (log₁₀ η)")
    steps = param.Integer(default=100, bounds=(10, 2000), label="Steps")

    MAP_SETTINGS = ("method",)

    def __init__(self, **params):
        super().__init__(**{**first_settings(DEMOS[params.get("method", "radam")]), **params})

    @property
    def demo(self) -> Demo:
        return DEMOS[self.method]

    @property
    def rate(self) -> float:
        return float(10.0**self.log_lr)

    def entries(self) -> list[Entry]:
        demo = self.demo
        return [Entry(name, hyper={"lr": self.rate, **demo.hyper}) for name in (demo.method, demo.rival)]

    def _changed(self, *events):
        changed = {event.name for event in events}
        if "method" in changed:
            first = {name: value for name, value in first_settings(self.demo).items()
                     if name not in changed and getattr(self, name) != value}
            if first:  # announced, so that the sliders show the method's own settings; this change recomputes
                self.param.update(**first)
                return
        self.recompute()

    def surface_for(self, accepted):
        return landscapes.get(DEMOS[accepted.get("method", self.method)].landscape)

    def curves(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Steps 1..T and the two curves of the demo's chart (NaN where a run had stopped)."""
        own, rival = self.result.lanes
        steps = np.arange(1, self.steps + 1)
        if not (own.ok and rival.ok):
            return steps, np.full(self.steps, np.nan), np.full(self.steps, np.nan)
        first, second = self.demo.curves(own, rival, self)
        return steps, np.asarray(first, dtype=float), np.asarray(second, dtype=float)

    @property
    def minimum(self) -> float:
        return self.result.minimum

    def verdict(self) -> str:
        own, rival = self.result.lanes
        for lane in (own, rival):
            if not lane.ok:
                return f"<b>{lane.entry.title}</b> cannot run here: {lane.error}"
        ended = [lane for lane in (own, rival) if lane.diverged_at >= 0]
        stopped = " ".join(f"<b>{lane.entry.title}</b> diverged at step {lane.diverged_at}." for lane in ended)
        if own.diverged_at >= 0:
            return stopped + " Lower the rate to see its idea at work."
        return " ".join(filter(None, (getattr(self, f"_read_{self.method}")(own, rival), stopped)))

    def _final_gaps(self, own: Lane, rival: Lane) -> str:
        def gap(lane):
            return "diverged" if lane.diverged_at >= 0 else f"{lane.losses[-1] - self.minimum:.3g}"

        return (f"Loss above the minimum after {self.steps} steps: {own.entry.title} {gap(own)}, "
                f"{rival.entry.title} {gap(rival)}.")

    def _read_radam(self, own: Lane, rival: Lane) -> str:
        beta2 = get_spec("radam").defaults["betas"][1]
        rates = np.array([radam_rectifier(t, beta2) for t in range(1, self.steps + 1)])
        first = int(np.argmax(rates > 0)) + 1 if np.any(rates > 0) else None
        lengths, adam_lengths = step_lengths(own), step_lengths(rival)
        if first is None:
            return (f"In these {self.steps} steps RAdam only took plain momentum steps η·m̂: ρ_t never passed 5.")
        return (f"Steps 1 to {first - 1} were plain momentum steps η·m̂, as long as the gradient makes them "
                f"(step 1: {lengths[0]:.3g}; Adam's: {adam_lengths[0]:.3g}). From step {first} RAdam takes Adam "
                f"steps times the rectifier r_t: {rates[first - 1]:.3f} at step {first}, "
                f"{rates[-1]:.3f} at step {self.steps}.")

    def _read_amsgrad(self, own: Lane, rival: Lane) -> str:
        v, peak = own.internals["v"][-1, 0], own.internals["v_max"][-1, 0]
        if peak <= 0:
            return "θ₁'s gradient was zero throughout, so v and its maximum stayed 0. " + self._final_gaps(own, rival)
        root = np.sqrt(v / peak)
        if root == 1.0:
            return (f"At step {self.steps}, θ₁'s v is the largest it has been, so AMSGrad divides by the same "
                    f"number as Adam. " + self._final_gaps(own, rival))
        digits = next(d for d in (3, 4, 6, 8, 12, 17) if f"{root:.{d}g}" != "1")  # the root is nearer 1
        share_text, root_text = f"{v / peak:.{digits}g}", f"{root:.{digits}g}"
        return (f"At step {self.steps}, θ₁'s v is {share_text} of the largest v it had; AMSGrad divides by the "
                f"largest, so its step there is √{share_text} = {root_text} of what Adam's "
                f"division would give. " + self._final_gaps(own, rival))

    def _read_adamax(self, own: Lane, rival: Lane) -> str:
        u = own.internals["u"][-1, 1]
        root = np.sqrt(rival.internals["v_hat"][-1, 1])
        if root == 0:
            return (f"θ₂'s gradient was zero at every step, so neither method moved θ₂ (Adamax's u there is just "
                    f"ε = {u:.3g}). " + self._final_gaps(own, rival))
        return (f"At step {self.steps} Adamax divides θ₂'s step by u = {u:.3g}, Adam by √v̂ = {root:.3g}. "
                + self._final_gaps(own, rival))

    def _read_nadam(self, own: Lane, rival: Lane) -> str:
        return self._final_gaps(own, rival) + self._arrivals(own, rival)

    def _arrivals(self, own: Lane, rival: Lane) -> str:
        def arrived(lane):
            at = lane.steps_to_tolerance
            return f"from step {at}" if at is not None else "not by the end"

        return (f" Within {self.tolerance:g} of the minimum: {own.entry.title} {arrived(own)}, "
                f"{rival.entry.title} {arrived(rival)}.")

    def _read_adafactor(self, own: Lane, rival: Lane) -> str:
        end = own.params[-1]
        size = float(np.sqrt(np.mean(end * end)))
        return (f"AdaFactor ended at ({end[0]:.3g}, {end[1]:.3g}), where RMS(θ) = {size:.3g}; its last step was "
                f"{step_lengths(own)[-1]:.3g} long, Adam's {step_lengths(rival)[-1]:.3g}. "
                + self._final_gaps(own, rival))

    def _read_lion(self, own: Lane, rival: Lane) -> str:
        sizes = np.abs(np.diff(own.params, axis=0))
        exact = int(np.sum(np.isclose(sizes, self.rate, rtol=1e-9, atol=0)))
        adam = np.abs(np.diff(rival.params, axis=0))
        return (f"{exact} of Lion's {sizes.size} coordinate-steps moved by exactly η = {self.rate:.3g}; "
                f"Adam's ranged from {adam.min():.3g} to {adam.max():.3g}. " + self._final_gaps(own, rival))

    def _read_lamb(self, own: Lane, rival: Lane) -> str:
        ratio = relative_steps(own)
        end = own.params[-1]
        return (f"LAMB's median step was {np.nanmedian(ratio):.3g} × ‖θ‖ (η = {self.rate:.3g}); it ended at "
                f"({end[0]:.3g}, {end[1]:.3g}), ‖θ‖ = {np.linalg.norm(end):.3g}. " + self._final_gaps(own, rival))

    def _read_sophia(self, own: Lane, rival: Lane) -> str:
        decided = clipped(own.params, self.rate)
        end = own.params[-1]
        return (f"The clip decided {decided.mean():.0%} of Sophia's coordinate-steps (θ₁ {decided[:, 0].mean():.0%}, "
                f"θ₂ {decided[:, 1].mean():.0%}). Sophia ended at ({end[0]:.3g}, {end[1]:.3g}), Adam at "
                f"({rival.params[-1][0]:.3g}, {rival.params[-1][1]:.3g}). " + self._final_gaps(own, rival))


@dataclass(frozen=True)
class Factored:
    """The second moment of one weight matrix's gradients, kept in full and factored."""

    full: np.ndarray
    """v: the running average of g², one number per weight (d1, d2)."""
    rows: np.ndarray
    """R: the running average of each row's mean g² (d1,)."""
    cols: np.ndarray
    """C: the running average of each column's mean g² (d2,)."""
    estimate: np.ndarray
    """The rank-one rebuild R_i C_j / mean(R), (d1, d2)."""

    @property
    def error(self) -> float:
        """The estimate's median relative error over the weights."""
        return float(np.median(np.abs(self.estimate - self.full) / self.full))


class FactoredMoment(param.Parameterized):
    """AdaFactor's memory saving on a weight matrix: a layer's gradients G = δᵀx over a batch, with
    rows and columns of different typical sizes, fed to the full and to the factored rule."""

    rows = param.Integer(default=6, bounds=(2, 16), label="Rows d₁")
    cols = param.Integer(default=8, bounds=(2, 16), label="Columns d₂")
    batch = param.Integer(default=4, bounds=(1, 64), label="Batch size")
    steps = param.Integer(default=20, bounds=(1, 200), label="Steps")
    seed = param.Integer(default=0, bounds=(0, 2**31 - 1), label="Seed")
    layer_rows = param.Integer(default=4096, bounds=(1, 1_000_000), label="A layer's rows")
    layer_cols = param.Integer(default=4096, bounds=(1, 1_000_000), label="A layer's columns")
    result = param.Parameter(default=None, precedence=-1)

    def __init__(self, **params):
        super().__init__(**params)
        self.param.watch(lambda *_: self.recompute(), ["rows", "cols", "batch", "steps", "seed"])
        self.recompute()

    def gradients(self) -> np.ndarray:
        """(steps, d1, d2): each step's batch-averaged gradient of a linear layer, δᵀx / B, where
        the rows' and the columns' typical sizes differ by up to e² from one another."""
        rng = np.random.default_rng(self.seed)
        row_scale = np.exp(rng.normal(size=self.rows))
        col_scale = np.exp(rng.normal(size=self.cols))
        errors = rng.normal(size=(self.steps, self.batch, self.rows)) * row_scale
        inputs = rng.normal(size=(self.steps, self.batch, self.cols)) * col_scale
        return np.einsum("sbi,sbj->sij", errors, inputs) / self.batch

    def recompute(self):
        spec = get_spec("adafactor")
        hyper = {k: spec.defaults[k] for k in ("lr", "beta2_decay", "eps", "d", "weight_decay")}
        theta = np.random.default_rng(self.seed + 1).normal(size=(self.rows, self.cols))
        full_theta, factored_theta = theta.copy(), theta.copy()
        full_state, factored_state = adafactor_init(theta), adafactor_factored_init(theta)
        shown = {}
        for t, g in enumerate(self.gradients(), start=1):
            full_theta, full_state, _ = adafactor(full_theta, g, full_state, t, **hyper)
            factored_theta, factored_state, shown = adafactor_factored(factored_theta, g, factored_state, t, **hyper)
        self.result = Factored(full_state["v"], factored_state["row"][:, 0], factored_state["col"][0],
                               shown["v_hat"])

    def memory(self) -> dict[str, int]:
        """Numbers kept per layer of the chosen size: Adam's m and v, AdaFactor's v unfactored, and
        AdaFactor's row and column averages (torch's Adafactor keeps no first moment)."""
        weights = self.layer_rows * self.layer_cols
        return {"weights": weights, "adam": 2 * weights, "full": weights,
                "factored": self.layer_rows + self.layer_cols}
