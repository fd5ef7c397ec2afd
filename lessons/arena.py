"""The arena (chapter 8): any optimizers on any landscape, typed ones too, compared fairly.

Three ways to pick each optimizer's learning rate: one shared rate for all, each method's
registry default, or each at its own best rate from a sweep. The sweep runs every ticked
optimizer once over a grid of rates (the core takes the rates as an array, one per start), and
the noise is the same draw for every rate, so the sweep's column for a rate *is* the race at
that rate. Sweeps and basin maps are the same for every visitor who asks for the same settings,
so they are kept per process.
"""

import functools
import html
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import param

import landscapes
from landscapes import Landscape
from landscapes.expression import from_expression
from optimizers import get_spec, names, run
from optimizers.schedules import SCHEDULE_TITLES

from .numbers import number
from .own_settings import MAX_TABLE, name_value_pairs, read_settings, read_table, settings_text, table_text
from .race import Entry, Race, landscape_minimum, rate_schedule
from .wording import counted

ARENA_LANDSCAPES = ["ravine", "rosenbrock", "saddle", "himmelblau", "rastrigin", "beale", "ellipse", "typed"]
MODES = {"shared": "everyone at the shared rate", "defaults": "each at its registry default rate",
         "tuned": "each at its own best rate (from the sweep)"}
SWEEP_RATES = np.geomspace(1e-5, 10.0, 40)
"""The rates every sweep tries: 40 rates from 1e-5 to 10, 6/39 ≈ 0.154 decades apart (each 1.43
times the one before)."""
SWEEP_METRICS = {"steps": "steps to tolerance", "final": "final loss − minimum"}
TOLERANCES = [1e-1, 1e-2, 1e-3, 1e-4, 1e-6]
BASIN_GRID = 200
BASIN_STEPS = 300
HOLD = 10
"""A run has arrived only if its loss stays within the tolerance for at least its last HOLD steps
(and it ends on the map): a zig-zag that touches the tolerance on its final step has not."""
SETTLED = 0.05
RESTING = 0.005
RESTING_STEPS = 20
"""A start ends in a minimum's basin if its run comes to rest there: its last point is within
SETTLED of the map's width of that minimum, and its last RESTING_STEPS points all lie within
RESTING of the width of its last one (a run that rattles, as sign-based steps do, is not resting)."""
DIP = 0.01
"""A run that rests away from every marked minimum rests at a minimum the landscape does not mark
if its resting point (the average of its last RESTING_STEPS + 1 points, the middle of a small
swing) is a dip: no point around it, out to DIP of the map's width, is lower, and some are
higher (a flat plateau is no dip). A run still crawling down a gentle slope, however slowly,
rests at no minimum. Runs at dips within about DIP of each other share one minimum: the lowest
of their resting points, which must pass a finer test of the same kind."""
PROBE_RADII = (0.25, 0.5, 1.0)
RUN_ANGLES = 16
MINIMUM_ANGLES = 64
"""Where the dip tests look: at these fractions of DIP's distance, in RUN_ANGLES directions round
each run's resting point and MINIMUM_ANGLES round each minimum (many, so that a narrow valley
sloping on past a group of crawling runs is found)."""
DEFAULT_FORMULA = "(x**2 + y - 3)**2 / 10 + sin(3*x) + y**2 / 4"


@functools.lru_cache(maxsize=32)
def typed_landscape(formula: str, span: float) -> Landscape:
    """The learner's formula on the square map |x|, |y| <= span (kept: the map view, the sweep
    and the basins all look it up by the same text)."""
    return from_expression(formula, (-span, span), (-span, span))


@dataclass(frozen=True)
class Sweep:
    """One optimizer over `rates`: the step from which each run stays within the tolerance (NaN:
    never), its final loss above the minimum (NaN: diverged) and the step it diverged at (-1)."""

    optimizer: str
    rates: np.ndarray
    steps_to_tolerance: np.ndarray
    final_gap: np.ndarray
    diverged_at: np.ndarray

    @property
    def best_rate(self) -> float:
        """The rate that reaches the tolerance soonest (ties: the lower final loss); if none does,
        the rate with the lowest final loss; if every rate diverges, the smallest rate."""
        reached = np.isfinite(self.steps_to_tolerance)
        if reached.any():
            order = np.lexsort((self.final_gap, np.where(reached, self.steps_to_tolerance, np.inf)))
            return float(self.rates[order[0]])
        finite = np.isfinite(self.final_gap)
        return float(self.rates[np.nanargmin(self.final_gap)] if finite.any() else self.rates[0])

    @property
    def arrivals(self) -> int:
        """At how many of the grid's rates the run arrives: the width of its working window,
        counted in grid steps of 0.15 decades (gaps inside the window are not counted)."""
        return int(np.isfinite(self.steps_to_tolerance).sum())


def settle_steps(losses: np.ndarray, minimum: float, tolerance: float, ends_on_map=True) -> np.ndarray:
    """Per run (columns of `losses`, shape (steps + 1, n)): the step from which the loss stays
    within `tolerance` of the minimum to the end, or NaN if it never does, does so only for the
    last HOLD steps or fewer, or ends off the map (`ends_on_map`, one flag per run)."""
    with np.errstate(invalid="ignore"):
        far = ~(losses - minimum < tolerance)
    steps = losses.shape[0] - 1
    last_far = steps - np.argmax(far[::-1], axis=0)
    settled = np.where(far.any(axis=0), last_far + 1, 0).astype(float)
    settled[(settled > steps - HOLD) | ~np.asarray(ends_on_map, dtype=bool)] = np.nan
    return settled


def arrived_at(lane, steps: int, landscape: Landscape) -> int | None:
    """The step a race's lane arrived at, by the same rule as the sweep's `settle_steps`."""
    settled = lane.steps_to_tolerance
    if settled is None or settled > steps - HOLD or lane.diverged_at >= 0:
        return None
    return settled if landscape.contains(lane.path[-1]) else None


@functools.lru_cache(maxsize=128)
def sweep(optimizer: str, surface: Landscape, start: tuple, steps: int, tolerance: float, noise: float,
          seed: int, schedule: str, warmup: float, settings: tuple = ()) -> Sweep:
    """Every rate of SWEEP_RATES for one optimizer in one run of the core. `settings` are the
    optimizer's other hyperparameters, as (name, value) pairs."""
    rates = SWEEP_RATES
    grad = surface.noisy_grad(noise, seed, shared=True) if noise > 0 else surface.grad
    hyper = dict(settings)
    shape = rate_schedule(schedule, steps, 1.0, warmup)
    if shape is not None:
        hyper["schedule"] = lambda k: shape(k)[:, None] * rates[None, :]
    else:
        hyper["lr"] = rates
    traj = run(optimizer, grad, np.asarray(start, dtype=float), steps, bound=surface.escape_bound,
               hess_fn=surface.hess_diag, **hyper)
    minimum = landscape_minimum(surface)
    with np.errstate(all="ignore"):
        losses = surface.f(traj.params)
    (x0, x1), (y0, y1) = surface.x_range, surface.y_range
    end_x, end_y = traj.params[-1, :, 0], traj.params[-1, :, 1]
    with np.errstate(invalid="ignore"):
        on_map = (end_x >= x0) & (end_x <= x1) & (end_y >= y0) & (end_y <= y1)
    return Sweep(optimizer, rates, settle_steps(losses, minimum, tolerance, on_map), losses[-1] - minimum,
                 np.asarray(traj.diverged_at))


@dataclass(frozen=True)
class Basins:
    """Which minimum each start of a grid comes to rest at. `label[i, j]` is, for the start
    (xs[j], ys[i]): the index of a marked minimum (below `minima`), `minima + k` for the k-th of
    the `others` (minima the landscape does not mark, found where runs rest), -1 for a run that
    rests at no minimum after `steps` steps (still moving, or bouncing), -2 for one that
    diverged."""

    optimizer: str
    rate: float
    steps: int
    xs: np.ndarray
    ys: np.ndarray
    label: np.ndarray
    minima: int
    """How many minima the landscape marks (some may have no start)."""
    others: np.ndarray
    """The unmarked minima where runs rest, shape (k, 2)."""

    def stayed_near(self, marked) -> float:
        """The share of starts that end in the minimum nearest to where they started, of the
        `marked` minima and the `others` found."""
        return float(np.mean(self.label == self.nearest_minimum(marked)))

    def moved_on(self, marked) -> float:
        """The share of starts that come to rest at a minimum other than the one nearest to
        where they started (of the `marked` and the `others`)."""
        return float(np.mean((self.label >= 0) & (self.label != self.nearest_minimum(marked))))

    def nearest_minimum(self, marked) -> np.ndarray:
        """For each start of the grid, the label of the minimum nearest to it, of the `marked`
        minima (the landscape's, in its order) and the `others`."""
        points = np.vstack([np.asarray(marked, dtype=float).reshape(-1, 2), self.others])
        starts = np.stack(np.meshgrid(self.xs, self.ys), axis=-1)
        return np.argmin(np.linalg.norm(starts[..., None, :] - points, axis=-1), axis=-1)

    @property
    def others_on_map(self) -> np.ndarray:
        """The `others` that lie on the map (runs can leave it and come to rest outside)."""
        x, y = self.others[:, 0], self.others[:, 1]
        return self.others[(x >= self.xs[0]) & (x <= self.xs[-1]) & (y >= self.ys[0]) & (y <= self.ys[-1])]

    @property
    def others_off_map(self) -> int:
        """How many of the `others` lie off the map."""
        return len(self.others) - len(self.others_on_map)

    def shares(self) -> np.ndarray:
        """The share of starts per marked minimum, then at any of the `others`, then at no
        minimum, then diverged."""
        counts = [np.mean(self.label == i) for i in range(self.minima)]
        return np.array([*counts, np.mean(self.label >= self.minima), np.mean(self.label == -1),
                         np.mean(self.label == -2)])


def places(points: np.ndarray, reach: float) -> np.ndarray:
    """The place of each of `points` (n, 2), numbered from 0: points in touching cells of a grid
    `reach` wide share a place, so points closer than `reach` always do, and a chain of close
    points is one place."""
    cells, cell_of = np.unique(np.floor(points / reach).astype(np.int64), axis=0, return_inverse=True)
    index = {tuple(cell): i for i, cell in enumerate(cells.tolist())}
    root = list(range(len(cells)))

    def find(i):
        while root[i] != i:
            root[i] = root[root[i]]
            i = root[i]
        return i

    for i, (cx, cy) in enumerate(cells.tolist()):
        for dx, dy in ((1, -1), (1, 0), (1, 1), (0, 1)):
            j = index.get((cx + dx, cy + dy))
            if j is not None:
                root[find(j)] = find(i)
    _, place = np.unique([find(i) for i in range(len(cells))], return_inverse=True)
    return place[cell_of.ravel()]


def dips(surface: Landscape, points: np.ndarray, reach: float, angles: int, chunk: int = 4096) -> np.ndarray:
    """Whether each of `points` (n, 2) is a dip (see DIP), looking `reach` far in `angles` directions."""
    turns = np.linspace(0, 2 * np.pi, angles, endpoint=False)
    directions = np.stack([np.cos(turns), np.sin(turns)], axis=-1)
    offsets = (reach * np.asarray(PROBE_RADII)[:, None, None] * directions).reshape(-1, 2)
    answer = np.zeros(len(points), dtype=bool)
    for begin in range(0, len(points), chunk):
        part = points[begin:begin + chunk]
        with np.errstate(all="ignore"):
            centre, around = surface.f(part)[:, None], surface.f(part[:, None, :] + offsets)
            margin = 1e-12 * (1 + np.abs(centre))
            answer[begin:begin + chunk] = (np.isfinite(centre[:, 0]) & np.all(around >= centre - margin, axis=1)
                                           & np.any(around > centre + margin, axis=1))
    return answer


def unmarked_minima(surface: Landscape, rests: np.ndarray, reach: float) -> tuple[np.ndarray, np.ndarray]:
    """The minima among resting points `rests` (n, 2), shape (k, 2), and each resting point's
    index into them (-1: it is not at a dip; see DIP)."""
    number = np.full(len(rests), -1)
    at_dip = np.flatnonzero(dips(surface, rests, reach, RUN_ANGLES))
    if not at_dip.size:
        return np.empty((0, 2)), number
    place = places(rests[at_dip], reach)
    with np.errstate(all="ignore"):
        loss = surface.f(rests[at_dip])
    order = np.lexsort((loss, place))
    lowest = rests[at_dip][order[np.r_[0, np.flatnonzero(np.diff(place[order])) + 1]]]
    is_minimum = dips(surface, lowest, reach, MINIMUM_ANGLES)
    kept = np.where(is_minimum, np.cumsum(is_minimum) - 1, -1)[place]
    close = _squared_length(rests[at_dip] - lowest[place]) < reach**2
    number[at_dip] = np.where(close, kept, -1)
    return lowest[is_minimum], number


def _squared_length(vectors: np.ndarray) -> np.ndarray:
    return np.einsum("...i,...i->...", vectors, vectors)


@functools.lru_cache(maxsize=32)
def basins(optimizer: str, surface: Landscape, rate: float, steps: int = BASIN_STEPS,
           resolution: int = BASIN_GRID, workers: int = 2, settings: tuple = ()) -> Basins:
    """Run `optimizer` at `rate` (and its other `settings`, as (name, value) pairs) from every
    point of a resolution × resolution grid (exact gradients) and label each start by the minimum
    its run comes to rest at (see RESTING and DIP)."""
    xs = np.linspace(*surface.x_range, resolution)
    ys = np.linspace(*surface.y_range, resolution)
    starts = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
    traj = run(optimizer, surface.grad, starts, steps, lr=rate, record="params", hess_fn=surface.hess_diag,
               bound=surface.escape_bound, workers=workers, **dict(settings))
    label, others = rest_labels(surface, traj.params, np.asarray(traj.diverged_at) >= 0)
    return Basins(optimizer, rate, steps, xs, ys, label.reshape(resolution, resolution), len(surface.minima),
                  others)


def rest_labels(surface: Landscape, params: np.ndarray, diverged: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For runs with paths `params` (steps + 1, n, 2) and a `diverged` flag each: the label of
    each run as `Basins.label` has it, and the unmarked minima found (k, 2)."""
    final, width = params[-1], surface.x_range[1] - surface.x_range[0]
    minima = np.array(surface.minima)
    with np.errstate(invalid="ignore", over="ignore"):  # squared lengths: no square roots of 40,000 × 21
        distance = _squared_length(final[:, None, :] - minima[None, :, :])
        nearest = np.argmin(np.where(np.isfinite(distance), distance, np.inf), axis=1)
        recent = params[-RESTING_STEPS - 1:]
        resting = np.max(_squared_length(recent - final), axis=0) < (RESTING * width) ** 2
        near = np.take_along_axis(distance, nearest[:, None], 1)[:, 0] < (SETTLED * width) ** 2
    label = np.where(near & resting, nearest, -1)
    elsewhere = resting & ~near & ~diverged
    others = np.empty((0, 2))
    if elsewhere.any():
        rests = np.mean(recent[:, elsewhere], axis=0)
        others, number = unmarked_minima(surface, rests, DIP * width)
        label[elsewhere] = np.where(number >= 0, len(minima) + number, -1)
    return np.where(diverged, -2, label), others


OWN_RATE_BOUNDS = (1e-5, 10.0)


def own_rate_table(text: str) -> dict[str, float]:
    """'adam=0.05,sgd=0.1' as {name: rate}, or ValueError naming the first bad pair."""
    table = {}
    for name, rate in name_value_pairs(text, "rate", "adam=0.05,sgd=0.1"):
        if name not in names():
            raise ValueError(f"{name[:20]!r} is not an optimizer of the course")
        try:
            value = float(rate)
        except ValueError:
            raise ValueError(f"the rate for {get_spec(name).title} is not a number") from None
        low, high = OWN_RATE_BOUNDS
        if not low <= value <= high:
            raise ValueError(f"the rate for {get_spec(name).title} must be between {number(low)} and {number(high)}")
        table[name] = value
    return table


@dataclass(frozen=True)
class Standing:
    """One row of the leaderboard."""

    optimizer: str
    title: str
    rate: float
    steps_to_tolerance: int | None
    final_gap: float
    diverged_at: int
    left_map_at: int
    error: str
    ended_off_map: bool = False
    """Whether the path's last point lies off the map: there its loss can be below the map's
    lowest point (a typed landscape need not be bounded below), so its gap can be negative."""


class Arena(Race):
    """The race of chapter 8: its settings are all in the link."""

    landscape = param.Selector(default="ravine", objects=ARENA_LANDSCAPES, label="Landscape")
    formula = param.String(default=DEFAULT_FORMULA, label="Your landscape f(x, y)",
                           doc="Used when the landscape is 'typed'; only a formula that from_expression accepts "
                               "is ever stored here.")
    span = param.Number(default=3.0, bounds=(0.5, 20.0), label="Typed map half-width",
                        doc="The typed landscape is drawn over |x|, |y| <= span.")
    optimizers = param.ListSelector(default=["sgd", "momentum", "rmsprop", "adam"], objects=names(),
                                    label="Optimizers")
    log_lr = param.Number(default=-2.0, bounds=(-5.0, 1.0), step=0.05, label="Shared learning rate (log₁₀ η)")
    own_rates = param.String(default="", label="Own rates",
                             doc="Optimizers with a rate of their own whatever the mode, as 'adam=0.05,sgd=0.1'.")
    own_name = param.Selector(default="adam", objects=names(), label="Optimizer")
    own_log_lr = param.Number(default=-2.0, bounds=(-5.0, 1.0), step=0.05, label="Its own rate (log₁₀ η)")
    own_settings = param.String(default="", label="Own settings",
                                doc="Settings other than the rate, per optimizer, as "
                                    "'adam:betas=0.8/0.99,eps=1e-06;momentum:momentum=0.95'.")
    mode = param.Selector(default="shared", objects=list(MODES), label="Learning rates")
    steps = param.Integer(default=500, bounds=(10, 2000), label="Steps")
    noise = param.Number(default=0.0, bounds=(0.0, 10.0), step=0.01, label="Gradient noise σ")
    seed = param.Integer(default=0, bounds=(0, 9999), label="Noise seed")
    tolerance = param.Selector(default=1e-3, objects=TOLERANCES, label="Tolerance",
                                doc="How close to the minimum's loss a run must come, and stay, to have arrived.")
    sort_by = param.Selector(default="steps", objects=["steps", "final", "name"], label="Sort the leaderboard by")
    basin_optimizer = param.Selector(default="adam", objects=names(), label="Basins of")
    show_basins = param.Boolean(default=False, label="Show basins of attraction")
    show_sweep = param.Boolean(default=False, label="Show the learning-rate sweep")
    sweep_metric = param.Selector(default="steps", objects=list(SWEEP_METRICS), label="Sweep chart shows")
    sweeps = param.Parameter(default=None, precedence=-1, doc="Sweep per ticked optimizer, when the page needs it.")
    problem = param.String(default="", precedence=-1,
                           doc="Why the last change to the typed landscape was refused (it was undone).")

    _outputs = ("name", "result", "sweeps", "problem")
    LINK_TEXT_LIMITS = MappingProxyType({"own_settings": MAX_TABLE})
    VIEW_ONLY = frozenset({"sort_by", "basin_optimizer", "show_basins", "sweep_metric", "own_name", "own_log_lr"})
    """Settings that change what the page shows of a race, never the race."""
    MAP_SETTINGS = ("landscape", "formula", "span")

    def __init__(self, **params):
        everyone = names()  # read at each new arena: the registry may have grown since import
        for choice in ("optimizers", "own_name", "basin_optimizer"):
            type(self).param[choice].objects = everyone
        super().__init__(**params)

    @property
    def surface(self) -> Landscape:
        if self.landscape == "typed":
            return typed_landscape(self.formula, float(self.span))
        return landscapes.get(self.landscape)

    @property
    def shared_rate(self) -> float:
        return float(10.0**self.log_lr)

    def try_formula(self, text: str) -> str:
        """Use `text` as the typed landscape and show it; or leave everything as it is and return
        what is wrong with it."""
        try:
            typed_landscape(text.strip() if isinstance(text, str) else text, float(self.span))
        except ValueError as problem:
            return str(problem)
        self.param.update(formula=text.strip(), landscape="typed")
        return ""

    def link_problem(self, name, value, accepted) -> str | None:
        # A formula is checked even while another landscape is shown: the learner may pick "typed" later.
        if name == "formula" or (name == "span" and accepted.get("landscape", self.landscape) == "typed"):
            formula = value if name == "formula" else accepted.get("formula", self.formula)
            span = value if name == "span" else accepted.get("span", self.span)
            try:
                typed_landscape(formula, float(span))
            except ValueError as problem:
                return str(problem)
            return None
        if name in ("own_rates", "own_settings"):
            try:
                (own_rate_table if name == "own_rates" else read_table)(value)
            except ValueError as problem:
                return str(problem)
            return None
        return super().link_problem(name, value, accepted)

    def surface_for(self, accepted) -> Landscape | None:
        choice = accepted.get("landscape", self.landscape)
        if choice != "typed":
            return landscapes.get(choice)
        try:
            return typed_landscape(accepted.get("formula", self.formula), float(accepted.get("span", self.span)))
        except ValueError:
            return None

    def _changed(self, *events):
        changed = {event.name for event in events}
        if self.landscape == "typed":
            try:
                typed_landscape(self.formula, float(self.span))
            except ValueError as refused:  # e.g. a smaller or larger map on which the formula breaks
                with param.parameterized.discard_events(self):
                    self.param.update({event.name: event.old for event in events})
                self.problem = str(refused)
                return
        self.problem = ""
        if changed <= self.VIEW_ONLY:
            return  # views redraw from what is already computed
        super()._changed(*events)

    def result_key(self) -> tuple:
        module, name, settings = super().result_key()
        return module, name, tuple(item for item in settings if item[0] not in self.VIEW_ONLY)

    def sweep_needed(self) -> bool:
        return self.mode == "tuned" or self.show_sweep

    def recompute(self):
        self.sweeps = {name: self.sweep_of(name) for name in self.optimizers} if self.sweep_needed() else None
        super().recompute()

    def sweep_of(self, name: str) -> Sweep:
        return sweep(name, self.surface, tuple(self.start), self.steps, self.tolerance, self.noise, self.seed,
                     self.schedule, self.warmup, self.settings_key(name))

    def settings_of(self, name: str) -> dict:
        """The settings other than the rate that `name` races with (empty: its defaults). Only text
        that reads back is ever stored (see `give_own_settings` and the link's check)."""
        return read_table(self.own_settings).get(name, {})

    def settings_key(self, name: str) -> tuple:
        """`settings_of(name)` in a form the per-process caches can key on."""
        return tuple(self.settings_of(name).items())

    def give_own_settings(self, text: str) -> str:
        """Give the picked optimizer (`own_name`) the settings in `text` ('momentum=0.95, ...'; blank:
        its defaults again); or change nothing and return what is wrong with the text."""
        try:
            given = read_settings(self.own_name, text)
        except ValueError as problem:
            return str(problem)
        table = read_table(self.own_settings)
        table.pop(self.own_name, None)
        if given:
            table[self.own_name] = given
        text = table_text(table)
        try:
            read_table(text)  # the whole line must fit, and read back
        except ValueError as problem:
            return str(problem)
        self.own_settings = text
        return ""

    def give_own_rate(self, follow_mode: bool = False):
        """Give the picked optimizer (`own_name`) the picked rate, or let it follow the mode again."""
        table = own_rate_table(self.own_rates)
        table.pop(self.own_name, None)
        if not follow_mode:
            table[self.own_name] = round(10.0**self.own_log_lr, 6)
        self.own_rates = ",".join(f"{key}={value:g}" for key, value in table.items())

    def rate_of(self, name: str) -> float:
        own = own_rate_table(self.own_rates)
        if name in own:
            return own[name]
        if self.mode == "defaults":
            return float(get_spec(name).defaults["lr"])
        if self.mode == "tuned":
            done = self.sweeps or {}
            return (done[name] if name in done else self.sweep_of(name)).best_rate
        return self.shared_rate

    def entries(self) -> list[Entry]:
        return [Entry(name, hyper={"lr": self.rate_of(name), **self.settings_of(name)}) for name in self.optimizers]

    def standings(self) -> list[Standing]:
        rows = []
        for lane in self.result.lanes:
            name = lane.entry.optimizer
            if lane.ok:
                gap = float(lane.losses[-1] - self.result.minimum)
                arrived = arrived_at(lane, self.result.steps, self.result.landscape)
                off_map = lane.diverged_at < 0 and not self.result.landscape.contains(lane.path[-1])
                rows.append(Standing(name, lane.entry.title, lane.entry.hyper["lr"], arrived, gap, lane.diverged_at,
                                     lane.left_map_at, "", bool(off_map)))
            else:
                rows.append(Standing(name, lane.entry.title, lane.entry.hyper["lr"], None, np.nan, -1, -1,
                                     lane.error))
        return sorted(rows, key=self._sort_key)

    def _sort_key(self, row: Standing):
        finite_gap = row.final_gap if np.isfinite(row.final_gap) else np.inf
        if self.sort_by == "name":
            return (row.title.lower(),)
        if self.sort_by == "final":
            return (row.diverged_at >= 0, row.ended_off_map, finite_gap, row.title.lower())
        never = row.steps_to_tolerance is None
        return (row.diverged_at >= 0, row.ended_off_map, never, row.steps_to_tolerance or 0, finite_gap,
                row.title.lower())

    def compared(self) -> str:
        """What the race holds equal and what it varies, in one sentence (plain text)."""
        warmup = f" after a {self.warmup:.0%} warmup" if self.warmup else ""
        if self.schedule == "constant":
            schedule = f"a constant rate{warmup}"
        else:
            title = SCHEDULE_TITLES[self.schedule]
            schedule = f"{'an' if title[0] in 'aeiou' else 'a'} {title} schedule{warmup}, each rate its peak"
        noise = (f"gradient noise σ = {self.noise:g} (seed {self.seed}, the same draws for everyone)"
                 if self.noise else "exact gradients")
        own_rates = {name: rate for name, rate in own_rate_table(self.own_rates).items() if name in self.optimizers}
        own = (" (except " + ", ".join(f"{get_spec(name).title} at {rate:g}" for name, rate in own_rates.items()) + ")"
               if own_rates else "")
        settings = {name: given for name, given in read_table(self.own_settings).items() if name in self.optimizers}
        others = ("every other setting (momentum, betas, weight decay) at its default" if not settings else
                  "every other setting at its default except " +
                  "; ".join(f"{get_spec(name).title}'s {settings_text(given)}" for name, given in settings.items()))
        rates = ("each at the best of 40 rates for this start and these gradients" if self.mode == "tuned"
                 else MODES[self.mode])
        sophia = "; Sophia sees the exact curvature" if "sophia" in self.optimizers else ""
        x, y = self.start
        count = counted(len(self.optimizers), "optimizer")
        return (f"{count} from ({x:.3g}, {y:.3g}), {self.steps} steps each, "
                f"{rates}{own}, {schedule}, {noise}, {others}, no gradient clipping{sophia}; arrived = loss within "
                f"{self.tolerance:g} of the minimum for at least the last {HOLD} steps, ending on the map.")

    def verdict(self) -> str:
        if not self.optimizers:
            return "<b>No optimizer is ticked.</b> Tick one or more above (or press All) to race them."
        return f"<b>This race compares:</b> {html.escape(self.compared())}"

    def basin_map(self) -> Basins:
        rate = self.rate_of(self.basin_optimizer) if self.basin_optimizer in self.optimizers else (
            self.shared_rate if self.mode == "shared" else float(get_spec(self.basin_optimizer).defaults["lr"]))
        return basins(self.basin_optimizer, self.surface, rate, min(self.steps, BASIN_STEPS),
                      settings=self.settings_key(self.basin_optimizer))


def first_sweep(optimizer: str, landscape: str = "ravine", steps: int = Arena.param.steps.default) -> Sweep:
    """`optimizer`'s sweep with the arena's first settings on `landscape` (but for `steps`): the
    landscape's start, the default tolerance, exact gradients and a constant rate."""
    surface = landscapes.get(landscape)
    return sweep(optimizer, surface, tuple(surface.start), steps, Arena.param.tolerance.default,
                 0.0, 0, "constant", 0.0)
