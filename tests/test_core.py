"""Behaviour of `run`: equivalences between methods, batches, divergence, bad input."""

import numpy as np
import pytest

from landscapes import get
from optimizers import REGISTRY, names, run

ROSENBROCK = get("rosenbrock")
EXTRA = {"sophia": {"hess_fn": ROSENBROCK.hess_diag}}
MODEST_LR = {"sgd": 1e-4, "momentum": 1e-4, "nesterov": 1e-4, "radam": 1e-4}


def run_on_rosenbrock(name, x0, steps=60, **hyper):
    hyper = {"lr": MODEST_LR.get(name, 1e-3), **hyper}
    return run(name, ROSENBROCK.grad, x0, steps, **EXTRA.get(name, {}), **hyper)


def test_names_lists_every_optimizer_in_course_order():
    assert names()[:3] == ["sgd", "momentum", "nesterov"]
    assert set(names()) == {"sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw",
                            "amsgrad", "adamax", "nadam", "radam", "adafactor", "lion", "lamb",
                            "sophia", "schedule_free"}


@pytest.mark.parametrize("name", names())
def test_a_batch_equals_separate_runs(name):
    starts = np.array([[-1.2, 1.0], [0.3, 0.4], [1.4, 1.7], [0.0, 0.0]])
    batch = run_on_rosenbrock(name, starts)
    assert batch.params.shape == (61, 4, 2)
    for i, start in enumerate(starts):
        alone = run_on_rosenbrock(name, start)
        assert alone.params.shape == (61, 2)
        np.testing.assert_allclose(batch.params[:, i], alone.params, rtol=1e-12, atol=1e-14)
        for key, values in alone.internals.items():
            np.testing.assert_allclose(batch.internals[key][:, i], values, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", names())
def test_row_zero_is_the_start_and_internals_have_one_row_per_step(name):
    traj = run_on_rosenbrock(name, [-1.2, 1.0], steps=7)
    np.testing.assert_array_equal(traj.params[0], [-1.2, 1.0])
    assert traj.diverged_at == -1
    for values in traj.internals.values():
        assert values.shape == (7, 2)


def test_adamw_without_decay_is_adam():
    a = run("adam", ROSENBROCK.grad, [-1.2, 1.0], 200, lr=0.01)
    w = run("adamw", ROSENBROCK.grad, [-1.2, 1.0], 200, lr=0.01, weight_decay=0.0)
    np.testing.assert_array_equal(a.params, w.params)


def test_momentum_zero_is_sgd():
    plain = run("sgd", ROSENBROCK.grad, [-1.2, 1.0], 200, lr=1e-4)
    zero = run("momentum", ROSENBROCK.grad, [-1.2, 1.0], 200, lr=1e-4, momentum=0.0)
    np.testing.assert_array_equal(plain.params, zero.params)


def test_amsgrad_shortcut_is_adam_with_the_flag():
    a = run("adam", ROSENBROCK.grad, [-1.2, 1.0], 100, lr=0.01, amsgrad=True)
    b = run("amsgrad", ROSENBROCK.grad, [-1.2, 1.0], 100, lr=0.01)
    np.testing.assert_array_equal(a.params, b.params)


def test_nesterov_is_the_textbook_lookahead_method():
    """PyTorch's form stores the lookahead point; the textbook ball follows the curriculum's
    equations: gradient at theta - lr*beta*v, then v = beta*v + g, theta -= lr*v."""
    lr, beta, steps = 1e-3, 0.9, 50
    traj = run("nesterov", ROSENBROCK.grad, [-1.2, 1.0], steps, lr=lr, momentum=beta)
    theta, v = np.array([-1.2, 1.0]), np.zeros(2)
    for k in range(steps):
        g = ROSENBROCK.grad(theta - lr * beta * v)
        v = beta * v + g
        theta = theta - lr * v
        np.testing.assert_allclose(traj.internals["ball"][k], theta, rtol=1e-9)
        np.testing.assert_allclose(traj.internals["lookahead"][k], theta - lr * beta * v, rtol=1e-9)
    np.testing.assert_array_equal(traj.internals["lookahead"], traj.params[1:])


def test_divergence_is_reported_per_start_and_the_rest_carry_on():
    def parabola_grad(x):
        return 2 * (x - 3.0)

    traj = run("sgd", parabola_grad, np.array([[0.0], [1.0]]), 100, lr=1.1, bound=1e3)
    assert traj.diverged_at[0] > 0 and traj.diverged_at[1] > 0
    calm = run("sgd", parabola_grad, np.array([[0.0], [1.0]]), 100, lr=0.9, bound=1e3)
    assert np.all(calm.diverged_at == -1)
    mixed = run("sgd", ROSENBROCK.grad, np.array([[-1.2, 1.0], [40.0, 40.0]]), 50, lr=1e-3)
    assert mixed.diverged_at[0] == -1 and mixed.diverged_at[1] >= 1
    k = mixed.diverged_at[1]
    assert np.all(np.isnan(mixed.params[k + 1:, 1]))
    assert np.all(np.isfinite(mixed.params[:, 0]))


def test_overflow_to_infinity_becomes_nan_not_an_error():
    traj = run("sgd", lambda x: x**3, [10.0], 20, lr=1.0)
    assert traj.diverged_at >= 1
    assert not np.any(np.isinf(traj.params))


@pytest.mark.parametrize(("name", "hyper", "message"), [
    ("sgd", {"lr": -0.1}, "Invalid learning rate: -0.1"),
    ("adam", {"betas": (1.2, 0.999)}, "Invalid beta parameter at index 0: 1.2"),
    ("adam", {"betas": (0.9, 1.0)}, "Invalid beta parameter at index 1: 1.0"),
    ("rmsprop", {"alpha": -0.5}, "Invalid alpha value: -0.5"),
    ("momentum", {"momentum": -1.0}, "Invalid momentum value"),
    ("adam", {"momentum": 0.9}, "adam has no hyperparameter 'momentum'"),
    ("sgd", {"nesterov": True}, "Nesterov momentum requires momentum > 0"),
    ("nesterov", {"nesterov": False}, "nesterov always has nesterov=True"),
    ("sophia", {"hessian_interval": 0}, "hessian interval"),
])
def test_bad_hyperparameters_raise_clear_errors(name, hyper, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        run(name, ROSENBROCK.grad, [0.0, 0.0], 5, hess_fn=ROSENBROCK.hess_diag, **hyper)


@pytest.mark.parametrize(("args", "message"), [
    (("adamm", ROSENBROCK.grad, [0.0, 0.0], 5), "unknown optimizer 'adamm'"),
    (("adam", ROSENBROCK.grad, [np.nan, 0.0], 5), "x0 must be finite"),
    (("adam", ROSENBROCK.grad, [0.0, 0.0], -1), "steps must be a whole number"),
    (("sophia", ROSENBROCK.grad, [0.0, 0.0], 5), "needs hess_fn"),
])
def test_bad_calls_raise_clear_errors(args, message):
    with pytest.raises(ValueError, match=message):
        run(*args)


def test_lr_and_schedule_together_are_refused():
    with pytest.raises(ValueError, match="either lr or schedule"):
        run("sgd", ROSENBROCK.grad, [0.0, 0.0], 5, lr=0.1, schedule=lambda s: 0.1 + 0 * s)


def test_record_params_only_keeps_no_internals():
    traj = run("adam", ROSENBROCK.grad, np.zeros((3, 2)), 10, record="params")
    assert traj.internals == {} and traj.params.shape == (11, 3, 2)


def test_every_registry_entry_names_a_chapter_and_year():
    for spec in REGISTRY.values():
        assert 1950 < spec.year < 2030 and 1 <= spec.chapter <= 7


def test_an_update_rule_is_short_and_documented_with_its_formula():
    for spec in REGISTRY.values():
        assert "$$" in spec.rule.__doc__ or "$" in spec.rule.__doc__


def test_thousands_of_starts_split_into_chunks_give_the_same_result(monkeypatch):
    import optimizers.runner

    starts = np.random.default_rng(0).uniform(-2, 2, (50, 2))
    whole = run("adam", ROSENBROCK.grad, starts, 40, lr=0.05)
    monkeypatch.setattr(optimizers.runner, "CHUNK", 7)
    chunked = run("adam", ROSENBROCK.grad, starts, 40, lr=0.05)
    np.testing.assert_array_equal(whole.params, chunked.params)
    np.testing.assert_array_equal(whole.internals["m"], chunked.internals["m"])


def test_chunks_where_some_starts_diverge_report_them_as_one_batch_does(monkeypatch):
    import optimizers.runner

    starts = np.random.default_rng(1).uniform(-2, 2, (50, 2))
    whole = run("sgd", ROSENBROCK.grad, starts, 40, lr=0.002)
    assert 0 < np.count_nonzero(whole.diverged_at >= 0) < len(starts), "some starts diverge, others do not"
    monkeypatch.setattr(optimizers.runner, "CHUNK", 7)
    chunked = run("sgd", ROSENBROCK.grad, starts, 40, lr=0.002)
    np.testing.assert_array_equal(whole.diverged_at, chunked.diverged_at)
    np.testing.assert_array_equal(whole.params, chunked.params)


def test_an_empty_batch_is_refused():
    with pytest.raises(ValueError, match="x0 must be a point"):
        run("adam", ROSENBROCK.grad, np.zeros((0, 2)), 5)


def test_several_workers_give_exactly_the_single_thread_result(monkeypatch):
    import optimizers.runner

    monkeypatch.setattr(optimizers.runner, "CHUNK", 16)
    monkeypatch.setattr(optimizers.runner, "THREAD_PART", 40)
    starts = np.random.default_rng(2).uniform(-2, 2, (150, 2))
    one = run("lamb", ROSENBROCK.grad, starts, 30, lr=0.05)
    three = run("lamb", ROSENBROCK.grad, starts, 30, lr=0.05, workers=3)
    np.testing.assert_array_equal(one.params, three.params)
    np.testing.assert_array_equal(one.internals["trust_ratio"], three.internals["trust_ratio"])
    np.testing.assert_array_equal(one.diverged_at, three.diverged_at)


def test_workers_must_be_a_positive_whole_number():
    with pytest.raises(ValueError, match="workers must be"):
        run("adam", ROSENBROCK.grad, [0.0, 0.0], 5, workers=0)


# Declared state --------------------------------------------------------------------------------

def _one_step(spec, **hyper):
    hp = {**spec.defaults, **hyper}
    if spec.needs_hessian:
        hp["hess_fn"] = ROSENBROCK.hess_diag
    theta = np.array([[-1.2, 1.0]])
    state = spec.init(theta, **hp)
    return state, spec.rule(theta, ROSENBROCK.grad(theta), state, 1, **hp)


@pytest.mark.parametrize("name", names())
def test_each_rule_keeps_exactly_the_state_its_init_declares(name):
    spec = REGISTRY[name]
    for hyper in ({}, {"momentum": 0.5, "centered": True} if name == "rmsprop" else {},
                  {"amsgrad": True} if "amsgrad" in spec.defaults and name != "amsgrad" else {}):
        before, (_, after, shown) = _one_step(spec, **hyper)
        assert set(after) == set(before), "a step returns the same buffers it was given"
        assert not set(shown) & set(after), "values shown for display are not buffers"


@pytest.mark.parametrize("name", [n for n in names() if REGISTRY[n].buffers])
def test_a_misspelt_or_missing_buffer_fails_loudly(name):
    spec = REGISTRY[name]
    hp = {**spec.defaults, **({"hess_fn": ROSENBROCK.hess_diag} if spec.needs_hessian else {})}
    theta = np.array([[-1.2, 1.0]])
    with pytest.raises(KeyError):
        spec.rule(theta, ROSENBROCK.grad(theta), {}, 1, **hp)


def test_buffers_per_parameter_come_from_the_declared_state():
    assert REGISTRY["sgd"].buffers == ()
    assert REGISTRY["momentum"].buffers == ("velocity",)
    assert REGISTRY["adam"].buffers == ("m", "v")
    assert REGISTRY["amsgrad"].buffers == ("m", "v", "v_max")
    assert REGISTRY["lion"].buffers == ("m",)


@pytest.mark.parametrize("name", ["adagrad", "rmsprop"])
def test_a_coordinate_without_a_gradient_has_no_rate_yet(name, sequence_grad):
    traj = run(name, sequence_grad([0.0, 3.0], [0.0, 2.0], [5.0, 1.0]), [0.0, 0.0], 3, lr=0.1)
    rates = traj.internals["effective_lr"]
    assert np.isnan(rates[:2, 0]).all(), "no rate while every gradient so far was zero"
    assert np.isfinite(rates[2, 0]) and rates[2, 0] < 1, "a real rate from the first real gradient on"
    assert np.isfinite(rates[:, 1]).all()


def test_defaults_are_written_once_in_the_registry():
    import inspect

    for spec in REGISTRY.values():
        defaults = [p.name for p in inspect.signature(spec.rule).parameters.values()
                    if p.default is not inspect.Parameter.empty]
        assert defaults == [], f"{spec.name}'s rule repeats defaults for {defaults}"
