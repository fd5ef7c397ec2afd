"""Lion, LAMB and Sophia have no torch.optim class: check them against their papers' pseudo-code,
written here as plain per-start loops (Lion and LAMB as optax composes them)."""

import numpy as np

from landscapes import get
from optimizers import run

SURFACE = get("himmelblau")
STARTS = np.array([[0.0, 0.0], [-1.0, 2.5], [4.0, -4.0]])


def test_lion_follows_chen_et_al():
    lr, b1, b2, wd = 0.01, 0.9, 0.99, 0.01
    traj = run("lion", SURFACE.grad, STARTS, 80, lr=lr, betas=(b1, b2), weight_decay=wd)
    for i, theta in enumerate(STARTS.copy()):
        m = np.zeros(2)
        for t in range(80):
            g = SURFACE.grad(theta)
            update = np.sign(b1 * m + (1 - b1) * g)
            m = b2 * m + (1 - b2) * g
            theta = theta - lr * (update + wd * theta)
            np.testing.assert_allclose(traj.params[t + 1, i], theta, rtol=1e-12)


def test_lamb_follows_you_et_al():
    lr, b1, b2, eps, wd = 0.02, 0.9, 0.999, 1e-6, 0.01
    traj = run("lamb", SURFACE.grad, STARTS, 80, lr=lr, betas=(b1, b2), eps=eps, weight_decay=wd)
    for i, theta in enumerate(STARTS.copy()):
        m = v = np.zeros(2)
        for t in range(1, 81):
            g = SURFACE.grad(theta)
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g * g
            r = (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps) + wd * theta
            w_norm, r_norm = np.linalg.norm(theta), np.linalg.norm(r)
            ratio = w_norm / r_norm if w_norm > 0 and r_norm > 0 else 1.0
            theta = theta - lr * ratio * r
            np.testing.assert_allclose(traj.params[t, i], theta, rtol=1e-12)


def test_sophia_follows_liu_et_al():
    lr, b1, b2, rho, eps, wd, k = 0.05, 0.965, 0.99, 0.04, 1e-12, 0.1, 10
    traj = run("sophia", SURFACE.grad, STARTS, 80, hess_fn=SURFACE.hess_diag, lr=lr,
               betas=(b1, b2), rho=rho, eps=eps, weight_decay=wd, hessian_interval=k)
    for i, theta in enumerate(STARTS.copy()):
        m = h = np.zeros(2)
        for t in range(1, 81):
            g = SURFACE.grad(theta)
            m = b1 * m + (1 - b1) * g
            if t % k == 1:
                h = b2 * h + (1 - b2) * SURFACE.hess_diag(theta)
            theta = theta * (1 - lr * wd)
            theta = theta - lr * np.clip(m / np.maximum(rho * h, eps), -1, 1)
            np.testing.assert_allclose(traj.params[t, i], theta, rtol=1e-12)


def test_lion_moves_every_coordinate_by_exactly_lr_without_decay():
    traj = run("lion", SURFACE.grad, STARTS, 30, lr=0.01, weight_decay=0.0)
    np.testing.assert_allclose(np.abs(np.diff(traj.params, axis=0)), 0.01, rtol=1e-9)
