"""The benchmarks' own pieces that a wrong number could come from."""

import os
import time

from bokeh.core.validation.check import check_integrity
from bokeh.document import Document
from bokeh.models import Plot

from benchmarks.ab import server_cpu_seconds
from benchmarks.floor_app import MOST, figure_count, floor_page


def test_the_benchmark_floor_page_holds_as_many_plain_figures_as_asked():
    """`benchmarks/floor_app.py` is what the page benchmark compares each chapter with."""
    asked = [b"5", b"0", b"99", b"x", b"-2", b""]
    assert [figure_count({"figures": [value]}) for value in asked] == [5, 0, MOST, 1, 1, 1]
    document = Document()
    floor_page({"figures": [b"3"]}).server_doc(document)
    assert sum(isinstance(model, Plot) for model in document.models) == 3
    issues = check_integrity(document.models)
    assert issues.error == [] and issues.warning == []


def test_server_cpu_reading_grows_with_work():
    """`benchmarks.ab` reads a server's CPU time from /proc; here, this process's own."""
    before = server_cpu_seconds(os.getpid())
    began = time.process_time()
    while time.process_time() - began < 0.2:
        sum(range(10_000))
    assert 0.1 < server_cpu_seconds(os.getpid()) - before < 5


def test_the_race_benchmark_runs_the_race_every_time_instead_of_reading_kept_results(monkeypatch):
    import lessons.race
    from benchmarks.arena import race_seconds
    from optimizers import names

    lanes_run = []
    original = lessons.race.run_lane
    monkeypatch.setattr(lessons.race, "run_lane", lambda *a, **k: lanes_run.append(1) or original(*a, **k))
    race_seconds()
    race_seconds()
    assert len(lanes_run) >= 2 * 3 * len(names()), "each timed repeat runs every lane"
