"""Stochastic gradient descent, with momentum and Nesterov momentum (chapters 0-2).

Every update rule in this package has the same shape: it takes the parameters `theta`
(coordinates on the last axis, any number of starts before it), the gradient `g` at `theta`,
the state the previous step returned, and the step number `t` (1, 2, ...). It returns the new
parameters and the new state. Nothing is changed in place, so the runner can keep every step.
"""


def sgd(theta, g, state, t, *, lr, momentum=0.0, nesterov=False, weight_decay=0.0):
    r"""One step of SGD, as torch.optim.SGD computes it.

    $$v_t = \beta v_{t-1} + g_t, \qquad \theta_t = \theta_{t-1} - \eta\, v_t$$

    With `momentum` = 0 this is plain gradient descent, $\theta_t = \theta_{t-1} - \eta g_t$.

    `weight_decay` adds $\lambda\theta$ to the gradient (an L2 penalty).

    Nesterov, in PyTorch's form: the step uses $g_t + \beta v_t$ instead of $v_t$. This is the
    textbook lookahead method with the parameters stored *at the lookahead point*: the textbook
    ball sits at $\theta_t + \eta\beta v_t$, and $\theta_t$ is where it evaluates the next
    gradient. Both points are kept in the state as `ball` and `lookahead`.
    """
    if weight_decay:
        g = g + weight_decay * theta
    if not momentum:
        return theta - lr * g, {}
    velocity = momentum * state["velocity"] + g
    if not nesterov:
        return theta - lr * velocity, {"velocity": velocity}
    lookahead = theta - lr * (g + momentum * velocity)
    ball = lookahead + lr * momentum * velocity
    return lookahead, {"velocity": velocity, "lookahead": lookahead, "ball": ball}
