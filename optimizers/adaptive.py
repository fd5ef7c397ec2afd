r"""Per-coordinate learning rates: AdaGrad and RMSProp (chapter 3).

`effective_lr` is shown as NaN for a coordinate that has had no gradient yet: its rate
$\eta/\epsilon$ (10^9 and more) is an artefact of the division, not a rate anyone uses.
"""

import numpy as np

from .hyper import any_nonzero


def _rate(lr, accumulated, denominator):
    return np.where(accumulated > 0, lr / denominator, np.nan)


def adagrad_init(theta, **_):
    return {"G": np.zeros_like(theta)}


def adagrad(theta, g, state, t, *, lr, eps, weight_decay):
    r"""One AdaGrad step (Duchi, Hazan and Singer, 2011), as torch.optim.Adagrad computes it
    with lr_decay=0 and initial_accumulator_value=0, its defaults.

    $$G_t = G_{t-1} + g_t^2$$
    $$\theta_t = \theta_{t-1} - \frac{\eta}{\sqrt{G_t} + \epsilon}\, g_t$$

    `G` only grows, so the effective rate $\eta / (\sqrt{G_t} + \epsilon)$ of each coordinate
    only falls.
    """
    if any_nonzero(weight_decay):
        g = g + weight_decay * theta
    G = state["G"] + g * g
    denominator = np.sqrt(G) + eps
    return theta - lr * (g / denominator), {"G": G}, {"effective_lr": _rate(lr, G, denominator)}


def rmsprop_init(theta, *, momentum, centered, **_):
    state = {"E": np.zeros_like(theta)}
    if centered:
        state["g_avg"] = np.zeros_like(theta)
    if any_nonzero(momentum):
        state["velocity"] = np.zeros_like(theta)
    return state


def rmsprop(theta, g, state, t, *, lr, alpha, eps, weight_decay, momentum, centered):
    r"""One RMSProp step (Hinton, 2012 lecture notes), as torch.optim.RMSprop computes it.

    $$E_t = \rho E_{t-1} + (1 - \rho)\, g_t^2$$
    $$\theta_t = \theta_{t-1} - \frac{\eta}{\sqrt{E_t} + \epsilon}\, g_t$$

    PyTorch calls the decay $\rho$ `alpha`. `E` is a moving average, so the effective rate
    settles instead of decaying to zero. `centered` divides by an estimate of the standard
    deviation instead ($E_t - \bar g_t^2$); `momentum` keeps a velocity of the scaled steps.
    """
    if any_nonzero(weight_decay):
        g = g + weight_decay * theta
    E = alpha * state["E"] + (1 - alpha) * g * g
    new_state = {"E": E}
    if centered:
        g_avg = alpha * state["g_avg"] + (1 - alpha) * g
        new_state["g_avg"] = g_avg
        denominator = np.sqrt(E - g_avg * g_avg) + eps
    else:
        denominator = np.sqrt(E) + eps
    shown = {"effective_lr": _rate(lr, E, denominator)}
    if any_nonzero(momentum):
        velocity = new_state["velocity"] = momentum * state["velocity"] + g / denominator
        return theta - lr * velocity, new_state, shown
    return theta - lr * (g / denominator), new_state, shown
