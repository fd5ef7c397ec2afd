"""The widget kit without a browser: lesson models, the timeline's groups, the views drawn from a
Race, links, and the registry as the one source of optimizer facts."""

import itertools

import numpy as np
import pytest
from bokeh.events import Tap
from bokeh.models import ContourRenderer, Text

import landscapes
from lessons import Entry, Link, Player, Race
from lessons.adam import ScaleRace
from lessons.links import parse
from optimizers import REGISTRY, names
from optimizers.registry import get_spec, make_spec, register, unregister
from widgets.inputs import InputError, parse_number
from widgets.line_chart import Curve, LineChart
from widgets.map_view import MOST_CASED
from widgets.matrix_view import MatrixPair
from widgets.race_view import RaceView
from widgets.readout import readout_lines
from widgets.timeline import Timeline


def tap(figure, x, y):
    figure._trigger_event(Tap(model=figure, x=x, y=y))


# The timeline ----------------------------------------------------------------------------------

def test_a_group_shows_each_row_cut_at_the_step_and_its_value_there():
    timeline = Timeline("t")
    group = timeline.group("paths", ("x", "text"), ("label",))
    timeline.load(group, {"x": [np.arange(5.0), np.array([7.0, 8.0])], "text": [list("abcde"), list("pq")],
                          "label": ["long", "short"]}, last=4)
    timeline.show(2)
    assert [list(seq) for seq in group.trail.data["x"]] == [[0.0, 1.0, 2.0], [7.0, 8.0, 8.0]], "short rows repeat"
    assert group.point.data["x"] == [2.0, 8.0] and list(group.point.data["text"]) == ["c", "q"]
    assert group.point.data["label"] == ["long", "short"] and timeline.step == 2 and timeline.last == 4
    timeline.show(99)
    assert timeline.step == 4 and group.point.data["text"][0] == "e"


def test_rows_come_and_go_without_new_models():
    timeline = Timeline("t")
    group = timeline.group("paths", ("x",), ("label",))
    sources = (group.full, group.trail, group.point)
    for count in (1, 15, 0, 3):
        timeline.load(group, {"x": [np.arange(3.0)] * count, "label": ["a"] * count}, last=2)
        timeline.show()
        assert len(group.point.data["x"]) == count
    assert (group.full, group.trail, group.point) == sources


def test_the_browser_reporting_its_step_reaches_the_player():
    player = Player()
    timeline = Timeline("t", player)
    timeline.state.tags = [7, 20]
    assert player.step == 7
    timeline.state.tags = [20, 20]
    assert player.step == -1, "at the end: -1, 'show the whole path'"
    player.speed = 90
    assert timeline.speed.value == 90
    timeline.speed.value = 12
    assert player.speed == 12


# The Race model -------------------------------------------------------------------------------

def test_a_race_takes_any_subset_of_the_registry_in_any_order():
    race = Race(landscape="rosenbrock", steps=30)
    assert race.result.lanes == ()
    everyone = [Entry(name) for name in reversed(names())]
    race.contestants = everyone
    assert [lane.entry.optimizer for lane in race.result.lanes] == list(reversed(names()))
    assert all(lane.ok for lane in race.result.lanes)
    assert all(lane.path.shape == (31, 2) for lane in race.result.lanes)
    race.contestants = everyone[:2]
    assert len(race.result.lanes) == 2


def test_a_setting_a_method_refuses_is_a_lane_error_not_an_exception():
    race = Race(contestants=[Entry("nesterov", hyper={"momentum": 0.0}), Entry("sgd", hyper={"lr": 0.1})])
    nesterov, sgd = race.result.lanes
    assert not nesterov.ok and "requires momentum > 0" in nesterov.error and nesterov.path is None
    assert sgd.ok


def test_lanes_report_leaving_the_map_and_diverging_at_the_steps_they_happen():
    race = Race(landscape="bowl", contestants=[Entry("sgd", hyper={"lr": 1.05})])
    lane = race.result.lanes[0]
    surface = race.surface
    assert not surface.contains(lane.path[lane.left_map_at]) and surface.contains(lane.path[lane.left_map_at - 1])
    assert lane.diverged_at > lane.left_map_at and np.isnan(lane.path[lane.diverged_at + 1:]).all()
    lines = readout_lines(lane, surface, race.result.minimum, race.steps)
    assert "off the map" in lines[lane.left_map_at] and "θ = (" in lines[lane.left_map_at - 1]
    assert "diverged at step" in lines[lane.diverged_at] and "diverged" not in lines[lane.diverged_at - 1]
    assert "passed 300" in lines[lane.diverged_at], "the bowl's edge is 3: the run stops beyond 300"
    assert f"(off the map since\n   step {lane.left_map_at})" in lines[-1], "the last step still says where it left"
    assert np.abs(lane.path[lane.diverged_at]).max() > 300 >= np.abs(lane.path[lane.diverged_at - 1]).max()


def test_a_new_landscape_resets_the_start_unless_a_start_comes_with_it():
    race = Race(landscape="bowl")
    race.landscape = "saddle"
    assert race.start == race.surface.start
    race.param.update(landscape="ravine", start=(-5.0, 1.0))
    assert race.start == (-5.0, 1.0) and race.result.start == (-5.0, 1.0)


def test_a_click_off_the_map_or_not_a_number_is_ignored():
    race = Race(landscape="bowl", contestants=[Entry("sgd")])
    assert race.set_start(1.0, -1.0) and race.result.start == (1.0, -1.0)
    for x, y in ((40.0, 0.0), (None, 1.0), (float("nan"), 0.0), ("a", 1)):
        assert not race.set_start(x, y)
    assert race.result.start == (1.0, -1.0)


def test_noise_is_seeded_and_the_same_for_every_entry():
    race = Race(landscape="bowl", noise=0.5, seed=3, contestants=[Entry("sgd", "a"), Entry("sgd", "b")])
    first, second = race.result.lanes
    np.testing.assert_array_equal(first.path, second.path)
    again = Race(landscape="bowl", noise=0.5, seed=3, contestants=[Entry("sgd", "a")]).result.lanes[0]
    np.testing.assert_array_equal(first.path, again.path)
    race.seed = 4
    assert not np.array_equal(race.result.lanes[0].path, first.path)


# Views ----------------------------------------------------------------------------------------

def test_ticking_optimizers_on_and_off_changes_data_not_models():
    race = Race(landscape="himmelblau", steps=40, contestants=[Entry("sgd")])
    view = RaceView(race, "arena")
    group = view.groups[0]
    renderers = list(view.maps[0].figure.renderers)
    race.contestants = [Entry(name) for name in names()]
    assert len(group.point.data["x"]) == len(names()) and group.point.data["label"][0] == "SGD"
    assert view.maps[0].figure.renderers == renderers
    race.contestants = []
    assert group.point.data["x"] == []


def test_the_readout_is_written_under_the_map_and_grows_with_its_paths():
    race = Race(landscape="ellipse", steps=30, contestants=[Entry("sgd")])
    view = RaceView(race, "r")
    map_view = view.maps[0]
    assert not any(isinstance(r.glyph, Text) for r in map_view.figure.renderers), "nothing written on the map"
    assert [r.data_source for r in map_view.readout.renderers] == [view.groups[0].point]
    one = map_view.readout.height
    race.contestants = [Entry("sgd"), Entry("adam"), Entry("momentum")]
    assert map_view.readout.height > 2.5 * one - 20
    assert map_view.plot.children == [map_view.figure, map_view.readout]
    quiet = RaceView(race, "quiet", readout=False).maps[0]
    assert quiet.readout is None and quiet.plot is quiet.figure


@pytest.mark.parametrize("count", range(1, len(names()) + 1))
def test_in_a_small_race_each_trail_is_wide_enough_to_show_round_the_ones_drawn_over_it(count):
    race = Race(landscape="ellipse", steps=20, contestants=[Entry(name) for name in names()[:count]])
    widths = RaceView(race, "r").groups[0].full.data["width"]
    assert len(widths) == count and min(widths) >= 2
    if count <= MOST_CASED:  # a border of at least 1 px on each side of every later trail
        assert all(earlier >= later + 2 for earlier, later in itertools.pairwise(widths))
    else:
        assert len(set(widths)) == 1, "a crowded map draws every trail alike"


def test_a_map_shows_its_legend_under_a_low_landscape_and_over_a_tall_one():
    race = Race(landscape="bowl", contestants=[Entry("sgd")])
    view = RaceView(race, "r").maps[0]
    for landscape, low in (("ravine", True), ("saddle", False), ("ravine", True), ("bowl", False)):
        race.landscape = landscape
        shown = [legend for legend in view.figure.legend if legend.visible]
        assert len(shown) == 1 and (shown[0] in view.figure.below) == low
        assert [item.label for item in shown[0].items] == [item.label for item in view.legend.items]
    hidden = RaceView(Race(landscape="bowl", contestants=[Entry("sgd")]), "arena", text_legend=True).maps[0]
    hidden.set_landscape(landscapes.get("ravine"))
    assert not any(legend.visible for legend in hidden.figure.legend), "a race with a legend of its own shows none"


def test_a_tap_on_the_map_moves_the_start_of_every_path():
    race = Race(landscape="bowl", contestants=[Entry("sgd"), Entry("adam", hyper={"lr": 0.1})])
    view = RaceView(race, "r")
    tap(view.maps[0].figure, 1.25, -0.5)
    assert [list(row[:1]) for row in view.groups[0].full.data["x"]] == [[1.25], [1.25]]
    tap(view.maps[0].figure, 40.0, 0.0)
    assert race.start == (1.25, -0.5)


def test_a_refused_setting_is_explained_beside_the_map():
    race = Race(contestants=[Entry("nesterov", hyper={"momentum": 0.0})])
    view = RaceView(race, "r")
    assert view.notice.visible and "Nesterov" in view.notice.object and "&gt; 0" in view.notice.object
    race.contestants = [Entry("nesterov")]
    assert not view.notice.visible


def test_a_new_landscape_redraws_the_bands_without_filled_polygons():
    race = Race(landscape="bowl", contestants=[Entry("sgd")])
    view = RaceView(race, "r").maps[0]
    before = np.array(view.bands.data["z"][0])
    race.landscape = "saddle"
    assert not np.allclose(view.bands.data["z"][0], before)
    assert view.band_colors.low < 0 < view.band_colors.high, "the saddle's loss goes below zero"
    assert len(view.contours.data["xs"]) > 0
    assert not any(isinstance(r, ContourRenderer) for r in view.figure.renderers), "lines only, no polygons"
    assert view.figure.x_range.start == race.surface.x_range[0]


def test_the_internals_layer_shows_each_coordinate_and_no_rate_before_a_gradient(sequence_grad):
    race = Race(landscape="ellipse", steps=20, start=(0.0, 1.0),
                contestants=[Entry("adagrad", hyper={"lr": 0.1}), Entry("rmsprop", hyper={"lr": 0.01})])
    view = RaceView(race, "r", bars={"internal": "effective_lr", "title": "effective rate"})
    group = view.bars.group
    assert group.point.data["slot"] == ["AdaGrad · x", "AdaGrad · y", "RMSProp · x", "RMSProp · y"]
    texts = group.full.data["text"]
    assert texts[0][1] == "no gradient yet", "x starts at its minimum: its gradient is exactly zero"
    assert texts[1][0] == "" and texts[1][1] != "no gradient yet"
    adagrad_y = group.full.data["top"][1][1:]
    assert np.all(np.diff(adagrad_y) <= 0), "AdaGrad's effective rate never rises"
    np.testing.assert_allclose(adagrad_y, race.result.lanes[0].internals["effective_lr"][:, 1])


def test_nesterovs_ghost_sits_at_the_stored_lookahead_point():
    race = Race(landscape="bowl", steps=30, contestants=[Entry("nesterov", hyper={"lr": 0.05}, ghost=True)])
    view = RaceView(race, "r", ghosts=True)
    lane = race.result.lanes[0]
    data = view.groups[0].full.data
    np.testing.assert_allclose(np.column_stack([data["gx"][0], data["gy"][0]]), lane.params)
    ball = np.column_stack([data["x"][0], data["y"][0]])
    np.testing.assert_allclose(ball[1:] - lane.params[1:], 0.05 * 0.9 * lane.internals["velocity"], atol=1e-12)


# Links ----------------------------------------------------------------------------------------

class Settings(Race):
    pass


HOSTILE = ["nan", "1e308", "-3", "<script>alert(1)</script>", "x" * 10_000, "", "inf", "0x10", "1,2,3"]


def test_each_bad_value_in_a_link_is_ignored_alone_with_a_notice():
    race = Race(landscape="bowl", contestants=[Entry("sgd")])
    link = Link(race, "r", ("landscape", "steps", "noise", "start", "seed"))
    for bad in HOSTILE:
        before = dict(race.param.values())
        notices = link.apply({"r.steps": bad, "r.landscape": "saddle"})
        assert len(notices) == 1 and "r.steps=" in notices[0] and len(notices[0]) < 200
        assert race.landscape == "saddle" and race.steps == before["steps"]
        race.landscape = "bowl"
    assert link.apply({"r.landscape": "himmelblau2"})[0].endswith("not one of the choices.")
    assert "off the Saddle map" in link.apply({"r.landscape": "saddle", "r.start": "9,9"})[0]
    assert link.apply({"r.start": "1.5,-1", "r.steps": "50", "r.noise": "0.25", "r.seed": "7"}) == []
    assert (race.start, race.steps, race.noise, race.seed) == ((1.5, -1.0), 50, 0.25, 7)
    assert link.query() == {"r.landscape": "saddle", "r.steps": "50", "r.noise": "0.25", "r.start": "1.5,-1",
                            "r.seed": "7"}


def test_a_link_value_out_of_bounds_is_answered_with_the_bounds_as_a_reader_writes_them():
    race = Race(landscape="bowl", contestants=[Entry("sgd")])
    link = Link(race, "r", ("seed", "tolerance", "steps"))
    seed, tolerance = link.apply({"r.seed": "3000000000", "r.tolerance": "1e9"})
    assert seed.endswith("outside the range 0 to 2,147,483,647.")
    assert tolerance.endswith("outside the range 10⁻¹² to 1000.") and "e-" not in tolerance and "e+" not in tolerance


def test_every_value_a_link_writes_reads_back_the_same():
    import param

    class Everything(param.Parameterized):
        number = param.Number(0.123456, bounds=(0, 1))
        whole = param.Integer(3, bounds=(0, 10))
        choice = param.Selector(default=0.05, objects=[0.005, 0.05, 0.5])
        word = param.Selector(default="bowl", objects=["bowl", "ravine"])
        flag = param.Boolean(True)
        pair = param.NumericTuple((1.5, -2.25), length=2)
        many = param.ListSelector(default=["sgd", "adam"], objects=names())

    model = Everything()
    link = Link(model, "e", tuple(p for p in model.param if p != "name"))
    written = link.query()
    fresh = Everything(number=0.9, whole=0, choice=0.5, word="ravine", flag=False, pair=(0, 0), many=[])
    assert Link(fresh, "e", link.names).apply(written) == []
    assert Link(fresh, "e", link.names).query() == written
    with pytest.raises(ValueError, match="not one of the choices"):
        parse(model.param.many, "sgd,bogus")


@pytest.mark.parametrize("text", ["nan", "inf", "", "1/0", "2**10", "__import__('os')"])
def test_parse_number_refuses_anything_that_is_not_a_plain_number(text):
    with pytest.raises(InputError):
        parse_number(text, name="η", low=0, high=10)



def test_a_number_out_of_range_is_answered_with_the_range_as_a_reader_writes_it():
    with pytest.raises(InputError, match="must be between −10⁶ and 10⁶; got 2e6"):
        parse_number("2e6", name="g at step 1", low=-1e6, high=1e6)


# The registry ---------------------------------------------------------------------------------

def test_every_registry_entry_carries_what_the_pages_read():
    for spec in REGISTRY.values():
        assert 1950 < spec.year < 2030 and 1 <= spec.chapter <= 7 and spec.paper and spec.idea and spec.best_for
        assert all(parent in REGISTRY for parent in spec.parents)


@pytest.fixture
def throwaway_optimizer():
    def halfway(theta, g, state, t, *, lr):
        r"""Half a gradient step: $$\theta_t = \theta_{t-1} - \tfrac12 \eta g_t$$"""
        return theta - 0.5 * lr * g, state, {}

    spec = register(make_spec("halfway", "Halfway", halfway, lambda theta, **_: {}, 6, 2026, "A test, 2026",
                              ("sgd",), "Half a step.", "tests", lr=0.01))
    yield spec
    unregister("halfway")


def test_a_new_registry_entry_is_one_entry_and_every_page_still_builds(throwaway_optimizer):
    from bokeh.document import Document
    from panel.io.state import set_curdoc

    import app
    from widgets.deferred import draw_all

    assert get_spec("halfway") is throwaway_optimizer and "halfway" in names()
    race = Race(landscape="bowl", contestants=[Entry("halfway")])
    assert race.result.lanes[0].ok
    for chapter in [None, *range(10)]:
        document = Document()
        with set_curdoc(document):
            template = app.create_app({} if chapter is None else {"chapter": [str(chapter).encode()]})
            template.server_doc(document)
            draw_all(*template.main)


def test_a_schedule_drives_every_entry_from_its_rate_as_peak():
    from optimizers import make_schedule, run

    race = Race(landscape="bowl", steps=50, schedule="cosine", warmup=0.2,
                contestants=[Entry("sgd", hyper={"lr": 0.3}), Entry("adam", hyper={"lr": 0.1})])
    surface = race.surface
    for lane, peak in zip(race.result.lanes, (0.3, 0.1), strict=True):
        expected = run(lane.entry.optimizer, surface.grad, race.start, 50, bound=surface.escape_bound,
                       schedule=make_schedule("cosine", 50, peak, warmup_steps=10))
        np.testing.assert_array_equal(lane.path, expected.params)
    constant = Race(landscape="bowl", steps=50, contestants=[Entry("sgd", hyper={"lr": 0.3})])
    assert not np.array_equal(constant.result.lanes[0].path, race.result.lanes[0].path)


def test_the_right_answer_takes_a_place_its_question_decides_the_same_on_every_visit():
    from widgets.quiz import Choice, Quiz

    choices = [Choice("right", True, "because"), Choice("a", False, "no"), Choice("b", False, "no"),
               Choice("c", False, "no")]
    places = {[c.correct for c in Quiz(f"question {k}?", choices).choices].index(True) for k in range(12)}
    assert places == {0, 1, 2, 3}, "across questions the right answer lands in every place"
    again = [c.text for c in Quiz("question 5?", choices).choices]
    assert again == [c.text for c in Quiz("question 5?", choices).choices]
    assert sorted(again) == sorted(c.text for c in choices)


def test_a_float_slider_hands_the_model_the_steps_own_numbers_not_binary_noise():
    from widgets.controls import FloatSlider

    slider = FloatSlider(start=0.0, end=1.0, step=0.01, value=0.5)
    assert slider._process_property_change({"value": 0.9200000000000002}) == {"value": 0.92}
    assert slider._process_property_change({"value_throttled": -0.8999999999999999}) == {"value_throttled": -0.9}
    assert slider._process_property_change({"value": 0.123456789}) == {"value": 0.123456789}


def test_a_check_box_follows_its_parameter_both_ways():
    import param as param_module

    from widgets.controls import check_box

    class Owner(param_module.Parameterized):
        shown = param_module.Boolean(default=False, label="Show it")

    owner = Owner()
    box = check_box(owner, "shown")
    assert box.options == ["Show it"] and box.value == []
    box.value = ["Show it"]
    assert owner.shown is True
    owner.shown = False
    assert box.value == []


def test_a_readout_on_a_scaled_loss_says_it_reads_the_unscaled_one():
    race = ScaleRace()
    for lane in race.result.lanes:
        last = readout_lines(lane, race.surface, race.result.minimum, race.steps)[-1]
        if lane.ok and lane.diverged_at < 0:
            assert ("L (unscaled) − min" in last) == (lane.entry.loss_scale != 1), last


def test_chart_legends_sit_under_the_axes_and_the_chart_keeps_its_height():
    short = LineChart([Curve("a", "v", "#000"), Curve("b", "v̂", "#111")], name="s", title="", y_label="", height=250)
    long = LineChart([Curve(k, f"Schedule-Free {k} (a long label)", "#000") for k in "xyz"], name="l", title="",
                     y_label="", height=250)
    for chart, rows in ((short, 1), (long, 3)):
        legend = chart.figure.legend[0]
        assert legend in chart.figure.below and legend not in chart.figure.center
        assert legend.orientation == ("horizontal" if rows == 1 else "vertical")
        assert chart.figure.height > 250 + 15 * rows, "the legend's rows are added, not taken from the chart"


def test_a_labelled_mark_has_a_legend_entry_drawn_like_it():
    chart = LineChart([Curve("a", "AdaGrad", "#000"), Curve("b", "RMSProp", "#111")], name="m", title="",
                      y_label="", log_y=True, height=250)
    before = chart.figure.height
    chart.mark(0.2, label="2/c")
    entry = chart.figure.legend[0].items[-1]
    assert entry.label.value == "2/c" and len(chart.figure.legend[0].items) == 3
    sample = entry.renderers[0].glyph
    assert (sample.line_dash, sample.line_color) == (chart.marks[0].line_dash, chart.marks[0].line_color)
    assert chart.figure.height == before, "three short labels still fit one row"
    chart.show(np.arange(1, 4), {"a": np.array([1.0, 0.5, 0.3]), "b": np.array([1.0, 0.4, 0.2])})
    assert chart.figure.y_range.start < 0.2 < chart.figure.y_range.end, "the mark is inside the axes"


@pytest.mark.parametrize(("rows", "cols"), [(1, 1), (6, 8), (10, 10), (11, 37), (64, 3)])
def test_heat_map_ticks_sit_on_cell_centres_and_both_maps_carry_a_colour_bar(rows, cols):
    pair = MatrixPair(("a", "b"), name="m")
    matrix = np.arange(1, rows * cols + 1, dtype=float).reshape(rows, cols)
    pair.show(matrix, matrix / 2)
    for fig in pair.figures:
        assert (fig.x_range.start, fig.x_range.end) == (-0.5, cols - 0.5)
        assert (fig.y_range.start, fig.y_range.end) == (rows - 0.5, -0.5), "row 0 at the top"
        for axis, count in ((fig.xaxis[0], cols), (fig.yaxis[0], rows)):
            ticks = axis.ticker.ticks
            assert ticks[0] == 0 and all(0 <= t < count and t == int(t) for t in ticks) and len(ticks) <= 10
        assert sum(type(item).__name__ == "ColorBar" for item in fig.right) == 1, "each map read on its own"


def test_a_bad_box_is_named_and_keeps_its_text_while_the_good_ones_are_applied():
    from lessons.adaptive import AdaptiveByHand
    from widgets.worked_table import EditableTable

    model = AdaptiveByHand()
    table = EditableTable(model, AdaptiveByHand.GRADIENTS, lambda: [], name="t")
    table.boxes["a1"].value = "abc"
    table.boxes["a2"].value = "10⁻³"
    table.boxes["b1"].value = "1e400"
    assert (model.a1, model.a2, model.b1) == (3.0, 1e-3, 0.0)
    assert table.boxes["a1"].value == "abc" and table.boxes["b1"].value == "1e400"
    message = table.message.object
    assert table.message.visible and "g_A at step 1: “abc” is not a number" in message
    assert "g_B at step 1 must be between −1000 and 1000; got 1e400." in message
    assert "The table uses what the other boxes say." in message
    table.boxes["a1"].value = "2"
    table.boxes["b1"].value = "0"
    assert model.a1 == 2.0 and not table.message.visible
    model.param.update(a3=-1.5)
    assert table.boxes["a3"].value == "-1.5" and table.boxes["a2"].value == "10⁻³", "only what changed is rewritten"
