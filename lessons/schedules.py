"""Chapter 7's lessons: a schedule drawn and driving a run beside the constant rate, and
Schedule-Free AdamW's three sequences raced against AdamW with a cosine schedule."""

from dataclasses import dataclass

import numpy as np
import param

import landscapes
from optimizers import SCHEDULES, make_schedule, run
from optimizers.schedules import SCHEDULE_TITLES

from .kept import Kept
from .race import Entry, Race, landscape_minimum, steps_of_warmup
from .wording import counted

SCHEDULE_LANDSCAPES = ["ravine", "rosenbrock", "himmelblau", "beale"]
SCHEDULE_OPTIMIZERS = ["sgd", "momentum", "adam", "adamw"]
CONSTANT_COLOR = "#777777"
REPEATS = 16
"""Noisy runs per setting behind the averages: one run's last point is a single noisy sample."""


AVERAGE_GAPS = Kept(max_bytes=2**20)
FREE_RESULTS = Kept(max_bytes=32 * 2**20)


class ScheduleLab(Race):
    """One optimizer twice from one start: with the chosen schedule (its rate is the peak) and
    at that peak rate throughout."""

    landscape = param.Selector(default="ravine", objects=SCHEDULE_LANDSCAPES, label="Landscape")
    optimizer = param.Selector(default="adam", objects=SCHEDULE_OPTIMIZERS, label="Optimizer")
    kind = param.Selector(default="cosine", objects=list(SCHEDULES), label="Schedule")
    steps = param.Integer(default=1000, bounds=(50, 2000), label="Total steps T")
    log_lr = param.Number(default=-1.0, bounds=(-4.0, 0.0), step=0.05, label="Peak rate (log₁₀ η_max)")
    warmup_share = param.Number(default=0.1, bounds=(0.0, 0.5), step=0.01, label="Warmup share of T")
    min_share = param.Number(default=0.0, bounds=(0.0, 1.0), step=0.01, label="Lowest rate (share of peak)")
    gamma = param.Number(default=0.1, bounds=(0.01, 1.0), step=0.01, label="Step decay factor γ")
    interval_share = param.Number(default=0.3, bounds=(0.05, 1.0), step=0.05,
                                  label="Step interval (share of T − w)")
    noise = param.Number(default=1.0, bounds=(0.0, 10.0), step=0.1, label="Gradient noise σ")

    @property
    def peak(self) -> float:
        return float(10.0**self.log_lr)

    @property
    def warmup_steps(self) -> int:
        return steps_of_warmup(self.warmup_share, self.steps)

    def rate_schedule(self, peak: float | None = None):
        """The schedule of these settings, as `make_schedule` builds it."""
        options = {}
        if self.kind == "step":
            options = {"gamma": self.gamma,
                       "step_size": max(1, int(self.interval_share * (self.steps - self.warmup_steps)))}
        peak = self.peak if peak is None else peak
        return make_schedule(self.kind, self.steps, peak, warmup_steps=self.warmup_steps,
                             min_lr=self.min_share * peak, **options)

    def curve(self) -> tuple[np.ndarray, np.ndarray]:
        """Steps 0..T-1 and the rate at each, as a share of the peak."""
        steps = np.arange(self.steps)
        return steps, np.asarray(self.rate_schedule(1.0)(steps), dtype=float)

    def entries(self) -> list[Entry]:
        return [Entry(self.optimizer, f"{SCHEDULE_TITLES[self.kind]} schedule", {"schedule": self.rate_schedule()}),
                Entry(self.optimizer, "constant rate", {"lr": self.peak}, color=CONSTANT_COLOR, dash="dashed")]

    def average_final_gaps(self) -> tuple[float, float]:
        """Mean loss above the minimum at the last step: (scheduled, constant); inf if any run diverged."""
        scheduled, constant = self.final_gaps()
        return float(np.mean(scheduled)), float(np.mean(constant))

    def final_gaps(self) -> np.ndarray:
        """Loss above the minimum at the last step of REPEATS runs with different noise (one batch of
        copies of the start each), shape (2, REPEATS): scheduled, then constant; inf where a run
        diverged. Each of the two gets its own noise stream from the same seed, so both see the
        same noise."""
        return AVERAGE_GAPS.get(self.result_key(), self._final_gaps)

    def _final_gaps(self) -> np.ndarray:
        surface = self.surface
        starts = np.repeat(np.asarray(self.start, dtype=float)[None], REPEATS, axis=0)
        gaps = []
        for hyper in ({"schedule": self.rate_schedule()}, {"lr": self.peak}):
            grad = surface.noisy_grad(self.noise, self.seed) if self.noise > 0 else surface.grad
            traj = run(self.optimizer, grad, starts, self.steps, bound=surface.escape_bound, record="params", **hyper)
            with np.errstate(all="ignore"):
                final = surface.f(traj.final) - self.result.minimum
            gaps.append(np.where(np.isfinite(final), final, np.inf))
        return np.array(gaps)

    def verdict(self) -> str:
        def said(gaps: np.ndarray) -> str:
            kept = gaps[np.isfinite(gaps)]
            if self.noise == 0:
                return "diverged" if not kept.size else f"{kept[0]:.3g}"
            if not kept.size:
                return "every run diverged"
            mean = f"{np.mean(kept):.3g}"
            lost = REPEATS - kept.size
            if not lost:
                return mean
            survivors = "the one run" if kept.size == 1 else f"the mean of the {kept.size} runs"
            return f"{mean}, {survivors} that stayed finite ({lost} diverged)"

        scheduled, constant = self.final_gaps()
        runs = f"mean over {REPEATS} runs with different noise" if self.noise > 0 else "without noise"
        warmup = f" after a warmup of {counted(self.warmup_steps, 'step')}" if self.warmup_steps else ""
        return (f"Loss above the minimum after {self.steps} steps, {runs}: with the {SCHEDULE_TITLES[self.kind]} "
                f"schedule{warmup} <b>{said(scheduled)}</b>, at the peak rate throughout, with no warmup, "
                f"<b>{said(constant)}</b>.")


@dataclass(frozen=True)
class ScheduleFreeResult:
    """Schedule-Free AdamW's three sequences and AdamW with a cosine schedule, from one start."""

    y: np.ndarray
    z: np.ndarray
    x: np.ndarray
    cosine: np.ndarray
    gaps: dict
    minimum: float


class ScheduleFreeRace(param.Parameterized):
    """Where Schedule-Free AdamW takes its gradients (y), its base iterate (z) and the average it
    is evaluated at (x), beside AdamW with a cosine schedule at the same peak rate."""

    landscape = param.Selector(default="rosenbrock", objects=SCHEDULE_LANDSCAPES, label="Landscape")
    log_lr = param.Number(default=-1.0, bounds=(-4.0, 0.0), step=0.05, label="Rate (log₁₀ η)")
    steps = param.Integer(default=1000, bounds=(50, 2000), label="Steps")
    noise = param.Number(default=1.0, bounds=(0.0, 10.0), step=0.1, label="Gradient noise σ")
    seed = param.Integer(default=0, bounds=(0, 9999), label="Noise seed")
    result = param.Parameter(default=None, precedence=-1)

    SETTINGS = ("landscape", "log_lr", "steps", "noise", "seed")
    """What the result depends on: a change recomputes it, and results are kept by it."""
    WARMUP = 0.05
    """Both methods warm up over this share of the steps."""

    def __init__(self, **params):
        super().__init__(**params)
        self.param.watch(lambda *_: self.recompute(), list(self.SETTINGS))
        self.recompute()

    def recompute(self):
        self.result = FREE_RESULTS.get(tuple(getattr(self, name) for name in self.SETTINGS), self._compute)

    def _compute(self) -> "ScheduleFreeResult":
        surface = landscapes.get(self.landscape)
        start = np.array(surface.start)
        rate, warmup = float(10.0**self.log_lr), int(self.WARMUP * self.steps)

        def grad():
            return surface.noisy_grad(self.noise, self.seed) if self.noise > 0 else surface.grad

        free = run("schedule_free", grad(), start, self.steps, lr=rate, warmup_steps=warmup,
                   bound=surface.escape_bound)
        cosine = run("adamw", grad(), start, self.steps, bound=surface.escape_bound, weight_decay=0.0,
                     schedule=make_schedule("cosine", self.steps, rate, warmup_steps=warmup))  # like for like
        minimum = landscape_minimum(surface)
        x = np.vstack([start[None], free.internals["x"]])
        z = np.vstack([start[None], free.internals["z"]])
        with np.errstate(all="ignore"):
            gaps = {"x": surface.f(x) - minimum, "y": surface.f(free.params) - minimum,
                    "cosine": surface.f(cosine.params) - minimum}
        return ScheduleFreeResult(free.params, z, x, cosine.params, gaps, minimum)

    def verdict(self) -> str:
        gaps = self.result.gaps
        return (f"After {self.steps} steps, loss above the minimum: Schedule-Free's average x "
                f"<b>{gaps['x'][-1]:.3g}</b> (its gradient point y {gaps['y'][-1]:.3g}), AdamW with a cosine "
                f"schedule <b>{gaps['cosine'][-1]:.3g}</b>.")
