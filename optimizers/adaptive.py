"""Per-coordinate learning rates: AdaGrad and RMSProp (chapter 3)."""

import numpy as np


def adagrad(theta, g, state, t, *, lr, eps=1e-10, weight_decay=0.0):
    r"""One AdaGrad step (Duchi, Hazan and Singer, 2011), as torch.optim.Adagrad computes it.

    $$G_t = G_{t-1} + g_t^2, \qquad \theta_t = \theta_{t-1} - \frac{\eta}{\sqrt{G_t} + \epsilon}\, g_t$$

    `G` only grows, so the effective rate $\eta / (\sqrt{G_t} + \epsilon)$ of each coordinate
    only falls.
    """
    if weight_decay:
        g = g + weight_decay * theta
    G = state["G"] + g * g
    effective_lr = lr / (np.sqrt(G) + eps)
    return theta - effective_lr * g, {"G": G, "effective_lr": effective_lr}


def rmsprop(theta, g, state, t, *, lr, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0,
            centered=False):
    r"""One RMSProp step (Hinton, 2012 lecture notes), as torch.optim.RMSprop computes it.

    $$E_t = \rho E_{t-1} + (1 - \rho)\, g_t^2, \qquad
      \theta_t = \theta_{t-1} - \frac{\eta}{\sqrt{E_t} + \epsilon}\, g_t$$

    PyTorch calls the decay $\rho$ `alpha`. `E` is a moving average, so the effective rate
    settles instead of decaying to zero. `centered` divides by an estimate of the standard
    deviation instead ($E_t - \bar g_t^2$); `momentum` keeps a velocity of the scaled steps.
    """
    if weight_decay:
        g = g + weight_decay * theta
    E = alpha * state["E"] + (1 - alpha) * g * g
    new_state = {"E": E}
    if centered:
        g_avg = alpha * state["g_avg"] + (1 - alpha) * g
        new_state["g_avg"] = g_avg
        denominator = np.sqrt(E - g_avg * g_avg) + eps
    else:
        denominator = np.sqrt(E) + eps
    new_state["effective_lr"] = lr / denominator
    if momentum:
        velocity = momentum * state["velocity"] + g / denominator
        new_state["velocity"] = velocity
        return theta - lr * velocity, new_state
    return theta - new_state["effective_lr"] * g, new_state
