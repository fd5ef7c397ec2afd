"""Chapter 4: the by-hand figures and every claim of its widgets and prose, on the lesson models,
over the whole range of the controls that reach them."""

import itertools

import numpy as np
import pytest

import landscapes
from chapters import build, ch4_adam
from lessons import Player
from lessons.adam import (
    ADAM,
    BIAS_RATES,
    PRESETS,
    SCALE_RATE,
    SCALES,
    AdamByHand,
    AdamInternals,
    BiasRace,
    ScaleRace,
    correction_ratio,
    rmsprop_first_steps,
)
from lessons.sequence import replay
from optimizers import run

BETA1S = [0.0, 0.3, 0.5, 0.7, 0.9, 0.95, 0.99, 0.999]
BETA2S = [0.0, 0.3, 0.5, 0.7, 0.9, 0.95, 0.99, 0.999, 0.9999]
"""Positions across the two β sliders, both ends included."""


def test_by_hand_figures_of_the_curriculum():
    _, rows, note = AdamByHand().table()
    m, v, m_hat, v_hat, update = (np.array([r[k] for r in rows]) for k in range(2, 7))
    assert m == pytest.approx([0.4, 0.26, 0.534]) and v[:2] == pytest.approx([0.016, 0.016984])
    assert m_hat[0] == pytest.approx(4) and v_hat[0] == pytest.approx(16)
    assert update == pytest.approx([0.001, 0.000469, 0.000669], abs=5e-7)
    assert "1 × η" in note


@pytest.mark.parametrize("seed", range(20))
def test_first_update_is_lr_and_updates_ignore_a_thousandfold_scale(seed):
    rng = np.random.default_rng(seed)
    grads = rng.normal(0, 10, 3)
    _, rows, _ = AdamByHand(g1=grads[0], g2=grads[1], g3=grads[2]).table()
    assert rows[0][6] == pytest.approx(0.001 * abs(grads[0]) / (abs(grads[0]) + 1e-8) * np.sign(grads[0]))
    _, scaled, _ = AdamByHand(g1=1000 * grads[0], g2=1000 * grads[1], g3=1000 * grads[2]).table()
    assert [r[6] for r in scaled] == pytest.approx([r[6] for r in rows], rel=1e-6)


@pytest.mark.parametrize(("beta1", "beta2"), list(itertools.product(BETA1S, BETA2S)))
def test_internals_corrections_and_step_sizes(beta1, beta2):
    for preset in PRESETS:
        model = AdamInternals(beta1=beta1, beta2=beta2, preset=preset)
        s = model.series()
        assert s["m_hat"] == pytest.approx(s["m"] / s["correction1"], nan_ok=True)
        assert s["v_hat"] == pytest.approx(s["v"] / s["correction2"], nan_ok=True)
        peak = np.nanmax(np.abs(s["update_over_lr"]))
        if s["diverged_at"] >= 0:
            assert beta2 <= beta1**2 and "blew up" in model.first_step()
            continue
        if beta2 <= beta1**2 and peak > 10:
            assert "Raise β₂ above β₁²" in model.first_step()
            continue
        if s["g"][0] != 0:
            said = model.first_step()
            assert ("m₁ = g₁, since 1 − β₁ = 1" in said) == (beta1 == 0) and "is 1 of g₁" not in said
        if preset == "constant":
            assert s["m_hat"] == pytest.approx(s["g"]) and s["v_hat"] == pytest.approx(s["g"] ** 2)
        if beta2 > beta1**2:  # the prose's condition for steps of a few η
            limit = {"constant": 1.0, "sign flip": 1.0, "noisy": 3.0, "sparse": 3.2}[preset]
            assert peak <= limit + 1e-9, (preset, peak)
        if preset != "sparse":
            assert s["m"][0] == pytest.approx((1 - beta1) * s["g"][0])
            uncorrected = (1 - beta1) / np.sqrt(1 - beta2)
            assert f"{uncorrected:.3g} × η" in model.first_step()
        else:
            assert "no first step" in model.first_step()


def test_internals_step_readout_follows_the_slider():
    model = AdamInternals(step=37, preset="noisy")
    s = model.series()
    shown = dict(model.at_step(s))
    assert shown["gradient g_t"] == s["g"][36] and shown["update ÷ η"] == s["update_over_lr"][36]
    assert shown["1 − β₂^t"] == pytest.approx(1 - 0.999**37)


def test_prose_figures_are_measured():
    facts = ch4_adam.facts()
    assert (facts["ratio1"], facts["ratio10"], facts["ratio1000"]) == ("3.2", "6.5", "1.26")
    assert facts["bridge99"] == "10"
    assert float(facts["noisy_peak"]) > 1 and float(facts["sparse_peak"]) > 1 and float(facts["wild_peak"]) > 10
    assert 0 < facts["turn_delay"] < 20
    assert facts["slow_uncorrected"] < facts["slow_corrected"], "at η = 0.03 skipping the correction even helps"


def test_rmsprop_first_step_is_lr_over_root_one_minus_alpha():
    for _alpha, core, formula in rmsprop_first_steps():
        assert core == pytest.approx(formula, rel=1e-6)


def test_uncorrected_over_corrected_is_the_ratio_of_the_factors():
    ratio = correction_ratio()
    t = np.arange(1, len(ratio) + 1)
    assert ratio == pytest.approx((1 - 0.9**t) / np.sqrt(1 - 0.999**t), rel=1e-6)


@pytest.mark.parametrize("lr", BIAS_RATES)
def test_bias_race_oversized_early_steps_then_agreement(lr):
    rng = np.random.default_rng(1)
    for start in [None, *[(float(rng.uniform(-4, 4)), float(rng.uniform(-3, 3))) for _ in range(4)]]:
        race = BiasRace(lr=lr, **({"start": start} if start else {}))
        lengths = race.step_lengths()
        assert lengths["uncorrected"][0] / lengths["corrected"][0] == pytest.approx(0.1 / np.sqrt(0.001), rel=1e-4)
        corrected, uncorrected = race.result.lanes
        assert np.linalg.norm(corrected.path[-1] - uncorrected.path[-1]) < 1e-6
        assert "3.16×" in race.verdict()
    assert "neither moves" in BiasRace(lr=lr, start=(0.0, 0.0)).verdict()


@pytest.mark.parametrize("scale", SCALES)
def test_adams_path_ignores_the_loss_scale_and_sgds_does_not(scale):
    rng = np.random.default_rng(2)
    for start in [None, *[(float(rng.uniform(-4, 4)), float(rng.uniform(-3, 3))) for _ in range(4)]]:
        race = ScaleRace(scale=scale, **({"start": start} if start else {}))
        (sgd_gap, sgd_diverged), (adam_gap, adam_diverged) = race.differences().values()
        assert adam_diverged == -1 and adam_gap < 1e-7
        if scale == 1:
            assert sgd_gap == 0 and adam_gap == 0
        else:
            assert sgd_diverged > 0, "SGD at η = 0.1 diverges on k·L for every k > 1 off the line y = 0"
    on_the_line = ScaleRace(scale=scale, start=(2.0, 0.0)).differences()["sgd"][1]
    assert (on_the_line > 0) == (scale in ch4_adam.gentle_too_steep())
    assert ch4_adam.gentle_too_steep() == [100, 1000]


@pytest.mark.parametrize("fraction", [0.5, 0.9, 1.1, 2.0])
def test_sgd_on_the_scaled_ellipse_diverges_exactly_above_the_k_the_prose_gives(fraction):
    limit = float(ch4_adam.facts()["scale_limit"])
    assert limit == pytest.approx(2 / (SCALE_RATE * ch4_adam.steep_curvature()))
    k = fraction * limit
    ellipse = landscapes.get("ellipse")
    traj = run("sgd", lambda p: k * ellipse.grad(p), (1.0, 1.0), 2000, lr=SCALE_RATE, bound=1e6)
    assert (traj.diverged_at >= 0) == (fraction > 1)


def test_page_builds_from_a_link():
    _page, links, notices = build(4, {"inside.beta1": "0", "inside.preset": "sparse", "inside.step": "300",
                                      "bias.lr": "0.3", "scale.scale": "1000", "hand.g1": "4000"})
    assert notices == []
    models = {link.prefix: link.model for link in links if not isinstance(link.model, Player)}
    assert models["inside"].preset == "sparse" and models["inside"].step == 300 and models["bias"].lr == 0.3
    assert models["scale"].scale == 1000 and models["hand"].g1 == 4000


@pytest.mark.parametrize(("beta1", "beta2"), [(b1, b2) for b1 in BETA1S for b2 in BETA2S if b2 > b1**2])
def test_while_beta2_exceeds_beta1_squared_no_sequence_passes_the_ceiling(beta1, beta2):
    """|m|/√v ≤ (1 − β₁)/√((1 − β₂)(1 − β₁²/β₂)) by Cauchy-Schwarz; the corrections multiply it by
    √(1 − β₂ᵗ)/(1 − β₁ᵗ). Every preset and a sequence built to grow stay under that."""
    t = np.arange(1, 301)
    ceiling = (1 - beta1) / np.sqrt((1 - beta2) * (1 - beta1**2 / beta2)) * np.sqrt(1 - beta2**t) / (1 - beta1**t)
    for preset in PRESETS:
        update = AdamInternals(beta1=beta1, beta2=beta2, preset=preset).series()["update_over_lr"]
        assert np.all(np.abs(update) <= ceiling * (1 + 1e-9)), preset


def test_below_beta1_squared_small_gradients_after_large_ones_pass_any_ceiling():
    """At β₁ = 0.9, β₂ = 0.5 each quiet step multiplies m̂/√v̂ by about 0.9/√0.5: no ceiling."""
    quiet = [replay("adam", np.r_[np.ones(20), np.full(k, 1e-6)], betas=(0.9, 0.5)).internals["update"][:, 0]
             for k in (5, 10, 20, 30)]
    peaks = [np.abs(u).max() / 1e-3 for u in quiet]
    assert peaks == sorted(peaks) and peaks[-1] > 1000


SPARSE_CORNER = [(0.977, 0.954), (0.99, 0.98), (0.999, 0.998), (0.999, 0.9975)]
"""Below β₁² but close to it, with β₁ near 1: there the quiet steps only just catch up with the spikes."""


@pytest.mark.parametrize(("beta1", "beta2"), [(b1, b2) for b1 in BETA1S for b2 in BETA2S] + SPARSE_CORNER)
def test_between_sparse_spikes_the_steps_stay_below_the_spikes_exactly_while_beta2_exceeds_beta1_squared(beta1, beta2):
    s = AdamInternals(beta1=beta1, beta2=beta2, preset="sparse").series()
    spiked = s["g"] != 0
    after_first = np.arange(len(spiked)) > np.flatnonzero(spiked)[0]
    update = np.abs(s["update_over_lr"])
    at_spikes, between = np.nanmax(update[spiked]), np.nanmax(update[~spiked & after_first])
    if beta2 > beta1**2:
        assert between < at_spikes
    elif beta2 < beta1**2:
        assert between > 0.99 * at_spikes, "as large as the spikes' own"
    if (beta1, beta2) == (0.9, 0.5):
        assert between > at_spikes


@pytest.mark.parametrize("beta1", [*np.round(np.arange(0.001, 1.0, 0.037), 3), 0.99, 0.999])
def test_each_quiet_step_after_a_sparse_spike_is_about_beta1_over_root_beta2_times_the_one_before(beta1):
    """'About': within 10% from the first spike on (the bias corrections still move at step 10),
    while √v̂ is far above ε; β₂ swept over its range wherever the run stays finite."""
    for beta2 in [*np.round(np.arange(0.001, 1.0, 0.037), 3), 0.99, 0.999, 0.9999]:
        s = AdamInternals(beta1=beta1, beta2=beta2, preset="sparse").series()
        if s["diverged_at"] >= 0:
            continue
        step = np.arange(len(s["g"]))
        quiet = np.flatnonzero((s["g"] == 0) & (step >= 10) & (np.sqrt(s["v_hat"]) > 100 * ADAM["eps"]))
        factors = s["update_over_lr"][quiet] / s["update_over_lr"][quiet - 1]
        np.testing.assert_allclose(factors, beta1 / np.sqrt(beta2), rtol=0.1, err_msg=f"β₂ = {beta2}")


def test_at_the_default_betas_the_step_after_a_spike_is_most_of_the_spikes_own_and_without_momentum_none():
    assert 85 <= int(ch4_adam.facts()["sparse_after"]) < 100
    for beta2 in BETA2S:
        s = AdamInternals(beta1=0.0, beta2=beta2, preset="sparse").series()
        assert np.all(s["update_over_lr"][s["g"] == 0] == 0)


@pytest.mark.parametrize(("beta1", "beta2"), [(b1, b2) for b1 in BETA1S for b2 in BETA2S if b2 > b1**2])
def test_sparse_updates_jump_at_every_spike_while_beta2_exceeds_beta1_squared(beta1, beta2):
    s = AdamInternals(beta1=beta1, beta2=beta2, preset="sparse").series()
    spikes = np.flatnonzero(s["g"] != 0)
    update = s["update_over_lr"]
    assert np.all(update[spikes[1:]] > update[spikes[1:] - 1])
