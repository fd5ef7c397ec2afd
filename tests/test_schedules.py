"""Each schedule against its closed form, point by point."""

import math

import numpy as np
import pytest

from optimizers import SCHEDULES, make_schedule

T, PEAK, LOW, WARM = 400, 0.01, 0.001, 40


def closed_form(kind, s, **kw):
    if s < WARM:
        return PEAK * s / WARM
    p = min(1.0, (s - WARM) / (T - WARM))
    if kind == "constant":
        return PEAK
    if kind == "step":
        return max(LOW, PEAK * kw["gamma"] ** math.floor((s - WARM) / kw["step_size"]))
    if kind == "cosine":
        return LOW + (PEAK - LOW) * 0.5 * (1 + math.cos(math.pi * p))
    if kind == "linear":
        return PEAK + (LOW - PEAK) * p
    if kind == "inverse_sqrt":
        return max(LOW, PEAK * math.sqrt(WARM / (WARM + s - WARM)))
    if kind == "wsd":
        return PEAK + (LOW - PEAK) * min(1.0, max(0.0, (p - 0.8) / 0.2))
    raise AssertionError(kind)


OPTIONS = {"step": {"step_size": 100, "gamma": 0.5}}


@pytest.mark.parametrize("kind", list(SCHEDULES))
def test_schedule_matches_its_formula_at_every_step(kind):
    schedule = make_schedule(kind, T, PEAK, warmup_steps=WARM, min_lr=LOW, **OPTIONS.get(kind, {}))
    steps = np.arange(T + 50)
    expected = [closed_form(kind, s, **OPTIONS.get(kind, {})) for s in steps]
    np.testing.assert_allclose(schedule(steps), expected, rtol=1e-12, atol=1e-15)
    assert schedule(123) == pytest.approx(expected[123])


def test_without_warmup_every_schedule_starts_at_the_peak():
    for kind in SCHEDULES:
        assert make_schedule(kind, 100, 0.1)(0) == pytest.approx(0.1)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"kind": "triangle"}, "unknown schedule"),
    ({"warmup_steps": 500}, "warmup_steps"),
    ({"min_lr": 1.0}, "min_lr <= peak_lr"),
    ({"kind": "cosine", "gamma": 0.5}, "takes no option gamma"),
    ({"kind": "step", "step_size": 0}, "step_size >= 1"),
])
def test_bad_schedule_arguments(kwargs, message):
    args = {"kind": "cosine", "total_steps": 100, "peak_lr": 0.1, **kwargs}
    with pytest.raises(ValueError, match=message):
        make_schedule(**args)


def test_every_schedule_has_the_name_the_pages_write():
    from optimizers.schedules import SCHEDULE_TITLES, SCHEDULES

    assert set(SCHEDULE_TITLES) == set(SCHEDULES)
    assert all(title and "_" not in title for title in SCHEDULE_TITLES.values())
