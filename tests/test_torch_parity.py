"""Where torch.optim has the optimizer, `run` reproduces its parameters step for step."""

import numpy as np
import pytest

from landscapes import get
from optimizers import REGISTRY, make_schedule, run

torch = pytest.importorskip("torch", reason="torch is in the test extra: pip install -e '.[test]'")

STARTS = np.array([[-1.2, 1.0], [0.5, -0.5], [1.5, 2.0]])
TORCH_ONLY = {"bias_correction"}
"""Our hyperparameters that torch.optim does not take."""

VARIANTS = {
    "sgd": [{}, {"lr": 1e-4, "weight_decay": 0.1}],
    "momentum": [{}, {"momentum": 0.5, "weight_decay": 0.05}],
    "nesterov": [{}, {"momentum": 0.8, "weight_decay": 0.05}],
    "adagrad": [{"lr": 0.1}, {"lr": 0.05, "weight_decay": 0.01, "eps": 1e-6}],
    "rmsprop": [{"lr": 1e-3}, {"lr": 1e-3, "alpha": 0.9, "momentum": 0.5},
                {"lr": 1e-3, "centered": True, "weight_decay": 0.1}],
    "adam": [{"lr": 0.01}, {"lr": 0.01, "amsgrad": True, "weight_decay": 0.1},
             {"lr": 0.02, "betas": (0.8, 0.99), "eps": 1e-6}],
    "adamw": [{"lr": 0.01}, {"lr": 0.01, "weight_decay": 0.3, "amsgrad": True}],
    "amsgrad": [{"lr": 0.01}],
    "adamax": [{"lr": 0.01}, {"lr": 0.01, "weight_decay": 0.01, "betas": (0.8, 0.99)}],
    "nadam": [{"lr": 0.01}, {"lr": 0.01, "weight_decay": 0.01, "momentum_decay": 0.01}],
    "radam": [{"lr": 1e-4}, {"lr": 2e-4, "weight_decay": 0.01, "betas": (0.9, 0.99)}],
    "adafactor": [{"lr": 0.01}, {"lr": 0.02, "weight_decay": 0.01, "d": 2.0, "beta2_decay": -0.5}],
}
CASES = [(name, hyper) for name, spec in REGISTRY.items() if spec.torch
         for hyper in VARIANTS[name]]


def test_every_torch_optimizer_has_cases():
    assert {name for name, _ in CASES} == {n for n, s in REGISTRY.items() if s.torch}


def torch_trajectory(name, hyper, grad_fn, starts, steps, lr_lambda=None):
    """The same run in torch.optim: one float64 tensor per start, fed our gradients."""
    spec = REGISTRY[name]
    kwargs = {k: v for k, v in {**spec.defaults, **hyper}.items() if k not in TORCH_ONLY}
    tensors = [torch.tensor(s, dtype=torch.float64, requires_grad=True) for s in starts]
    optimizer = getattr(torch.optim, spec.torch)(tensors, **kwargs)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda) if lr_lambda else None
    rows = [np.array(starts, dtype=np.float64)]
    for _ in range(steps):
        for tensor in tensors:
            tensor.grad = torch.from_numpy(grad_fn(tensor.detach().numpy().copy()))
        optimizer.step()
        if scheduler:
            scheduler.step()
        rows.append(np.stack([t.detach().numpy().copy() for t in tensors]))
    return np.stack(rows)


@pytest.mark.parametrize(("name", "hyper"), CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
@pytest.mark.parametrize("landscape", ["rosenbrock", "himmelblau"])
def test_matches_torch_step_for_step(name, hyper, landscape):
    surface = get(landscape)
    ours = run(name, surface.grad, STARTS, 150, **hyper)
    assert np.all(ours.diverged_at == -1), "parity is only meaningful on runs that stay finite"
    theirs = torch_trajectory(name, hyper, surface.grad, STARTS, 150)
    np.testing.assert_allclose(ours.params, theirs, rtol=1e-6, atol=1e-10)


@pytest.mark.parametrize("name", ["sgd", "adam", "adamw"])
def test_schedule_matches_torch_lambda_lr(name):
    surface = get("himmelblau")
    peak = 0.01
    schedule = make_schedule("cosine", 120, peak, warmup_steps=20, min_lr=0.001)
    ours = run(name, surface.grad, STARTS, 120, schedule=schedule)
    theirs = torch_trajectory(name, {"lr": peak}, surface.grad, STARTS, 120,
                              lr_lambda=lambda step: schedule(step) / peak)
    np.testing.assert_allclose(ours.params, theirs, rtol=1e-6, atol=1e-10)
