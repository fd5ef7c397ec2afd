"""Hyperparameters as arrays, one value per start: one run sweeps a whole grid, and each of its
columns is exactly the run that value would give on its own."""

import numpy as np
import pytest

from landscapes import get
from optimizers import REGISTRY, make_schedule, names, run

ROSENBROCK = get("rosenbrock")
RATES = np.geomspace(1e-4, 1.0, 9)


def _run(name, start, steps, **hyper):
    return run(name, ROSENBROCK.grad, start, steps, hess_fn=ROSENBROCK.hess_diag,
               bound=ROSENBROCK.escape_bound, **hyper)


@pytest.mark.parametrize("name", names())
def test_an_array_of_rates_equals_one_run_per_rate(name):
    swept = _run(name, np.array(ROSENBROCK.start), 150, lr=RATES)
    assert swept.params.shape == (151, RATES.size, 2)
    for i, rate in enumerate(RATES):
        alone = _run(name, np.array(ROSENBROCK.start), 150, lr=float(rate))
        np.testing.assert_array_equal(swept.params[:, i], alone.params)
        assert swept.diverged_at[i] == alone.diverged_at
        for key, values in alone.internals.items():
            np.testing.assert_array_equal(swept.internals[key][:, i], values)


@pytest.mark.parametrize("name, key, values", [
    ("momentum", "momentum", [0.0, 0.5, 0.9, 0.99]),
    ("sgd", "weight_decay", [0.0, 0.1, 1.0]),
    ("rmsprop", "momentum", [0.0, 0.9]),
    ("adam", "weight_decay", [0.0, 0.01]),
    ("adam", "eps", [1e-8, 1e-3, 1.0]),
    ("nadam", "momentum_decay", [0.0, 4e-3, 1.0]),
    ("sophia", "rho", [0.01, 0.04, 1.0]),
])
def test_other_hyperparameters_sweep_too_and_zero_means_the_plain_method(name, key, values):
    starts = np.array([ROSENBROCK.start] * len(values))
    swept = _run(name, starts, 100, **{key: np.array(values)})
    for i, value in enumerate(values):
        np.testing.assert_array_equal(swept.params[:, i], _run(name, starts[i], 100, **{key: value}).params)


def test_a_schedule_may_give_one_rate_per_start():
    shape = make_schedule("cosine", 80, 1.0, warmup_steps=8)
    peaks = np.array([1e-3, 1e-2, 1e-1])
    swept = _run("adam", np.array(ROSENBROCK.start), 80,
                 schedule=lambda k: shape(k)[:, None] * peaks[None, :])
    for i, peak in enumerate(peaks):
        alone = _run("adam", np.array(ROSENBROCK.start), 80,
                     schedule=make_schedule("cosine", 80, float(peak), warmup_steps=8))
        np.testing.assert_allclose(swept.params[:, i], alone.params, rtol=1e-12, atol=0)


def test_a_sweep_splits_into_chunks_and_threads_without_changing_a_value(monkeypatch):
    import optimizers.runner as runner

    rates = np.geomspace(1e-3, 0.1, 50)
    whole = _run("adam", np.array(ROSENBROCK.start), 40, lr=rates)
    monkeypatch.setattr(runner, "CHUNK", 7)
    monkeypatch.setattr(runner, "THREAD_PART", 11)
    np.testing.assert_array_equal(_run("adam", np.array(ROSENBROCK.start), 40, lr=rates).params, whole.params)
    threaded = run("adam", ROSENBROCK.grad, ROSENBROCK.start, 40, lr=rates, workers=2)
    np.testing.assert_array_equal(threaded.params, whole.params)


@pytest.mark.parametrize("hyper, message", [
    ({"lr": np.array([0.1, -1.0])}, "Invalid learning rate: -1.0"),
    ({"lr": np.array([0.1, np.nan])}, "Invalid learning rate: nan"),
    ({"lr": np.zeros((2, 2))}, "shape (n,)"),
    ({"lr": np.array([])}, "shape (n,)"),
    ({"betas": np.array([0.9, 0.999])}, "cannot be an array"),
])
def test_bad_arrays_are_refused_with_the_offending_value(hyper, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        run("adam", ROSENBROCK.grad, ROSENBROCK.start, 5, **hyper)


def test_arrays_of_different_lengths_or_a_batch_of_another_size_are_refused():
    with pytest.raises(ValueError, match="one value per start"):
        run("momentum", ROSENBROCK.grad, ROSENBROCK.start, 5, lr=np.ones(3) * 0.01, momentum=np.ones(2) * 0.5)
    with pytest.raises(ValueError, match="one value per start"):
        run("sgd", ROSENBROCK.grad, np.zeros((4, 2)), 5, lr=np.ones(3) * 0.01)


def test_nesterov_refuses_an_array_with_a_zero_momentum():
    with pytest.raises(ValueError, match="Nesterov momentum requires momentum > 0"):
        run("nesterov", ROSENBROCK.grad, ROSENBROCK.start, 5, momentum=np.array([0.9, 0.0]))


def test_every_sweepable_name_is_a_hyperparameter_somewhere():
    from optimizers.hyper import ARRAY_HYPER

    everywhere = {key for spec in REGISTRY.values() for key in spec.defaults}
    assert ARRAY_HYPER.issubset(everywhere)
