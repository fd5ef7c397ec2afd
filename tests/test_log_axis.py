"""Log axes get ticks spread over the log scale, labelled as the page writes numbers."""

import math

import numpy as np
from bokeh.models import FixedTicker
from bokeh.plotting import figure

from lessons.numbers import number
from widgets.log_axis import MOST_LABELS, fit_log_ticks, log_ticks, tick_labels

SPANS = [(low, low * ratio) for low in np.geomspace(1e-14, 1e6, 41) for ratio in np.geomspace(1.05, 1e16, 60)]


def test_every_span_gets_a_few_readable_ticks_inside_it():
    for low, high in SPANS:
        major, minor = log_ticks(low, high)
        assert 2 <= len(major) <= 2 * MOST_LABELS, (low, high, major)
        assert all(low <= t <= high for t in major + minor), (low, high)
        assert major == sorted(major) and not set(major) & set(minor)


def test_ticks_are_never_crowded_at_one_end_of_the_log_axis():
    """Neighbouring labels are at least a tenth of the axis apart in log terms, unless the span is
    so short that the axis is nearly linear (under a factor of 2.5)."""
    for low, high in SPANS:
        if high / low < 2.5:
            continue
        major, _ = log_ticks(low, high)
        gaps = np.diff(np.log10(major)) / math.log10(high / low)
        assert gaps.min() >= 0.1 or high / low < 12, (low, high, major)


def test_spans_of_two_decades_or_more_are_labelled_at_powers_of_ten_only():
    major, minor = log_ticks(0.5, 2000.0)
    assert major == [1.0, 10.0, 100.0, 1000.0] and 2.0 in minor
    major, minor = log_ticks(1e-13, 10.0)
    assert len(major) <= MOST_LABELS and all(float(f"1e{round(math.log10(t))}") == t for t in major)
    assert major == [1e-12, 1e-10, 1e-8, 1e-6, 1e-4, 1e-2, 1.0] or len(major) <= MOST_LABELS


def test_a_decade_or_so_is_labelled_one_two_five():
    assert log_ticks(60.0, 700.0)[0] == [100.0, 200.0, 500.0]
    assert log_ticks(0.03, 0.4)[0] == [0.05, 0.1, 0.2]


def test_the_axis_is_labelled_with_the_pages_numbers():
    plot = figure(y_axis_type="log")
    axis = plot.yaxis[0]
    fit_log_ticks(axis, 0.03, 0.4)
    assert isinstance(axis.ticker, FixedTicker) and plot.ygrid[0].axis is axis
    assert axis.major_label_overrides == {t: number(t) for t in axis.ticker.ticks} == {0.05: "0.05", 0.1: "0.1",
                                                                                      0.2: "0.2"}
    fit_log_ticks(axis, 2e-6, 3e-4)
    assert list(axis.major_label_overrides.values()) == ["2 × 10⁻⁶", "5 × 10⁻⁶", "10⁻⁵", "2 × 10⁻⁵", "5 × 10⁻⁵",
                                                         "10⁻⁴", "2 × 10⁻⁴"]
    ticker = axis.ticker
    fit_log_ticks(axis, 1.0, 1e4)
    assert axis.ticker is ticker, "a new range changes the ticks, not the model"
    assert list(axis.major_label_overrides.values()) == ["1", "10", "10²", "10³", "10⁴"]


def test_powers_of_ten_on_one_axis_are_written_alike():
    assert tick_labels([1e-6, 1e-4, 1e-2, 1.0]) == ["10⁻⁶", "10⁻⁴", "10⁻²", "1"]
    assert tick_labels([1.0, 10.0, 100.0, 1e3, 1e4]) == ["1", "10", "10²", "10³", "10⁴"]
    assert tick_labels([1e-4, 1e-2, 1.0]) == ["0.0001", "0.01", "1"]
    for low, high in SPANS:
        labels = tick_labels(log_ticks(low, high)[0])
        assert not (any("10⁻" in x for x in labels) and any(x.startswith("0.0") for x in labels)), labels
