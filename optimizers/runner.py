"""`run`: drive one optimizer over many starting points at once and keep every step."""

import itertools
import math
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from .hyper import resolve
from .registry import get_spec

CHUNK = 4096
"""Starts advanced together on one thread. Thousands of starts run as several chunks of this
size: arrays that fit in the processor's cache make every NumPy operation about twice as fast.
Starts never interact, so with an exact gradient the split changes no result. A seeded noisy
grad_fn is called chunk by chunk, so which draws each start gets (not how they are distributed)
depends on this size."""

THREAD_PART = 32768
"""With several workers, each thread takes one large part (up to this many starts): NumPy
releases the interpreter lock inside each operation, and long operations keep the two threads
from queueing for it."""


def _parts(n: int, workers: int) -> list[slice]:
    """How to cut n starts: cache-sized chunks on one thread, or a few large parts for threads."""
    threaded = workers > 1 and n > CHUNK
    count = max(workers, math.ceil(n / THREAD_PART)) if threaded else math.ceil(n / CHUNK)
    edges = np.linspace(0, n, count + 1).astype(int)
    return [slice(a, b) for a, b in itertools.pairwise(edges)]


@dataclass(frozen=True)
class Trajectory:
    """Everything one call of `run` produced.

    `params` has shape (steps + 1, *x0.shape) and row 0 is x0. `internals` maps each buffer of
    the optimizer's state (velocity, m, v, ...) and each value its rule shows (m_hat,
    effective_lr, update, ...) to an array (steps, *x0.shape): row k is its value after step
    k + 1. `diverged_at` gives, per start, the first step whose parameters
    left the finite numbers or the box |x| <= bound, or -1; rows after it are NaN. `lr` is the
    learning rate used at each step.
    """

    name: str
    hyper: dict
    params: np.ndarray
    internals: dict
    diverged_at: np.ndarray | int
    lr: np.ndarray

    @property
    def final(self) -> np.ndarray:
        return self.params[-1]


def run(name, grad_fn, x0, steps, *, schedule=None, bound=1e6, record="all", hess_fn=None, workers=1,
        **hyper) -> Trajectory:
    """Run optimizer `name` for `steps` steps from `x0`, a point (d,) or a batch of points (n, d).

    `grad_fn(params)` returns the gradient at params, same shape; it is called once per step
    with the whole batch. `schedule(step)` (see `make_schedule`) replaces `lr` when given.
    `record="params"` skips the internals, for runs with many thousands of starts.
    A hyperparameter given as an array of shape (n,) (see `ARRAY_HYPER`) holds one value per
    start: the n runs are independent, so one call sweeps a whole grid of rates. A single point
    x0 is then repeated n times. `schedule` may likewise return shape (steps, n).
    `workers` > 1 spreads a large batch over that many threads; only for a grad_fn that is safe
    to call from several threads at once (every landscape's exact gradient is; a seeded noisy
    gradient is not, since its draws would come in a different order).
    Divergence is never an error: it is reported in `diverged_at`.
    """
    spec = get_spec(name)
    pinned = {k: v for k, v in hyper.items() if k in spec.fixed and v != spec.fixed[k]}
    if pinned:
        raise ValueError(f"{name} always has {', '.join(f'{k}={spec.fixed[k]}' for k in pinned)}")
    if schedule is not None and "lr" in hyper:
        raise ValueError("give either lr or schedule, not both")
    hp = resolve(name, spec.defaults, hyper)
    if int(steps) != steps or steps < 0:
        raise ValueError(f"steps must be a whole number >= 0, got {steps}")
    if int(workers) != workers or workers < 1:
        raise ValueError(f"workers must be a whole number >= 1, got {workers}")
    if record not in ("all", "params"):
        raise ValueError(f"record must be 'all' or 'params', got {record!r}")
    if spec.needs_hessian:
        if hess_fn is None:
            raise ValueError(f"{name} needs hess_fn, the Hessian diagonal of the loss")
        hp["hess_fn"] = hess_fn

    x0 = np.asarray(x0, dtype=np.float64)
    if x0.ndim not in (1, 2) or x0.size == 0:
        raise ValueError(f"x0 must be a point (d,) or a batch (n, d), got shape {x0.shape}")
    if not np.all(np.isfinite(x0)):
        raise ValueError("x0 must be finite")
    steps = int(steps)
    arrays = {k for k, v in hp.items() if isinstance(v, np.ndarray)}
    scheduled = None if schedule is None else np.asarray(schedule(np.arange(steps)), dtype=np.float64)
    sizes = {hp[k].size for k in arrays} | ({scheduled.shape[-1]} if scheduled is not None and scheduled.ndim == 2
                                            else set())
    per_start = bool(sizes)
    if per_start and x0.ndim == 2:
        sizes.add(x0.shape[0])
    if len(sizes) > 1:
        raise ValueError(f"array hyperparameters need one value per start; got lengths {sorted(sizes)}")
    x = np.atleast_2d(x0)
    if per_start:
        x = np.broadcast_to(x, (sizes.pop(), x.shape[1]))
    lrs = _rates(scheduled, hp["lr"], steps, x.shape[0])

    shown_hyper = {k: v for k, v in hp.items() if k != "hess_fn"}
    if schedule is not None:
        shown_hyper["lr"] = None
    parts = _parts(x.shape[0], int(workers))
    params = np.empty((steps + 1, *x.shape))
    diverged_at = np.full(x.shape[0], -1)

    def advance(part):
        part_hp = {k: v[part, None] if k in arrays else v for k, v in hp.items()}
        part_lrs = lrs[:, part, None] if lrs.ndim == 2 else lrs
        return _advance(spec, grad_fn, x[part], part_hp, part_lrs, bound, record, params[:, part],
                        diverged_at[part])

    if workers > 1 and len(parts) > 1:
        with ThreadPoolExecutor(int(workers)) as pool:
            chunks = list(pool.map(advance, parts))
    else:
        chunks = [advance(part) for part in parts]
    internals = chunks[0] if len(chunks) == 1 else {k: np.concatenate([c[k] for c in chunks], axis=1)
                                                    for k in chunks[0]}

    single = x0.ndim == 1 and not per_start
    return Trajectory(
        name=name,
        hyper=shown_hyper,
        params=params[:, 0] if single else params,
        internals={k: v[:, 0] if single else v for k, v in internals.items()},
        diverged_at=int(diverged_at[0]) if single else diverged_at,
        lr=lrs,
    )


def _rates(scheduled, lr, steps, n):
    """The learning rate at every step: shape (steps,), or (steps, n) for one rate per start.
    `scheduled` is what the schedule gave for steps 0..steps-1, or None for a constant `lr`."""
    if scheduled is None:
        lrs = np.broadcast_to(lr, (steps, n)) if isinstance(lr, np.ndarray) else np.full(steps, lr)
    elif scheduled.ndim == 2:
        if scheduled.shape[0] != steps:
            raise ValueError(f"a schedule with one rate per start must give shape {(steps, n)}, "
                             f"got {scheduled.shape}")
        lrs = scheduled
    else:
        lrs = np.broadcast_to(scheduled, (steps,))
    if np.any(lrs < 0) or not np.all(np.isfinite(lrs)):
        raise ValueError("the schedule gave a negative or non-finite learning rate")
    return lrs


def _advance(spec, grad_fn, x, hp, lrs, bound, record, params, diverged_at):
    """The step loop for one chunk of starts. It fills `params` (steps + 1, *x.shape) and
    `diverged_at` (one per start), the chunk's slices of the whole run's arrays, and returns
    the internals it recorded."""
    steps = len(lrs)
    hp = dict(hp)
    params[0] = x
    internals = {}
    alive = np.ones(x.shape[0], dtype=bool)
    state = spec.init(x, **hp)
    with np.errstate(all="ignore"):
        for t in range(1, steps + 1):
            hp["lr"] = lrs[t - 1]
            x, state, shown = spec.rule(x, grad_fn(x), state, t, **hp)
            if not np.abs(x).max() <= bound:
                x = _retire_diverged(x, alive, diverged_at, t, bound)
            params[t] = x
            if record == "all":
                _record(internals, state, t, steps, x.shape)
                _record(internals, shown, t, steps, x.shape)
            if not alive.any():  # every start has diverged: the rest of the run is NaN
                params[t + 1:] = np.nan
                break
    _blank_after_divergence(params, internals, diverged_at)
    return internals


def _retire_diverged(x, alive, diverged_at, t, bound):
    """Mark starts that just left the finite box; from here on they carry NaN."""
    escaped = alive & ~np.all(np.abs(x) <= bound, axis=-1)
    diverged_at[escaped] = t
    alive &= ~escaped
    x = np.where(np.isfinite(x), x, np.nan)
    x[~alive & (diverged_at < t)] = np.nan
    return x


def _record(internals, state, t, steps, shape):
    for key, value in state.items():
        if isinstance(value, np.ndarray):
            if key not in internals:
                internals[key] = np.full((steps, *shape), np.nan)
            internals[key][t - 1] = value


def _blank_after_divergence(params, internals, diverged_at):
    """Rows after a start's divergence step become NaN so that plots break the line there."""
    for start in np.flatnonzero(diverged_at >= 0):
        k = diverged_at[start]
        params[k + 1:, start] = np.nan
        params[k, start] = np.where(np.isfinite(params[k, start]), params[k, start], np.nan)
        for values in internals.values():
            values[k:, start] = np.nan
