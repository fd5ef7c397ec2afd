"""Methods after Adam: AdaFactor, Lion, LAMB and Sophia (chapter 6).

Norms here are taken over the last axis only, which holds one start's coordinates, so a batch
of starts still advances as independent runs.
"""

import numpy as np

from .hyper import any_nonzero


def _rms(x):
    return np.sqrt(np.mean(x * x, axis=-1, keepdims=True))


def adafactor_init(theta, **_):
    return {"v": np.zeros_like(theta)}


def adafactor(theta, g, state, t, *, lr, beta2_decay, eps, d, weight_decay):
    r"""One AdaFactor step (Shazeer and Stern, 2018), as torch.optim.Adafactor computes it.

    For a vector of parameters (our case: one start's coordinates) the second moment is not
    factored; for a matrix it would be kept as one row and one column average, which is the
    memory saving the paper is known for. The decay rises with time,
    $\hat\beta_{2,t} = 1 - t^{c}$ with $c$ = `beta2_decay`, and the step is relative to the
    size of the parameters, with the update's RMS clipped at `d`:
    $$v_t = \hat\beta_{2,t} v_{t-1} + (1-\hat\beta_{2,t}) g_t^2 \qquad u_t = g_t/\sqrt{v_t}$$
    $$\theta_t = \theta_{t-1} - \frac{\max(\epsilon_2, \mathrm{RMS}(\theta_{t-1}))\,\min(\eta, 1/\sqrt t)}
      {\max(1, \mathrm{RMS}(u_t)/d)}\; u_t$$
    """
    eps1 = np.finfo(np.float64).eps if eps[0] is None else eps[0]
    eps2 = eps[1]
    relative_step = np.maximum(eps2, _rms(theta)) * np.minimum(lr, t**-0.5)
    if any_nonzero(weight_decay):
        theta = theta * (1 - lr * weight_decay)
    weight = t**beta2_decay
    v = state["v"] + weight * (g * g - state["v"])
    update = g / np.sqrt(np.maximum(v, eps1 * eps1))
    step = relative_step / np.maximum(1.0, _rms(update) / d) * update
    return theta - step, {"v": v}, {"update": step}


def adafactor_factored_init(theta, **_):
    """Row and column averages of g² for parameters of shape (..., d1, d2): d1 + d2 numbers per
    matrix instead of d1 * d2."""
    theta = np.asarray(theta, dtype=np.float64)
    return {"row": np.zeros((*theta.shape[:-1], 1)), "col": np.zeros((*theta.shape[:-2], 1, theta.shape[-1]))}


def adafactor_factored(theta, g, state, t, *, lr, beta2_decay, eps, d, weight_decay):
    r"""One AdaFactor step for matrices (..., d1, d2), as torch.optim.Adafactor takes it; each matrix
    of a batch is its own parameter.

    Instead of $v$ (one number per weight) it keeps the mean of $g^2$ over each row, $R$, and
    over each column, $C$, and rebuilds a rank-one estimate of $v$ from them:
    $$\hat v_{ij} = \frac{R_i\, C_j}{\operatorname{mean}_i R_i}$$
    The rest is the vector rule (`adafactor`): the update $g/\sqrt{\hat v}$, its RMS clipped at
    `d`, and a step relative to the RMS of the whole matrix.
    """
    eps1 = np.finfo(np.float64).eps if eps[0] is None else eps[0]
    eps2 = eps[1]
    whole = (-2, -1)
    size = np.sqrt(np.mean(theta * theta, axis=whole, keepdims=True))
    relative_step = np.maximum(eps2, size) * np.minimum(lr, t**-0.5)
    if any_nonzero(weight_decay):
        theta = theta * (1 - lr * weight_decay)
    weight = t**beta2_decay
    squared = g * g
    row = state["row"] + weight * (squared.mean(axis=-1, keepdims=True) - state["row"])
    col = state["col"] + weight * (squared.mean(axis=-2, keepdims=True) - state["col"])
    v_hat = (row @ col) / np.maximum(row.mean(axis=-2, keepdims=True), eps1)
    update = g / np.sqrt(np.maximum(v_hat, eps1 * eps1))
    update_rms = np.sqrt(np.mean(update * update, axis=whole, keepdims=True))
    step = relative_step / np.maximum(1.0, update_rms / d) * update
    return theta - step, {"row": row, "col": col}, {"v_hat": v_hat, "update": step}


def lion_init(theta, **_):
    return {"m": np.zeros_like(theta)}


def lion(theta, g, state, t, *, lr, betas, weight_decay):
    r"""One Lion step (Chen et al., 2023), as optax.lion computes it.

    $$c_t = \beta_1 m_{t-1} + (1-\beta_1) g_t$$
    $$\theta_t = \theta_{t-1} - \eta\,(\mathrm{sign}(c_t) + \lambda\theta_{t-1})$$
    $$m_t = \beta_2 m_{t-1} + (1-\beta_2) g_t$$

    One buffer, and every coordinate moves by exactly $\pm\eta$ before decay.
    """
    beta1, beta2 = betas
    direction = np.sign(beta1 * state["m"] + (1 - beta1) * g)
    m = beta2 * state["m"] + (1 - beta2) * g
    update = lr * (direction + weight_decay * theta)
    return theta - update, {"m": m}, {"update": update}


def lamb(theta, g, state, t, *, lr, betas, eps, weight_decay):
    r"""One LAMB step (You et al., 2020), as optax.lamb computes it.

    Adam's direction plus decoupled decay, $u_t = \hat m_t/(\sqrt{\hat v_t}+\epsilon) + \lambda\theta$,
    rescaled per layer (here: per start) by the trust ratio
    $$\theta_t = \theta_{t-1} - \eta\,\frac{\lVert\theta_{t-1}\rVert}{\lVert u_t\rVert}\,u_t$$
    (ratio 1 when either norm is zero), so each step is about $\eta$ times the weights' size.
    """
    beta1, beta2 = betas
    m = beta1 * state["m"] + (1 - beta1) * g
    v = beta2 * state["v"] + (1 - beta2) * g * g
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    direction = m_hat / (np.sqrt(v_hat) + eps) + weight_decay * theta
    theta_norm = np.linalg.norm(theta, axis=-1, keepdims=True)
    direction_norm = np.linalg.norm(direction, axis=-1, keepdims=True)
    either_zero = (theta_norm == 0) | (direction_norm == 0)
    trust_ratio = np.where(either_zero, 1.0, theta_norm / np.where(either_zero, 1.0, direction_norm))
    update = lr * trust_ratio * direction
    return theta - update, {"m": m, "v": v}, {"trust_ratio": trust_ratio, "update": update}


def sophia_init(theta, **_):
    return {"m": np.zeros_like(theta), "h": np.zeros_like(theta)}


def sophia(theta, g, state, t, *, lr, betas, rho, eps, weight_decay, hessian_interval, hess_fn):
    r"""One Sophia step (Liu et al., 2023), with the exact Hessian diagonal of the landscape.

    Every `hessian_interval` steps the curvature estimate is refreshed,
    $h_t = \beta_2 h_{t-k} + (1-\beta_2)\,\mathrm{diag}(\nabla^2 L)$; in between it is kept.
    $$m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t$$
    $$\theta_t = (1-\eta\lambda)\theta_{t-1}
      - \eta\,\mathrm{clip}\!\left(\frac{m_t}{\max(\rho h_t, \epsilon)}, 1\right)$$
    Where curvature is flat or negative the clip turns the step into $\eta\,\mathrm{sign}(m_t)$.
    """
    beta1, beta2 = betas
    m = beta1 * state["m"] + (1 - beta1) * g
    h = state["h"]
    if (t - 1) % hessian_interval == 0:
        h = beta2 * h + (1 - beta2) * hess_fn(theta)
    if any_nonzero(weight_decay):
        theta = theta * (1 - lr * weight_decay)
    update = lr * np.clip(m / np.maximum(rho * h, eps), -1.0, 1.0)
    return theta - update, {"m": m, "h": h}, {"update": update}
