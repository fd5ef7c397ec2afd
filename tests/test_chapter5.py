"""Chapter 5: the by-hand figures and every claim of its widgets and prose, on the lesson models,
over the whole range of the controls that reach them."""

import numpy as np
import pytest

from chapters import build, ch5_adamw
from lessons import Player
from lessons.decay import DecayByHand, TwoWeights

LAMBDAS = [round(v, 2) for v in np.arange(0.0, 0.301, 0.01)]
"""Every position of the λ slider."""


def test_by_hand_figures_of_the_curriculum():
    steps = DecayByHand().steps()
    assert steps["Adam + L2"]["fed"] == 2.5 and steps["Adam + L2"]["v_hat"] == pytest.approx(6.25)
    assert steps["Adam + L2"]["decay"] == pytest.approx(0.0002) and steps["AdamW"]["decay"] == pytest.approx(0.0005)
    facts = ch5_adamw.facts()
    assert (facts["l2_share"], facts["w_share"]) == ("0.004%", "0.01%")


@pytest.mark.parametrize("seed", range(25))
def test_decay_parts_for_any_typed_numbers(seed):
    rng = np.random.default_rng(seed)
    theta, g = rng.uniform(-100, 100, 2)
    lam, lr = rng.uniform(0, 10), rng.uniform(0, 0.1)
    steps = DecayByHand(theta=theta, g=g, lam=lam, lr=lr).steps()
    sgd, l2, decoupled = steps.values()
    assert sgd["decay"] == pytest.approx(lr * lam * theta, rel=1e-6, abs=1e-12), "SGD: L2 is decoupled decay"
    assert decoupled["decay"] == pytest.approx(lr * lam * theta, rel=1e-6, abs=1e-12), "AdamW removes ηλθ"
    fed = g + lam * theta
    assert l2["v_hat"] == pytest.approx(fed**2, rel=1e-9)
    assert l2["decay"] == pytest.approx(lr * lam * theta / (abs(fed) + 1e-8), rel=1e-6, abs=1e-12)
    table = DecayByHand(theta=theta, g=g, lam=lam, lr=lr).table()
    assert len(table[1]) == 3 and "ηλθ" in table[2]


@pytest.mark.parametrize("theta", [1.0, 3.0, 5.0, 7.0, -9.0, 123.0])
@pytest.mark.parametrize("lam", [0.01, 0.1, 0.3, 2.7])
def test_a_gradient_that_cancels_lambda_theta_to_within_rounding_feeds_adam_nothing_to_split(theta, lam):
    g = -float(f"{lam * theta:.12g}")  # what a learner types: the decimal, not the rounded product
    model = DecayByHand(theta=theta, g=g, lam=lam)
    l2 = model.steps()["Adam + L2"]
    _, rows, note = model.table()
    assert model.cancels() and note.startswith("Here g + λθ = 0") and l2["decay"] == 0.0
    assert rows[1][4] == 0.0 and rows[1][5] == "0%", "the table splits no decay out of Adam + L2's step"
    assert abs(l2["step"]) <= 1e-3 * model.lr, "Adam + L2 barely moves: its step is η·(g + λθ)/ε at most"
    assert ("to within rounding" in note) == (g + lam * theta != 0)


@pytest.mark.parametrize("theta", [-5.0, -0.001, 5.0])
def test_no_share_of_a_missing_decay_is_written_with_a_minus_sign(theta):
    _, rows, _ = DecayByHand(theta=theta, lam=0.0).table()
    assert all(row[5] == "0%" for row in rows)


def test_a_hundredfold_gradient_shrinks_l2_decay_but_not_adamws():
    base, busy = DecayByHand().steps(), DecayByHand(g=200.0).steps()
    assert busy["Adam + L2"]["decay"] < base["Adam + L2"]["decay"] / 50
    assert busy["AdamW"]["decay"] == pytest.approx(base["AdamW"]["decay"])


@pytest.mark.parametrize("lam", LAMBDAS)
def test_two_weights_under_l2_and_adamw(lam):
    model = TwoWeights(lam=lam)
    weights = model.weights()
    l2, decoupled = weights["adam"], weights["adamw"]
    assert np.abs(decoupled[:, 0] - decoupled[:, 1]).max() < 1e-6, "AdamW: both weights on one curve"
    if lam == 0:
        assert np.abs(l2 - decoupled).max() < 1e-12
        drift = np.abs(l2[-1] - 1).max()
        assert drift <= 2 * model.LR and ch5_adamw.facts()["drift"] == f"{drift:.2g}", "about two steps' worth"
        assert "agree" in model.table(weights)[2]
        return
    assert abs(l2[-1, 1]) < 0.01 * l2[-1, 0], "Adam + L2 decays the quiet weight far more than the busy one"
    assert l2[-1, 0] > decoupled[-1, 0], "and spares the busy one compared with AdamW"
    undecayed = TwoWeights(lam=0.0).weights()["adamw"][-1, 0]
    assert decoupled[-1, 0] / undecayed == pytest.approx((1 - model.LR * lam) ** model.STEPS, rel=0.02, abs=1e-3)


def test_prose_figures_are_measured():
    facts = ch5_adamw.facts()
    weights = TwoWeights().weights()
    assert facts["l2_busy"] == f"{weights['adam'][-1, 0]:.2f}" and float(facts["l2_busy"]) > 0.8
    assert abs(float(facts["l2_quiet"])) < 0.001 and float(facts["w_both"]) < 0.2


def test_page_builds_from_a_link():
    _page, links, notices = build(5, {"two.lam": "0.3", "hand.g": "200", "two.step": "50"})
    assert notices == []
    models = {link.prefix: link.model for link in links if not isinstance(link.model, Player)}
    assert models["two"].lam == 0.3 and models["hand"].g == 200


def test_no_decay_part_when_the_fed_gradient_is_zero():
    note = DecayByHand(g=-0.5).table()[2]
    assert "g + λθ = 0" in note and "0.0005" in note


def test_with_momentum_the_penalty_and_the_decay_part_ways():
    """The quiz's claim: L2 and decoupled decay agree for plain SGD only."""
    from lessons.sequence import replay

    theta, g, lr, lam, beta, steps = 5.0, 10.0, 0.01, 0.1, 0.9, 50
    penalty = replay("momentum", [g] * steps, start=[theta], lr=lr, momentum=beta, weight_decay=lam).final[0]
    decoupled, velocity = theta, 0.0
    for _ in range(steps):
        velocity = beta * velocity + g
        decoupled = decoupled * (1 - lr * lam) - lr * velocity
    assert abs(penalty - decoupled) > 1.0
    plain = replay("sgd", [g] * steps, start=[theta], lr=lr, weight_decay=lam).final[0]
    plain_decoupled = theta
    for _ in range(steps):
        plain_decoupled = plain_decoupled * (1 - lr * lam) - lr * g
    assert plain == pytest.approx(plain_decoupled, rel=1e-12)


@pytest.mark.parametrize("lam", [0.05, 0.1, 0.2, 0.3])
def test_the_quiet_weights_divisor_still_remembers_its_larger_past_when_the_weight_is_small(lam):
    """√v̂ lags: when the quiet weight falls below its gradient's size, √v̂ is still several times
    that size, so the decay is multiplied by far less than 1/0.01."""
    step, divisor = TwoWeights(lam=lam).quiet_divisor(0.01)
    assert 0 < step < TwoWeights.STEPS and divisor > 2 * 0.01
    f = ch5_adamw.facts()
    assert (f["quiet_step"], f["quiet_sqrt_v"]) == (TwoWeights().quiet_divisor(0.01)[0],
                                                    f"{TwoWeights().quiet_divisor(0.01)[1]:.2g}")
