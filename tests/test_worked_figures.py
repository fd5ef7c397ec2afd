"""The worked "by hand" figures of CURRICULUM.md, recomputed through the core."""

import numpy as np
import pytest

from landscapes import LineFit
from lessons.advice import RECIPES
from optimizers import make_schedule, run
from optimizers.adam import adam
from widgets.worked_table import Table, table_html


def parabola_grad(x):
    return 2 * (x - 3.0)


def parabola(x):
    return (x - 3.0) ** 2


# Chapter 0 -----------------------------------------------------------------------------------

def test_gradient_descent_on_the_parabola():
    traj = run("sgd", parabola_grad, [0.0], 5, lr=0.1)
    np.testing.assert_allclose(traj.params[:, 0], [0, 0.6, 1.08, 1.464, 1.7712, 2.01696])
    assert parabola(traj.params[0, 0]) == 9.0
    assert round(float(parabola(traj.final[0])), 3) == 0.966


@pytest.mark.parametrize("lr", [0.01, 0.1, 0.3])
def test_distance_to_minimum_shrinks_by_one_minus_two_eta(lr):
    distance = np.abs(run("sgd", parabola_grad, [0.0], 20, lr=lr).params[:, 0] - 3)
    np.testing.assert_allclose(distance[1:] / distance[:-1], 1 - 2 * lr)


def test_half_learning_rate_lands_in_one_step():
    assert run("sgd", parabola_grad, [0.0], 1, lr=0.5).final[0] == 3.0


def test_too_large_learning_rate_diverges_without_raising():
    traj = run("sgd", parabola_grad, [0.0], 200, lr=1.1)
    np.testing.assert_allclose(parabola(traj.params[:3, 0]), [9, 12.96, 18.6624])
    assert traj.diverged_at > 0
    assert np.all(np.isnan(traj.params[traj.diverged_at + 1:]))
    assert np.all(np.isfinite(traj.params[: traj.diverged_at]))


def test_tiny_learning_rate_crawls():
    traj = run("sgd", parabola_grad, [0.0], 2300, lr=0.001)
    assert traj.params[100, 0] == pytest.approx(0.544, abs=5e-4)
    assert traj.params[1000, 0] == pytest.approx(2.595, abs=5e-4)
    assert traj.params[2300, 0] == pytest.approx(2.97, abs=5e-3)


# Chapter 1 -----------------------------------------------------------------------------------

TOY = LineFit(np.array([1.0, 2, 3, 4]), np.array([2.0, 4, 5, 8]), intercept=False)


def test_per_example_and_full_batch_gradients():
    np.testing.assert_allclose(TOY.per_example_grads(np.array([1.0]))[:, 0], [-2, -8, -12, -32])
    assert TOY.grad(np.array([1.0]))[0] == -13.5
    assert run("sgd", TOY.grad, [1.0], 1, lr=0.01).final[0] == pytest.approx(1.135)


def test_two_mini_batch_steps():
    first = run("sgd", lambda p: TOY.grad(p, batch=[0, 2]), [1.0], 1, lr=0.01)
    assert TOY.grad(np.array([1.0]), batch=[0, 2])[0] == -7.0
    assert first.final[0] == pytest.approx(1.07)
    # The curriculum quotes -20.0 -> 1.27 for the second batch: -20.0 is that batch's gradient
    # at the starting theta = 1.0. SGD evaluates it where it stands, at 1.07: -18.6 -> 1.256.
    assert TOY.grad(np.array([1.0]), batch=[1, 3])[0] == -20.0
    second = run("sgd", lambda p: TOY.grad(p, batch=[1, 3]), first.final, 1, lr=0.01)
    assert TOY.grad(first.final, batch=[1, 3])[0] == pytest.approx(-18.6)
    assert second.final[0] == pytest.approx(1.256)


def test_batch_gradients_average_to_the_full_one():
    batches = [TOY.grad(np.array([1.0]), batch=b)[0] for b in ([0, 2], [1, 3])]
    assert np.mean(batches) == TOY.grad(np.array([1.0]))[0]


# Chapter 2 -----------------------------------------------------------------------------------

def test_five_steps_of_momentum_against_vanilla():
    momentum = run("momentum", parabola_grad, [0.0], 5, lr=0.01, momentum=0.9)
    vanilla = run("sgd", parabola_grad, [0.0], 5, lr=0.01)
    np.testing.assert_allclose(momentum.params[1:, 0], [0.060, 0.1728, 0.3309, 0.5265, 0.7521],
                               atol=5e-5)
    np.testing.assert_allclose(momentum.internals["velocity"][:, 0],
                               [-6, -11.28, -15.81, -19.56, -22.55], atol=5e-3)
    np.testing.assert_allclose(vanilla.params[1:, 0], [0.060, 0.1188, 0.1764, 0.2329, 0.2882],
                               atol=5e-5)


# Chapter 3 -----------------------------------------------------------------------------------

def test_adagrad_accumulates_squares(sequence_grad):
    grads = sequence_grad([3.0, 0.0], [2.5, 0.0], [2.8, 0.0], [3.1, 5.0])
    traj = run("adagrad", grads, [0.0, 0.0], 4, lr=0.1)
    np.testing.assert_allclose(traj.internals["G"][:, 0], [9, 15.25, 23.09, 32.70])
    np.testing.assert_allclose(traj.internals["effective_lr"][:, 0],
                               [0.0333, 0.0256, 0.0208, 0.0175], atol=5e-5)
    assert traj.internals["effective_lr"][3, 1] == pytest.approx(0.02)


def test_rmsprop_moving_average(sequence_grad):
    grads = sequence_grad([3.0], [2.5], [2.8], [3.1])
    traj = run("rmsprop", grads, [0.0], 4, lr=0.1, alpha=0.9, eps=0.0)
    np.testing.assert_allclose(traj.internals["E"][:, 0], [0.9, 1.435, 2.0755, 2.82895])
    np.testing.assert_allclose(traj.internals["effective_lr"][:, 0],
                               [0.1054, 0.0835, 0.0694, 0.0595], atol=5e-5)


# Chapter 4 -----------------------------------------------------------------------------------

def test_adam_by_hand(sequence_grad):
    traj = run("adam", sequence_grad([4.0], [-1.0], [3.0]), [0.0], 3)
    m, v = traj.internals["m"][:, 0], traj.internals["v"][:, 0]
    update = traj.internals["update"][:, 0]
    assert (m[0], v[0]) == pytest.approx((0.4, 0.016))
    assert (traj.internals["m_hat"][0, 0], traj.internals["v_hat"][0, 0]) == pytest.approx((4, 16))
    assert update[0] == pytest.approx(0.001, rel=1e-6)
    assert (m[1], v[1]) == pytest.approx((0.26, 0.016984))
    assert update[1] == pytest.approx(0.000469, abs=5e-7)
    assert m[2] == pytest.approx(0.534)
    assert update[2] == pytest.approx(0.000669, abs=5e-7)


def test_bias_correction_claims(sequence_grad):
    corrected = run("adam", sequence_grad([4.0]), [0.0], 1, lr=0.01)
    uncorrected = run("adam", sequence_grad([4.0]), [0.0], 1, lr=0.01, bias_correction=False)
    assert uncorrected.internals["m"][0, 0] == pytest.approx(0.1 * 4.0)
    assert corrected.internals["update"][0, 0] == pytest.approx(0.01, rel=1e-7)


# Chapter 5 -----------------------------------------------------------------------------------

def test_decay_share_adam_l2_versus_adamw():
    theta, lam, lr = np.array([5.0]), 0.1, 0.001
    adamw = run("adamw", np.zeros_like, theta, 1, lr=lr, weight_decay=lam)
    assert 1 - adamw.final[0] / theta[0] == pytest.approx(0.0001)
    # Adam + L2 with v settled at 4 (sqrt 2) and no loss gradient this step: the decay term
    # lambda*theta goes through the same division by sqrt(v) as the gradient.
    after, _, _ = adam(theta, np.zeros(1), {"m": np.zeros(1), "v": np.full(1, 4.0)}, 10**6, lr=lr,
                       betas=(0.0, 0.999), eps=1e-8, weight_decay=lam, amsgrad=False, bias_correction=True)
    assert 1 - after[0] / theta[0] == pytest.approx(0.00005, rel=1e-3)


# Chapter 7 -----------------------------------------------------------------------------------

def test_cosine_with_warmup_table():
    schedule = make_schedule("cosine", 1000, 0.001, warmup_steps=100, min_lr=0.0)
    steps = np.array([0, 50, 100, 325, 550, 775, 1000])
    np.testing.assert_allclose(schedule(steps), [0, 0.0005, 0.001, 0.000854, 0.0005, 0.000146, 0],
                               atol=5e-7)


def test_a_table_of_words_keeps_short_columns_on_one_line_and_wraps_long_ones():
    table = Table(["method", "year", "idea"], [["AdamW", 2019, "decay the weights apart from the gradient's scaling"],
                                               ["Schedule-Free AdamW", 2024, "no schedule"]], words=True)
    page = table_html(table)
    rows = page.split("<tbody>")[1].split("</tr>")[:2]
    assert all(row.count('class="short"') == 2 and row.count('class="long"') == 1 for row in rows)
    assert 'class="short"' not in table_html(Table(["a"], [[1.0]])), "number tables are left as they are"
    assert RECIPES["finetune"].rate_text == "1e-05 to 5e-05", "both ends of a range written alike"
