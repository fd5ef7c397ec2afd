"""Schedule-Free AdamW (Defazio et al., 2024): the method that needs no learning-rate schedule
(chapter 7)."""

import numpy as np

from .hyper import any_nonzero


def schedule_free_init(theta, **_):
    """The base iterate z starts at the parameters; the averaging weights start at zero."""
    start = np.array(theta, dtype=np.float64)
    return {"z": start, "x": start.copy(), "v": np.zeros_like(theta), "weight_sum": 0.0, "lr_max": -1.0}


def schedule_free_adamw(theta, g, state, t, *, lr, betas, eps, weight_decay, warmup_steps, r, weight_lr_power):
    r"""One step of Schedule-Free AdamW, as the `schedulefree` package's AdamWScheduleFree takes it.

    Three sequences instead of one. The gradient is taken at $y_t$ (the parameters during
    training); $z_t$ takes plain AdamW-normalised steps; $x_t$, the point to evaluate, is a
    running average of the $z$'s, weighted by $c_t = w_t / \sum_{i \le t} w_i$:
    $$z_{t} = z_{t-1} - \gamma_t\, u_t$$
    $$x_t = (1 - c_t)\, x_{t-1} + c_t\, z_t$$
    $$y_t = (1-\beta_1)\, z_t + \beta_1\, x_t$$
    with $u_t = g_t/(\sqrt{\hat v_t}+\epsilon) + \lambda y_{t-1}$, $\hat v_t$ Adam's
    bias-corrected second moment, $\gamma_t$ the rate after a linear warmup of `warmup_steps`, and
    $w_t = t^r \max_{i \le t}\gamma_i^{p}$ ($p$ = `weight_lr_power`). The package stores only
    $y$ and $z$ (its `eval()` recovers $x$ from them); here $x$ is a buffer too, for the map.
    """
    beta1, beta2 = betas
    rate = lr * (t / warmup_steps if t <= warmup_steps else 1.0)
    lr_max = np.maximum(rate, state["lr_max"])
    weight = t**r * lr_max**weight_lr_power
    weight_sum = state["weight_sum"] + weight
    with np.errstate(divide="ignore", invalid="ignore"):
        c = np.where(weight_sum == 0, 0.0, weight / np.where(weight_sum == 0, 1.0, weight_sum))
    v = beta2 * state["v"] + (1 - beta2) * g * g
    normalised = g / (np.sqrt(v / (1 - beta2**t)) + eps)
    if any_nonzero(weight_decay):
        normalised = normalised + weight_decay * theta
    z = state["z"]
    y = theta + c * (z - theta)
    y = y + rate * (beta1 * (1 - c) - 1) * normalised
    z = z - rate * normalised
    x = state["x"] + c * (z - state["x"])
    new_state = {"z": z, "x": x, "v": v, "weight_sum": weight_sum, "lr_max": lr_max}
    return y, new_state, {"update": theta - y}
