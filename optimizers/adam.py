"""Adam and the methods built directly on it (chapters 4-6)."""

import numpy as np

from .hyper import any_nonzero


def moments_init(theta, *, amsgrad=False, **_):
    """m and v, the two moving averages of Adam and its relatives (and AMSGrad's running max)."""
    state = {"m": np.zeros_like(theta), "v": np.zeros_like(theta)}
    if amsgrad:
        state["v_max"] = np.zeros_like(theta)
    return state


def adam(theta, g, state, t, *, lr, betas, eps, weight_decay, amsgrad, bias_correction):
    r"""One Adam step (Kingma and Ba, 2015), as torch.optim.Adam computes it.

    $$m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t$$
    $$v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2$$
    $$\hat m_t = \frac{m_t}{1-\beta_1^t} \qquad \hat v_t = \frac{v_t}{1-\beta_2^t}$$
    $$\theta_t = \theta_{t-1} - \eta\,\frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}$$

    `weight_decay` here is PyTorch's coupled L2 penalty: it is added to the gradient, so it
    is divided by $\sqrt{\hat v_t}$ like everything else (chapter 5 shows why that matters).
    `amsgrad` divides by the running maximum of $v_t$, taken before bias correction as
    PyTorch does. `bias_correction=False` drops the two divisions (chapter 4's comparison).
    """
    beta1, beta2 = betas
    if any_nonzero(weight_decay):
        g = g + weight_decay * theta
    m = beta1 * state["m"] + (1 - beta1) * g
    v = beta2 * state["v"] + (1 - beta2) * g * g
    new_state = {"m": m, "v": v}
    if amsgrad:
        v = new_state["v_max"] = np.maximum(state["v_max"], v)
    if bias_correction:
        m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    else:
        m_hat, v_hat = m, v
    update = lr * m_hat / (np.sqrt(v_hat) + eps)
    return theta - update, new_state, {"m_hat": m_hat, "v_hat": v_hat, "update": update}


def adamw(theta, g, state, t, *, lr, betas, eps, weight_decay, amsgrad):
    r"""One AdamW step (Loshchilov and Hutter, 2019), as torch.optim.AdamW computes it.

    $$\theta_t = (1 - \eta\lambda)\,\theta_{t-1} - \eta\,\frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}$$

    Adam plus one extra link: the weights shrink by $(1-\eta\lambda)$ first, and the gradient
    that feeds $m$ and $v$ never sees the decay.
    """
    decayed = theta * (1 - lr * weight_decay)
    return adam(decayed, g, state, t, lr=lr, betas=betas, eps=eps, weight_decay=0.0, amsgrad=amsgrad,
                bias_correction=True)


def adamax_init(theta, **_):
    return {"m": np.zeros_like(theta), "u": np.zeros_like(theta)}


def adamax(theta, g, state, t, *, lr, betas, eps, weight_decay):
    r"""One Adamax step (Kingma and Ba, 2015, section 7), as torch.optim.Adamax computes it.

    $$u_t = \max(\beta_2 u_{t-1},\ |g_t| + \epsilon) \qquad
      \theta_t = \theta_{t-1} - \frac{\eta}{1-\beta_1^t}\,\frac{m_t}{u_t}$$

    Adam with the root-mean-square of past gradients replaced by a decaying maximum
    (the infinity norm), which needs no bias correction.
    """
    beta1, beta2 = betas
    if any_nonzero(weight_decay):
        g = g + weight_decay * theta
    m = beta1 * state["m"] + (1 - beta1) * g
    u = np.maximum(beta2 * state["u"], np.abs(g) + eps)
    update = lr / (1 - beta1**t) * m / u
    return theta - update, {"m": m, "u": u}, {"update": update}


def nadam_init(theta, **_):
    return {**moments_init(theta), "mu_product": 1.0}


def nadam(theta, g, state, t, *, lr, betas, eps, weight_decay, momentum_decay):
    r"""One NAdam step (Dozat, 2016), as torch.optim.NAdam computes it.

    Nesterov's idea inside Adam: the step mixes the current gradient with the momentum the
    *next* step will have. PyTorch also warms the momentum coefficient up over time,
    $\mu_t = \beta_1 (1 - \tfrac12\, 0.96^{t\,\psi})$ with $\psi$ = `momentum_decay`:
    $$\theta_t = \theta_{t-1} - \eta\left(\frac{1-\mu_t}{1-\prod_{i\le t}\mu_i}\, g_t
      + \frac{\mu_{t+1}}{1-\prod_{i\le t+1}\mu_i}\, m_t\right) \Big/ \left(\sqrt{\hat v_t} + \epsilon\right)$$
    """
    beta1, beta2 = betas
    if any_nonzero(weight_decay):
        g = g + weight_decay * theta
    mu = beta1 * (1 - 0.5 * 0.96 ** (t * momentum_decay))
    mu_next = beta1 * (1 - 0.5 * 0.96 ** ((t + 1) * momentum_decay))
    mu_product = state["mu_product"] * mu
    m = beta1 * state["m"] + (1 - beta1) * g
    v = beta2 * state["v"] + (1 - beta2) * g * g
    denominator = np.sqrt(v / (1 - beta2**t)) + eps
    update = lr * ((1 - mu) / (1 - mu_product) * g
                   + mu_next / (1 - mu_product * mu_next) * m) / denominator
    return theta - update, {"m": m, "v": v, "mu_product": mu_product}, {"update": update}


def radam_rectifier(t, beta2):
    r"""RAdam's $r_t$ at step `t` (1, 2, ...), or 0 while $\rho_t \le 5$ (plain momentum steps)."""
    rho_inf = 2 / (1 - beta2) - 1
    rho_t = rho_inf - 2 * t * beta2**t / (1 - beta2**t)
    if rho_t <= 5:
        return 0.0
    return float(np.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)))


def radam(theta, g, state, t, *, lr, betas, eps, weight_decay):
    r"""One RAdam step (Liu et al., 2020), as torch.optim.RAdam computes it.

    Early on, $v_t$ rests on a handful of gradients and its variance is large. RAdam measures
    that with $\rho_t = \rho_\infty - 2t\beta_2^t/(1-\beta_2^t)$, $\rho_\infty = 2/(1-\beta_2) - 1$:
    while $\rho_t \le 5$ it takes plain momentum steps $\eta\,\hat m_t$; after that, Adam steps
    scaled by the rectifier
    $r_t = \sqrt{\frac{(\rho_t-4)(\rho_t-2)\rho_\infty}{(\rho_\infty-4)(\rho_\infty-2)\rho_t}}$.
    PyTorch adds $\epsilon$ to $\sqrt{v_t}$ before bias correction.
    """
    beta1, beta2 = betas
    if any_nonzero(weight_decay):
        g = g + weight_decay * theta
    m = beta1 * state["m"] + (1 - beta1) * g
    v = beta2 * state["v"] + (1 - beta2) * g * g
    m_hat = m / (1 - beta1**t)
    rectifier = radam_rectifier(t, beta2)
    adam_step = rectifier * np.sqrt(1 - beta2**t) / (np.sqrt(v) + eps)
    update = lr * m_hat * (adam_step if rectifier > 0 else 1.0)
    return theta - update, {"m": m, "v": v}, {"m_hat": m_hat, "update": update}
