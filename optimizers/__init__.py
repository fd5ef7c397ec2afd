"""The optimizer core: every update rule the course teaches, run on many starts at once.

    from optimizers import run, names
    traj = run("adam", grad_fn, x0, steps, lr=1e-3, betas=(0.9, 0.999))
"""

from .registry import REGISTRY, OptimizerSpec, get_spec, in_chapter, names
from .runner import Trajectory, run
from .schedules import SCHEDULES, make_schedule

__all__ = ["REGISTRY", "SCHEDULES", "OptimizerSpec", "Trajectory", "get_spec", "in_chapter", "make_schedule",
           "names", "run"]
