"""The optimizer core's two workloads, each timed three ways in the same process.

- arena: every optimizer, one start, 1000 steps on Rosenbrock (what chapter 8 computes).
- basin map: 40,000 starts x 300 steps of Adam on Himmelblau (a picture of which minimum each
  start reaches).

References: torch.optim on the CPU (float64 tensors; gradients from the same formulas, written
in torch), and a plain loop that calls the same update rule one start at a time, which is what
the code would do without vectorisation. Figures are ratios, so they hold on any machine.
"""

import os
import time

import numpy as np

from landscapes import get
from optimizers import REGISTRY, names, run

ROSENBROCK, HIMMELBLAU = get("rosenbrock"), get("himmelblau")
ARENA_STEPS, BASIN_STARTS, BASIN_STEPS, BASIN_LR = 1000, 40_000, 300, 0.05
PLAIN_LOOP_SAMPLE = 200
"""The plain loop's cost grows linearly with the starts; it is timed on this many and scaled."""


def best_of(repeats, fn):
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        fn()
        times.append(time.perf_counter() - began)
    return min(times)


def _extra(name, surface):
    return {"hess_fn": surface.hess_diag} if REGISTRY[name].needs_hessian else {}


def arena_ours(selected):
    for name in selected:
        run(name, ROSENBROCK.grad, ROSENBROCK.start, ARENA_STEPS, **_extra(name, ROSENBROCK))


def arena_plain(selected):
    """The same rules, driven by the simplest possible loop (no bookkeeping, no divergence checks)."""
    for name in selected:
        spec = REGISTRY[name]
        hyper = {**spec.defaults, **_extra(name, ROSENBROCK)}
        theta = np.array(ROSENBROCK.start)
        state = spec.init(theta, **hyper)
        path = [theta]
        for t in range(1, ARENA_STEPS + 1):
            theta, state, _ = spec.rule(theta, ROSENBROCK.grad(theta), state, t, **hyper)
            path.append(theta)


WORKERS = os.cpu_count() or 1


def basin_ours(starts, workers=1):
    run("adam", HIMMELBLAU.grad, starts, BASIN_STEPS, lr=BASIN_LR, record="params", workers=workers)


def basin_plain(starts):
    for start in starts:
        run("adam", HIMMELBLAU.grad, start, BASIN_STEPS, lr=BASIN_LR, record="params")


def torch_workloads():
    """Torch versions of both workloads, or None when torch is not installed."""
    try:
        import torch
    except ImportError:
        return None

    def rosenbrock_grad(p):
        x, y = p[..., 0], p[..., 1]
        return torch.stack([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)], dim=-1)

    def himmelblau_grad(p):
        x, y = p[..., 0], p[..., 1]
        a, b = x * x + y - 11, x + y * y - 7
        return torch.stack([4 * x * a + 2 * b, 2 * a + 4 * y * b], dim=-1)

    def optimize(name, grad_fn, start, steps, **hyper):
        spec = REGISTRY[name]
        kwargs = {k: v for k, v in {**spec.defaults, **hyper}.items() if k != "bias_correction"}
        param = torch.tensor(start, dtype=torch.float64, requires_grad=True)
        optimizer = getattr(torch.optim, spec.torch)([param], **kwargs)
        path = torch.empty((steps + 1, *param.shape), dtype=torch.float64)
        path[0] = param.detach()
        for t in range(1, steps + 1):
            with torch.no_grad():
                param.grad = grad_fn(param)
            optimizer.step()
            path[t] = param.detach()
        return path

    def arena(selected):
        for name in selected:
            optimize(name, rosenbrock_grad, ROSENBROCK.start, ARENA_STEPS)

    def basin(starts):
        optimize("adam", himmelblau_grad, starts, BASIN_STEPS, lr=BASIN_LR)

    return arena, basin, torch.__version__, torch.get_num_threads()


def main():
    everything = names()
    in_torch = [n for n in everything if REGISTRY[n].torch]
    starts = np.random.default_rng(0).uniform(-5, 5, (BASIN_STARTS, 2))
    sample = starts[:PLAIN_LOOP_SAMPLE]

    ours_all = best_of(3, lambda: arena_ours(everything))
    ours_torch_set = best_of(3, lambda: arena_ours(in_torch))
    plain_all = best_of(3, lambda: arena_plain(everything))
    ours_basin_one = best_of(3, lambda: basin_ours(starts))
    ours_basin = best_of(3, lambda: basin_ours(starts, WORKERS))
    plain_basin = best_of(1, lambda: basin_plain(sample)) * BASIN_STARTS / PLAIN_LOOP_SAMPLE

    print("Optimizer Lab core benchmark (ratios > 1 mean the core is faster)\n")
    print(f"(a) arena: {len(everything)} optimizers x 1 start x {ARENA_STEPS} steps on Rosenbrock")
    print(f"    core: {ours_all:.3f} s for all {len(everything)}; {ours_torch_set:.3f} s for the "
          f"{len(in_torch)} that torch.optim has")
    print(f"    plain loop over the same rules: {plain_all:.3f} s -> ratio {plain_all / ours_all:.2f}")
    print(f"(b) basin map: Adam, {BASIN_STARTS:,} starts x {BASIN_STEPS} steps on Himmelblau")
    print(f"    core: {ours_basin:.3f} s on {WORKERS} threads (workers={WORKERS}); {ours_basin_one:.3f} s on one")
    print(f"    plain loop, one start at a time (timed on {PLAIN_LOOP_SAMPLE}, scaled): {plain_basin:.1f} s "
          f"-> ratio {plain_basin / ours_basin:.0f}")

    workloads = torch_workloads()
    if workloads is None:
        print("\ntorch is not installed: pip install -e '.[test]' for the torch.optim comparison")
        return
    torch_arena, torch_basin, version, threads = workloads
    import torch

    theirs_arena = best_of(3, lambda: torch_arena(in_torch))
    theirs_basin = best_of(3, lambda: torch_basin(starts))
    torch.set_num_threads(1)
    theirs_basin_one = best_of(3, lambda: torch_basin(starts))
    torch.set_num_threads(threads)
    print(f"\ntorch.optim {version} on the CPU, float64:")
    print(f"(a) arena, the {len(in_torch)} shared optimizers: {theirs_arena:.3f} s "
          f"-> ratio {theirs_arena / ours_torch_set:.1f} (target >= 3)")
    print(f"(b) basin map, torch on {threads} threads: {theirs_basin:.3f} s "
          f"-> ratio {theirs_basin / ours_basin:.2f} against the core on {WORKERS} (target >= 2)")
    print(f"    basin map, both on 1 thread: torch {theirs_basin_one:.3f} s "
          f"-> ratio {theirs_basin_one / ours_basin_one:.2f}")
