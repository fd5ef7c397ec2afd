r"""Each optimizer's update rule as TeX, one displayed equation per line (short lines fit a
phone), in the notation the chapters use: $g_t$ the gradient at step $t$, $\eta$ the rate,
$\lambda$ the weight decay, products and powers of vectors taken coordinate by coordinate.
The family tree and the chapter pages typeset these; the functions in this package run them."""

RULES: dict[str, tuple[str, ...]] = {
    "sgd": (r"\theta_t = \theta_{t-1} - \eta\, g_t",),
    "momentum": (r"b_t = \mu\, b_{t-1} + g_t", r"\theta_t = \theta_{t-1} - \eta\, b_t"),
    "nesterov": (r"b_t = \mu\, b_{t-1} + g_t", r"\theta_t = \theta_{t-1} - \eta\,(g_t + \mu\, b_t)"),
    "adagrad": (r"G_t = G_{t-1} + g_t^2", r"\theta_t = \theta_{t-1} - \frac{\eta\, g_t}{\sqrt{G_t} + \epsilon}"),
    "rmsprop": (r"E_t = \alpha E_{t-1} + (1-\alpha)\, g_t^2",
                r"\theta_t = \theta_{t-1} - \frac{\eta\, g_t}{\sqrt{E_t} + \epsilon}"),
    "adam": (r"m_t = \beta_1 m_{t-1} + (1-\beta_1)\, g_t", r"v_t = \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2",
             r"\hat m_t = \frac{m_t}{1-\beta_1^t},\ \hat v_t = \frac{v_t}{1-\beta_2^t}",
             r"\theta_t = \theta_{t-1} - \frac{\eta\, \hat m_t}{\sqrt{\hat v_t} + \epsilon}"),
    "adamw": (r"m_t,\ v_t,\ \hat m_t,\ \hat v_t \text{ as in Adam}",
              r"\theta_t = (1-\eta\lambda)\,\theta_{t-1} - \frac{\eta\, \hat m_t}{\sqrt{\hat v_t} + \epsilon}"),
    "amsgrad": (r"m_t,\ v_t \text{ as in Adam}", r"v_t^{\max} = \max(v_{t-1}^{\max},\ v_t)",
                r"\theta_t = \theta_{t-1} - \frac{\eta\, \hat m_t}{\sqrt{v_t^{\max}/(1-\beta_2^t)} + \epsilon}"),
    "adamax": (r"m_t \text{ as in Adam}", r"u_t = \max(\beta_2 u_{t-1},\ |g_t| + \epsilon)",
               r"\theta_t = \theta_{t-1} - \frac{\eta}{1-\beta_1^t}\,\frac{m_t}{u_t}"),
    "nadam": (r"m_t,\ v_t \text{ as in Adam}, \quad \mu_t = \beta_1\left(1 - \tfrac12\, 0.96^{t\psi}\right)",
              r"\theta_t = \theta_{t-1} - \frac{\eta}{\sqrt{\hat v_t} + \epsilon}\left("
              r"\frac{\mu_{t+1}\, m_t}{1-\prod_{i\le t+1}\mu_i}"
              r" + \frac{(1-\mu_t)\, g_t}{1-\prod_{i\le t}\mu_i}\right)"),
    "radam": (r"m_t,\ v_t \text{ as in Adam}", r"\rho_t = \rho_\infty - \frac{2t\beta_2^t}{1-\beta_2^t}",
              r"\rho_t \le 5:\ \theta_t = \theta_{t-1} - \eta\, \hat m_t",
              r"\rho_t \gt 5:\ \theta_t = \theta_{t-1} - \eta\, r_t\,"
              r" \frac{\hat m_t\sqrt{1-\beta_2^t}}{\sqrt{v_t} + \epsilon}",
              r"r_t \text{ the rectifier}"),
    "adafactor": (r"v_t = \hat\beta_{2,t} v_{t-1} + (1-\hat\beta_{2,t})\, g_t^2", r"\hat\beta_{2,t} = 1 - t^{-0.8}",
                  r"u_t = g_t / \sqrt{v_t}",
                  r"\theta_t = \theta_{t-1} - \frac{\max(\epsilon_2, \mathrm{RMS}(\theta_{t-1}))\,"
                  r"\min(\eta, 1/\sqrt t)}{\max(1, \mathrm{RMS}(u_t)/d)}\, u_t"),
    "lion": (r"c_t = \beta_1 m_{t-1} + (1-\beta_1)\, g_t",
             r"\theta_t = \theta_{t-1} - \eta\,(\mathrm{sign}(c_t) + \lambda\theta_{t-1})",
             r"m_t = \beta_2 m_{t-1} + (1-\beta_2)\, g_t"),
    "lamb": (r"u_t = \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon} + \lambda\theta_{t-1} \quad (\hat m_t, \hat v_t "
             r"\text{ as in Adam})",
             r"\theta_t = \theta_{t-1} - \eta\, \frac{\lVert\theta_{t-1}\rVert}{\lVert u_t\rVert}\, u_t"),
    "sophia": (r"m_t = \beta_1 m_{t-1} + (1-\beta_1)\, g_t",
               r"h_t = \beta_2 h_{t-k} + (1-\beta_2)\, \mathrm{diag}(\nabla^2 L)",
               r"\theta_t = (1-\eta\lambda)\,\theta_{t-1} - \eta\, \mathrm{clip}\!\left("
               r"\frac{m_t}{\max(\rho\, h_t, \epsilon)},\ 1\right)"),
    "schedule_free": (r"y_{t-1} = (1-\beta_1)\, z_{t-1} + \beta_1 x_{t-1}, \quad g_t = \nabla L(y_{t-1})",
                      r"z_t = z_{t-1} - \eta\, \frac{g_t}{\sqrt{\hat v_t} + \epsilon}",
                      r"x_t = (1 - c_t)\, x_{t-1} + c_t z_t",
                      r"c_t = \frac{1}{t} \text{ at a constant rate (so } x_1 = z_1\text{)}"),
}
