"""Stochastic gradient descent, with momentum and Nesterov momentum (chapters 0-2).

Every optimizer in this package is a pair of functions, in the manner of optax:

- `init(theta, **hyper)` returns the state before the first step: a dict holding exactly the
  buffers the rule reads (a misspelt name is a KeyError, never a silent zero);
- `rule(theta, g, state, t, **hyper)` takes the parameters `theta` (coordinates on the last axis,
  any number of starts before it), the gradient `g` at `theta`, that state, and the step number
  `t` (1, 2, ...). It returns `(new_theta, new_state, shown)`: `shown` holds values kept only for
  display (the update, effective rates, bias-corrected moments), apart from the buffers.

Nothing is changed in place, so the runner can keep every step. Hyperparameter defaults live
in the registry alone.
"""

import numpy as np

from .hyper import any_nonzero


def sgd_init(theta, *, momentum, **_):
    return {"velocity": np.zeros_like(theta)} if any_nonzero(momentum) else {}


def sgd(theta, g, state, t, *, lr, momentum, nesterov, weight_decay):
    r"""One step of gradient descent, as torch.optim.SGD computes it:
    $$\theta_t = \theta_{t-1} - \eta\, g_t$$
    With `momentum` > 0 the step goes through `momentum_step`. `weight_decay` adds
    $\lambda\theta$ to the gradient (an L2 penalty).
    """
    if any_nonzero(weight_decay):
        g = g + weight_decay * theta
    if not any_nonzero(momentum):
        return theta - lr * g, state, {"velocity": g}
    return momentum_step(theta, g, state, lr=lr, momentum=momentum, nesterov=nesterov)


def momentum_step(theta, g, state, *, lr, momentum, nesterov):
    r"""Heavy-ball momentum, in the form torch.optim.SGD uses:
    $$v_t = \beta v_{t-1} + g_t, \qquad \theta_t = \theta_{t-1} - \eta\, v_t$$
    Nesterov, in PyTorch's form, steps along $g_t + \beta v_t$ instead of $v_t$. That is the
    textbook lookahead method with the parameters stored *at the lookahead point*: the textbook
    ball sits at $\theta_t + \eta\beta v_t$. Both points are shown as `lookahead` and `ball`.
    """
    velocity = momentum * state["velocity"] + g
    if not nesterov:
        return theta - lr * velocity, {"velocity": velocity}, {}
    lookahead = theta - lr * (g + momentum * velocity)
    ball = lookahead + lr * momentum * velocity
    return lookahead, {"velocity": velocity}, {"lookahead": lookahead, "ball": ball}
