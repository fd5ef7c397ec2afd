"""Chapter 8, the arena: the fair-comparison machinery and every claim of its prose, on the models,
over the range of the controls that reach them."""

import itertools
import math
import re

import numpy as np
import panel as pn
import pytest

import landscapes
from chapters import build, ch8_arena
from chapters.ch8_arena import LINK, PRESETS, SADDLE_OFFSET, closest_approach, facts
from lessons import Link
from lessons.arena import (
    DEFAULT_FORMULA,
    MODES,
    SWEEP_RATES,
    TOLERANCES,
    Arena,
    basins,
    first_sweep,
    own_rate_table,
    places,
    settle_steps,
    sweep,
    typed_landscape,
)
from lessons.numbers import number
from optimizers import get_spec, names, run
from optimizers.schedules import SCHEDULE_TITLES, SCHEDULES
from widgets.arena_views import (
    OTHER_COLORS,
    Leaderboard,
    SweepChart,
    basin_image,
    basin_summary,
    other_colors,
    touching,
)
from widgets.deferred import OnRequest
from widgets.loss_chart import FLOOR

RAVINE = landscapes.get("ravine")
LANDSCAPES = ["ravine", "rosenbrock", "himmelblau", "rastrigin", "beale", "ellipse"]


def _winner(arena):
    arrived = [r for r in arena.standings() if r.steps_to_tolerance is not None and r.diverged_at < 0]
    return min(arrived, key=lambda r: r.steps_to_tolerance).optimizer if arrived else None


def _arrivals(name, steps, tolerance):
    return sweep(name, RAVINE, tuple(RAVINE.start), steps, tolerance, 0.0, 0, "constant", 0.0).arrivals


def test_a_sweep_column_is_exactly_the_race_at_that_rate_even_with_noise():
    arena = Arena(landscape="rosenbrock", optimizers=["adam", "momentum"], noise=0.5, seed=7, steps=200,
                  show_sweep=True)
    for name in ("adam", "momentum"):
        result = arena.sweeps[name]
        for i in (5, 20, 33):
            alone = Arena(landscape="rosenbrock", optimizers=[name], noise=0.5, seed=7, steps=200,
                          log_lr=float(np.log10(SWEEP_RATES[i])))
            lane = alone.result.lanes[0]
            assert lane.entry.hyper["lr"] == SWEEP_RATES[i]
            steps = np.nan if lane.steps_to_tolerance is None else lane.steps_to_tolerance
            np.testing.assert_equal(result.steps_to_tolerance[i], steps)
            np.testing.assert_equal(result.final_gap[i], lane.losses[-1] - alone.result.minimum)


def test_settle_steps_counts_from_the_last_time_the_loss_was_too_high_and_needs_a_hold():
    far, near = 5.0, 0.0
    losses = np.array([[far, far, far, far]] + [[far, near, near, near]] * 3 + [[near, near, far, near]] * 20
                      + [[near, near, near, np.nan]])
    on_map = np.array([True, False, True, True])
    np.testing.assert_equal(settle_steps(losses, 0.0, 1e-3, on_map), [4.0, np.nan, np.nan, np.nan])
    np.testing.assert_equal(settle_steps(losses[:-12], 0.0, 1e-3)[:2], [np.nan, 1.0])


@pytest.mark.parametrize("landscape", LANDSCAPES)
def test_each_at_its_best_rate_runs_every_method_at_the_rate_the_sweep_chose(landscape):
    arena = Arena(landscape=landscape, optimizers=names(), mode="tuned", steps=300)
    for lane in arena.result.lanes:
        chosen = arena.sweeps[lane.entry.optimizer]
        assert lane.entry.hyper["lr"] == chosen.best_rate
        if np.isfinite(chosen.steps_to_tolerance).any():
            assert lane.steps_to_tolerance == np.nanmin(chosen.steps_to_tolerance)


def test_defaults_mode_uses_the_registry_rates():
    arena = Arena(optimizers=names(), mode="defaults")
    assert all(lane.entry.hyper["lr"] == get_spec(lane.entry.optimizer).defaults["lr"] for lane in arena.result.lanes)


def test_no_optimizer_wins_everywhere_over_landscapes_and_shared_rates():
    cells = {(land, log_lr): _winner(Arena(landscape=land, optimizers=names(), log_lr=log_lr))
             for land in LANDSCAPES for log_lr in (-3.0, -2.5, -2.0, -1.5, -1.0, -0.5)}
    for land in ("ravine", "himmelblau", "ellipse", "beale"):  # "changes several times on each of these"
        winners = [_winner(Arena(landscape=land, optimizers=names(), log_lr=log_lr))
                   for log_lr in np.arange(-3.0, -0.49, 0.25)]
        decided = [winner for winner in winners if winner is not None]
        assert sum(one != after for one, after in itertools.pairwise(decided)) >= 2, (land, winners)
    decided = {cell: winner for cell, winner in cells.items() if winner is not None}
    assert len(set(decided.values())) >= 3
    for log_lr in (-2.5, -2.0, -1.5, -1.0):  # at one rate, the landscape changes the winner
        assert len({winner for (land, rate), winner in decided.items() if rate == log_lr}) >= 2
    for land in ("ravine", "himmelblau", "ellipse"):  # on one landscape, the rate changes it
        assert len({winner for (where, rate), winner in decided.items() if where == land}) >= 2


def test_no_optimizer_wins_everywhere_at_tuned_rates_either():
    winners = {_winner(Arena(landscape=land, optimizers=names(), mode="tuned", steps=300)) for land in LANDSCAPES}
    assert len(winners - {None}) >= 2, winners


@pytest.mark.parametrize("steps", [100, 300, 500, 1000, 2000])
@pytest.mark.parametrize("tolerance", TOLERANCES)
def test_on_the_ravine_every_method_but_three_exceptions_arrives_at_as_many_rates_as_sgd(steps, tolerance):
    sgd = _arrivals("sgd", steps, tolerance)
    exceptions = {"sgd", "lion", "rmsprop"} | ({"sophia"} if (steps, tolerance) == (300, 1e-3) else set())
    for name in names():
        if name not in exceptions:
            assert _arrivals(name, steps, tolerance) >= sgd, name


def test_the_two_exceptions_are_real():
    assert _arrivals("lion", 300, 0.1) < _arrivals("sgd", 300, 0.1)
    assert _arrivals("rmsprop", 2000, 1e-4) < _arrivals("sgd", 2000, 1e-4)
    assert _arrivals("sophia", 300, 1e-3) == 0 < _arrivals("sgd", 300, 1e-3) == 1


def test_a_zig_zag_that_touches_the_tolerance_on_its_last_step_has_not_arrived():
    """Lion at 0.1 on the ravine alternates between 0.05 and 0.00003 above the minimum."""
    arena = Arena(landscape="ravine", optimizers=["lion"], log_lr=-1.0, steps=500)
    gaps = arena.result.lanes[0].losses[-4:] - arena.result.minimum
    assert min(gaps) < 1e-3 < max(gaps)
    assert arena.standings()[0].steps_to_tolerance is None
    lion = sweep("lion", RAVINE, tuple(RAVINE.start), 500, 1e-3, 0.0, 0, "constant", 0.0)
    assert not np.isfinite(lion.steps_to_tolerance).any()


def test_a_run_that_ends_off_a_typed_map_has_not_arrived_even_below_its_lowest_point():
    arena = Arena(landscape="typed", formula="x + y**2", optimizers=["momentum"], log_lr=-1.0, steps=100)
    row = arena.standings()[0]
    assert row.left_map_at >= 0 and row.final_gap < 0 and row.steps_to_tolerance is None


@pytest.mark.parametrize("log_lr", np.arange(-5.0, 1.01, 0.5))
def test_on_the_exact_ridge_every_method_stays_on_it_at_every_rate(log_lr):
    arena = Arena(**{**PRESETS["Saddle: the exact ridge"], "log_lr": float(log_lr)})
    for lane in arena.result.lanes:
        assert lane.steps_to_tolerance is None
        assert np.all(lane.path[:, 1][np.isfinite(lane.path[:, 1])] == 0.0), lane.entry.optimizer


def _left(arena):
    return {lane.entry.optimizer: ch8_arena._left_ridge(lane.path) for lane in arena.result.lanes}


@pytest.mark.parametrize("rate", [0.01, 0.02, 0.05, 0.1, 0.2])
@pytest.mark.parametrize("how", ["offset", "noise 0.01", "noise 0.1"])
def test_a_tiny_offset_or_noise_frees_them_and_the_adaptive_ones_leave_first(rate, how):
    start = (1.8, SADDLE_OFFSET if how == "offset" else 0.0)
    noise = float(how.split()[1]) if how.startswith("noise") else 0.0
    for seed in (0, 1, 2) if noise else (0,):
        arena = Arena(landscape="saddle", optimizers=names(), log_lr=math.log10(rate), steps=2000, start=start,
                      noise=noise, seed=seed)
        left = _left(arena)
        assert all(step is not None for step in left.values()), left
        assert left["rmsprop"] == min(left.values())
        assert left["rmsprop"] < left["sgd"] and left["adam"] < left["sgd"]


def test_the_tiny_offset_preset_frees_every_method_within_its_budget():
    left = _left(Arena(**PRESETS["Saddle: a tiny offset"]))
    assert all(step is not None for step in left.values())
    noisy = _left(Arena(**PRESETS["Saddle: noise"]))
    assert all(step is not None for step in noisy.values())


@pytest.mark.parametrize("log_lr", np.arange(-5.0, 1.01, 0.25))
@pytest.mark.parametrize("landscape", ["ravine", "rosenbrock", "beale"])
def test_divergence_is_a_row_of_the_leaderboard_never_an_error(landscape, log_lr):
    arena = Arena(landscape=landscape, optimizers=names(), log_lr=float(log_lr), steps=100)
    rows = arena.standings()
    assert len(rows) == len(names())
    for row in rows:
        if row.diverged_at >= 0:
            assert not np.isfinite(row.final_gap) and row.steps_to_tolerance is None
    if log_lr >= 0.5:
        assert any(row.diverged_at >= 0 for row in rows)


def test_the_sgd_diverges_preset_shows_sgd_diverging_and_the_others_arriving():
    rows = {row.optimizer: row for row in Arena(**PRESETS["SGD diverges"]).standings()}
    assert rows["sgd"].diverged_at > 0
    assert rows["momentum"].diverged_at < 0 and rows["adam"].diverged_at < 0


def test_the_leaderboard_sorts_diverged_and_unfinished_last():
    arena = Arena(landscape="ravine", optimizers=names(), log_lr=math.log10(0.25))
    rows = arena.standings()
    arrived = [r.steps_to_tolerance for r in rows if r.steps_to_tolerance is not None]
    assert arrived == sorted(arrived)
    flags = [(r.diverged_at >= 0) for r in rows]
    assert flags == sorted(flags)
    arena.sort_by = "name"
    titles = [r.title.lower() for r in arena.standings()]
    assert titles == sorted(titles)


@pytest.mark.parametrize("formula", ["x + y", "-x**2 - y**2", "x"])
@pytest.mark.parametrize("sort_by", ["steps", "final"])
def test_paths_that_end_below_the_map_rank_after_those_on_it_and_are_marked_off_the_map(formula, sort_by):
    arena = Arena(landscape="typed", formula=formula, optimizers=names(), sort_by=sort_by)
    rows = arena.standings()
    ended = {lane.entry.optimizer: lane for lane in arena.result.lanes}
    for row in rows:
        lane = ended[row.optimizer]
        assert row.ended_off_map == (lane.diverged_at < 0 and not arena.surface.contains(lane.path[-1]))
        if row.final_gap < 0:
            assert row.ended_off_map, "only a path that left the map can end below its lowest point"
    order = [(row.diverged_at >= 0, row.ended_off_map) for row in rows]
    assert order == sorted(order) and any(row.ended_off_map for row in rows)
    board = Leaderboard(arena)
    assert board.source.data["off_map"] == [row.ended_off_map for row in rows]
    assert "off the map" in board.table.columns[3].formatter.template


def test_himmelblaus_basins_label_starts_by_the_minimum_they_reach():
    surface = landscapes.get("himmelblau")
    result = basins("adam", surface, 0.03, 300, resolution=41)
    assert result.label.shape == (41, 41)
    assert set(np.unique(result.label)) <= {-2, -1, 0, 1, 2, 3}
    assert np.all(result.shares()[:4] > 0.1)
    for index, minimum in enumerate(surface.minima):  # a start next to a minimum stays in it
        j = np.argmin(abs(result.xs - minimum[0]))
        i = np.argmin(abs(result.ys - minimum[1]))
        assert result.label[i, j] == index


def test_basin_prose_figures_are_the_models():
    f = facts()
    surface = landscapes.get("himmelblau")
    near = {name: basins(name, surface, 0.01, 300).stayed_near(surface.minima) for name in ("sgd", "momentum", "adam")}
    assert f["sgd_near"] == f"{near['sgd']:.0%}" and f["momentum_near"] == f"{near['momentum']:.0%}"
    assert near["momentum"] < near["adam"] < near["sgd"]


def test_prose_figures_are_the_models():
    f = facts()
    assert f["ridge_stuck"] == len(names())
    assert int(f["rms_left"]) < int(f["adam_left"]) < int(f["sgd_left"])
    assert 8 < float(f["rms_first"]) <= 10, "no bias correction: the first step is up to 10 η"
    assert f["sgd_arrivals"] < f["adam_arrivals"] and f["lion_arrivals"] == "none of the 40"
    assert f["quiz_adam"] < f["quiz_sgd"], "the quiz's premise: Adam arrives first at its shared rate"
    assert {"SGD", "Momentum", "Nesterov"} <= set(f["divergers"].split(", "))
    assert f["lamb_ravine"] is not None and f["adafactor_ravine"] is not None
    assert f["relative_rosenbrock"] == "neither arrives at any of the sweep's 40 rates"
    lamb, adafactor = closest_approach("lamb"), closest_approach("adafactor")
    below = float(f["lamb_reaches"]) * 0.999 > SWEEP_RATES
    assert np.all(adafactor[np.isfinite(adafactor)] > 1) and np.all(lamb[below] > 1), "neither nears (1, 1)"
    lamb_diverges = first_sweep("lamb", "rosenbrock").diverged_at >= 0
    assert np.all(lamb[~below & ~lamb_diverges] < 0.5), "from there up to where it diverges, within 0.5"
    assert float(f["adafactor_closest"]) == float(f"{np.nanmin(adafactor):.2g}") > 1
    assert float(f["adafactor_long"]) < 0.5 * float(f["adafactor_closest"]), "more steps: AdaFactor climbs the valley"
    assert float(f["lamb_long"]) < np.nanmin(lamb), "more steps: LAMB comes nearer still"
    assert _winner(Arena(landscape="ravine", optimizers=names(), mode="defaults")) is None
    assert len({f["win_ravine"], f["win_himmelblau"], f["win_ellipse"], f["win_beale"]}) >= 2
    assert f["adam_tuned"] < f["sgd_tuned"] and f["tuned_winner"] not in ("Adam", "SGD")


def test_adam_covers_about_eta_per_coordinate_and_step_at_its_default():
    lane = Arena(landscape="ravine", optimizers=["adam"], mode="defaults").result.lanes[0]
    travel = np.abs(lane.path[-1] - lane.path[0])
    assert np.all(travel <= 500 * 0.001 * 1.01) and np.all(travel > 0.4)


def test_sgds_uncoloured_basin_area_comes_from_a_rate_above_two_over_the_curvature_at_a_minimum():
    surface = landscapes.get("himmelblau")
    rate = float(facts()["faster"])

    def largest_curvature(point, h=1e-5):
        hessian = np.array([(surface.grad(point + h * e) - surface.grad(point - h * e)) / (2 * h) for e in np.eye(2)])
        return np.linalg.eigvalsh((hessian + hessian.T) / 2).max()

    too_steep = [rate > 2 / largest_curvature(np.array(m)) for m in surface.minima]
    assert sum(too_steep) == 2, "two of the four minima"
    coarse = basins("sgd", surface, rate, 300, resolution=21)
    assert len(coarse.shares()) == len(surface.minima) + 3
    summary = basin_summary(coarse, surface.minima)
    assert f"at no minimum after 300 steps: {coarse.shares()[-2]:.0%}" in summary
    assert summary.count(": 0%") >= 2, "the two minima SGD cannot rest at are listed with no starts"
    faster = basins("sgd", surface, rate, 300)
    assert faster.shares()[-2] > basins("sgd", surface, rate / 2, 300).shares()[-2]
    assert all(share == 0 for share, steep in zip(faster.shares()[:4], too_steep, strict=True) if steep), \
        "SGD comes to rest at neither"


@pytest.mark.parametrize(("optimizer", "landscape", "rate"),
                         [("sgd", "himmelblau", 0.02), ("adam", "himmelblau", 0.01), ("adam", "rastrigin", 0.01),
                          ("lion", "himmelblau", 0.1), ("momentum", "ravine", 0.05)])
def test_a_start_is_coloured_only_where_its_run_comes_to_rest_at_a_minimum(optimizer, landscape, rate):
    surface = landscapes.get(landscape)
    result = basins(optimizer, surface, rate, 300, resolution=41)
    starts = np.stack(np.meshgrid(result.xs, result.ys), axis=-1).reshape(-1, 2)
    params = run(optimizer, surface.grad, starts, 300, lr=rate, record="params", hess_fn=surface.hess_diag,
                 bound=surface.escape_bound).params
    width = surface.x_range[1] - surface.x_range[0]
    last_step = np.linalg.norm(params[-1] - params[-2], axis=-1).reshape(result.label.shape)
    wander = np.max(np.linalg.norm(params[-21:] - params[-1], axis=-1), axis=0).reshape(result.label.shape)
    coloured = result.label >= 0
    assert np.all(wander[coloured] < 0.005 * width), "its last 20 points all near where it ends"
    if optimizer == "lion":
        assert coloured.mean() < 0.5, "sign steps rattle: most of Lion's runs are not resting"
    ends = params[-1].reshape(*result.label.shape, 2)
    for index, minimum in enumerate(surface.minima):
        assert np.all(np.linalg.norm(ends[result.label == index] - minimum, axis=-1) < 0.05 * width)
    for index, minimum in enumerate(result.others, start=result.minima):
        assert np.all(np.linalg.norm(ends[result.label == index] - minimum, axis=-1) < 0.05 * width)
        assert np.linalg.norm(surface.grad(minimum)) < 1e-2 * np.linalg.norm(surface.grad(minimum + 0.01 * width))
    if landscape == "rastrigin":
        assert np.mean(result.label >= result.minima) > 0.5, "Rastrigin marks only its lowest point"
        assert np.all(last_step[result.label >= result.minima] < 1e-4)
    else:
        assert len(result.others) == 0, "these landscapes mark every minimum"


def test_places_join_close_points_and_chains_of_them_and_keep_far_ones_apart():
    reach = 0.1
    points = np.array([[0, 0], [0.09, 0], [0.18, 0.05], [1, 1], [1.05, 0.95], [-3, 2]])
    place = places(points, reach)
    assert place[0] == place[1] == place[2], "a chain of points closer than the reach"
    assert place[3] == place[4] and len({place[0], place[3], place[5]}) == 3
    rng = np.random.default_rng(0)
    for _ in range(50):  # points closer than the reach always share a place, wherever the grid's cells fall
        a = rng.uniform(-5, 5, 2)
        b = a + reach * 0.99 * np.array([np.cos(angle := rng.uniform(0, 2 * np.pi)), np.sin(angle)])
        far = a + np.array([3 * reach, 0])
        place = places(np.vstack([a, b, far]), reach)
        assert place[0] == place[1] != place[2]


@pytest.mark.parametrize(("optimizer", "landscape", "rate"),
                         [("sgd", "ravine", 0.001), ("sgd", "rosenbrock", 1e-4), ("adam", "ravine", 1e-4),
                          ("momentum", "beale", 1e-4)])
def test_a_run_still_crawling_down_a_gentle_slope_rests_at_no_minimum(optimizer, landscape, rate):
    surface = landscapes.get(landscape)
    result = basins(optimizer, surface, rate, 300, resolution=41)
    starts = np.stack(np.meshgrid(result.xs, result.ys), axis=-1).reshape(-1, 2)
    params = run(optimizer, surface.grad, starts, 300, lr=rate, record="params").params
    width = surface.x_range[1] - surface.x_range[0]
    resting = np.max(np.linalg.norm(params[-21:] - params[-1], axis=-1), axis=0) < 0.005 * width
    far = np.min(np.linalg.norm(params[-1][:, None] - np.asarray(surface.minima), axis=-1), axis=1) > 0.05 * width
    assert np.mean(resting & far) > 0.1, "many runs move too slowly to count as moving"
    assert len(result.others) == 0 and np.all(result.label.ravel()[resting & far] == -1)


def test_rastrigins_map_finds_every_dip_in_colours_that_differ_where_they_touch():
    surface = landscapes.get("rastrigin")
    for optimizer, rate in (("adam", 0.01), ("momentum", 10**ch8_arena.ROLLING_LOG_LR), ("momentum", 0.001)):
        result = basins(optimizer, surface, rate)
        on_map = [point for point in result.others if surface.contains(point)]
        lattice = np.round(np.asarray(on_map))
        assert len(on_map) == 120 and len(np.unique(lattice, axis=0)) == 120, "one per dip off the origin"
        assert np.all(np.abs(lattice) <= 5) and not np.any(np.all(lattice == 0, axis=1))
        color = other_colors(result)
        clashes = 0
        for one, touching_it in touching(result.label, result.minima).items():
            around = {color[other - result.minima] for other in touching_it}
            if color[one - result.minima] in around:
                clashes += 1
                assert len(around) == len(OTHER_COLORS), "a colour is shared only when every tint touches"
        if optimizer == "adam" or rate == 0.001:
            assert clashes == 0, "a lattice of square basins needs four tints"
        image = basin_image(result)
        assert np.all(np.isnan(image) == (result.label == -1))
        summary = basin_summary(result, surface.minima)
        assert f"at {len(result.others)} minima the landscape does not mark" in summary
        swatches = re.findall(r"color:(#[0-9a-f]{6})", summary)
        shown = [OTHER_COLORS.index(tint) for tint in swatches if tint in OTHER_COLORS]
        assert shown == list(dict.fromkeys(color.tolist()))[:3], "a swatch for each tint in use, at most three"
        assert ("off the map" in summary) == (result.others_off_map > 0)


def test_the_basin_summary_writes_a_minimums_rounding_noise_as_zero_and_one_unmarked_minimum_in_the_singular():
    surface = typed_landscape("(x-3)**2*(x+1)**2/10 + y**2", 2.0)
    assert abs(surface.minima[0][1]) < 1e-9 * 2.0, "the numerically found minimum sits on y = 0 up to rounding"
    result = basins("sgd", surface, 10**-1.5, 300, resolution=41)
    summary = basin_summary(result, surface.minima)
    x = surface.minima[0][0]
    assert f"({number(x)}, 0)" in summary and "× 10" not in summary
    if len(result.others) == 1:
        assert "at 1 minimum the landscape does not mark" in summary and "1 of them" not in summary
        tints = [tint for tint in re.findall(r"color:(#[0-9a-f]{6})", summary) if tint in OTHER_COLORS]
        assert len(tints) == 1, "one minimum, one tint"
        assert ("(○, off the map)" in summary) == (result.others_off_map == 1)


@pytest.mark.parametrize("title", list(PRESETS))
def test_every_preset_is_a_link_that_reproduces_its_race(title):
    href = ch8_arena.preset_links()[title]
    import urllib.parse

    query = dict(urllib.parse.parse_qsl(href.lstrip("?")))
    fresh = Arena()
    assert Link(fresh, "arena", LINK).apply(query) == []
    expected = Arena(**PRESETS[title])
    for mine, theirs in zip(fresh.result.lanes, expected.result.lanes, strict=True):
        assert mine.entry == theirs.entry
        np.testing.assert_array_equal(mine.path, theirs.path)


def test_a_bad_formula_is_answered_and_changes_nothing():
    arena = Arena(landscape="ravine")
    before = arena.result
    message = arena.try_formula("x + $")
    assert "character 5" in message
    assert arena.landscape == "ravine" and arena.result is before
    assert arena.try_formula("x**2 + y**2") == ""
    assert arena.landscape == "typed" and arena.surface.summary == "f = x**2 + y**2"


@pytest.mark.parametrize("query, named", [
    ({"arena.landscape": "typed", "arena.formula": "__import__('os')"}, "arena.formula"),
    ({"arena.landscape": "ravine", "arena.formula": "x +* y"}, "arena.formula"),
    ({"arena.log_lr": "1e308"}, "arena.log_lr"),
    ({"arena.optimizers": "sgd,evil"}, "arena.optimizers"),
    ({"arena.start": "99,99"}, "arena.start"),
    ({"arena.mode": "<script>"}, "arena.mode"),
])
def test_bad_values_in_a_link_are_named_and_the_rest_applies(query, named):
    _page, links, notices = build(8, {**query, "arena.steps": "120"})
    assert any(named in notice for notice in notices)
    arena = links[0].model
    assert arena.steps == 120


def test_the_typed_landscape_in_a_link_is_drawn():
    _page, links, notices = build(8, {"arena.landscape": "typed", "arena.formula": "x**2 + 2*y**2",
                                     "arena.start": "1,1"})
    assert notices == []
    arena = links[0].model
    assert arena.surface.summary == "f = x**2 + 2*y**2" and arena.start == (1.0, 1.0)


def test_every_mode_has_a_description_and_every_control_range_runs():
    for mode in MODES:
        for steps in (10, 2000):
            arena = Arena(optimizers=names(), mode=mode, steps=steps, landscape="beale", noise=10.0, seed=9999,
                          schedule="cosine", warmup=0.9)
            assert len(arena.result.lanes) == len(names())
    assert Arena(optimizers=[]).standings() == []


@pytest.mark.parametrize("seed", range(5))
def test_strong_noise_at_a_small_rate_keeps_adagrad_on_the_ridge(seed):
    arena = Arena(landscape="saddle", optimizers=["adagrad"], log_lr=-2.0, steps=2000, noise=1.0, seed=seed)
    assert ch8_arena._left_ridge(arena.result.lanes[0].path) is None


def test_a_map_size_on_which_the_typed_formula_breaks_is_undone_with_a_message():
    arena = Arena(landscape="typed", formula="log(x + 2)", span=1.0)
    before = arena.result
    arena.span = 5.0
    assert "not a finite number" in arena.problem
    assert arena.span == 1.0 and arena.result is before
    arena.span = 1.5
    assert arena.problem == "" and arena.result.landscape.x_range == (-1.5, 1.5)


def test_a_flat_typed_landscape_races_and_is_drawn():
    from widgets.map_view import MapView

    arena = Arena(landscape="typed", formula="-1", optimizers=["sgd", "adam"])
    assert all(row.steps_to_tolerance == 0 for row in arena.standings())
    view = MapView(Arena(landscape="ravine").surface)
    view.set_landscape(arena.surface)
    assert view.figure.x_range.start == -3


@pytest.mark.parametrize("name", names())
def test_every_optimizers_settings_read_back_as_written(name):
    from lessons.own_settings import adjustable, read_settings, read_table, settings_text, table_text

    defaults = adjustable(name)
    assert "lr" not in defaults
    assert read_settings(name, settings_text(defaults)) == defaults
    assert read_settings(name, "") == {}
    table = {name: defaults} if defaults else {}
    assert read_table(table_text(table)) == table


@pytest.mark.parametrize("name", names())
@pytest.mark.parametrize("text", ["lr=0.1", "nonsense=1", "momentum", "eps=abc", "eps=nan", "eps=-1",
                                  "betas=0.9", "betas=1.5/0.9", "amsgrad=maybe", "hessian_interval=2.5",
                                  "momentum=1e309", "<script>x</script>=1", "x" * 500])
def test_a_setting_a_method_cannot_take_is_answered_and_changes_nothing(name, text):
    arena = Arena(optimizers=[name], own_name=name, own_settings="momentum:momentum=0.5")
    before, result = arena.own_settings, arena.result
    problem = arena.give_own_settings(text)
    assert problem, f"{name} took {text[:40]!r}"
    assert arena.own_settings == before and arena.result is result


@pytest.mark.parametrize(("name", "text", "expected"), [
    ("momentum", "momentum=0.5, weight_decay=0.01", {"momentum": 0.5, "weight_decay": 0.01}),
    ("adam", "betas=0.8/0.99, eps=10⁻⁶, amsgrad=true", {"betas": (0.8, 0.99), "eps": 1e-6, "amsgrad": True}),
    ("rmsprop", "centered=true, momentum=0.9", {"centered": True, "momentum": 0.9}),
    ("adafactor", "eps=none/0.01, d=2", {"eps": (None, 0.01), "d": 2.0}),
    ("sophia", "hessian_interval=3, rho=0.1", {"hessian_interval": 3, "rho": 0.1}),
])
def test_settings_of_its_own_reach_the_race_the_sweep_and_the_basins(name, text, expected):
    from optimizers import run

    arena = Arena(landscape="himmelblau", optimizers=[name, "sgd"], own_name=name, steps=150, log_lr=-2.0,
                  mode="tuned")
    assert arena.give_own_settings(text) == ""
    assert arena.settings_of(name) == expected and arena.settings_of("sgd") == {}
    lane = next(lane for lane in arena.result.lanes if lane.entry.optimizer == name)
    surface = arena.surface
    alone = run(name, surface.grad, np.array(arena.start), 150, lr=lane.entry.hyper["lr"], hess_fn=surface.hess_diag,
                bound=surface.escape_bound, **expected)
    np.testing.assert_array_equal(lane.path, alone.params)
    chosen = arena.sweeps[name]
    assert lane.entry.hyper["lr"] == chosen.best_rate, "the sweep that chose the rate ran with the settings"
    if np.isfinite(chosen.steps_to_tolerance).any():
        assert lane.steps_to_tolerance == np.nanmin(chosen.steps_to_tolerance)
    assert f"{get_spec(name).title}'s {text.split(',')[0]}" in arena.compared()
    arena.basin_optimizer = name
    assert arena.basin_map() is basins(name, surface, lane.entry.hyper["lr"], 150, settings=tuple(expected.items()))
    assert arena.give_own_settings("") == "" and arena.own_settings == "", "blank text restores the defaults"


def test_own_settings_travel_in_the_link_and_a_bad_one_is_named():
    arena = Arena(optimizers=["momentum", "adam"], own_name="adam")
    arena.give_own_settings("betas=0.8/0.99")
    arena.own_name = "momentum"
    arena.give_own_settings("momentum=0.5")
    query = Link(arena, "arena", LINK).query()
    assert query["arena.own_settings"] == "adam:betas=0.8/0.99;momentum:momentum=0.5"
    _page, links, notices = build(8, query)
    assert notices == []
    reopened = links[0].model
    for mine, theirs in zip(reopened.result.lanes, arena.result.lanes, strict=True):
        assert mine.entry == theirs.entry
        np.testing.assert_array_equal(mine.path, theirs.path)
    for bad in ("adam:betas=2/0.9", "evil:x=1", "momentum", "<script>", "nan"):
        _page, links, notices = build(8, {"arena.own_settings": bad, "arena.steps": "120"})
        assert any("arena.own_settings" in notice for notice in notices), bad
        assert links[0].model.own_settings == "" and links[0].model.steps == 120


@pytest.mark.parametrize(("name", "text"), [("adam", "betas=0.9/0.9999999"), ("rmsprop", "alpha=0.9999999"),
                                            ("momentum", "momentum=0.9999999, weight_decay=1.2345678e-09"),
                                            ("adafactor", "eps=none/0.00123456789")])
def test_an_accepted_setting_is_kept_to_the_last_digit_and_reads_back(name, text):
    from lessons.own_settings import read_settings

    arena = Arena(optimizers=[name], own_name=name)
    assert arena.give_own_settings(text) == ""
    assert arena.settings_of(name) == read_settings(name, text), "the race runs with exactly what was typed"
    reopened = Arena()
    assert Link(reopened, "arena", LINK).apply(Link(arena, "arena", LINK).query()) == []
    assert reopened.settings_of(name) == read_settings(name, text)
    assert arena.give_own_settings(text) == "" and arena.compared()


def test_every_optimizer_with_settings_of_its_own_fits_in_a_link():
    arena = Arena(optimizers=names())
    for name in names():
        arena.own_name = name
        assert arena.give_own_settings("weight_decay=0.000123456789" if name != "adafactor" else "d=1.5") == ""
    query = Link(arena, "arena", LINK).query()
    assert len(query["arena.own_settings"]) > 200
    _page, links, notices = build(8, query)
    assert notices == [] and links[0].model.own_settings == arena.own_settings


def test_the_arena_shares_one_race_between_settings_that_only_change_the_view():
    first = Arena(sort_by="final", show_basins=True, own_name="sgd")
    assert Arena().result is first.result


@pytest.mark.parametrize(("query", "shown"), [
    ({}, False),
    ({"arena.own_name": "momentum"}, True),
    ({"arena.own_log_lr": "-1"}, True),
    ({"arena.own_rates": "sgd=0.05"}, True),
    ({"arena.own_settings": "momentum:momentum=0.5"}, True),
    ({"arena.own_settings": "momentum:momentum=lots"}, False),
])
def test_one_optimizers_own_settings_open_when_the_link_sets_any_of_them(query, shown):
    page, _, _ = build(8, query)
    section = next(part for part in page.select(OnRequest) if part.name == "own-section")
    assert section.drawn == shown
    labels = {getattr(widget, "label", "") for widget in section.select(pn.widgets.Widget)}
    assert ("Its own rate (log₁₀ η)" in labels) == shown


def test_the_arenas_selects_and_own_panes_show_titles_and_numbers_as_a_reader_writes_them():
    page, _, _ = build(8, {"arena.own_rates": "schedule_free=1e-05,adam=0.05", "arena.optimizers": "adam,sgd"})
    selects = {widget.name: widget for widget in page.select(pn.widgets.Select)}
    assert list(selects["Tolerance"].options) == ["0.1", "0.01", "0.001", "0.0001", "10⁻⁶"]
    assert selects["Tolerance"].options["10⁻⁶"] == 1e-6
    assert list(selects["Sort the leaderboard by"].options) == ["steps to tolerance", "final loss − minimum", "name"]
    assert "Rosenbrock" in selects["Landscape"].options and "Type your own" in selects["Landscape"].options
    own = next(pane for pane in page.select(pn.pane.HTML) if pane.name == "own-rates")
    assert own.object == "Own rates: Schedule-Free AdamW at 10⁻⁵, Adam at 0.05"
    note = next(pane for pane in page.select(pn.pane.HTML) if pane.name == "own-settings-note")
    assert "eps=1e-08" in note.object, "the note writes defaults in the syntax the box takes"


def test_the_sweep_charts_legend_names_every_line_in_its_colour():
    from widgets.arena_views import SweepChart

    arena = Arena(landscape="ravine", optimizers=["sgd", "adam", "lion"], mode="tuned")
    chart = SweepChart(arena)
    assert chart.source.data["label"] == ["SGD", "Adam", "Lion"]
    for color, title in zip(chart.source.data["color"], chart.source.data["label"], strict=True):
        assert f"color:{color}" in chart.legend.object and title in chart.legend.object
    arena.optimizers = ["momentum"]
    assert "Momentum" in chart.legend.object and "Adam" not in chart.legend.object
    arena.optimizers = []
    assert chart.source.data["label"] == [] and "No optimizer is ticked" in chart.legend.object


def test_the_races_legend_is_text_under_the_plots_naming_every_ticked_optimizer_in_its_colour():
    from widgets.palette import LINE_MARKS, optimizer_style
    from widgets.race_view import RaceView

    arena = Arena(landscape="ravine", optimizers=names())
    view = RaceView(arena, "arena", text_legend=True)
    assert not view.maps[0].legend.visible and view.legend.visible
    for name in names():
        color, dash = optimizer_style(name)
        assert f"color:{color};font-weight:700\">{LINE_MARKS[dash]}</span>" in view.legend.object
        assert get_spec(name).title in view.legend.object
    arena.optimizers = ["sgd", "lion"]
    assert "Lion" in view.legend.object and "Adam" not in view.legend.object
    arena.optimizers = ["adam"]
    arena.set_start(0.5, 0.5)
    assert "Adam" in view.legend.object and "SGD" not in view.legend.object


def test_the_basin_map_has_no_legend_of_its_own_over_the_basins():
    page, _, _ = build(8, {"arena.show_basins": "true"})
    for section in page.select(ch8_arena.Deferred):
        section.draw()
    figure = next(p.object for p in page.select(pn.pane.Bokeh) if getattr(p.object, "name", "") == "basin-map")
    assert not any(legend.visible for legend in figure.legend)


def test_no_lane_of_the_typed_preset_ends_below_the_minimum_the_page_uses():
    standings = Arena(**PRESETS["A typed landscape"]).standings()
    assert all(row.final_gap > -1e-14 for row in standings), [row.final_gap for row in standings]


@pytest.mark.parametrize("landscape", ["ravine", "rosenbrock", "himmelblau", "beale", "ellipse", "saddle", "rastrigin"])
def test_the_leaderboard_and_the_sweep_say_the_same_at_the_sweeps_rates(landscape):
    """The leaderboard's steps to tolerance (from the race) and the sweep's (from one batched run
    per optimizer) come from two code paths; at a rate of the sweep's grid they must agree."""
    for k in (10, 25, 33):
        arena = Arena(landscape=landscape, optimizers=names(), log_lr=math.log10(SWEEP_RATES[k]), show_sweep=True)
        board = {row.title: row.steps_to_tolerance for row in arena.standings()}
        for name, result in arena.sweeps.items():
            swept = result.steps_to_tolerance[k]
            raced = board[get_spec(name).title]
            assert (raced is None and not np.isfinite(swept)) or raced == swept, (name, SWEEP_RATES[k], raced, swept)


def _rests_on_map(result, surface) -> np.ndarray:
    """Which starts come to rest at a minimum on the map (marked, or found there)."""
    where = np.vstack([surface.minima, result.others])[np.clip(result.label, 0, None)]
    (x0, x1), (y0, y1) = surface.x_range, surface.y_range
    inside = (where[..., 0] >= x0) & (where[..., 0] <= x1) & (where[..., 1] >= y0) & (where[..., 1] <= y1)
    return (result.label >= 0) & inside


def test_on_rastrigin_sgd_and_momentum_rest_in_a_dip_only_below_their_limits_at_every_slider_rate():
    surface = landscapes.get("rastrigin")
    walls = ch8_arena.rastrigin_walls(basins("adam", surface, ch8_arena.RASTRIGIN_RATE))
    beta = get_spec("momentum").defaults["momentum"]
    limits = {"sgd": 2 / walls, "momentum": 2 * (1 + beta) / walls}
    for log_lr in np.arange(-3.0, 1.0 + 1e-9, 0.05):
        rate = 10**log_lr
        for optimizer, limit in limits.items():
            rests = _rests_on_map(basins(optimizer, surface, rate, 300, resolution=40), surface)  # no start at 0
            if rate > limit.max():
                assert not rests.any(), (optimizer, rate)
            if rate < limit.min():
                assert rests.mean() > 0.2, (optimizer, rate)
    f = facts()
    preset = Arena(**PRESETS["Many minima (Rastrigin)"])
    assert f"{preset.shared_rate:g}" == f["rastrigin_rate"] and preset.show_basins
    assert preset.shared_rate > limits["momentum"].max() and f["rastrigin_dips"] == 121
    adam = basins("adam", surface, preset.shared_rate)
    assert adam.shares()[-2] == 0 and adam.stayed_near(surface.minima) > 0.9, "Adam rests, in the nearest dip"
    rolling = basins("momentum", surface, 10**ch8_arena.ROLLING_LOG_LR)
    assert limits["momentum"].min() > 10**ch8_arena.ROLLING_LOG_LR
    assert rolling.moved_on(surface.minima) > 0.5 and rolling.shares()[0] < 0.02
    assert f"{rolling.moved_on(surface.minima):.0%}" == f["rolling_moved"]


@pytest.mark.parametrize(("optimizer", "landscape", "formula", "rate"),
                         [("adam", "rastrigin", "", 1e-4), ("adam", "rastrigin", "", 1.3e-4),
                          ("adam", "rastrigin", "", 3.2e-4), ("sgd", "rastrigin", "", 1e-5),
                          ("sgd", "typed", DEFAULT_FORMULA, 1e-3),
                          ("adam", "typed", "sin(x)*sin(y)", 1e-4)])
def test_slow_runs_that_crawl_are_never_counted_at_a_dip_they_have_not_reached(optimizer, landscape, formula, rate):
    surface = typed_landscape(formula, 4.0) if formula else landscapes.get(landscape)
    result = basins(optimizer, surface, rate, 300, resolution=40)
    starts = np.stack(np.meshgrid(result.xs, result.ys), axis=-1).reshape(-1, 2)
    params = run(optimizer, surface.grad, starts, 300, lr=rate, record="params", bound=surface.escape_bound).params
    rests = params[-21:].mean(axis=0)
    label = result.label.ravel()
    width = surface.x_range[1] - surface.x_range[0]
    at_other = label >= result.minima
    gaps = np.linalg.norm(rests[at_other] - result.others[label[at_other] - result.minima], axis=1)
    assert np.all(gaps < 0.01 * width), "a run is at a dip only where it rests, within 1% of the width"


@pytest.mark.parametrize(("formula", "span", "optimizer", "rate"),
                         [("-exp(-(x**2+y**2))", 5.0, "adam", 3.16), ("x*0 + 1", 3.0, "sgd", 0.01)])
def test_a_flat_plateau_where_runs_stop_is_no_minimum(formula, span, optimizer, rate):
    result = basins(optimizer, typed_landscape(formula, span), rate, 300, resolution=40)
    assert len(result.others) == 0 and not np.any(result.label >= result.minima)


@pytest.mark.parametrize("landscape", ["ravine", "himmelblau"])
def test_the_sweep_charts_final_loss_axis_stops_at_the_loss_charts_floor(landscape):
    arena = Arena(landscape=landscape, optimizers=names(), show_sweep=True, sweep_metric="final")
    chart = SweepChart(arena)
    gaps = np.concatenate([result.final_gap for result in arena.sweeps.values()])
    assert chart.figure.y_range.start >= FLOOR / 1.5
    drawn = np.concatenate([np.asarray(ys, dtype=float) for ys in chart.source.data["ys"]])
    assert np.nanmin(drawn) >= FLOOR
    assert ("drawn at it" in chart.legend.object) == bool(np.any(np.isfinite(gaps) & (gaps < FLOOR)))


def test_the_shared_rate_slider_is_off_with_a_word_of_why_in_the_modes_that_ignore_it():
    arena = Arena()
    controls = ch8_arena._controls(arena, ch8_arena.FormulaBox(arena))
    slider = next(w for w in controls.select(pn.widgets.FloatSlider) if w.name.startswith("Shared learning rate"))
    note = next(p for p in controls.select(pn.pane.HTML) if "shared-unused" in p.css_classes)
    for mode in [*MODES, "shared"]:
        arena.mode = mode
        assert slider.disabled == note.visible == (mode != "shared")
        if mode != "shared":
            before = [lane.entry.hyper["lr"] for lane in arena.result.lanes]
            arena.log_lr = -3.0
            assert [lane.entry.hyper["lr"] for lane in arena.result.lanes] == before, "the slider changes nothing"
            arena.log_lr = -2.0


def test_with_no_optimizer_ticked_the_line_under_the_controls_says_what_to_do():
    arena = Arena(optimizers=[])
    assert "Tick one or more" in arena.verdict() and arena.standings() == []
    arena.optimizers = ["adam"]
    assert arena.verdict().startswith("<b>This race compares:</b> 1 optimizer from")
    arena.optimizers = ["adam", "sgd"]
    assert arena.compared().startswith("2 optimizers from")


@pytest.mark.parametrize("schedule", list(SCHEDULES))
@pytest.mark.parametrize("warmup", [0.0, 0.1])
def test_the_compared_line_names_the_schedule_as_the_selector_does_with_its_article(schedule, warmup):
    line = Arena(schedule=schedule, warmup=warmup).compared()
    title = SCHEDULE_TITLES[schedule]
    if schedule == "constant":
        assert "a constant rate" in line and "schedule" not in line
    else:
        assert f"{'an' if title[0] in 'aeiou' else 'a'} {title} schedule" in line
        assert "inverse_sqrt" not in line and "wsd" not in line, "no internal key reaches the page"
    assert ("after a 10% warmup" in line) == (warmup > 0) and "0% warmup" not in line.replace("10% warmup", "")


def test_the_compared_line_lists_own_rates_only_of_ticked_optimizers_by_title():
    arena = Arena(optimizers=["adam", "momentum"], own_rates="adam=0.05,sgd=0.1")
    line = arena.compared()
    assert "(except Adam at 0.05)" in line and "SGD" not in line and "sgd=" not in line
    arena.optimizers = ["momentum"]
    assert "except" not in arena.compared()


def test_the_sweep_chart_marks_the_shared_rate_only_in_the_mode_that_races_at_it():
    arena = Arena(show_sweep=True)
    chart = SweepChart(arena)
    for mode in [*MODES, "shared"]:
        arena.mode = mode
        assert chart.shared.visible == ("the shared rate" in chart.legend.object) == (mode == "shared")


def test_a_path_can_leave_the_map_and_still_arrive_as_the_leaderboard_note_says():
    rows = Arena(landscape="ravine", optimizers=names(), mode="tuned").standings()
    back = [row for row in rows if row.left_map_at >= 0 and row.steps_to_tolerance is not None]
    assert back and all(row.left_map_at < row.steps_to_tolerance for row in back)


@pytest.mark.parametrize(("text", "said"), [
    ("adam=100", "the rate for Adam must be between 10⁻⁵ and 10"),
    ("schedule_free=lots", "the rate for Schedule-Free AdamW is not a number"),
])
def test_a_refused_own_rate_is_answered_by_the_optimizers_title_and_readable_bounds(text, said):
    with pytest.raises(ValueError, match=said):
        own_rate_table(text)
    _page, _links, notices = build(8, {"arena.own_rates": text})
    assert len(notices) == 1 and said in notices[0]


def test_a_minus_sign_copied_from_the_page_reads_as_a_minus():
    arena = Arena(optimizers=["adafactor"], own_name="adafactor")
    assert arena.give_own_settings("beta2_decay=−0.7") == ""
    assert arena.settings_of("adafactor") == {"beta2_decay": -0.7}
    assert "beta2_decay=-0.7" in arena.own_settings, "the link keeps the plain form"
