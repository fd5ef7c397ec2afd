r"""Learning-rate schedules (chapter 7): pure functions of the step, for a scalar or an array.

Every schedule may start with a linear warmup from 0 to the peak over `warmup_steps`;
after warmup, `progress` $p = (s - w)/(T - w)$ runs from 0 to 1 and stays at 1 beyond T.

| kind | rate after warmup |
|---|---|
| constant | $\eta_{max}$ |
| step | $\max(\eta_{min},\ \eta_{max}\,\gamma^{\lfloor (s-w)/\text{step\_size} \rfloor})$ |
| cosine | $\eta_{min} + (\eta_{max}-\eta_{min})\,\tfrac12(1+\cos \pi p)$ |
| linear | $\eta_{max} + (\eta_{min}-\eta_{max})\,p$ |
| inverse_sqrt | $\max(\eta_{min},\ \eta_{max}\sqrt{\tau/(\tau + s - w)})$, $\tau$ = `timescale`, default $\max(w,1)$ |
| wsd | $\eta_{max}$, then linear to $\eta_{min}$ over the last `decay_fraction` of the run |
"""

import numpy as np


def _constant(progress, s, w, peak, low, **_):
    return np.full_like(progress, peak)


def _step(progress, s, w, peak, low, *, step_size, gamma=0.1):
    return np.maximum(low, peak * gamma ** np.floor((s - w) / step_size))


def _cosine(progress, s, w, peak, low, **_):
    return low + (peak - low) * 0.5 * (1 + np.cos(np.pi * progress))


def _linear(progress, s, w, peak, low, **_):
    return peak + (low - peak) * progress


def _inverse_sqrt(progress, s, w, peak, low, *, timescale=None):
    tau = timescale if timescale is not None else max(w, 1)
    return np.maximum(low, peak * np.sqrt(tau / (tau + s - w)))


def _wsd(progress, s, w, peak, low, *, decay_fraction=0.2):
    decay_start = 1 - decay_fraction
    decay_progress = np.clip((progress - decay_start) / decay_fraction, 0.0, 1.0)
    return peak + (low - peak) * decay_progress


SCHEDULES = {
    "constant": _constant,
    "step": _step,
    "cosine": _cosine,
    "linear": _linear,
    "inverse_sqrt": _inverse_sqrt,
    "wsd": _wsd,
}
SCHEDULE_TITLES = {"constant": "constant", "step": "step decay", "cosine": "cosine", "linear": "linear",
                   "inverse_sqrt": "inverse square root", "wsd": "warmup-stable-decay"}
"""Each schedule's name as the pages write it."""
_OPTIONS = {"step": {"step_size", "gamma"}, "inverse_sqrt": {"timescale"}, "wsd": {"decay_fraction"}}


def make_schedule(kind, total_steps, peak_lr, warmup_steps=0, min_lr=0.0, **kw):
    """Return `schedule(step)`: the learning rate at step 0, 1, ... (scalar or array in, same out).

    Options by kind: step takes `step_size` (default a third of the run after warmup) and
    `gamma` (0.1); inverse_sqrt takes `timescale`; wsd takes `decay_fraction` (0.2).
    """
    if kind not in SCHEDULES:
        raise ValueError(f"unknown schedule {kind!r}; choose one of {', '.join(SCHEDULES)}")
    unknown = set(kw) - _OPTIONS.get(kind, set())
    if unknown:
        raise ValueError(f"schedule {kind!r} takes no option {', '.join(sorted(unknown))}")
    if int(total_steps) != total_steps or total_steps < 1:
        raise ValueError(f"total_steps must be a whole number >= 1, got {total_steps}")
    if not 0 <= warmup_steps < total_steps:
        raise ValueError(f"warmup_steps must be in [0, total_steps), got {warmup_steps}")
    if not peak_lr >= 0 or not 0 <= min_lr <= peak_lr:
        raise ValueError(f"need 0 <= min_lr <= peak_lr, got min_lr={min_lr}, peak_lr={peak_lr}")
    if kind == "step":
        kw.setdefault("step_size", max(1, (total_steps - warmup_steps) // 3))
        if kw["step_size"] < 1 or not 0 < kw.get("gamma", 0.1) <= 1:
            raise ValueError("step decay needs step_size >= 1 and 0 < gamma <= 1")
    if kind == "wsd" and not 0 < kw.get("decay_fraction", 0.2) <= 1:
        raise ValueError("decay_fraction must be in (0, 1]")
    after_warmup = SCHEDULES[kind]

    def schedule(step):
        s = np.asarray(step, dtype=np.float64)
        progress = np.clip((s - warmup_steps) / (total_steps - warmup_steps), 0.0, 1.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = after_warmup(progress, s, warmup_steps, peak_lr, min_lr, **kw)
            warming = peak_lr * s / warmup_steps if warmup_steps else rate
        out = np.where(s < warmup_steps, warming, rate)
        return out.item() if out.ndim == 0 else out

    schedule.kind = kind
    return schedule
