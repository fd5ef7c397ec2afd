"""AdaFactor's factored second moment on matrices, step for step against torch.optim.Adafactor."""

import numpy as np
import pytest

from optimizers import REGISTRY
from optimizers.modern import adafactor_factored, adafactor_factored_init

torch = pytest.importorskip("torch", reason="torch is in the test extra")


def _quadratic_grad(target, scale):
    """The gradient of sum(scale * (W - target)²): different curvature for every weight."""
    def grad(weights):
        return 2 * scale * (weights - target)

    return grad


def _ours(start, grad, steps, hyper):
    theta, state = start.copy(), adafactor_factored_init(start)
    rows = [theta]
    for t in range(1, steps + 1):
        theta, state, _ = adafactor_factored(theta, grad(theta), state, t, **hyper)
        rows.append(theta)
    return np.stack(rows)


def _torch(start, grad, steps, hyper):
    """One torch parameter per matrix of the batch."""
    tensors = [torch.tensor(m, dtype=torch.float64, requires_grad=True) for m in start.reshape(-1, *start.shape[-2:])]
    optimizer = torch.optim.Adafactor(tensors, **hyper)
    rows = [start.copy()]
    for _ in range(steps):
        current = np.stack([t.detach().numpy() for t in tensors]).reshape(start.shape)
        gradient = grad(current).reshape(-1, *start.shape[-2:])
        for tensor, g in zip(tensors, gradient, strict=True):
            tensor.grad = torch.from_numpy(g.copy())
        optimizer.step()
        rows.append(np.stack([t.detach().numpy().copy() for t in tensors]).reshape(start.shape))
    return np.stack(rows)


@pytest.mark.parametrize("shape", [(4, 3), (2, 5, 6), (3, 1, 7)])
@pytest.mark.parametrize("hyper", [{}, {"lr": 0.05, "weight_decay": 0.1, "d": 2.0, "beta2_decay": -0.5}])
def test_matches_torch_adafactor_on_matrices_step_for_step(shape, hyper):
    rng = np.random.default_rng(0)
    start = rng.normal(size=shape)
    grad = _quadratic_grad(rng.normal(size=shape), rng.uniform(0.1, 10, size=shape))
    settings = {**REGISTRY["adafactor"].defaults, **hyper}
    ours = _ours(start, grad, 60, settings)
    theirs = _torch(start, grad, 60, {k: v for k, v in settings.items()})
    np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-10)  # as the vector parity tests


def test_the_factored_estimate_is_exact_for_a_rank_one_g_squared():
    """When g² is an outer product, rows and columns lose nothing: the estimate is g² itself."""
    rows, cols = np.array([1.0, 2.0, 3.0]), np.array([0.5, 4.0])
    g = np.sqrt(np.outer(rows, cols))
    start = np.ones((3, 2))
    _, state, shown = adafactor_factored(start, g, adafactor_factored_init(start), 1, lr=0.01, beta2_decay=-0.8,
                                         eps=(None, 1e-3), d=1.0, weight_decay=0.0)
    np.testing.assert_allclose(shown["v_hat"], g * g, rtol=1e-12)
    assert state["row"].size + state["col"].size == 3 + 2
