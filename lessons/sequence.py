"""Optimizers fed a fixed list of gradients instead of a landscape's.

The by-hand tables and the internals lessons ask what a rule does with *these* gradients
(4, −1, 3; a rare feature's 0, 0, 0, 5), whatever the parameters are. `replay` runs the
core's own rule on them, so every m, v, G, E and rate on those pages is the core's.
"""

import numpy as np

from optimizers import Trajectory, run


def replay(name: str, gradients, start=None, **hyper) -> Trajectory:
    """Run optimizer `name` for one step per row of `gradients` (shape (steps,) or (steps, d)):
    step t is given row t whatever the parameters are. `start` defaults to zeros."""
    gradients = np.asarray(gradients, dtype=np.float64)
    table = gradients.reshape(len(gradients), -1)
    count = iter(range(len(table)))

    def grad(theta):
        return np.broadcast_to(table[next(count)], theta.shape).copy()

    x0 = np.zeros(table.shape[1]) if start is None else np.asarray(start, dtype=np.float64)
    return run(name, grad, x0, len(table), **hyper)
