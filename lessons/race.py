"""`Race`: any set of optimizers from one start on one landscape, as a lesson's state.

The model holds only settings and results, never a plot: views draw `race.result`, tests read
it, and the page's link is made from its parameters. Every chapter widget with paths on a map
is a Race (or a subclass that derives its entries from a few sliders).
"""

from dataclasses import dataclass, field

import numpy as np
import param

import landscapes
from landscapes import Landscape
from optimizers import SCHEDULES, get_spec, make_schedule, run

from .kept import Kept

CLICK_DECIMALS = 4
"""A clicked start is kept to this many decimals (finer than a pixel on every map), so that the
page's link, which carries it, stays short and gives back exactly the same start."""


@dataclass(frozen=True)
class Entry:
    """One optimizer in a race: its registry name, its label, and the settings it runs with.
    `ghost` asks views to draw Nesterov's lookahead point beside the ball. `loss_scale` multiplies
    the loss this entry trains on (and so its gradients); its losses are still reported on the
    landscape itself. `color` and `dash` replace the optimizer's own style, for two runs of one
    method."""

    optimizer: str
    label: str = ""
    hyper: dict = field(default_factory=dict)
    ghost: bool = False
    loss_scale: float = 1.0
    color: str = ""
    dash: str = ""

    @property
    def title(self) -> str:
        return self.label or get_spec(self.optimizer).title


@dataclass(frozen=True)
class Lane:
    """One entry's run. `error` explains a setting the method cannot take; then `params` is None.

    `path` is where the ball is drawn at each step (the textbook iterate; for PyTorch's Nesterov,
    `ghost` holds the stored lookahead point). `losses` and `grad_norms` are taken along `path`.
    `left_map_at` is the first step outside the landscape's map, `diverged_at` the first whose
    parameters overflowed or passed the landscape's escape bound (-1: never).
    `steps_to_tolerance` is the step from which the loss stays within the tolerance of the minimum
    to the end of the run (a first dip that bounces back out does not count), or None.
    """

    entry: Entry
    error: str = ""
    params: np.ndarray | None = None
    path: np.ndarray | None = None
    ghost: np.ndarray | None = None
    losses: np.ndarray | None = None
    grad_norms: np.ndarray | None = None
    internals: dict = field(default_factory=dict)
    left_map_at: int = -1
    diverged_at: int = -1
    steps_to_tolerance: int | None = None

    @property
    def ok(self) -> bool:
        return not self.error


@dataclass(frozen=True)
class RaceResult:
    landscape: Landscape
    start: tuple[float, float]
    steps: int
    minimum: float
    tolerance: float
    lanes: tuple[Lane, ...]


def landscape_minimum(landscape: Landscape) -> float:
    return float(min(landscape.f(np.array(m)) for m in landscape.minima))


def first_step_outside(landscape: Landscape, path: np.ndarray) -> int:
    """The first step whose point lies off the map (or is not finite), or -1."""
    (x0, x1), (y0, y1) = landscape.x_range, landscape.y_range
    with np.errstate(invalid="ignore"):
        inside = (path[:, 0] >= x0) & (path[:, 0] <= x1) & (path[:, 1] >= y0) & (path[:, 1] <= y1)
    outside = np.flatnonzero(~inside)
    return int(outside[0]) if outside.size else -1


def steps_of_warmup(share: float, steps: int) -> int:
    """The steps of a run of `steps` spent warming up, for a warmup `share` of them."""
    return int(share * steps)


def rate_schedule(schedule: str, steps: int, peak: float, warmup: float):
    """The rate at each step for a schedule's name and a warmup share of the steps, as
    `make_schedule` builds it; None for a constant rate with no warmup."""
    if schedule == "constant" and warmup == 0:
        return None
    return make_schedule(schedule, steps, peak, warmup_steps=steps_of_warmup(warmup, steps))


def run_lane(entry: Entry, landscape: Landscape, start, steps: int, minimum: float, tolerance: float,
             grad_fn=None, schedule: str = "constant", warmup: float = 0.0) -> Lane:
    """Run one entry; a hyperparameter the method refuses becomes the lane's `error`. A schedule
    other than "constant" takes the entry's learning rate as its peak, with `warmup` the share
    of the steps spent warming up."""
    hyper = dict(entry.hyper)
    try:
        rates = rate_schedule(schedule, steps, hyper.get("lr", get_spec(entry.optimizer).defaults["lr"]), warmup)
        if rates is not None:
            hyper.pop("lr", None)
            hyper["schedule"] = rates
        grad, hess = grad_fn or landscape.grad, landscape.hess_diag
        if entry.loss_scale != 1:
            grad, hess = _scaled(grad, entry.loss_scale), _scaled(hess, entry.loss_scale)
        traj = run(entry.optimizer, grad, np.asarray(start, dtype=float), steps,
                   bound=landscape.escape_bound, hess_fn=hess, **hyper)
    except ValueError as problem:
        return Lane(entry, error=str(problem))
    path = traj.params
    ghost = None
    if entry.ghost and "ball" in traj.internals:
        ghost, path = traj.params, np.vstack([traj.params[:1], traj.internals["ball"]])
    with np.errstate(all="ignore"):
        losses = landscape.f(path)
        grad_norms = np.hypot(*np.moveaxis(landscape.grad(path), -1, 0))
        far = np.flatnonzero(~(losses - minimum < tolerance))  # NaN (diverged) counts as far
    settled = None if far.size and far[-1] == len(losses) - 1 else (int(far[-1]) + 1 if far.size else 0)
    return Lane(entry, params=traj.params, path=path, ghost=ghost, losses=losses, grad_norms=grad_norms,
                internals=traj.internals, left_map_at=first_step_outside(landscape, path),
                diverged_at=int(traj.diverged_at), steps_to_tolerance=settled)


RESULTS = Kept(max_bytes=128 * 2**20)
"""Every race's result by its class and settings: a page at its defaults is computed once."""


def _scaled(function, factor):
    def scaled(points):
        return factor * function(points)

    return scaled


class Race(param.Parameterized):
    """Settings of a race and, in `result`, what they produce (recomputed on every change).

    Subclasses add the sliders a lesson offers and override `entries()` to turn them into
    optimizers; the arena keeps its entries in `contestants`.
    """

    landscape = param.Selector(default="bowl", objects=landscapes.names(), doc="The surface raced on.")
    start = param.NumericTuple(default=(-2.5, 2.0), length=2, doc="Where every path starts (a click on the map).")
    steps = param.Integer(default=200, bounds=(1, 5000), label="Steps")
    noise = param.Number(default=0.0, bounds=(0.0, 100.0), label="Gradient noise σ")
    seed = param.Integer(default=0, bounds=(0, 2**31 - 1), label="Noise seed")
    schedule = param.Selector(default="constant", objects=list(SCHEDULES), label="Schedule",
                              doc="How each entry's learning rate changes over the run (its rate is the peak).")
    warmup = param.Number(default=0.0, bounds=(0.0, 0.9), label="Warmup share of the steps")
    tolerance = param.Number(default=1e-3, bounds=(1e-12, 1e3), precedence=-1,
                             doc="Loss above the minimum that counts as arrived.")
    contestants = param.List(default=[], item_type=Entry, precedence=-1)
    result = param.Parameter(default=None, precedence=-1, doc="The RaceResult of the current settings.")

    _outputs = ("name", "result")
    MAP_SETTINGS = ("landscape",)
    """The settings that choose the map: changing one moves the start to the new map's own."""

    def __init__(self, **params):
        start_given = "start" in params
        super().__init__(**params)
        if not start_given:
            with param.parameterized.discard_events(self):
                self.start = tuple(self.surface.start)
        inputs = [p for p in self.param if p not in self._outputs]
        self.param.watch(self._changed, inputs)
        self.recompute()

    @property
    def surface(self) -> Landscape:
        return landscapes.get(self.landscape)

    def entries(self) -> list[Entry]:
        return list(self.contestants)

    def set_start(self, x, y) -> bool:
        """Move the start to a clicked point; a point off the map (or not a number) is ignored."""
        try:
            point = (round(float(x), CLICK_DECIMALS), round(float(y), CLICK_DECIMALS))
        except (TypeError, ValueError, OverflowError):
            return False
        if not (np.all(np.isfinite(point)) and self.surface.contains(point)):
            return False
        self.start = point
        return True

    def surface_for(self, accepted: dict) -> Landscape | None:
        """The map that a link's values accepted so far would draw on (None: no usable map)."""
        return landscapes.get(accepted.get("landscape", self.landscape))

    def link_problem(self, name, value, accepted) -> str | None:
        """Why a start from a link cannot be used (off the map it would be drawn on), or None."""
        if name == "start":
            surface = self.surface_for(accepted)
            if surface is not None and not surface.contains(value):
                return f"the start is off the {surface.title} map"
        return None

    def _changed(self, *events):
        changed = {event.name for event in events}
        if changed & set(self.MAP_SETTINGS) and "start" not in changed:  # a new map starts from its own start
            with param.parameterized.discard_events(self):
                self.start = tuple(self.surface.start)
        self.recompute()

    def result_key(self) -> tuple:
        """Everything the result depends on: the class and the value of every setting."""
        return (type(self).__module__, type(self).__qualname__,
                tuple((name, repr(getattr(self, name))) for name in self.param if name not in self._outputs))

    def recompute(self):
        self.result = RESULTS.get(self.result_key(), self._compute)

    def _compute(self) -> RaceResult:
        surface = self.surface
        minimum = landscape_minimum(surface)
        lanes = []
        for entry in self.entries():
            grad_fn = surface.noisy_grad(self.noise, self.seed) if self.noise > 0 else None
            lanes.append(run_lane(entry, surface, self.start, self.steps, minimum, self.tolerance, grad_fn,
                                  self.schedule, self.warmup))
        return RaceResult(surface, tuple(self.start), self.steps, minimum, self.tolerance, tuple(lanes))
