"""Chapters 0-2: every worked figure and every claim of the prose, widgets and quizzes, checked on
the lesson models over the whole range of the controls that reach them."""

import html
import itertools
import re

import numpy as np
import pytest
from bokeh.core.validation.check import check_integrity
from bokeh.document import Document
from bokeh.models import Plot
from panel.io.state import set_curdoc

import app
from chapters import CHAPTERS, WRITTEN, build, ch0_landscape, ch1_sgd, ch2_momentum
from chapters.ch0_landscape import LEARNING_RATES, DescentByHand, LandscapeExplorer, bowl_facts, parabola_grad
from chapters.ch1_sgd import MiniBatchLesson, ToyByHand, divisors, loop_diagram
from chapters.ch2_momentum import RATES, WALL, LookaheadLesson, MomentumByHand, RavineRace, last_swing, race_facts
from landscapes import get
from lessons.numbers import typeset
from optimizers import REGISTRY, names, run
from optimizers.sgd import sgd as sgd_rule
from widgets.code_view import code_view
from widgets.deferred import draw_all
from widgets.text import displayed, prose

BETAS = [round(b, 2) for b in np.arange(0.0, 0.995, 0.01)]
"""Every position of the β slider: 0 to 0.99 in steps of 0.01."""


def is_near(value, edge, margin=0.03):
    return abs(value - edge) <= margin * edge


# Chapter 0 -------------------------------------------------------------------------------------

def test_descent_table_figures():
    hand = DescentByHand()
    assert [round(r[1], 5) for r in hand.table().rows] == [0, 0.6, 1.08, 1.464, 1.7712, 2.01696]
    hand.lr = 0.001
    assert "after 100 steps x = 0.544" in hand.table().note and "after 1000 steps x = 2.595" in hand.table().note
    stalled = DescentByHand().table().note
    assert "after 1000 steps x = 3 (offset −8.882 × 10⁻¹⁶: x gets no closer" in stalled
    for lr in (0.9, 0.95, 0.99):
        x = run("sgd", lambda v: 2 * (v - 3), [DescentByHand.param.x0.default], 1000, lr=lr).params[:, 0]
        if 0 < abs(x[-1] - 3) < 1e-14:
            assert x[-1] in (x[-2], x[-3]) and "gets no closer" in DescentByHand(lr=lr).table().note
    x, step = 3 - 8.881784197001252e-16, 0.2 * 8.881784197001252e-16
    assert x + step == x and step < np.spacing(x) / 2, "the step is lost in rounding"
    hand.lr = 1.1
    table = hand.table()
    assert table.alarm and "Diverged" in table.note and [round(r[2], 2) for r in table.rows[:3]] == [9, 12.96, 18.66]
    hand.lr = 0.5
    assert hand.table().rows[1][1] == 3.0, "η = 0.5 lands on 3 in one step"


@pytest.mark.parametrize("lr", np.linspace(0.0, 10.0, 41))
def test_the_offset_is_multiplied_by_one_minus_two_eta_for_every_typed_rate(lr):
    table = DescentByHand(lr=lr, x0=-4.0).table()
    offsets = [row[5] for row in table.rows]
    for before, after in itertools.pairwise(offsets):
        assert after == pytest.approx((1 - 2 * lr) * before, rel=1e-9, abs=1e-12)
    if lr > 0:  # at η = 0 the note says that nothing moves
        shown = re.search(r"1 − 2η = (\S+?)[.:,]?(?:\s|$)", table.note).group(1)
        assert float(shown.replace("−", "-")) == pytest.approx(1 - 2 * lr, rel=1e-3, abs=1e-12)


@pytest.mark.parametrize("lr", [1e-9, 0.4999999, 0.5000001, 0.9999, 0.99999999, 1.0001, 1.00000001, 1.001])
def test_a_factor_near_one_minus_one_or_zero_is_printed_with_the_digits_that_tell_it_apart(lr):
    note = DescentByHand(lr=lr, x0=0.0).table().note
    shown = float(re.search(r"1 − 2η = (\S+?)[.:,]?(?:\s|$)", note).group(1).replace("−", "-"))
    factor = 1 - 2 * lr
    assert shown not in (1.0, -1.0, 0.0) and np.sign(shown) == np.sign(factor)
    assert (abs(shown) > 1) == (abs(factor) > 1)


@pytest.mark.parametrize("x0", [3.0001, 2.99999, 3 + 1e-9, 3 + 4 * np.spacing(3.0), -100.0, 0.0, 100.0])
def test_the_bounce_at_eta_one_names_two_points_that_differ(x0):
    note = DescentByHand(lr=1.0, x0=x0).table().note
    first, second = (float(v.replace("−", "-")) for v in re.search(r"between (\S+) and (\S+) forever", note).groups())
    assert first != second
    assert first == pytest.approx(x0, abs=1e-12) and second == pytest.approx(6 - x0, abs=1e-12)


@pytest.mark.parametrize("lr", [0.4999999, 0.5000001, 1e-9])
def test_the_note_as_shown_writes_a_tiny_factor_as_a_power_of_ten(lr):
    shown = typeset(DescentByHand(lr=lr).table().note)
    assert "× 10⁻" in shown and not re.search(r"\de[+-]?\d", shown) and "e−" not in shown


def test_a_growing_factor_that_rounding_holds_in_place_is_not_said_to_escape():
    x0 = 3 + np.spacing(3.0)
    note = DescentByHand(lr=1.05, x0=x0).table().note
    assert "moves no farther" in note and "passes 10¹²" not in note
    x = run("sgd", parabola_grad, [x0], 20_000, lr=1.05, bound=1e12).params[:, 0]
    assert np.all(np.abs(x - 3) <= np.spacing(3.0)), "x stays within one double of 3"


def test_eta_zero_moves_nothing_and_says_so():
    table = DescentByHand(lr=0.0, x0=-4.0).table()
    assert "stays at x₀ = −4" in table.note and "forever" not in table.note
    assert {row[1] for row in table.rows} == {-4.0}


@pytest.mark.parametrize(("lr", "x0"), [(1.001, 0.0), (1.0003, -100.0), (1.01, 2.9), (1.002, 100.0)])
def test_a_growing_offset_that_has_not_diverged_yet_is_given_its_escape_step(lr, x0):
    note = DescentByHand(lr=lr, x0=x0).table().note
    predicted = int(re.search(r"passes 10¹² after about ([\d,]+) steps", note).group(1).replace(",", ""))
    escaped = run("sgd", parabola_grad, [x0], predicted + 5, lr=lr, bound=1e12).diverged_at
    assert abs(escaped - predicted) <= 1


@pytest.mark.parametrize("lr", LEARNING_RATES)
def test_bowl_overshoots_above_one_over_c_and_diverges_above_two_over_c(lr):
    """The bowl's curvature is 2: overshooting from η > 0.5, never coming back from η > 1."""
    lane = LandscapeExplorer(landscape="bowl", lr=lr, steps=3000).lane
    x = lane.path[:60, 0]
    x = x[np.isfinite(x) & (x != 0)]
    flips = np.any(np.sign(x[1:]) != np.sign(x[:-1]))
    assert flips == (lr > 0.5)
    assert (lane.diverged_at >= 0) == (lr > 1.0)
    assert (lane.left_map_at >= 0) == (lr > 1.0)
    if lr < 1.0:
        assert lane.steps_to_tolerance is not None


def test_the_by_hand_note_names_the_two_edge_cases():
    assert "forever" in DescentByHand(lr=1.0).table().note
    assert "no rate moves it" in DescentByHand(lr=1.5, x0=3.0).table().note
    assert DescentByHand(lr=1.5, x0=2.0).table().alarm


def test_settled_means_the_loss_stays_within_the_tolerance():
    lane = RavineRace().result.lanes[1]
    gaps = lane.losses - RavineRace().result.minimum
    k = lane.steps_to_tolerance
    assert np.all(gaps[k:] < ch2_momentum.TOLERANCE) and gaps[k - 1] >= ch2_momentum.TOLERANCE
    assert np.any(gaps[:k] < ch2_momentum.TOLERANCE), "a first dip came earlier and bounced back out"


@pytest.mark.parametrize("beta", [0.0, 0.3, 0.5])
def test_at_rate_0_3_momentum_needs_beta_above_one_half(beta):
    momentum = RavineRace(lr=0.3, beta=beta).result.lanes[1]
    assert momentum.diverged_at >= 0 or momentum.steps_to_tolerance is None
    assert RavineRace(lr=0.3, beta=0.51).result.lanes[1].steps_to_tolerance is not None


def test_explorer_prose_figures_are_the_models():
    facts = bowl_facts()
    lane = LandscapeExplorer(landscape="bowl", lr=1.05).lane
    assert (facts["left"], facts["diverged"]) == (lane.left_map_at, lane.diverged_at) == (2, 51)
    assert facts["crawl"] > 15 * facts["brisk"]


def test_the_ravine_floor_needs_thousands_of_steps_at_a_small_rate():
    slow = LandscapeExplorer(landscape="ravine", lr=0.005, steps=3000).lane
    assert slow.steps_to_tolerance is None or slow.steps_to_tolerance > 1000
    assert LandscapeExplorer(landscape="ravine", lr=0.15, steps=1000).lane.steps_to_tolerance < 1000


@pytest.mark.parametrize("lr", [r for r in LEARNING_RATES if r < 1.0])
def test_from_the_ridge_gradient_descent_stops_at_the_saddle_at_every_rate(lr):
    explorer = LandscapeExplorer(landscape="saddle", lr=lr, steps=3000)
    assert explorer.start[1] == 0.0
    path = explorer.lane.path
    assert np.all(path[:, 1] == 0.0), "no pull off the ridge"
    if lr >= 0.01:
        np.testing.assert_allclose(path[-1], [0.0, 0.0], atol=1e-6)
    explorer.set_start(1.8, 0.01)
    if lr >= 0.05:
        assert abs(explorer.lane.path[-1][1]) == pytest.approx(1.0, abs=1e-3), "off the ridge it rolls away"


@pytest.mark.parametrize("lr", LEARNING_RATES)
def test_quiz0_bouncing_across_the_ravine_starts_above_one_over_c_and_never_dies_from_two_over_c(lr):
    ravine = get("ravine")
    y = run("sgd", ravine.grad, [0.0, 1.0], 200, lr=lr, bound=ravine.escape_bound).params[:, 1]
    assert np.any(y[1:] * y[:-1] < 0) == (lr > 1 / WALL)
    assert bool(abs(y[-1]) < 0.5 * abs(y[0])) == (lr < 2 / WALL), "NaN (diverged) counts as not dying out"


# Chapter 1 -------------------------------------------------------------------------------------

def test_toy_table_figures():
    rows, updates = ToyByHand().tables()
    assert [r[3] for r in rows.rows] == [-2, -8, -12, -32]
    assert updates.rows[0][2:] == ["−13.5", "1.135"] and updates.rows[1][2:] == ["−7", "1.07"]
    assert updates.rows[2][2:] == ["−18.6", "1.256"], "batch {2,4} measured at the new θ = 1.07"
    assert float(updates.rows[2][3]) > float(updates.rows[0][3]), "two noisy steps went further than one exact"
    assert updates.note.startswith("The two cheap noisy steps ended lower than the one exact step")
    assert ToyByHand(lr=0.07).tables()[1].note.startswith("Here the one exact step ended lower"), "try η = 0.07"
    from chapters.ch1_sgd import TOY

    landed = ToyByHand(lr=1 / float(ch1_sgd.TOY_START["curvature"])).tables()[1].rows[0][3]
    assert float(landed) == pytest.approx(float(TOY.minimum()[0]), rel=1e-3), "η = 1/curvature lands on the minimum"
    assert "From θ = [[theta]] with η = [[lr]], the two cheap noisy steps end lower" in ch1_sgd.TEXT_TABLE_AFTER
    assert ch1_sgd.TOY_START == {"theta": "1", "lr": "0.01", "curvature": "15"}


@pytest.mark.parametrize("theta", np.linspace(-10, 10, 21))
@pytest.mark.parametrize("lr", [0.0, 0.001, 0.01, 0.1, 0.3, 0.5, 1.0])
def test_the_toy_note_names_whichever_ended_lower(theta, lr):
    from chapters.ch1_sgd import TOY, TOY_BATCHES

    model = ToyByHand(theta=float(theta), lr=lr)
    start = np.array([model.theta])
    full = TOY.loss(start - lr * TOY.grad(start))
    half = start - lr * TOY.grad(start, batch=TOY_BATCHES[0])
    batches = TOY.loss(half - lr * TOY.grad(half, batch=TOY_BATCHES[1]))
    note = model.tables()[1].note
    if np.isclose(full, batches, rtol=0, atol=0):
        assert note.startswith("The one exact step and the two cheap noisy steps ended at the same loss")
    else:
        assert note.startswith("The two cheap" if batches < full else "Here the one exact step"), (theta, lr)


@pytest.mark.parametrize("theta", [-10.0, -1.0, 0.0, 1.0, 2.5, 10.0])
def test_the_batch_gradients_average_to_the_full_one_at_any_start(theta):
    _rows, updates = ToyByHand(theta=theta).tables()
    assert "is exactly the full-batch gradient" in updates.note
    mean, full = updates.note.split("their mean, ")[1].split(",")[0], updates.rows[0][2]
    assert mean == full


@pytest.mark.parametrize("point", [(0.0, 0.0), (2.0, -0.5), (4.5, 2.0), (-0.9, -3.4)])
def test_mini_batch_arrows_average_to_the_full_arrow_at_every_batch_size(point):
    lesson = MiniBatchLesson(point=point)
    for batch_size in divisors(lesson.fit.n):
        grads = lesson.batch_gradients(batch_size)
        np.testing.assert_allclose(grads.mean(axis=0), lesson.full_gradient(), atol=1e-12)


def test_spread_shrinks_with_the_batch_and_vanishes_at_the_full_batch():
    lesson = MiniBatchLesson()
    sizes = divisors(lesson.fit.n)
    expected = [lesson.expected_spread(b) for b in sizes]
    assert all(a > b for a, b in itertools.pairwise(expected)) and expected[-1] == 0
    observed = [np.mean([lesson.spread(b, seed) ** 2 for seed in range(300)]) ** 0.5 for b in sizes]
    np.testing.assert_allclose(observed[:-1], expected[:-1], rtol=0.15)
    assert lesson.spread(lesson.fit.n) == 0.0
    assert expected[0] / expected[3] == pytest.approx(np.sqrt(sizes[3]), rel=0.2), "roughly 1/sqrt(B)"
    ratios = [e * np.sqrt(b) / expected[0] for e, b in zip(expected, sizes, strict=True)]
    assert all(a > b for a, b in itertools.pairwise(ratios)), "faster than 1/sqrt(B) as B nears N"


@pytest.mark.parametrize("point", [(0.0, 0.0), (2.0, -0.5), (4.5, 2.0)])
def test_one_shuffles_spread_can_grow_with_the_batch_as_the_page_says(point):
    lesson = MiniBatchLesson(point=point)
    sizes = divisors(lesson.fit.n)
    grows = [seed for seed in range(20)
             if any(lesson.spread(b, seed) < lesson.spread(c, seed) for b, c in itertools.pairwise(sizes))]
    assert grows, "some shuffle's spread grows from one batch size to the next"


def test_the_fan_is_longer_one_way_than_the_other():
    """Unbiased, not equal in every direction: the per-example gradients' covariance is lopsided."""
    for point in [(0.0, 0.0), (2.0, -0.5), (4.5, 2.0), (-0.9, -3.4)]:
        lesson = MiniBatchLesson(point=point)
        low, high = np.linalg.eigvalsh(np.cov(lesson.batch_gradients(1).T))
        assert high > 1.3 * low, point


def test_the_fan_follows_the_batch_size_the_switch_and_a_click():
    lesson = MiniBatchLesson(batch_size=4)
    fan = ch1_sgd.GradientFan(lesson)
    assert len(fan.sources["fan"].data["x0"]) == 6
    lesson.batch_size = 1
    assert len(fan.sources["fan"].data["x0"]) == 24
    fan.view.figure._trigger_event(__import__("bokeh.events", fromlist=["Tap"]).Tap(model=fan.view.figure, x=1.0,
                                                                                     y=0.5))
    assert fan.sources["full"].data["x0"] == [1.0] and lesson.point == (1.0, 0.5)
    lesson.show = "full batch only"
    assert fan.sources["fan"].data["x0"] == [] and len(fan.sources["full"].data["x0"]) == 1
    legend = [item.label.value for item in fan.view.legend.items if item.visible]
    assert legend == ["minimum", "full batch"], "no entry names arrows that are not drawn"
    lesson.show = "mini-batches"
    legend = [item.label.value for item in fan.view.legend.items if item.visible]
    assert legend == ["minimum", "full batch", "each mini-batch", "mean of the mini-batches"]


# Chapter 2 -------------------------------------------------------------------------------------

def test_momentum_table_figures_and_beta_zero():
    table = MomentumByHand().table()
    np.testing.assert_allclose([r[1] for r in table.rows[1:]], [0.060, 0.1728, 0.3309, 0.5265, 0.7521], atol=5e-5)
    np.testing.assert_allclose([r[2] for r in table.rows[1:]], [-6, -11.28, -15.81, -19.56, -22.55], atol=5e-3)
    np.testing.assert_allclose([r[3] for r in table.rows[1:]], [0.060, 0.1188, 0.1764, 0.2329, 0.2882], atol=5e-5)
    for lr in (0.0, 0.01, 0.5, 1.0):
        rows = MomentumByHand(beta=0.0, lr=lr).table().rows
        assert all(r[1] == r[3] for r in rows), "at β = 0 the columns match"


def test_velocity_weights_and_the_steady_slope_in_the_prose(sequence_grad):
    facts = race_facts()
    kick = sequence_grad(*([[1.0]] + [[0.0]] * 59))
    velocity = run("momentum", kick, [0.0], 60, lr=0.01, momentum=0.9).internals["velocity"][:, 0]
    assert f"{velocity[10]:.2f}" == facts["weight10"] and f"{velocity[50]:.3f}" == facts["weight50"]
    steady = run("momentum", lambda x: np.ones_like(x), [0.0], 400, lr=0.01, momentum=0.9)
    assert steady.internals["velocity"][-1, 0] == pytest.approx(float(facts["window"]))


@pytest.mark.parametrize("lr", RATES)
def test_beta_zero_makes_the_race_panels_identical(lr):
    sgd_lane, momentum_lane = RavineRace(lr=lr, beta=0.0).result.lanes
    np.testing.assert_array_equal(sgd_lane.path, momentum_lane.path)


@pytest.mark.parametrize("lr", RATES)
def test_race_stability_limits(lr):
    """SGD diverges above 2/c; heavy-ball momentum only above 2(1 + β)/c."""
    for beta in BETAS:
        sgd_lane, momentum_lane = RavineRace(lr=lr, beta=beta).result.lanes
        if not is_near(lr, 2 / WALL):
            assert (sgd_lane.diverged_at >= 0) == (lr > 2 / WALL)
        if not is_near(lr, 2 * (1 + beta) / WALL):
            assert (momentum_lane.diverged_at >= 0) == (lr > 2 * (1 + beta) / WALL), beta


@pytest.mark.parametrize(("lr", "beta"), itertools.product(RATES, BETAS[1::7]))
def test_momentum_damps_the_cross_valley_bounce_faster_only_when_sgds_factor_exceeds_root_beta(lr, beta):
    race = RavineRace(lr=lr, beta=beta, steps=2000)
    sgd_lane, momentum_lane = race.result.lanes
    if sgd_lane.diverged_at >= 0 or momentum_lane.diverged_at >= 0:
        return
    factor, root = abs(1 - lr * WALL), np.sqrt(beta)
    if abs(factor - root) < 0.05 or not (1 + beta - lr * WALL) ** 2 < 4 * beta:
        return  # near the edge, or momentum not oscillating: the rule is about underdamped swings
    start = np.array(race.start)
    sgd_last, momentum_last = last_swing(sgd_lane.path, start), last_swing(momentum_lane.path, start)
    if lr <= 1 / WALL:  # SGD does not bounce at all here
        assert sgd_last == 0
    elif factor > root:
        assert momentum_last <= sgd_last
    else:
        assert momentum_last >= sgd_last


def test_race_prose_figures_are_the_models():
    facts = race_facts()
    assert (facts["sgd_steps"], facts["momentum_steps"]) == (275, 95)
    assert (facts["sgd_swing"], facts["momentum_swing"]) == (6, 90)
    assert (facts["fast_sgd_diverged"], facts["fast_momentum_steps"]) == (9, 108)
    assert (facts["sgd_limit"], facts["momentum_limit"], facts["nesterov_limit"]) == ("0.2", "0.38", "0.14")
    assert 0.3 in RATES and 0.2 in RATES


def test_at_rate_0_2_sgd_bounces_forever_while_momentum_arrives_and_beta_half_runs_the_floor():
    sgd_lane, momentum_lane = RavineRace(lr=0.2, beta=0.9).result.lanes
    np.testing.assert_allclose(np.abs(sgd_lane.path[:, 1]), abs(sgd_lane.path[0, 1]))
    assert sgd_lane.steps_to_tolerance is None and momentum_lane.steps_to_tolerance is not None
    calm = RavineRace(lr=0.2, beta=0.5).result.lanes[1]
    assert np.abs(calm.path[10:, 1]).max() < 0.05 * abs(calm.path[0, 1]) and calm.steps_to_tolerance is not None
    facts = race_facts()
    assert 0 < facts["short_memory_swing"] < facts["long_memory_swing"], "a shorter memory damps the swings sooner"
    assert RavineRace(beta=0.99).result.lanes[1].steps_to_tolerance is None, "β = 0.99 has not settled in 300"


@pytest.mark.parametrize("start", [(0.0, 0.0), (0.0, -0.0), (-0.0, 0.0)])
def test_a_start_at_the_bowls_minimum_gets_a_verdict_not_an_error(start):
    lesson = LookaheadLesson(start=start)
    assert "neither method moves" in lesson.verdict()
    assert all(np.all(lane.path == 0) for lane in lesson.result.lanes)


def test_at_beta_zero_the_maps_legend_says_nesterov_was_not_run():
    from widgets.race_view import path_rows

    for beta, shown in ((0.0, ["classical momentum", "Nesterov (not run)"]), (0.5, ["classical momentum", "Nesterov"])):
        result = LookaheadLesson(beta=beta).result
        rows, gaps = path_rows(result, result.lanes)
        assert rows["label"] == shown and len(gaps) == (1 if beta == 0 else 2)


def test_the_ravine_verdict_counts_one_step_in_the_singular():
    race = RavineRace(start=(0.145, 0.0), lr=0.3)
    counts = [lane.steps_to_tolerance for lane in race.result.lanes]
    assert 1 in counts, "this start is one step from arriving"
    assert "<b>1 step</b>" in race.verdict() and "1 steps" not in race.verdict()


@pytest.mark.parametrize("lr", RATES)
def test_nesterov_never_overshoots_more_than_classical_momentum(lr):
    for beta in BETAS[1:]:
        (c_peak, c_swings), (n_peak, n_swings) = LookaheadLesson(lr=lr, beta=beta).overshoots()
        assert n_peak <= c_peak + 1e-12 and n_swings <= c_swings, beta
        if c_peak > 1e-9:
            assert n_peak < c_peak, beta


def test_nesterov_at_beta_zero_is_explained_not_an_error():
    lesson = LookaheadLesson(beta=0.0)
    classical, nesterov = lesson.result.lanes
    assert classical.ok and not nesterov.ok and "no velocity" in lesson.verdict()


def test_nesterov_diverges_on_the_ravine_where_classical_momentum_converges():
    limit = float(race_facts()["nesterov_limit"])
    ravine = get("ravine")
    for lr in (0.15, 0.2, 0.3):
        assert lr > limit
        hyper = {"lr": lr, "momentum": 0.9}
        assert run("momentum", ravine.grad, ravine.start, 400, bound=ravine.escape_bound, **hyper).diverged_at == -1
        assert run("nesterov", ravine.grad, ravine.start, 400, bound=ravine.escape_bound, **hyper).diverged_at > 0
    hyper = {"lr": 0.1, "momentum": 0.9}
    assert run("nesterov", ravine.grad, ravine.start, 400, bound=ravine.escape_bound, **hyper).diverged_at == -1


# The app shell and shared parts ----------------------------------------------------------------

@pytest.mark.parametrize(("value", "chapter", "warned"), [
    (b"3", 3, False), (b"0", 0, False), (b"9", 9, False), (b"", None, False),
    (b"42", None, True), (b"-1", None, True), (b"abc", None, True), (b"<script>", None, True),
])
def test_chapter_in_the_url(value, chapter, warned):
    found, message = app.requested_chapter({"chapter": [value]})
    assert found == chapter and bool(message) == warned


@pytest.mark.parametrize("chapter", [None, *range(len(CHAPTERS))])
def test_every_page_renders_to_a_document(chapter):
    """As the server does it, with every deferred section drawn; the served app skips Bokeh's
    integrity checks, so they run here."""
    document = Document()
    with set_curdoc(document):
        template = app.create_app({} if chapter is None else {"chapter": [str(chapter).encode()]})
        template.server_doc(document)
        draw_all(*template.main)
    issues = check_integrity(document.models)
    assert issues.error == [] and issues.warning == []
    assert any(isinstance(model, Plot) for model in document.models) or chapter == 9, "the cheat sheet has no plot"


@pytest.mark.parametrize("chapter", sorted(WRITTEN))
def test_two_visits_at_once_share_no_bokeh_model(chapter):
    """A Bokeh model belongs to one document: a model made once per process would break the
    second visitor's page."""
    first, second = Document(), Document()
    for document in (first, second):
        app.create_app({"chapter": [str(chapter).encode()]}).server_doc(document)
    assert not {id(model) for model in first.models} & {id(model) for model in second.models}


def test_a_link_with_settings_builds_the_page_with_them_and_bad_values_are_named():
    _page, links, notices = build(2, {"race.lr": "0.3", "race.beta": "nan", "look.start": "1,1", "race.speed": "90",
                                     "look.lr": "<script>"})
    race = next(link.model for link in links if link.prefix == "race" and "lr" in link.names)
    assert race.lr == 0.3 and race.beta == 0.9
    assert len(notices) == 2 and any("race.beta=nan" in n for n in notices)
    assert any("look.lr=<script>" in n for n in notices)


def test_the_app_marks_the_current_chapter_and_links_its_neighbours():
    template = app.create_app({"chapter": [b"2"], "theme": [b"dark"]})
    assert "**▸ 2 · Momentum and Nesterov**" in template.sidebar[0].object
    footer = template.main[-1].object
    assert "?chapter=1&theme=dark" in footer and "?chapter=3&theme=dark" in footer
    bad = app.create_app({"chapter": [b"12"]})
    assert bad.main[0].alert_type == "warning" and bad.main[1].name == "home"


@pytest.mark.parametrize("module", [ch0_landscape, ch1_sgd, ch2_momentum])
def test_quiz_explains_every_answer(module):
    quiz = module.quiz()
    assert quiz.feedback.object == "Pick an answer."
    for choice in quiz.choices:
        quiz.options.value = choice.text
        assert choice.why in quiz.feedback.object and len(choice.why) > 40


def test_each_chapter_shows_different_code_with_its_maths_typeset_apart():
    from optimizers.sgd import sgd

    shown = code_view(sgd)
    listing = html.unescape(re.sub("<[^>]+>", "", shown[1].object))
    assert "def sgd(theta, g, state, t" in listing and "$" not in listing, "no TeX inside the listing"
    assert "$$" in shown[0].object, "the docstring's maths goes to the typeset prose"
    listings = []
    for number in WRITTEN:
        page, _, _ = build(number)
        draw_all(page)
        listings += [pane.object for pane in page.select(lambda p: getattr(p, "name", "").startswith("code-"))]
    teaching = len(WRITTEN) - (9 in WRITTEN)  # the cheat sheet teaches no method of its own
    assert len(listings) == len(set(listings)) >= teaching, "every chapter shows its own code"


@pytest.mark.parametrize("number", range(10))
def test_no_page_shows_an_unfilled_figure(number):
    """Every [[name]] in a page's prose is replaced by the core's figure before it is shown."""
    import panel as pn

    from chapters import build

    page, _, _ = build(number, {})
    draw_all(page)
    texts = [pane.object for pane in page.select(pn.pane.Markdown) if isinstance(pane.object, str)]
    assert texts and not any("[[" in text for text in texts)


@pytest.mark.parametrize("number", range(10))
def test_no_equation_on_a_page_holds_a_bare_angle_bracket(number):
    """Bokeh hands the TeX between $$ signs to MathJax from the page's HTML, where `<` and `>`
    arrive escaped (`&gt;`), and MathJax then draws nothing at all: `\\lt` and `\\gt` are used."""
    import re

    import panel as pn

    from chapters import build

    page, _, _ = build(number, {})
    draw_all(page)
    texts = [pane.object for pane in page.select(pn.pane.Markdown) if isinstance(pane.object, str)]
    equations = [tex for text in texts for tex in re.findall(r"\$\$(.*?)\$\$", text, flags=re.S)]
    assert equations or number == 9
    assert [tex for tex in equations if "<" in tex or ">" in tex] == []


def test_at_a_tiny_rate_most_of_the_offset_is_left_after_a_hundred_steps():
    assert bowl_facts()["kept_slow"] == f"{100 * 0.998**100:.4g}%"
    for x0 in (-100.0, 0.0, 2.9, 3.1, 100.0):
        assert ch0_landscape.offset_kept(0.001, 100, x0) == pytest.approx(0.998**100, rel=1e-9)


def test_tex_escapes_reach_mathjax_as_written_through_markdown():
    from markdown_it import MarkdownIt

    from widgets.text import markdown_safe

    text = r"A thin space $$\eta\,\hat m_t$$, a brace $$\{x\}$$, and outside maths a \, stays."
    rendered = MarkdownIt().render(markdown_safe(text))
    assert r"$$\eta\,\hat m_t$$" in rendered and r"$$\{x\}$$" in rendered
    assert r"a \, stays" in markdown_safe(text), "text outside the maths is left alone"


def test_every_displayed_equation_of_a_docstring_is_a_paragraph_of_its_own():
    from markdown_it import MarkdownIt

    from optimizers.adam import adam, nadam
    from widgets.code_view import markdown_maths, split_docstring

    for function, displays in ((adam, 4), (nadam, 1), (sgd_rule, 1)):
        html_text = MarkdownIt().render(markdown_maths(split_docstring(function)[1]))
        alone = re.findall(r"<p>\$\$[^$]+\$\$</p>", html_text)
        assert len(alone) == displays, (function.__name__, html_text)


@pytest.mark.parametrize("d", [1, 2, 10, 100, 1000])
def test_the_saddle_odds_through_logarithms_agree_with_the_direct_power(d):
    assert float(ch0_landscape.half_to_the(d)) == pytest.approx(0.5**d, rel=5e-3)


def test_a_million_directions_give_odds_below_any_float_written_as_a_power_of_ten():
    assert ch0_landscape.half_to_the(10**6).endswith("e-301030")
    shown = ch0_landscape.saddle_odds_table().object
    assert "1.01 × 10⁻³⁰¹⁰³⁰" in shown and "^" not in shown


@pytest.mark.parametrize("batch_size", [1, 4, 24])
def test_the_loop_diagrams_arrows_travel_with_the_box_they_point_to(batch_size):
    drawn = loop_diagram(batch_size, 24)
    count = 24 // batch_size
    assert drawn.count("→") == 5 and (f"N/B = {count} batches" in drawn) == (count > 1)
    assert "→</div></div>" not in drawn, "no arrow ends a group: on a phone it would dangle at a line's end"
    assert not re.search(r"\b1 (batches|updates)\b", drawn) and ("Next batch" in drawn) == (count > 1)


@pytest.mark.parametrize("batch_size", divisors(24))
def test_the_batch_summary_agrees_in_number_at_every_batch_size(batch_size):
    summary = MiniBatchLesson(batch_size=batch_size).summary()
    count = 24 // batch_size
    assert (f"1 batch of {batch_size}</b> makes" in summary) == (count == 1)
    assert (f"{count} batches of {batch_size}</b> make " in summary) == (count > 1)


@pytest.mark.parametrize("name", names())
def test_each_rule_reaches_the_page_as_tex_with_no_markdown_emphasis_inside(name):
    pane = prose(displayed(REGISTRY[name].rule_tex))
    drawn = html.unescape(pane._transform_object(pane.object)["object"])
    assert not re.search(r"</?(em|strong)>", drawn), drawn
    assert drawn.count("$$") == 2 * len(REGISTRY[name].rule_tex)


def test_chapter0s_landscape_buttons_name_each_landscape_by_its_title():
    import panel as pn

    page, _, _ = build(0, {})
    buttons = next(group for group in page.select(pn.widgets.RadioButtonGroup) if "Bowl" in group.options)
    assert list(buttons.options) == ["Bowl", "Ravine", "Saddle"] and buttons.value == "bowl"
