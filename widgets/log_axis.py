"""Ticks for log axes that stay readable whatever span the data give them.

Over less than two decades BokehJS's log ticker spaces its ticks evenly in value, so on a log
axis they crowd together at the top (100, 200, ..., 700 in the top third of the axis). These
ticks are chosen in the log scale instead, and labelled as the page writes numbers (`number`).
"""

import math

from bokeh.models import Axis, FixedTicker

from lessons.numbers import number, scientific

MOST_LABELS = 6
"""An axis 300 px tall (or a phone's width) holds about this many labels without crowding."""

DENSER = ((1, 2, 5), tuple(range(1, 10)))
"""The mantissas tried in turn when an axis holds fewer than three whole decades."""


def _within(values, low, high) -> list[float]:
    return [v for v in values if low <= v <= high]


def _tick(mantissa: int, exponent: int) -> float:
    return float(f"{mantissa}e{exponent}")  # exactly the float a reader's 2e-5 means


def log_ticks(low: float, high: float) -> tuple[list[float], list[float]]:
    """Major and minor ticks for a log axis from `low` to `high` (both > 0): whole decades
    (every second or third one when there are many), else 1-2-5 in each decade, else 1 to 9, and
    for a span under a factor of about 2, evenly spaced values."""
    if not (0 < low < high and math.isfinite(high)):
        return [], []
    first, last = math.floor(math.log10(low)), math.ceil(math.log10(high))

    def every(mantissas) -> list[float]:
        return _within([_tick(m, k) for k in range(first, last + 1) for m in mantissas], low, high)

    powers = every((1,))
    if len(powers) >= 3:
        stride = math.ceil(len(powers) / MOST_LABELS)
        kept = [p for p in powers if round(math.log10(p)) % stride == 0]
        minor = [p for p in powers if p not in kept] if stride > 1 else every(range(2, 10))
        return kept, minor if len(minor) <= 60 else []
    for mantissas in DENSER:
        major = every(mantissas)
        if len(major) >= 3:
            return major, [t for t in every(range(1, 10)) if t not in major]
    step = _nice_step((high - low) / 5)
    first_step, last_step = math.ceil(low / step - 1e-9), math.floor(high / step + 1e-9)
    return _within([float(f"{k * step:.12g}") for k in range(first_step, last_step + 1)], low, high), []


def _nice_step(rough: float) -> float:
    power = 10 ** math.floor(math.log10(rough))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= rough)


def fit_log_ticks(axis: Axis, low: float, high: float):
    """Give a log `axis` ticks for its new range, labelled as the page writes numbers."""
    major, minor = log_ticks(low, high)
    if not isinstance(axis.ticker, FixedTicker):
        axis.ticker = FixedTicker()
    axis.ticker.update(ticks=major, minor_ticks=minor)
    axis.major_label_overrides = dict(zip(major, tick_labels(major), strict=True))


def tick_labels(ticks: list[float]) -> list[str]:
    """Labels as the page writes numbers; where some tick must be written with a power of ten
    (5 × 10⁻⁶), all the others on the axis are too (10⁻⁴, not 0.0001), except those from 1 to 99."""
    exponents = [math.floor(math.log10(t)) for t in ticks]
    if not any(not -4 <= e < 4 for e in exponents):  # where `number` itself switches to powers
        return [number(t) for t in ticks]
    return [number(t) if e in (0, 1) else _with_power(t) for t, e in zip(ticks, exponents, strict=True)]


def _with_power(value: float) -> str:
    mantissa, exponent = f"{value:.3e}".split("e")
    return scientific(mantissa.rstrip("0").rstrip("."), int(exponent))
