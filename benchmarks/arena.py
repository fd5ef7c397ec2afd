"""The arena's workloads (chapter 8), each against its target on this machine.

- the race: every optimizer of the registry, one start, 1000 steps on Rosenbrock (one recomputation of
  the arena after a setting changes; target under 0.3 s);
- the sweep: every optimizer x 40 rates x 1000 steps on the ravine, one run of the core per
  optimizer with the rates as an array (target under 2 s);
- typed landscapes: the slowest answer of `from_expression` over many generated formulas and
  near-formulas (target under 50 ms each);
- the basin map as the page draws it: the runs, then which minimum each start rests at, with
  Rastrigin's 120 unmarked dips found among them (no target: the runs are timed against
  torch.optim in the core's benchmark).

The basin map against torch.optim is in `python -m benchmarks` (the core's benchmark).
"""

import time

import numpy as np

import landscapes
from landscapes.expression import from_expression
from lessons.arena import Arena, rest_labels, sweep
from optimizers import names, run

from .core import best_of
from .typed_inputs import token_sequence

TYPED_INPUTS = 3000


def race_seconds() -> float:
    arena = Arena(optimizers=names(), landscape="rosenbrock", steps=1000)
    return best_of(3, arena._compute)  # the race itself: `recompute` would answer from the kept results


def sweep_seconds() -> float:
    arena = Arena(landscape="ravine")
    surface, start = arena.surface, tuple(arena.start)

    def all_sweeps():
        for name in names():
            sweep.__wrapped__(name, surface, start, 1000, 1e-3, 0.0, 0, "constant", 0.0)  # uncached

    return best_of(3, all_sweeps)


def basin_seconds(landscape: str) -> tuple[float, float]:
    """(the runs, the labels) in seconds: Adam at 0.01 from 40,000 starts, 300 steps; then which
    minimum each start rests at, the unmarked ones found among them."""
    surface = landscapes.get(landscape)
    grid = np.linspace(*surface.x_range, 200)
    starts = np.stack(np.meshgrid(grid, np.linspace(*surface.y_range, 200)), axis=-1).reshape(-1, 2)
    kept = {}

    def adam_runs():
        kept["traj"] = run("adam", surface.grad, starts, 300, lr=0.01, record="params", workers=2,
                           bound=surface.escape_bound)

    runs = best_of(3, adam_runs)
    traj = kept["traj"]
    diverged = np.asarray(traj.diverged_at) >= 0
    return runs, best_of(3, lambda: rest_labels(surface, traj.params, diverged))


def typed_answers(count: int = TYPED_INPUTS, seed: int = 0) -> tuple[float, float, int]:
    """(slowest, median) seconds per answer and how many inputs were formulas."""
    rng = np.random.default_rng(seed)
    times, accepted = [], 0
    for _ in range(count):
        text = token_sequence(rng)
        began = time.perf_counter()
        try:
            from_expression(text)
            accepted += 1
        except ValueError:
            pass
        times.append(time.perf_counter() - began)
    return max(times), float(np.median(times)), accepted


def main():
    print("Optimizer Lab arena benchmark (chapter 8)\n")
    race = race_seconds()
    print(f"(c) race: {len(names())} optimizers x 1 start x 1000 steps on Rosenbrock: {race:.3f} s (target < 0.3 s)")
    swept = sweep_seconds()
    print(f"(d) sweep: {len(names())} optimizers x 40 rates x 1000 steps on the ravine: {swept:.3f} s "
          f"(target < 2 s)")
    slowest, median, accepted = typed_answers()
    print(f"(e) typed landscapes: {TYPED_INPUTS} generated inputs ({accepted} formulas): slowest answer "
          f"{slowest * 1000:.1f} ms, median {median * 1000:.2f} ms (target < 50 ms)")
    for landscape in ("himmelblau", "rastrigin"):
        runs, labels = basin_seconds(landscape)
        print(f"(f) basin map, Adam on {landscape}, 40,000 starts x 300 steps: the runs {runs:.3f} s, "
              f"then the labels {labels:.3f} s")


if __name__ == "__main__":
    main()
