"""lessons/kept.py: results shared between visits are computed once, read-only, and bounded."""

import numpy as np
import pytest

from lessons import Entry, Race
from lessons.kept import Kept
from lessons.race import RESULTS


def test_a_kept_result_is_computed_once_and_its_arrays_cannot_be_written():
    kept, calls = Kept(max_bytes=10_000), []

    def compute():
        calls.append(1)
        return {"path": np.zeros(10), "lanes": (np.ones(5), [np.arange(3.0)])}

    first = kept.get("a", compute)
    assert kept.get("a", compute) is first and len(calls) == 1
    for array in (first["path"], first["lanes"][0], first["lanes"][1][0]):
        with pytest.raises(ValueError):
            array[0] = 7.0


def test_the_least_recently_used_go_first_once_the_bytes_are_over_the_bound():
    kept = Kept(max_bytes=3 * 800)
    for key in "abc":
        kept.get(key, lambda: np.zeros(100))
    kept.get("a", lambda: np.zeros(100))  # a is now the most recent
    kept.get("d", lambda: np.zeros(100))
    assert len(kept) == 3 and kept.bytes == 2400
    again = []
    kept.get("b", lambda: again.append(1) or np.zeros(100))
    assert again == [1], "b was the least recently used, so it went"
    kept.get("a", lambda: pytest.fail("a was kept"))


def test_two_visits_with_the_same_settings_share_one_result_and_a_change_computes_another():
    racers = [Entry("sgd", hyper={"lr": 0.01})]
    first, second = Race(landscape="ellipse", steps=40, contestants=racers), Race(landscape="ellipse", steps=40,
                                                                                  contestants=list(racers))
    assert second.result is first.result
    second.steps = 41
    assert second.result is not first.result and len(second.result.lanes[0].path) == 42
    assert len(first.result.lanes[0].path) == 41
    assert RESULTS.bytes <= RESULTS.max_bytes


def test_the_bound_counts_the_text_an_object_array_holds():
    kept = Kept(max_bytes=10**9)
    kept.get("text", lambda: np.array(["a line of read-out text"] * 100, dtype=object))
    assert kept.bytes > 100 * len("a line of read-out text")
