"""Widget state in Python, no browser: settings change the Bokeh data as the curriculum says."""

import itertools

import numpy as np
import pytest
from bokeh.core.validation.check import check_integrity
from bokeh.document import Document
from bokeh.events import Tap
from bokeh.models import Line, Plot

import app
from chapters import CHAPTERS, build, preview
from chapters.ch0_landscape import ExplorerLesson, descent_editor, descent_table
from chapters.ch1_sgd import MiniBatchLesson, divisors, toy_table
from chapters.ch2_momentum import LookaheadLesson, RavineRace, momentum_editor, momentum_table
from optimizers import SCHEDULES
from widgets.inputs import InputError, parse_number
from widgets.timeline import Timeline


def path_of(lesson_explorer, index=0):
    return lesson_explorer.paths[index].path()


def tap(figure, x, y):
    figure._trigger_event(Tap(model=figure, x=x, y=y))


# The player ------------------------------------------------------------------------------------

def test_timeline_show_puts_a_prefix_in_trails_and_one_row_in_points():
    timeline = Timeline("t")
    path = timeline.track("path", "x", "y", trail=True, point=True)
    label = timeline.track("label", "text", point=True)
    timeline.load({path: {"x": np.arange(5.0), "y": np.arange(5.0)}, label: {"text": list("abcde")}},
                  last=4, show=2)
    assert list(timeline.trails.data[path["x"]]) == [0.0, 1.0, 2.0]
    assert list(timeline.points.data[path["y"]]) == [2.0]
    assert timeline.points.data[label["text"]] == ["c"]
    assert label["text"] not in timeline.trails.data, "a point-only track is not sliced into the trails"
    assert timeline.step == 2 and timeline.last == 4
    timeline.show(99)
    assert timeline.step == 4 and timeline.points.data[label["text"]] == ["e"]


def test_timeline_pads_short_tracks_with_their_last_row():
    timeline = Timeline("t")
    long, short = timeline.track("long", "v", point=True), timeline.track("short", "v", point=True)
    timeline.load({long: {"v": np.arange(4.0)}, short: {"v": np.array([7.0, 8.0])}}, last=3)
    assert list(timeline.column(short, "v")) == [7.0, 8.0, 8.0, 8.0]
    assert timeline.points.data[short["v"]][0] == 8.0 and timeline.points.data[long["v"]][0] == 3.0
    with pytest.raises(ValueError, match="already has a track"):
        timeline.track("long", "v")


# Chapter 0 -------------------------------------------------------------------------------------

def test_a_new_learning_rate_changes_the_path():
    lesson = ExplorerLesson()
    before = path_of(lesson.explorer)
    lesson.lr = 0.5
    after = path_of(lesson.explorer)
    assert before.shape == after.shape and not np.allclose(before, after)
    np.testing.assert_allclose(after, lesson.explorer.trajectories[0].params)


def test_a_tap_on_the_map_moves_the_start():
    lesson = ExplorerLesson()
    tap(lesson.explorer.view.figure, 1.25, -0.5)
    np.testing.assert_allclose(path_of(lesson.explorer)[0], [1.25, -0.5])
    tap(lesson.explorer.view.figure, 40.0, 0.0)  # off the map: ignored
    np.testing.assert_allclose(path_of(lesson.explorer)[0], [1.25, -0.5])


def test_bowl_diverges_above_the_critical_rate_and_converges_below():
    lesson = ExplorerLesson(landscape="bowl", lr=1.05, steps=200)
    traj = lesson.explorer.trajectories[0]
    assert traj.diverged_at > 0
    assert "diverged at step" in lesson.explorer.readouts[0].lines()[-1]
    assert np.isnan(path_of(lesson.explorer)[-1]).all()
    lesson.lr = 0.95
    assert lesson.explorer.trajectories[0].diverged_at == -1
    assert lesson.explorer.steps_to_reach(1e-6)[0] is not None


def test_a_new_landscape_redraws_the_bands_and_lines_without_covering_them():
    lesson = ExplorerLesson(landscape="bowl")
    view = lesson.explorer.view
    bands_before = np.array(view.bands.data["z"][0])
    lesson.landscape = "saddle"
    assert not np.allclose(view.bands.data["z"][0], bands_before)
    assert view.band_colors.low < 0 < view.band_colors.high, "the saddle's loss goes below zero"
    assert len(view.contours.line_renderer.data_source.data["xs"]) > 0
    assert len(view.contours.fill_renderer.data_source.data.get("xs", [])) == 0, "no filled polygons over the bands"


def test_bowl_crawls_at_a_tiny_rate():
    lesson = ExplorerLesson(landscape="bowl", lr=0.1, steps=1000)
    brisk = lesson.explorer.steps_to_reach(1e-6)[0]
    lesson.lr = 0.005
    crawl = lesson.explorer.steps_to_reach(1e-6)[0]
    assert crawl > 15 * brisk
    losses = lesson.explorer.landscape.f(path_of(lesson.explorer))
    assert losses[50] > 0.3 * losses[0], "50 steps at eta=0.005 leave most of the loss"


def test_ravine_floor_needs_thousands_of_steps_at_a_small_rate():
    lesson = ExplorerLesson(landscape="ravine", lr=0.005, steps=3000)
    assert lesson.explorer.steps_to_reach(1e-2)[0] is None
    lesson.lr = 0.15
    assert lesson.explorer.steps_to_reach(1e-2)[0] < 1000


def test_gradient_descent_stops_at_the_saddle_from_the_ridge():
    lesson = ExplorerLesson(landscape="saddle", lr=0.1, steps=1000)
    surface = lesson.explorer.landscape
    final = path_of(lesson.explorer)[-1]
    np.testing.assert_allclose(final, [0.0, 0.0], atol=1e-9)
    assert surface.f(final) > min(surface.f(np.array(m)) for m in surface.minima) + 0.2
    tap(lesson.explorer.view.figure, 1.8, 0.01)
    assert abs(path_of(lesson.explorer)[-1][1]) == pytest.approx(1.0, abs=1e-3), "off the ridge it rolls off"


def test_descent_table_matches_the_curriculum_and_reports_divergence():
    rows, note, diverged = descent_table(0.1, 0.0)
    assert [round(r[1], 5) for r in rows] == [0, 0.6, 1.08, 1.464, 1.7712, 2.01696]
    assert not diverged
    _, note, _ = descent_table(0.001, 0.0)
    assert "after 100 steps x = 0.544" in note and "after 1000 steps x = 2.595" in note
    rows, note, diverged = descent_table(1.1, 0.0)
    assert diverged and "Diverged at step" in note
    assert [round(r[2], 2) for r in rows[:3]] == [9, 12.96, 18.66]


def test_odd_text_in_a_box_shows_a_message_and_changes_nothing():
    table = descent_editor()
    before = table.tables[0].object
    table.boxes["lr"].value = "__import__('os')"
    assert table.message.visible and "is not a number" in table.message.object
    assert table.tables[0].object == before
    table.boxes["lr"].value = "0,5"
    assert not table.message.visible and table.values["lr"] == 0.5
    assert table.tables[0].object != before
    table.boxes["x0"].value = "1e9"
    assert table.message.visible and "between" in table.message.object and table.values["x0"] == 0.0


@pytest.mark.parametrize("text", ["nan", "inf", "", "1/0", "2**10"])
def test_parse_number_refuses_anything_that_is_not_a_plain_number(text):
    with pytest.raises(InputError):
        parse_number(text, name="η", low=0, high=10)


# Chapter 1 -------------------------------------------------------------------------------------

def test_toy_table_figures():
    rows, updates, note = toy_table(1.0, 0.01)
    assert [r[3] for r in rows] == [-2, -8, -12, -32]
    assert updates[0][2:] == ["−13.5", "1.135"]
    assert updates[1][2:] == ["−7", "1.07"]
    assert "−13.5" in note


def test_mini_batch_arrows_average_to_the_full_arrow():
    lesson = MiniBatchLesson()
    for batch_size in divisors(lesson.fit.n):
        grads = lesson.batch_gradients(batch_size)
        np.testing.assert_allclose(grads.mean(axis=0), lesson.fit.grad(np.array(lesson.point)), atol=1e-12)


def test_spread_shrinks_with_the_batch_and_vanishes_at_the_full_batch():
    lesson = MiniBatchLesson()
    sizes = divisors(lesson.fit.n)
    expected = [lesson.expected_spread(b) for b in sizes]
    assert all(a > b for a, b in itertools.pairwise(expected)) and expected[-1] == 0
    observed = [np.mean([lesson.spread(b, seed) ** 2 for seed in range(300)]) ** 0.5 for b in sizes]
    np.testing.assert_allclose(observed[:-1], expected[:-1], rtol=0.15)
    assert lesson.spread(lesson.fit.n) == 0.0
    # Roughly 1/sqrt(B) while B is much smaller than N.
    assert expected[0] / expected[3] == pytest.approx(np.sqrt(sizes[3]), rel=0.2)


def test_batch_size_changes_the_fan_and_a_tap_moves_the_point():
    lesson = MiniBatchLesson(batch_size=4)
    assert len(lesson.fan.data["x0"]) == 6
    spread_small_batches = np.std(lesson.fan.data["x1"])
    lesson.batch_size = 12
    assert len(lesson.fan.data["x0"]) == 2
    lesson.batch_size = 1
    assert len(lesson.fan.data["x0"]) == 24 and np.std(lesson.fan.data["x1"]) > spread_small_batches
    tap(lesson.view.figure, 1.0, 0.5)
    assert lesson.fan.data["x0"][0] == 1.0 and lesson.full.data["y0"] == [0.5]
    lesson.show = "full batch only"
    assert lesson.fan.data["x0"] == [] and len(lesson.full.data["x0"]) == 1
    seed_before = lesson.seed
    lesson.resample()
    assert lesson.seed == seed_before + 1


# Chapter 2 -------------------------------------------------------------------------------------

def test_momentum_table_figures():
    rows, note = momentum_table(0.01, 0.9)
    np.testing.assert_allclose([r[1] for r in rows[1:]], [0.060, 0.1728, 0.3309, 0.5265, 0.7521], atol=5e-5)
    np.testing.assert_allclose([r[3] for r in rows[1:]], [0.060, 0.1188, 0.1764, 0.2329, 0.2882], atol=5e-5)
    assert "2.61 times" in note


def test_momentum_table_refuses_beta_of_one():
    table = momentum_editor()
    table.boxes["beta"].value = "1"
    assert table.message.visible and table.values["beta"] == 0.9


def test_momentum_reaches_the_floor_in_far_fewer_steps():
    race = RavineRace()
    sgd_steps, momentum_steps = race.explorer.steps_to_reach(1e-3)
    assert momentum_steps is not None and sgd_steps is not None and momentum_steps * 3 < sgd_steps
    assert "momentum" in race.verdict()


def test_beta_zero_makes_the_two_panels_identical():
    race = RavineRace(beta=0.0)
    np.testing.assert_array_equal(path_of(race.explorer, 0), path_of(race.explorer, 1))
    race.beta = 0.5
    assert not np.array_equal(path_of(race.explorer, 0), path_of(race.explorer, 1))


def test_a_tap_on_either_panel_moves_the_shared_start():
    race = RavineRace()
    tap(race.explorer.views[1].figure, -5.0, 1.0)
    np.testing.assert_allclose(path_of(race.explorer, 0)[0], [-5.0, 1.0])
    np.testing.assert_allclose(path_of(race.explorer, 1)[0], [-5.0, 1.0])


def test_the_race_map_titles_name_what_the_readouts_show_after_beta_moves():
    race = RavineRace()
    race.beta = 0.5
    for view, readout in zip(race.explorer.views, race.explorer.readouts, strict=True):
        label = readout.lines()[0].split(":")[0]
        assert view.figure.title.text.startswith(f"{label} (")


def test_nesterov_overshoots_less_than_classical_momentum():
    lesson = LookaheadLesson()
    (classical_peak, classical_crossings), (nesterov_peak, nesterov_crossings) = lesson.overshoots()
    assert nesterov_peak < 0.75 * classical_peak
    assert nesterov_crossings < classical_crossings, "fewer visible swings across the minimum"
    lesson.lr = 0.1
    (classical_peak, _), (nesterov_peak, _) = lesson.overshoots()
    assert nesterov_peak < classical_peak


def test_the_ghost_sits_at_the_lookahead_point():
    lesson = LookaheadLesson()
    traj = lesson.explorer.trajectories[1]
    timeline, track = lesson.explorer.timeline, lesson.explorer.ghosts[1].track
    ghost = {column: timeline.column(track, column) for column in ("x", "y", "bx", "by")}
    np.testing.assert_allclose(np.column_stack([ghost["x"], ghost["y"]]), traj.params)
    ball = np.column_stack([ghost["bx"], ghost["by"]])
    velocity = traj.internals["velocity"]
    np.testing.assert_allclose(ball[1:] - traj.params[1:], lesson.lr * lesson.beta * velocity, atol=1e-12)


# The app shell ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "chapter", "warned"), [
    (b"3", 3, False), (b"0", 0, False), (b"9", 9, False), (b"", None, False),
    (b"42", None, True), (b"-1", None, True), (b"abc", None, True), (b"<script>", None, True),
])
def test_chapter_in_the_url(value, chapter, warned):
    found, message = app.requested_chapter({"chapter": [value]})
    assert found == chapter and bool(message) == warned
    if warned:
        assert "numbered 0 to 9" in message


def test_the_schedule_preview_draws_each_schedule_over_all_its_steps():
    figure = preview.schedules().object
    lines = [r for r in figure.renderers if isinstance(r.glyph, Line)]
    assert len(lines) == len(SCHEDULES)
    for line in lines:
        data = line.data_source.data
        assert list(data[line.glyph.x]) == list(range(1001))
        assert min(data[line.glyph.y]) >= 0 and max(data[line.glyph.y]) == pytest.approx(1.0)


@pytest.mark.parametrize("number", range(len(CHAPTERS)))
def test_every_chapter_builds(number):
    page = build(number)
    assert page.name == f"chapter-{number}"


@pytest.mark.parametrize("chapter", [None, *range(len(CHAPTERS))])
def test_every_page_renders_to_a_document(chapter):
    """As the server does it: Panel turns the page into Bokeh models, each value checked. The
    served app skips Bokeh's integrity checks on each visit; they run here."""
    document = Document()
    app.create_app({} if chapter is None else {"chapter": [str(chapter).encode()]}).server_doc(document)
    issues = check_integrity(document.models)
    assert issues.error == [] and issues.warning == []
    assert any(isinstance(model, Plot) for model in document.models), "every page draws at least one plot"


def test_the_app_marks_the_current_chapter_and_links_its_neighbours():
    template = app.create_app({"chapter": [b"2"], "theme": [b"dark"]})
    nav = template.sidebar[0].object
    assert "**▸ 2 · Momentum and Nesterov**" in nav and "theme=dark" in nav
    footer = template.main[-1].object
    assert "?chapter=1&theme=dark" in footer and "?chapter=3&theme=dark" in footer
    bad = app.create_app({"chapter": [b"12"]})
    assert bad.main[0].alert_type == "warning" and bad.main[1].name == "home"


@pytest.mark.parametrize("module", ["chapters.ch0_landscape", "chapters.ch1_sgd", "chapters.ch2_momentum"])
def test_quiz_explains_every_answer(module):
    import importlib

    quiz = importlib.import_module(module).quiz()
    assert quiz.feedback.object == "Pick an answer."
    for choice in quiz.choices:
        quiz.options.value = choice.text
        assert choice.why in quiz.feedback.object and len(choice.why) > 40
        assert quiz.feedback.alert_type == ("success" if choice.correct else "warning")


def test_code_view_shows_the_running_source_verbatim():
    from optimizers.sgd import sgd
    from widgets.code_view import code_view

    shown = code_view(sgd)[1].object
    assert "velocity" in shown and "$$" in shown, "the docstring's maths stays source text"
    assert "def" in shown and "sgd" in shown
