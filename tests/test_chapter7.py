"""Chapter 7: the schedules against their closed forms over the visualiser's controls, the cosine
worked table, the claims of the prose and the quiz, and Schedule-Free's race."""

import math
import re

import numpy as np
import pytest

from chapters import build
from chapters.ch7_schedules import _saving_kinds, cosine_table, facts, noisy_rescues, rescue_band, slider_log_rates
from lessons.schedules import ScheduleFreeRace, ScheduleLab
from optimizers import SCHEDULES, make_schedule


def test_the_cosine_table_is_the_closed_form():
    table = cosine_table()
    rates = {row[0]: float(row[2]) for row in table.rows}
    assert rates[0] == 0 and rates[50] == pytest.approx(5e-4) and rates[100] == pytest.approx(1e-3)
    assert rates[550] == pytest.approx(5e-4), "halfway through the cosine: half the peak"
    for step in (200, 300, 800, 900, 999):
        p = (step - 100) / 900
        assert rates[step] == pytest.approx(1e-3 * 0.5 * (1 + math.cos(math.pi * p)), rel=1e-3)
    assert facts()["half_step"] == 550


@pytest.mark.parametrize("kind", list(SCHEDULES))
@pytest.mark.parametrize("warmup_share", [0.0, 0.1, 0.5])
@pytest.mark.parametrize("min_share", [0.0, 0.3, 1.0])
def test_the_visualiser_curve_is_the_closed_form_at_every_step(kind, warmup_share, min_share):
    lab = ScheduleLab(kind=kind, warmup_share=warmup_share, min_share=min_share, steps=400, gamma=0.5,
                      interval_share=0.25, noise=0.0)
    steps, shares = lab.curve()
    w, total = int(warmup_share * 400), 400
    for t in steps:
        if t < w:
            expected = t / w
        else:
            p = min((t - w) / (total - w), 1.0)
            expected = {"constant": 1.0,
                        "step": max(min_share, 0.5 ** ((t - w) // max(1, int(0.25 * (total - w))))),
                        "cosine": min_share + (1 - min_share) * 0.5 * (1 + math.cos(math.pi * p)),
                        "linear": 1 + (min_share - 1) * p,
                        "inverse_sqrt": max(min_share, math.sqrt(max(w, 1) / (max(w, 1) + t - w))),
                        "wsd": 1 + (min_share - 1) * min(max((p - 0.8) / 0.2, 0.0), 1.0)}[kind]
        assert shares[t] == pytest.approx(expected, abs=1e-12), (kind, t)


@pytest.mark.parametrize("kind", ["cosine", "linear", "inverse_sqrt", "wsd"])
@pytest.mark.parametrize("seed", range(5))
def test_with_noise_a_decaying_schedule_ends_lower_on_average_than_the_constant_peak_rate(kind, seed):
    scheduled, constant = ScheduleLab(kind=kind, seed=seed).average_final_gaps()
    assert scheduled < (constant / 2.5 if kind == "cosine" else constant), "the cosine: more than 2.5 times lower"
    if (kind, seed) == ("cosine", ScheduleLab.param.seed.default):
        assert facts()["cosine_gain"] == f"{constant / scheduled:.2g}"


@pytest.mark.parametrize(("landscape", "optimizer", "log_lr"), [
    ("ravine", "sgd", -0.5), ("rosenbrock", "sgd", -2.2), ("rosenbrock", "momentum", -2.45),
    ("rosenbrock", "momentum", -2.4), ("ravine", "adam", -1.0), ("beale", "sgd", 0.0)])
@pytest.mark.parametrize("noise", [0.0, 3.0])
def test_the_lab_verdict_counts_diverged_runs_instead_of_averaging_them_to_inf(landscape, optimizer, log_lr, noise):
    lab = ScheduleLab(landscape=landscape, optimizer=optimizer, log_lr=log_lr, noise=noise, kind="inverse_sqrt")
    verdict = lab.verdict()
    assert "inf" not in verdict and "nan" not in verdict and "inverse square root schedule" in verdict
    for gaps, said in zip(lab.final_gaps(), re.findall(r"<b>(.*?)</b>", verdict), strict=True):
        lost = int(np.sum(np.isinf(gaps)))
        if lost == len(gaps):
            assert said in ("diverged", "every run diverged")
        elif lost:
            assert said.endswith(f"that stayed finite ({lost} diverged)") and noise > 0
            assert float(said.split(",")[0]) == pytest.approx(np.mean(gaps[np.isfinite(gaps)]), rel=5e-3)
        else:
            assert float(said) == pytest.approx(np.mean(gaps), rel=5e-3)


@pytest.mark.parametrize("kind", list(SCHEDULES))
def test_without_noise_the_constant_rate_ends_lowest(kind):
    scheduled, constant = ScheduleLab(kind=kind, noise=0.0).result.lanes
    assert constant.losses[-1] <= scheduled.losses[-1]


def test_without_noise_a_schedule_is_no_rule_and_warmup_and_decay_save_a_run_just_above_the_limit():
    rescued = rescue_band()
    assert rescued, "some peak rates diverge at a constant rate yet not with the schedule"
    below = ScheduleLab(optimizer="sgd", noise=0.0, log_lr=round(math.log10(rescued[0]) - 0.05, 2))
    assert np.isfinite(below.average_final_gaps()[1]), "the band starts where the constant rate starts to diverge"
    f = facts()
    assert (f["rescue_low"], f["rescue_high"]) == (f"{rescued[0]:.2f}", f"{rescued[-1]:.2f}")
    noisy = noisy_rescues(rescued)
    assert len(noisy) == f["noisy_tried"] >= len(rescued), "the first schedule saves every peak of the band"
    assert sum(noisy.values()) == f["noisy_rescued"] < f["noisy_tried"] / 2, "with noise the rescue mostly fails"
    above = [log_lr for log_lr in slider_log_rates() if 10**log_lr > rescued[-1] * 1.01]
    assert [log_lr for log_lr in above if _saving_kinds("sgd", log_lr)] == [0.0], "further up only η = 1 survives"
    elsewhere = ScheduleLab(landscape="rosenbrock", optimizer="sgd", noise=0.0, log_lr=-2.5)
    scheduled, constant = elsewhere.average_final_gaps()
    assert scheduled < constant, "on Rosenbrock at a small rate the cosine ends lower without noise too"


def test_schedule_free_and_cosine_each_win_somewhere():
    wins = set()
    for landscape in ("ravine", "rosenbrock", "himmelblau", "beale"):
        for log_lr in (-2.0, -1.5, -1.0):
            gaps = ScheduleFreeRace(landscape=landscape, log_lr=log_lr).result.gaps
            wins.add("x" if gaps["x"][-1] < gaps["cosine"][-1] else "cosine")
    assert wins == {"x", "cosine"}


def test_schedule_frees_three_points_keep_y_between_z_and_x():
    result = ScheduleFreeRace(noise=0.0, steps=200).result
    beta1 = 0.9
    np.testing.assert_allclose(result.y, (1 - beta1) * result.z + beta1 * result.x, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("warmup", [0, 100, 500, 1000])
def test_quiz_a_cosine_stopped_halfway_is_at_about_half_its_peak(warmup):
    rate = make_schedule("cosine", 10_000, 1.0, warmup_steps=warmup)(5_000)
    assert 0.5 <= rate < 0.6


@pytest.mark.parametrize("log_lr", [-4.0, 0.0])
@pytest.mark.parametrize("steps", [50, 2000])
def test_every_control_at_its_ends_runs(log_lr, steps):
    lab = ScheduleLab(log_lr=log_lr, steps=steps, kind="step", gamma=0.01, interval_share=0.05, noise=10.0,
                      warmup_share=0.5, min_share=1.0, landscape="beale")
    assert len(lab.result.lanes) == 2 and all(lane.ok for lane in lab.result.lanes)
    race = ScheduleFreeRace(log_lr=log_lr, steps=steps, noise=10.0, seed=9999, landscape="beale")
    assert race.result.y.shape == (steps + 1, 2)
    assert "After" in race.verdict() and "after" in lab.verdict()


def test_the_page_builds_and_a_link_sets_it():
    _page, links, notices = build(7, {"lab.kind": "wsd", "lab.noise": "0", "free.log_lr": "-2", "lab.gamma": "7"})
    assert [n for n in notices if "lab.gamma" in n] and len(notices) == 1
    assert links[0].model.kind == "wsd" and links[0].model.noise == 0.0


def test_without_warmup_x_is_the_plain_mean_of_the_zs_so_step_s_counts_with_weight_t_minus_s_plus_1_over_t():
    from landscapes import get
    from optimizers import run

    surface = get("rosenbrock")
    traj = run("schedule_free", surface.grad, surface.start, 200, lr=0.02)
    z, x = traj.internals["z"], traj.internals["x"]
    np.testing.assert_allclose(x[-1], z.mean(axis=0), rtol=1e-10, atol=1e-12)


def test_the_cosine_runs_beside_schedule_free_without_weight_decay_like_it():
    from landscapes import get
    from optimizers import run

    race = ScheduleFreeRace(landscape="beale", noise=0.0, steps=300)
    surface = get("beale")
    expected = run("adamw", surface.grad, surface.start, 300, weight_decay=0.0,
                   schedule=make_schedule("cosine", 300, 0.1, warmup_steps=15))
    np.testing.assert_array_equal(race.result.cosine, expected.params)


def test_the_step_schedules_two_settings_show_only_while_it_is_chosen():
    page, links, _ = build(7, {})
    lab = next(link.model for link in links if link.prefix == "lab")
    labels = {lab.param.gamma.label, lab.param.interval_share.label}
    step_only = [part for part in page.select(lambda part: getattr(part, "name", None) in labels)]
    assert len(step_only) == 2 and not any(part.visible for part in step_only)
    lab.kind = "step"
    assert all(part.visible for part in step_only)
    lab.kind = "linear"
    assert not any(part.visible for part in step_only)


def test_at_the_top_rate_the_warmup_hits_one_over_the_steep_curvature_exactly_and_zeroes_y():
    f = facts()
    lab = ScheduleLab(optimizer="sgd", noise=0.0, log_lr=ScheduleLab.param.log_lr.bounds[1])
    assert _saving_kinds("sgd", 0.0) == list(ScheduleLab.param.kind.objects)
    steep = lab.surface.hess_diag(np.array(lab.surface.minima[0]))[1]
    rates = lab.rate_schedule()(np.arange(lab.warmup_steps))
    assert lab.warmup_steps == f["top_warmup"] and float(f["top_rise"]) == pytest.approx(rates[2] - rates[1])
    at_one_over_c = int(np.flatnonzero(rates == 1 / steep)[0])  # step t runs at schedule(t - 1)
    for kind in ScheduleLab.param.kind.objects:
        y = ScheduleLab(optimizer="sgd", noise=0.0, log_lr=0.0, kind=kind).result.lanes[0].path[:, 1]
        assert y[at_one_over_c] != 0 and np.all(y[at_one_over_c + 1:] == 0), "that step puts y at exactly 0 for good"


def test_the_labs_selects_show_landscapes_and_optimizers_by_title():
    import panel as pn

    page, _, _ = build(7, {})
    shown = [list(select.options) for select in page.select(pn.widgets.Select)]
    assert ["Ravine", "Rosenbrock", "Himmelblau", "Beale"] in shown
    assert ["SGD", "Momentum", "Adam", "AdamW"] in shown
    assert not any(key in options for options in shown for key in ("ravine", "sgd", "inverse_sqrt"))
