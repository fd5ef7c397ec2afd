"""Numbers and claims stated in the chapters' prose, checked against the core."""

import numpy as np
import pytest

from chapters import ch0_landscape, ch1_sgd, ch2_momentum
from chapters.ch1_sgd import toy_table
from landscapes import get
from optimizers import run


def test_ravine_walls_are_100_times_steeper_than_the_floor():
    curvature = get("ravine").hess_diag(np.array([0.0, 0.0]))
    assert curvature[1] / curvature[0] == pytest.approx(100)
    assert "100 times" in ch0_landscape.TEXT_EXPLORER and "curvature 10" in ch0_landscape.TEXT_FAILURES


def test_bowl_critical_rate_is_one():
    assert get("bowl").hess_diag(np.zeros(2))[0] == 2  # critical rate 2 / curvature = 1
    assert run("sgd", get("bowl").grad, [1.0, 1.0], 500, lr=0.999).diverged_at == -1
    just_above = run("sgd", get("bowl").grad, [1.0, 1.0], 500, lr=1.001)
    assert np.linalg.norm(just_above.final) > np.linalg.norm(just_above.params[0])
    assert run("sgd", get("bowl").grad, [1.0, 1.0], 500, lr=1.05, bound=300).diverged_at > 0


def test_tiny_rate_factor_and_crawl():
    distance = np.abs(run("sgd", lambda x: 2 * (x - 3), [0.0], 2, lr=0.001).params[:, 0] - 3)
    assert f"{distance[1] / distance[0]:.3f}" == "0.998"
    assert "0.998" in ch0_landscape.TEXT_AFTER_TABLE


def test_two_noisy_steps_beat_one_exact_step():
    _, updates, _ = toy_table(1.0, 0.01)
    full, after_two = float(updates[0][3]), float(updates[2][3])
    assert after_two > full
    assert "Two cheap noisy steps went further" in ch1_sgd.TEXT_TABLE_AFTER


def test_momentum_memory_weights(sequence_grad):
    """One unit gradient, then none: the velocity left k steps later is the old gradient's weight."""
    kick = sequence_grad(*([[1.0]] + [[0.0]] * 59))
    velocity = run("momentum", kick, [0.0], 60, lr=0.01, momentum=0.9).internals["velocity"][:, 0]
    assert round(velocity[10], 2) == 0.35 and round(velocity[50], 3) == 0.005
    assert "0.35 after ten steps" in ch2_momentum.TEXT_INTRO and "0.005 after fifty" in ch2_momentum.TEXT_INTRO


def test_steady_slope_velocity_grows_to_one_over_one_minus_beta():
    traj = run("momentum", lambda x: np.ones_like(x), [0.0], 400, lr=0.01, momentum=0.9)
    assert traj.internals["velocity"][-1, 0] == pytest.approx(1 / (1 - 0.9))


def test_sgd_zigzag_factor_on_the_ravine():
    traj = run("sgd", get("ravine").grad, [0.0, 1.0], 3, lr=0.15)
    np.testing.assert_allclose(traj.params[1:, 1] / traj.params[:-1, 1], -0.5)
    assert "-0.5" in ch2_momentum.TEXT_RACE


def test_nesterov_diverges_on_the_ravine_where_classical_momentum_converges():
    ravine = get("ravine")
    hyper = {"lr": 0.15, "momentum": 0.9}
    classical = run("momentum", ravine.grad, ravine.start, 400, bound=ravine.escape_bound, **hyper)
    nesterov = run("nesterov", ravine.grad, ravine.start, 400, bound=ravine.escape_bound, **hyper)
    assert classical.diverged_at == -1 and nesterov.diverged_at > 0
    assert "Nesterov diverges" in ch2_momentum.TEXT_BETA


def test_saddle_odds_table_values():
    rows = ch0_landscape.saddle_odds_table().object
    assert "0.000977" in rows and "10^−301,030" in rows


def _race(lr: float, beta: float):
    """The race's two paths and their steps to the verdict's tolerance, at these settings."""
    race = ch2_momentum.RavineRace(lr=lr, beta=beta)
    explorer = race.explorer
    paths = [c.path(t) for c, t in zip(explorer.contestants, explorer.trajectories, strict=True)]
    return paths, explorer.steps_to_reach(ch2_momentum.TOLERANCE)


def _wall_to_wall_swings(path: np.ndarray) -> int:
    """Crossings of the floor (y = 0) by more than 2.5% of the ravine's half-width."""
    y = path[:, 1]
    sides = np.sign(y[np.abs(y) > 0.05])
    return int(np.sum(sides[1:] != sides[:-1]))


def test_race_at_the_defaults_sgd_stops_bouncing_and_momentum_swings_yet_arrives_first():
    race = ch2_momentum.RavineRace()
    (sgd_path, momentum_path), (sgd_steps, momentum_steps) = _race(race.lr, race.beta)
    start_height = abs(sgd_path[0, 1])
    assert np.abs(sgd_path[10:, 1]).max() < 0.01 * start_height  # "after about ten steps it has died out"
    assert _wall_to_wall_swings(momentum_path) >= 20 > 5 >= _wall_to_wall_swings(sgd_path)  # "dozens of steps"
    assert momentum_steps is not None and sgd_steps is not None and momentum_steps < sgd_steps / 2
    assert "halves on every step" in ch2_momentum.TEXT_RACE_AFTER


def test_race_at_rate_0_2_sgd_bounces_forever_and_momentum_still_arrives():
    (sgd_path, _), (sgd_steps, momentum_steps) = _race(0.2, 0.9)
    np.testing.assert_allclose(np.abs(sgd_path[:, 1]), abs(sgd_path[0, 1]))  # the same two heights
    assert sgd_steps is None and momentum_steps is not None
    (_, calm_momentum), (_, calm_steps) = _race(0.2, 0.5)
    assert _wall_to_wall_swings(calm_momentum) < _wall_to_wall_swings(_race(0.2, 0.9)[0][1]) / 4
    assert np.abs(calm_momentum[10:, 1]).max() < 0.05 * abs(calm_momentum[0, 1])  # damped within a few steps
    assert calm_steps is not None
    assert "0.2" in ch2_momentum.TEXT_RACE_AFTER and "0.5" in ch2_momentum.TEXT_RACE_AFTER
    assert 0.2 in ch2_momentum.RATES  # the learner can pick it on the slider
