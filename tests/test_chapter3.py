"""Chapter 3: the by-hand figures and every claim of its widgets and prose, on the lesson models,
over the whole range of the controls that reach them."""

import itertools
import re

import numpy as np
import pytest

from chapters import build, ch3_adaptive
from lessons import Player
from lessons.adaptive import (
    ELLIPSE,
    ELLIPSE_RATES,
    AdaptiveByHand,
    EllipseRace,
    RateOverTime,
    SparseFeatures,
    turned_valley_steps,
)
from lessons.sequence import replay

RHOS = [0.0, 0.3, 0.5, 0.9, 0.95, 0.99, 0.999]
"""Positions across the ρ slider, both ends included."""


def test_by_hand_figures_of_the_curriculum():
    (_, adagrad, adagrad_note), (_, rmsprop, _) = AdaptiveByHand().tables()
    assert [round(r[2], 2) for r in adagrad] == [9, 15.25, 23.09, 32.7]
    assert [round(r[3], 4) for r in adagrad] == [0.0333, 0.0256, 0.0208, 0.0175]
    assert [r[6] for r in adagrad[:3]] == ["no gradient yet"] * 3 and round(adagrad[3][6], 4) == 0.02
    assert [r[2] for r in rmsprop] == pytest.approx([0.9, 1.435, 2.0755, 2.829], abs=5e-4)
    assert [round(r[3], 4) for r in rmsprop] == [0.1054, 0.0835, 0.0694, 0.0595]
    assert "step 4" in adagrad_note and "larger than A's" in adagrad_note


@pytest.mark.parametrize("seed", range(20))
def test_by_hand_tables_follow_any_typed_gradients(seed):
    rng = np.random.default_rng(seed)
    grads = np.where(rng.random((4, 2)) < 0.4, 0.0, rng.normal(0, 10, (4, 2)))
    hand = AdaptiveByHand(**{f"{c}{k}": float(grads[k - 1, i]) for k in range(1, 5) for i, c in enumerate("ab")})
    (_, adagrad, _), (_, rmsprop, _) = hand.tables()
    for column, sums in ((2, np.cumsum(grads**2, axis=0)),):
        assert np.allclose([[r[column], r[column + 3]] for r in adagrad], sums)
    average = np.zeros(2)
    for k in range(4):
        average = 0.9 * average + 0.1 * grads[k] ** 2
        assert np.allclose([rmsprop[k][2], rmsprop[k][5]], average)
        for column, coordinate in ((3, 0), (6, 1)):
            seen = np.any(grads[: k + 1, coordinate] != 0)
            for table in (adagrad, rmsprop):
                assert (table[k][column] == "no gradient yet") == (not seen)


GRADIENT_SETS = [
    {"a1": 0.0, "a2": 0.0, "a3": 0.0, "a4": 5.0},  # A and B alike: the same rate
    {"a1": 0.0, "a2": 0.0, "a3": 0.0, "a4": 5.0000001},  # nearly alike: the rates differ in the 8th digit
    {"a1": 0.0, "a2": 0.0, "a3": 0.0, "a4": 4.9999999},
    {"b4": 3.0}, {"b4": 0.1}, {"b1": 2.0, "b4": 0.0}, {},
]


@pytest.mark.parametrize("typed", GRADIENT_SETS)
def test_the_note_compares_bs_first_rate_with_as_in_words_that_match_the_numbers_it_shows(typed):
    for _, rows, note in AdaptiveByHand(**typed).tables():
        found = re.search(r"(\S+), (larger than|smaller than|the same as) A's (\S+) after", note)
        assert found, note
        b_rate, compare, a_rate = found.group(1), found.group(2), found.group(3)
        b_first = next(r[6] for r in rows if r[6] != "no gradient yet")
        assert compare == ("larger than" if b_first > rows[-1][3] else "smaller than" if b_first < rows[-1][3]
                           else "the same as")
        assert (b_rate == a_rate) == (compare == "the same as")
        assert float(b_rate) == pytest.approx(b_first, rel=1e-3)
        assert float(a_rate) == pytest.approx(rows[-1][3], rel=1e-3)


@pytest.mark.parametrize("g", [1e-3, 0.7, 3.0, 1e3])
def test_with_steady_gradients_the_step_length_does_not_depend_on_their_size(g):
    """The intro: AdaGrad's step is η/√t after t equal gradients; RMSProp's settles at about η."""
    steps, lr = 8000, 0.1
    t = np.arange(1, steps + 1)
    adagrad = replay("adagrad", np.full((steps, 1), g), lr=lr).internals["effective_lr"][:, 0] * g
    np.testing.assert_allclose(adagrad, lr / np.sqrt(t), rtol=1e-6)
    for rho in RHOS:
        rmsprop = replay("rmsprop", np.full((steps, 1), g), lr=lr, alpha=rho).internals["effective_lr"][:, 0] * g
        filled = int(np.ceil(5 / (1 - rho)))
        assert filled < steps and rmsprop[filled:] == pytest.approx(lr, rel=0.01)


@pytest.mark.parametrize("tiny", [1e-300, 1e-170, -1e-162])
def test_a_gradient_whose_square_rounds_to_zero_is_not_called_no_gradient(tiny):
    for coordinate, others in (("b", {}), ("a", {"a1": 0.0, "a2": 0.0, "a3": 0.0})):
        hand = AdaptiveByHand(**{f"{coordinate}4": tiny, **others})
        for headers, rows, note in hand.tables():
            column = headers.index(f"rate {coordinate.upper()}")
            accumulator = rows[-1][column - 1]
            assert accumulator == 0.0, "the square underflowed: the accumulator holds nothing"
            assert rows[-1][column] == "none: g² rounds to 0"
            assert "round to 0" in note and "no gradient yet" not in note


@pytest.mark.parametrize(("lr", "rho"), list(itertools.product(ELLIPSE_RATES, RHOS)))
def test_adagrad_rates_never_rise_and_rmsprops_rise_again(lr, rho):
    rng = np.random.default_rng(0)
    starts = [None, *[(float(rng.uniform(-4, 4)), float(rng.uniform(-3, 3))) for _ in range(3)]]
    for start in starts:
        race = EllipseRace(lr=lr, rho=rho, **({"start": start} if start else {}))
        up_adagrad, up_rmsprop = race.rises()
        assert up_adagrad == 0
        assert up_rmsprop > 0
        assert "AdaGrad <b>0</b>" in race.verdict()


@pytest.mark.parametrize("rho", RateOverTime.param.rho.objects)
def test_long_run_with_noise_adagrad_keeps_falling_and_rmsprop_settles_near_lr_over_sigma(rho):
    model = RateOverTime(rho=rho, noise=True)
    curves = model.curves()
    adagrad, rmsprop = curves["adagrad"], curves["rmsprop"]
    half = model.STEPS // 2
    assert np.all(np.diff(adagrad) <= 0) and adagrad[-1] < 0.9 * adagrad[half - 1]
    level = model.LR / model.SIGMA
    assert 0.7 * level < np.median(rmsprop[-1000:]) < 1.3 * level
    assert abs(np.median(rmsprop[2000:3000]) / np.median(rmsprop[-1000:]) - 1) < 0.2
    assert "still falling" in model.summary(curves)
    late = slice(-1000, None)
    assert np.abs(curves["adagrad_y"][late]).max() < 0.2 * np.abs(curves["rmsprop_y"][late]).max(), \
        "on this bowl AdaGrad's ball ends far closer to the floor"


@pytest.mark.parametrize("rho", RateOverTime.param.rho.objects)
def test_long_run_without_noise_adagrad_freezes_and_rmsprop_reaches_the_edge_and_hops(rho):
    model = RateOverTime(rho=rho, noise=False)
    curves = model.curves()
    adagrad, rmsprop, y = curves["adagrad"], curves["rmsprop"], curves["rmsprop_y"]
    assert adagrad[-1] == pytest.approx(adagrad[model.STEPS // 2 - 1], rel=1e-6)
    assert abs(np.median(rmsprop[-1000:]) / model.edge - 1) < 0.15
    assert rmsprop.max() > 1.5 * model.edge, "the rate climbs past 2/c"
    late = y[-1000:]
    if rho < 0.999:
        signs = np.sign(late)
        assert np.all(signs[1:] == -signs[:-1]) and np.abs(late) == pytest.approx(model.LR / 2), "a steady hop of η/2"
        assert rmsprop[-1000:] == pytest.approx(model.edge)
    else:
        assert np.abs(late).max() > 0.01 and np.abs(late).min() < 1e-6, "bursts with quiet spells between them"
    assert "stopped falling" in model.summary(curves)
    assert ELLIPSE.f(np.array([curves["adagrad_x"][-1], curves["adagrad_y"][-1]])) < 1e-6, "AdaGrad reached it"


@pytest.mark.parametrize("every", SparseFeatures.param.every.objects)
def test_rare_feature_keeps_a_root_k_larger_rate_under_adagrad(every):
    model = SparseFeatures(every=every)
    rates = model.rates()
    (a_frequent, a_rare), (r_frequent, r_rare) = model.applied()["adagrad"], model.applied()["rmsprop"]
    assert a_rare / a_frequent == pytest.approx(np.sqrt(every), rel=1e-6)
    hits = model.gradients()[:, 1] != 0
    flat = np.diff(rates["adagrad"][:, 1])[~hits[1:]]
    assert np.all(flat[np.isfinite(flat)] == 0), "between its gradients the rare rate stays flat"
    fades = np.diff(rates["rmsprop"][:, 1])[~hits[1:]]
    assert np.all(fades[np.isfinite(fades)] > 0), "RMSProp's memory of the rare feature fades between gradients"
    assert r_frequent < r_rare <= r_frequent / np.sqrt(1 - model.RHO)


@pytest.mark.parametrize("rho", [0.99, 0.995, 0.999])
def test_rmsprops_first_step_at_lr_one_leaves_the_map_from_any_start_and_at_0_999_it_comes_back_first(rho):
    rng = np.random.default_rng(3)
    for start in [(float(rng.uniform(-4, 4)), float(rng.uniform(-3, 3))) for _ in range(10)]:
        lane = EllipseRace(lr=1.0, rho=rho, start=start).result.lanes[1]
        if start[0] != 0 and start[1] != 0:
            assert np.abs(lane.path[1] - lane.path[0]) == pytest.approx(1 / np.sqrt(1 - rho), rel=1e-4)
            assert lane.left_map_at == 1
            if rho == 0.999:
                assert lane.steps_to_tolerance is not None, "it comes back and settles"
    f = ch3_adaptive.facts()
    assert f["back_999"] == EllipseRace(lr=1.0, rho=0.999).result.lanes[1].steps_to_tolerance < f["fast_adagrad"]


def test_no_rate_before_a_gradient_and_eps_as_the_ceiling():
    verdict = EllipseRace(start=(0.0, 1.0)).verdict()
    assert "x no gradient yet" in verdict and "nan" not in verdict
    (_, adagrad, _), _ = AdaptiveByHand(b1=1e-12).tables()
    assert 0.9e9 < adagrad[0][6] <= 1e9


def test_prose_figures_are_measured():
    facts = ch3_adaptive.facts()
    assert facts["G4"] == "32.7" and facts["b_rate"] == "0.02" and facts["warm_factor"] == "3.16"
    fast = EllipseRace(lr=1.0)
    assert fast.result.lanes[0].steps_to_tolerance == facts["fast_adagrad"] < 200
    assert fast.result.lanes[1].steps_to_tolerance is None, "RMSProp at η = 1, ρ = 0.9 never settles"
    assert facts["fast_rmsprop_end"] == "0.5", "the hop is η/2"
    last = fast.result.lanes[1].path[-2:]
    np.testing.assert_allclose(np.abs(last), 0.5, rtol=2e-3, err_msg="on each axis")
    assert np.all(np.sign(last[0]) == -np.sign(last[1])), "on either side of the minimum"


@pytest.mark.parametrize("rho", [0.99, 0.995, 0.999])
def test_with_a_longer_memory_rmsprop_comes_down_smoothly_through_the_race(rho):
    hopping = EllipseRace().result.lanes[1].losses
    assert (np.diff(hopping) > 0).sum() > 10, "at the default ρ the ball hops"
    smooth = EllipseRace(rho=rho).result.lanes[1].losses
    assert not np.any(np.diff(smooth) > 0)


def test_page_builds_from_a_link():
    _page, links, notices = build(3, {"race.lr": "1", "race.rho": "0.5", "long.noise": "false", "sparse.every": "50",
                                     "hand.b1": "2", "race.start": "1,1"})
    assert notices == []
    models = {link.prefix: link.model for link in links if not isinstance(link.model, Player)}
    assert models["race"].lr == 1.0 and models["race"].start == (1.0, 1.0) and models["long"].noise is False
    assert models["sparse"].every == 50 and models["hand"].b1 == 2.0


def test_a_first_gradient_too_small_to_count_is_named_and_the_first_rate_comes_later():
    for _headers, rows, note in AdaptiveByHand(b1=1e-170).tables():
        assert rows[0][6] == "none: g² rounds to 0" and isinstance(rows[3][6], float)
        assert note.startswith("B's gradients before step 4 are so small")
    for _headers, _rows, note in AdaptiveByHand(b1=1.0).tables():
        assert note.startswith("B's first gradient arrives at step 1")


@pytest.mark.parametrize("lr", [1.0, 0.3])
def test_adagrad_needs_more_steps_when_the_valley_is_turned_across_the_axes(lr):
    aligned, turned = turned_valley_steps(lr)
    assert aligned is not None and (turned is None or turned > 2 * aligned)
    assert ch3_adaptive.facts()["turned_adagrad"] == turned_valley_steps(1.0)[1]


@pytest.mark.parametrize("noise", [False, True])
def test_the_long_runs_summary_never_writes_a_range_from_a_number_to_itself(noise):
    for rho in RateOverTime.param.rho.objects:
        model = RateOverTime(noise=noise, rho=rho)
        summary = model.summary(model.curves())
        found = re.search(r"between (\S+) and (\S+) over", summary)
        assert found is None or found.group(1) != found.group(2), summary
        assert ("stayed at " in summary) != (found is not None)


def test_the_rho_slider_shows_three_decimals_so_its_top_reads_0_999_not_1():
    import panel as pn

    from widgets.deferred import draw_all

    page, _, _ = build(3, {"race.rho": "0.999"})
    draw_all(page)
    slider = next(s for s in page.select(pn.widgets.FloatSlider) if s.name.startswith("RMSProp's decay"))
    assert slider.value == 0.999 and slider.format == "0.[000]"


def test_at_rate_one_and_rho_0_999_rmsprop_comes_back_and_settles_from_every_start_on_the_map():
    (x_low, x_high), (y_low, y_high) = ELLIPSE.x_range, ELLIPSE.y_range
    for x in np.linspace(x_low, x_high, 21):
        for y in np.linspace(y_low, y_high, 16):
            lane = EllipseRace(lr=1.0, rho=0.999, start=(float(x), float(y))).result.lanes[1]
            assert lane.steps_to_tolerance is not None, (x, y)


@pytest.mark.parametrize("lr", ELLIPSE_RATES)
def test_at_rho_zero_every_step_is_eta_long_on_each_axis_and_an_axis_within_eta_stays_there(lr):
    rng = np.random.default_rng(1)
    (x_low, x_high), (y_low, y_high) = ELLIPSE.x_range, ELLIPSE.y_range
    for start in [None, *((float(rng.uniform(x_low, x_high)), float(rng.uniform(y_low, y_high))) for _ in range(20))]:
        path = EllipseRace(lr=lr, rho=0.0, **({} if start is None else {"start": start})).result.lanes[1].path
        moved, slope = np.abs(np.diff(path, axis=0)), np.abs(ELLIPSE.grad(path[:-1]))
        np.testing.assert_allclose(moved[slope > 1e-2], lr, rtol=1e-5)  # ε/|g| below 10⁻⁶
        for axis in range(2):
            inside = np.abs(path[:, axis]) <= lr
            if inside.any():
                assert np.all(np.abs(path[np.argmax(inside):, axis]) <= lr * (1 + 1e-5))
