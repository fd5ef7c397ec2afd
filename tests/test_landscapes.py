"""Landscapes: analytic derivatives against finite differences, minima, data, noise."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from landscapes import get, names, regression_landscape, synthetic_line

UNIT = st.floats(0.0, 1.0)


def point_in(landscape, u, w):
    (x0, x1), (y0, y1) = landscape.x_range, landscape.y_range
    return np.array([x0 + u * (x1 - x0), y0 + w * (y1 - y0)])


def central_difference(fn, p, h=1e-5):
    columns = []
    for axis in range(2):
        step = np.zeros(2)
        step[axis] = h
        columns.append((fn(p + step) - fn(p - step)) / (2 * h))
    return np.array(columns)


ALL = [*names(), "regression"]


def landscape_named(name):
    return regression_landscape() if name == "regression" else get(name)


@pytest.mark.parametrize("name", ALL)
@settings(max_examples=60, deadline=None)
@given(u=UNIT, w=UNIT)
def test_gradient_matches_finite_differences(name, u, w):
    surface = landscape_named(name)
    p = point_in(surface, u, w)
    numeric = central_difference(surface.f, p)
    np.testing.assert_allclose(surface.grad(p), numeric, rtol=1e-5, atol=1e-5 * (1 + np.abs(numeric).max()))


@pytest.mark.parametrize("name", ALL)
@settings(max_examples=60, deadline=None)
@given(u=UNIT, w=UNIT)
def test_hessian_diagonal_matches_finite_differences(name, u, w):
    surface = landscape_named(name)
    p = point_in(surface, u, w)
    jacobian = central_difference(surface.grad, p)
    numeric = np.diag(jacobian)
    np.testing.assert_allclose(surface.hess_diag(p), numeric, rtol=1e-5, atol=1e-4 * (1 + np.abs(numeric).max()))


@pytest.mark.parametrize("name", ALL)
def test_minima_have_zero_gradient_and_sit_inside_the_map(name):
    surface = landscape_named(name)
    for minimum in surface.minima:
        assert surface.contains(minimum)
        np.testing.assert_allclose(surface.grad(np.array(minimum)), 0.0, atol=1e-4)
    assert surface.contains(surface.start)


@pytest.mark.parametrize("name", ALL)
def test_functions_are_vectorised_over_a_grid(name):
    surface = landscape_named(name)
    xs, ys, z = surface.grid(40)
    assert z.shape == (40, 40) and np.all(np.isfinite(z))
    points = np.stack(np.meshgrid(xs, ys), axis=-1)
    assert surface.grad(points).shape == (40, 40, 2)
    assert surface.hess_diag(points).shape == (40, 40, 2)
    np.testing.assert_allclose(z[7, 11], surface.f(np.array([xs[11], ys[7]])))


def test_log_scale_is_asked_for_by_the_wide_range_surfaces():
    assert {n for n in names() if get(n).log_contours} == {"rosenbrock", "himmelblau", "beale"}


def test_unknown_landscape_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown landscape 'moon'"):
        get("moon")


def test_mini_batch_gradients_are_unbiased():
    fit = synthetic_line()
    p = np.array([0.3, 1.2])
    per_example = fit.per_example_grads(p)
    np.testing.assert_allclose(per_example.mean(axis=0), fit.grad(p))
    # Averaging every batch of a partition of the data gives back the full gradient.
    order = np.random.default_rng(1).permutation(fit.n)
    batches = np.array_split(order, 6)
    np.testing.assert_allclose(np.mean([fit.grad(p, b) for b in batches], axis=0), fit.grad(p))


def test_the_data_set_is_the_same_every_time():
    np.testing.assert_array_equal(synthetic_line().y, synthetic_line().y)


def test_noisy_gradient_is_seeded_and_of_the_asked_scale():
    surface = get("bowl")
    points = np.zeros((20000, 2))
    a, b = surface.noisy_grad(0.5, seed=3), surface.noisy_grad(0.5, seed=3)
    noise = a(points)
    np.testing.assert_array_equal(noise, b(points))
    assert noise.std() == pytest.approx(0.5, rel=0.03)
    assert not np.array_equal(noise, a(points)), "each call draws fresh noise"
    with pytest.raises(ValueError, match="noise scale"):
        surface.noisy_grad(-1.0)
