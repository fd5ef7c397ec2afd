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
