"""Checks on hyperparameters, written once for every optimizer.

Messages follow torch.optim's style so a learner moving to PyTorch meets the same words:
"Invalid beta parameter at index 0: 1.2".
"""

from collections.abc import Mapping

import numpy as np

ARRAY_HYPER = frozenset({"lr", "momentum", "weight_decay", "eps", "alpha", "rho", "momentum_decay", "d"})
"""Hyperparameters that may be given as an array, one value per start (a sweep in one run)."""


def any_nonzero(value) -> bool:
    """Whether a hyperparameter is switched on for any start: a number, or an array of one per
    start (a rule skips work such as weight decay only when no start uses it)."""
    return bool(value.any()) if isinstance(value, np.ndarray) else bool(value)


def _non_negative(name, value):
    if not value >= 0.0:
        raise ValueError(f"Invalid {name.replace('_', ' ')} value: {value} (must be >= 0)")


def _unit_interval(name, value):
    if not 0.0 <= value < 1.0:
        raise ValueError(f"Invalid {name} value: {value} (must be in [0, 1))")


def _betas(name, value):
    for index, beta in enumerate(value):
        if not 0.0 <= beta < 1.0:
            raise ValueError(f"Invalid beta parameter at index {index}: {beta} (must be in [0, 1))")


def _learning_rate(name, value):
    if not value >= 0.0:
        raise ValueError(f"Invalid learning rate: {value} (must be >= 0)")


def _positive_int(name, value):
    if int(value) != value or value < 1:
        raise ValueError(f"Invalid {name.replace('_', ' ')}: {value} (must be a whole number >= 1)")


def _whole_number(name, value):
    if int(value) != value or value < 0:
        raise ValueError(f"Invalid {name.replace('_', ' ')}: {value} (must be a whole number >= 0)")


def _at_least_one(name, value):
    if not value >= 1.0:
        raise ValueError(f"Invalid clipping threshold {name}: {value} (must be >= 1)")


def _non_positive(name, value):
    if not value <= 0.0:
        raise ValueError(f"Invalid {name}: {value} (must be <= 0)")


def _eps_pair(name, value):
    eps1, eps2 = value
    if eps1 is not None:
        _non_negative("eps[0]", eps1)
    _non_negative("eps[1]", eps2)


RULES = {
    "lr": _learning_rate,
    "momentum": _non_negative,
    "weight_decay": _non_negative,
    "eps": _non_negative,
    "rho": _non_negative,
    "momentum_decay": _non_negative,
    "alpha": _unit_interval,
    "betas": _betas,
    "hessian_interval": _positive_int,
    "d": _at_least_one,
    "beta2_decay": _non_positive,
    "warmup_steps": _whole_number,
    "r": _non_negative,
    "weight_lr_power": _non_negative,
}
"""Rule for each hyperparameter name; a name with no rule (a flag) needs none."""

SPECIAL_RULES = {("adafactor", "eps"): _eps_pair}
"""Adafactor's eps is a pair (eps1, eps2), as in torch.optim.Adafactor."""


def resolve(name: str, defaults: Mapping, given: Mapping) -> dict:
    """Merge `given` over `defaults`, refusing unknown names and out-of-range values (every
    element of an array hyperparameter is checked)."""
    unknown = sorted(set(given) - set(defaults))
    if unknown:
        raise ValueError(
            f"{name} has no hyperparameter {', '.join(map(repr, unknown))}; "
            f"it takes {', '.join(sorted(defaults))}"
        )
    merged = {**defaults, **given}
    for key, value in merged.items():
        rule = SPECIAL_RULES.get((name, key), RULES.get(key))
        if isinstance(value, np.ndarray):
            if key not in ARRAY_HYPER or (name, key) in SPECIAL_RULES:
                raise ValueError(f"{name}'s {key} cannot be an array; only {', '.join(sorted(ARRAY_HYPER))} can")
            if value.ndim != 1 or value.size == 0:
                raise ValueError(f"an array {key} needs one value per start, shape (n,), got {value.shape}")
            merged[key] = value = value.astype(np.float64)
            for each in np.unique(value):
                rule(key, float(each))
        elif rule is not None:
            rule(key, value)
    if merged.get("nesterov") and np.any(np.asarray(merged.get("momentum", 0.0)) <= 0.0):
        raise ValueError("Nesterov momentum requires momentum > 0: with β = 0 there is no velocity to look ahead along")
    return merged
