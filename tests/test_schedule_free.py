"""Schedule-Free AdamW matches the `schedulefree` package (Defazio et al.'s own code) step for
step: the parameters during training (y), and the averaged point evaluated (x, the package's
`eval()` point)."""

import numpy as np
import pytest

from landscapes import get
from optimizers import REGISTRY, run

torch = pytest.importorskip("torch", reason="torch is in the test extra")
schedulefree = pytest.importorskip("schedulefree", reason="schedulefree is in the test extra")

STARTS = np.array([[-1.2, 1.0], [0.5, -0.5], [1.5, 2.0]])
VARIANTS = [{}, {"lr": 0.01}, {"lr": 0.02, "warmup_steps": 20}, {"lr": 0.01, "weight_decay": 0.1},
            {"lr": 0.005, "betas": (0.8, 0.99), "r": 1.0, "weight_lr_power": 1.0, "eps": 1e-6}]


def package_trajectory(hyper, grad_fn, steps):
    """(y, x) after every step, from AdamWScheduleFree with one float64 tensor per start."""
    settings = {**{k: v for k, v in REGISTRY["schedule_free"].defaults.items()}, **hyper}
    tensors = [torch.tensor(s, dtype=torch.float64, requires_grad=True) for s in STARTS]
    optimizer = schedulefree.AdamWScheduleFree(tensors, foreach=False, **settings)
    optimizer.train()
    ys, xs = [STARTS.copy()], [STARTS.copy()]
    for _ in range(steps):
        for tensor in tensors:
            tensor.grad = torch.from_numpy(grad_fn(tensor.detach().numpy().copy()))
        optimizer.step()
        ys.append(np.stack([t.detach().numpy().copy() for t in tensors]))
        optimizer.eval()
        xs.append(np.stack([t.detach().numpy().copy() for t in tensors]))
        optimizer.train()
    return np.stack(ys), np.stack(xs)


@pytest.mark.parametrize("hyper", VARIANTS, ids=[str(i) for i in range(len(VARIANTS))])
@pytest.mark.parametrize("landscape", ["rosenbrock", "himmelblau"])
def test_matches_the_schedulefree_package_step_for_step(hyper, landscape):
    surface = get(landscape)
    ys, xs = package_trajectory(hyper, surface.grad, 150)
    ours = run("schedule_free", surface.grad, STARTS, 150, **hyper)
    np.testing.assert_allclose(ours.params, ys, rtol=1e-9, atol=1e-11)
    np.testing.assert_allclose(ours.internals["x"], xs[1:], rtol=1e-8, atol=1e-10)
