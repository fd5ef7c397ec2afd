"""Typed landscapes: the whitelist, exact derivatives, and a fuzz of 100,000 inputs in which
nothing but a ValueError (with a message) ever comes out."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.typed_inputs import ALPHABET, token_sequence
from landscapes.expression import MAX_LENGTH, from_expression, parse
from optimizers import run

BATCH = 1000
"""Inputs per hypothesis example: the fuzz runs 50 examples of each kind, 100,000 inputs in all."""



def _answer(text):
    """What from_expression says about `text`: a Landscape or a ValueError with a message."""
    try:
        return from_expression(text)
    except ValueError as problem:
        assert str(problem), text
        return problem


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**63 - 1))
def test_a_thousand_random_texts_per_example_give_a_landscape_or_a_value_error(seed):
    rng = np.random.default_rng(seed)
    for _ in range(BATCH):
        length = int(rng.integers(0, 260))
        _answer("".join(rng.choice(ALPHABET, size=length)))


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**63 - 1))
def test_a_thousand_random_token_sequences_per_example_give_a_landscape_or_a_value_error(seed):
    rng = np.random.default_rng(seed)
    answers = [_answer(token_sequence(rng)) for _ in range(BATCH)]
    assert any(not isinstance(a, ValueError) for a in answers)  # the sequences do reach the landscape


@given(st.text(max_size=300))
def test_any_unicode_text_gives_a_landscape_or_a_value_error(text):
    _answer(text)


@pytest.mark.parametrize("attack, named", [
    ("__import__('os').system('ls')", "unknown name '__import__'"),
    ("x.__class__", "attribute access"),
    ("(1).real", "attribute access"),
    ("9**9**9**9", "the power after ** must be a plain number"),
    ("x**11", "between -10 and 10"),
    ("1" * 150, "at most 1e+15"),
    ("1e999*x", "at most 1e+15"),
    ("[x for x in (1, 2)]", "comprehension"),
    ("lambda: 1", "lambda"),
    ("x" * 10_000, f"at most {MAX_LENGTH}"),
    ("(" * 25 + "x" + ")" * 25, "nested more than 20"),
    ("eval('1')", "unknown name 'eval'"),
    ("x if y else 1", "'if' is not allowed"),
    ("", "type a formula"),
])
def test_known_attacks_are_refused_by_name(attack, named):
    with pytest.raises(ValueError, match=None) as refused:
        from_expression(attack)
    assert named in str(refused.value)


def test_the_text_is_only_parsed_into_a_tree_never_compiled_to_code_or_run():
    import ast
    import builtins
    from unittest import mock

    real_compile = builtins.compile

    def forbidden(*args, **kwargs):
        raise AssertionError("code was evaluated")

    def tree_only(source, filename, mode, flags=0, *args, **kwargs):
        if not flags & ast.PyCF_ONLY_AST:
            raise AssertionError("code was compiled")
        return real_compile(source, filename, mode, flags, *args, **kwargs)

    with mock.patch.object(builtins, "eval", forbidden), mock.patch.object(builtins, "exec", forbidden), \
            mock.patch.object(builtins, "compile", tree_only):
        surface = from_expression("(x**2 + y - 11)**2 + (x + y**2 - 7)**2")
        value = surface.f(np.array([3.0, 2.0]))
    assert value == 0.0


@pytest.mark.parametrize("text, where", [("x + y)", 6), ("2x", 1), ("x + $", 5), ("x + foo", 5), ("x // 2", 1)])
def test_messages_say_where_the_problem_is(text, where):
    with pytest.raises(ValueError, match=f"character {where}"):
        from_expression(text)


@pytest.mark.parametrize("text", ["log(x)", "1/x", "sqrt(y)", "x**-2", "exp(exp(exp(x)))"])
def test_a_formula_that_is_not_finite_on_the_map_gets_a_message(text):
    with pytest.raises(ValueError, match=r"not a finite number|beyond"):
        from_expression(text)


def test_a_typed_himmelblau_matches_the_built_in_one():
    from landscapes import get

    typed = from_expression("(x**2 + y - 11)**2 + (x + y**2 - 7)**2", (-5, 5), (-5, 5))
    built_in = get("himmelblau")
    points = np.random.default_rng(0).uniform(-5, 5, (500, 2))
    for name in ("f", "grad", "hess_diag"):
        np.testing.assert_allclose(getattr(typed, name)(points), getattr(built_in, name)(points), rtol=1e-12,
                                   atol=1e-9)
    assert typed.f(np.array(typed.minima[0])) < 1e-10


def test_shapes_follow_the_points_even_for_a_constant_or_linear_formula():
    for text in ("3", "x + 2*y", "x"):
        surface = from_expression(text)
        assert surface.f(np.zeros((4, 5, 2))).shape == (4, 5)
        assert surface.grad(np.zeros((7, 2))).shape == (7, 2)
        assert surface.hess_diag(np.zeros(2)).shape == (2,)


def test_optimizers_run_on_a_typed_landscape():
    surface = from_expression("0.5*x**2 + 2*sin(y)**2")
    traj = run("adam", surface.grad, np.array(surface.start), 300, lr=0.05)
    assert surface.f(traj.final) < 1e-3


def _formula(depth=3):
    leaf = st.sampled_from(["x", "y", "1.5", "0.3", "pi"])
    smooth = ["sin", "cos", "exp", "tanh", "sinh", "cosh"]

    def grow(inner):
        return st.one_of(
            st.tuples(inner, st.sampled_from(["+", "-", "*"]), inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
            st.tuples(inner, inner).map(lambda t: f"({t[0]}) / (2 + ({t[1]})**2)"),
            st.tuples(inner, st.integers(2, 4)).map(lambda t: f"({t[0]})**{t[1]}"),
            st.tuples(st.sampled_from(smooth), inner).map(lambda t: f"{t[0]}(0.3*({t[1]}))"),
            inner.map(lambda t: f"sqrt(1 + ({t})**2)"),
            inner.map(lambda t: f"log(1 + ({t})**2)"),
        )

    return st.recursive(leaf, grow, max_leaves=8)


@settings(max_examples=200, deadline=None)
@given(_formula(), st.tuples(st.floats(-2.5, 2.5), st.floats(-2.5, 2.5)))
def test_exact_gradients_and_curvature_match_finite_differences(text, point):
    try:
        surface = from_expression(text)
    except ValueError:
        return  # too large or not finite on the map: refused with a message, nothing to compare
    p, h = np.array(point), 1e-5
    for axis in range(2):
        step = np.eye(2)[axis] * h
        f_plus, f_0, f_minus = surface.f(p + step), surface.f(p), surface.f(p - step)
        g_plus, g_minus = surface.grad(p + step)[axis], surface.grad(p - step)[axis]
        scale = 1 + abs(float(f_0)) + abs(float(surface.grad(p)[axis]))
        assert surface.grad(p)[axis] == pytest.approx((f_plus - f_minus) / (2 * h), abs=1e-5 * scale)
        curvature_scale = 1 + abs(float(surface.hess_diag(p)[axis])) + abs(float(g_plus))
        assert surface.hess_diag(p)[axis] == pytest.approx((g_plus - g_minus) / (2 * h), abs=1e-4 * curvature_scale)


def test_a_long_product_stays_a_small_graph():
    """Derivatives share sub-expressions, so the graph of the second derivative of a 67-factor
    product grows linearly, not as the cube of its length."""
    root = parse("*".join(["x"] * 67))
    seen, stack = set(), [root.derivative("x").derivative("x")]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack += [child for child in vars(node).values() if hasattr(child, "derivative")]
    assert len(seen) < 20 * 67


def test_a_singularity_between_the_checked_points_that_the_search_lands_on_is_refused_by_name():
    with pytest.raises(ValueError, match="falls without bound") as refused:
        from_expression("log(abs(x-0.4656))")
    assert "x = 0.466" in str(refused.value)


@pytest.mark.parametrize(("text", "where"), [("(x - 0.3137)**2 + (y + 0.7071)**2", (0.3137, -0.7071)),
                                             ("cosh(x - 1.2345) + 2*(y - 0.1)**2", (1.2345, 0.1))])
def test_the_minimum_is_found_closely_enough_that_no_run_goes_below_it(text, where):
    surface = from_expression(text)
    np.testing.assert_allclose(surface.minima[0], where, atol=1e-8)
