"""Chapter 6: each demo's claim over its controls' range, the factored second moment, the family
tree's clicks and cards, the summary table and the quiz, all against the core."""

import re

import numpy as np
import panel as pn
import pytest
from bokeh.models import Line

from chapters import build
from chapters.base import Lesson
from chapters.ch6_beyond import (
    ADAFACTOR_NEAR,
    CHAPTER6,
    DEMO_TEXT,
    DemoView,
    FactoredView,
    byte_size,
    card,
    facts,
    memory_note,
    quiz,
    rosenbrock_hessian,
    summary_table,
    turn_step,
)
from lessons import Player
from lessons.adam import preset_gradients
from lessons.beyond import DEMOS, FactoredMoment, MethodDemo, clipped, first_settings, relative_steps, step_lengths
from lessons.family import FamilyTree, positions
from lessons.sequence import replay
from optimizers import REGISTRY
from optimizers.adam import radam_rectifier
from optimizers.formulas import RULES
from widgets.deferred import draw_all
from widgets.palette import optimizer_style
from widgets.text import Prose

RATES = np.linspace(-5.0, 0.0, 11)
"""The rate slider's whole range, log₁₀ η."""


def test_every_method_of_the_chapter_has_a_demo_and_text():
    assert set(DEMOS) == set(CHAPTER6) == set(DEMO_TEXT)


@pytest.mark.parametrize("method", list(DEMOS))
@pytest.mark.parametrize("log_lr", [-5.0, -2.5, 0.0])
@pytest.mark.parametrize("steps", [10, 2000])
def test_every_demo_runs_at_the_ends_of_its_controls_and_reads_out(method, log_lr, steps):
    demo = MethodDemo(method=method, log_lr=log_lr, steps=steps)
    x, first, second = demo.curves()
    assert len(x) == len(first) == len(second) == steps
    text = demo.verdict()
    assert text and "nan" not in text.lower()


def test_choosing_a_method_sets_its_map_start_rate_and_steps_unless_given():
    demo = MethodDemo()
    demo.method = "sophia"
    assert (demo.landscape, demo.start, demo.steps) == ("saddle", (1.8, 0.05), 300)
    demo.param.update(method="lamb", log_lr=-3.0)
    assert demo.landscape == "himmelblau" and demo.log_lr == -3.0 and demo.start == (0.0, 0.0)


@pytest.mark.parametrize("log_lr", RATES)
def test_radam_takes_plain_momentum_steps_until_its_rectifier_starts(log_lr):
    demo = MethodDemo(method="radam", log_lr=log_lr)
    lane = demo.result.lanes[0]
    first = facts()["radam_first"]
    update, m_hat = lane.internals["update"], lane.internals["m_hat"]
    np.testing.assert_allclose(update[: first - 1], demo.rate * m_hat[: first - 1], rtol=1e-12)
    assert radam_rectifier(first - 1, 0.999) == 0 < radam_rectifier(first, 0.999)
    adam = demo.result.lanes[1]
    np.testing.assert_allclose(np.abs(np.diff(adam.params[:2], axis=0)), demo.rate, rtol=1e-6)


def test_radams_rectifier_figures_in_the_prose():
    f = facts()
    assert f["radam_r_first"] == f"{radam_rectifier(f['radam_first'], 0.999):.3f}"
    rates = [radam_rectifier(t, 0.999) for t in range(f["radam_first"], 1001)]
    assert np.all(np.diff(rates) > 0) and rates[-1] < 1


@pytest.mark.parametrize("log_lr", RATES)
def test_amsgrad_divides_by_a_maximum_that_never_falls_though_the_bias_correction_lets_its_rate_creep(log_lr):
    lane = MethodDemo(method="amsgrad", log_lr=log_lr).result.lanes[0]
    v, v_max = lane.internals["v"], lane.internals["v_max"]
    assert np.all(v_max >= v) and np.all(np.diff(v_max, axis=0) >= 0)
    t = np.arange(1, len(v) + 1)[:, None]
    with np.errstate(divide="ignore"):
        rate = np.sqrt(1 - 0.999**t) / np.sqrt(v_max)
    rising = np.diff(rate, axis=0) > 0
    assert rising.any(), "the page says the rate can still creep up"
    divisor = 1 / rate
    finite = np.isfinite(divisor)
    last_growth = np.flatnonzero(np.diff(v_max[:, 0]) > 0)
    after = divisor[last_growth[-1] + 1:, 0] if last_growth.size else divisor[:, 0]
    assert np.all(np.diff(after[np.isfinite(after)]) <= 0) and finite.any(), "the divisor only falls from there"


@pytest.mark.parametrize("lr", [0.001, 0.01, 0.1])
def test_reddi_kale_and_kumars_problem_sends_adam_to_the_wrong_end_and_not_amsgrad(lr):
    """The loss is C·x once every three steps and −x otherwise, on [−1, 1]: on average (C − 2)/3 · x,
    lowest at x = −1. With β₁ = 0 and β₂ = 1/(1 + C²), Adam forgets the rare large gradient and
    drifts to x = +1; AMSGrad keeps its maximum and goes to −1. The gradients do not depend on x,
    so the steps are replayed and then kept inside [−1, 1]."""
    big, steps = 3.0, 6000
    gradients = np.array([[big if t % 3 == 1 else -1.0] for t in range(1, steps + 1)])
    ends = {}
    for name in ("adam", "amsgrad"):
        moves = np.diff(replay(name, gradients, lr=lr, betas=(0.0, 1 / (1 + big**2))).params[:, 0])
        x = 0.0
        for move in moves:
            x = min(1.0, max(-1.0, x + move))
        ends[name] = x
    assert ends["adam"] == 1.0 and ends["amsgrad"] < -0.5


def test_the_amsgrad_figures_are_the_demos():
    f = facts()
    assert 1 < f["ams_last_growth"] < f["ams_steps"] and float(f["ams_fall"]) > 1
    own, adam = MethodDemo(method="amsgrad").result.lanes
    parted = np.flatnonzero(np.any(own.path != adam.path, axis=1))
    assert parted[0] == f["ams_parts"], "the paths part at the step whose divisor first differs"
    width = np.ptp(own.path, axis=0).max()
    assert float(f["ams_apart"]) < 0.001 * width, "on top of each other on the map"


def test_at_the_amsgrad_demos_first_settings_v_falls_below_its_maximum():
    lane = MethodDemo(method="amsgrad").result.lanes[0]
    assert lane.internals["v"][-1, 0] < 0.5 * lane.internals["v_max"][-1, 0]


@pytest.mark.parametrize("log_lr", RATES)
def test_adamaxs_u_starts_at_the_first_gradients_size_and_fades_by_beta2_at_most(log_lr):
    demo = MethodDemo(method="adamax", log_lr=log_lr)
    lane = demo.result.lanes[0]
    u = lane.internals["u"]
    g1 = np.abs(demo.surface.grad(np.array(demo.start)))
    np.testing.assert_allclose(u[0], g1 + 1e-8, rtol=1e-12)
    assert np.all(u[1:] >= 0.999 * u[:-1] - 1e-15)


@pytest.mark.parametrize("start", [(-9.0, 0.0), (1.0, 0.0), (-9.0, -0.0)])
def test_adamax_on_a_start_where_theta2_has_no_gradient_says_neither_moves_it(start):
    demo = MethodDemo(method="adamax", start=start)
    own, rival = demo.result.lanes
    assert np.all(own.params[:, 1] == 0) and np.all(rival.params[:, 1] == 0)
    verdict = demo.verdict()
    assert "neither method moved θ₂" in verdict and "√v̂ = 0" not in verdict


@pytest.mark.parametrize("log_lr", RATES)
@pytest.mark.parametrize("steps", [10, 100, 2000])
def test_amsgrads_share_of_its_largest_v_is_never_written_as_a_round_one_unless_it_is_one(log_lr, steps):
    demo = MethodDemo(method="amsgrad", log_lr=log_lr, steps=steps)
    lane = demo.result.lanes[0]
    v, peak = lane.internals["v"][-1, 0], lane.internals["v_max"][-1, 0]
    verdict = demo.verdict()
    if peak > 0 and np.sqrt(v / peak) < 1:
        share, root = re.search(r"√(\S+) = (\S+) of what", verdict).groups()
        assert float(share) != 1 and float(root) != 1
        assert float(share) == pytest.approx(v / peak, rel=5e-3)
        assert float(root) == pytest.approx(np.sqrt(v / peak), rel=5e-3)
    elif peak > 0:
        assert "divides by the same number as Adam" in verdict


@pytest.mark.parametrize("log_lr", RATES)
def test_every_lion_coordinate_step_is_the_rate_or_zero_where_the_blend_is_zero(log_lr):
    demo = MethodDemo(method="lion", log_lr=log_lr)
    sizes = np.abs(np.diff(demo.result.lanes[0].params, axis=0))
    np.testing.assert_allclose(sizes, demo.rate, rtol=1e-9)
    on_axis = MethodDemo(method="lion", log_lr=log_lr, start=(-9.0, 0.0))
    sizes = np.abs(np.diff(on_axis.result.lanes[0].params, axis=0))
    assert np.all(np.isclose(sizes, on_axis.rate, rtol=1e-9) | (sizes == 0))
    assert "exactly η" in on_axis.verdict()


@pytest.mark.parametrize("log_lr", RATES)
def test_every_lamb_step_is_the_rate_times_the_size_of_the_weights(log_lr):
    demo = MethodDemo(method="lamb", log_lr=log_lr)
    lane = demo.result.lanes[0]
    away = np.linalg.norm(lane.params[:-1], axis=-1) > 0
    np.testing.assert_allclose(relative_steps(lane)[away], demo.rate, rtol=1e-9)
    assert not away[0], "from (0, 0) the trust ratio falls back to 1"
    assert step_lengths(lane)[0] == pytest.approx(demo.rate * np.sqrt(2))


def test_lamb_crawls_at_small_rates_only():
    """The first step is η√2 long, so ‖θ‖ takes many steps to pass 1 at small rates and none at η = 1."""
    to_one = []
    for log_lr in RATES:
        norms = np.linalg.norm(MethodDemo(method="lamb", log_lr=log_lr, steps=2000).result.lanes[0].params, axis=1)
        passed = np.flatnonzero(norms > 1)
        to_one.append(int(passed[0]) if passed.size else 10**6)
    assert to_one == sorted(to_one, reverse=True), "the smaller the rate, the longer the crawl"
    assert all(n >= 20 for n, log_lr in zip(to_one, RATES, strict=True) if log_lr <= -1)
    assert to_one[-1] == 1 and RATES[-1] == 0.0, "at η = 1 the first step reaches 1.41"
    f = facts()
    demo = MethodDemo(method="lamb")
    norms = np.linalg.norm(demo.result.lanes[0].params, axis=1)
    assert f["lamb_norm1"] == f"{demo.rate * np.sqrt(2):.3g}"
    assert norms[f["lamb_to_one"]] > 1 >= norms[f["lamb_to_one"] - 1]


def test_adafactors_rms_is_back_above_a_half_at_the_step_the_prose_names():
    f = facts()
    params = MethodDemo(method="adafactor", steps=f["af_steps"]).result.lanes[0].params
    rms = np.sqrt(np.mean(params**2, axis=1))
    back = f["af_back"]
    assert rms[0] > 0.5 and rms[back] > 0.5 >= rms[back - 1] and np.all(rms[f["af_closest"]:back] <= 0.5)


def test_lamb_reaches_a_himmelblau_minimum_and_circles_it_at_the_first_settings():
    demo = MethodDemo(method="lamb")
    lane = demo.result.lanes[0]
    end = lane.params[-1]
    assert np.min([np.hypot(*(end - m)) for m in demo.surface.minima]) < 2 * demo.rate * np.linalg.norm(end)
    assert step_lengths(lane)[-1] == pytest.approx(demo.rate * np.linalg.norm(lane.params[-2]))
    assert lane.losses[-1] - demo.minimum > 100 * (demo.result.lanes[1].losses[-1] - demo.minimum)


@pytest.mark.parametrize("log_lr", RATES)
def test_adafactors_step_is_bounded_by_its_relative_size(log_lr):
    demo = MethodDemo(method="adafactor", log_lr=log_lr)
    params = demo.result.lanes[0].params
    rms = np.maximum(1e-3, np.sqrt(np.mean(params[:-1] ** 2, axis=-1)))
    t = np.arange(1, demo.steps + 1)
    bound = np.sqrt(2) * rms * np.minimum(demo.rate, t**-0.5)
    assert np.all(step_lengths(demo.result.lanes[0]) <= bound * (1 + 1e-9))


def test_adafactor_slides_to_the_origin_at_the_first_settings_and_not_from_near_the_minimum():
    crawl = MethodDemo(method="adafactor").result.lanes[0]
    assert np.linalg.norm(crawl.params[-1]) < 1e-3
    f = facts()
    assert f["af_closest"] < f["af_back"] < f["af_steps"], "it passes the origin, then climbs back"
    assert float(f["af_loss"]) < 0.1 * float(f["crawl_loss"]) and float(f["af_x"]) > 0.5


def test_adafactor_near_the_minimum_stays_calm_up_to_the_rate_the_text_gives_and_ends_near_it_at_every_rate():
    """Every rate on the slider, run for the most steps the demo takes: a run of fewer steps is
    the start of this one, so every step count is checked."""
    f = facts()
    calm, far = float(f["af_calm"]), float(f["af_far"])
    log_lr, steps = MethodDemo.param.log_lr, MethodDemo.param.steps
    for value in np.round(np.arange(log_lr.bounds[0], log_lr.bounds[1] + log_lr.step / 2, log_lr.step), 2):
        near = MethodDemo(method="adafactor", log_lr=value, start=ADAFACTOR_NEAR, steps=steps.bounds[1]).result
        params, losses = near.lanes[0].params, near.lanes[0].losses
        valley = np.abs(params[:, 1] - params[:, 0] ** 2)
        if value < np.log10(calm) + log_lr.step / 2:
            assert losses.max() <= losses[0] and valley.max() < 0.2, value
        else:
            assert losses[:steps.bounds[0] + 1].max() > losses[0], "it climbs within the fewest steps"
            assert np.linalg.norm(params[steps.bounds[0]:] - 1.0, axis=1).max() <= far, value
    assert far < 0.5


@pytest.mark.parametrize("log_lr", RATES)
@pytest.mark.parametrize("start", [(1.8, 0.05), (0.5, -0.3), (-1.9, 1.9)])
def test_sophia_never_moves_a_coordinate_more_than_the_rate_and_its_first_steps_are_clipped(log_lr, start):
    demo = MethodDemo(method="sophia", log_lr=log_lr, start=start)
    params = demo.result.lanes[0].params
    assert np.all(np.abs(np.diff(params, axis=0)) <= demo.rate * (1 + 1e-9))
    assert clipped(params, demo.rate)[0].all()


def test_the_sophia_and_hessian_figures_are_the_cores():
    f = facts()
    refreshes = (f["sophia_half"] - 1) // f["sophia_every"] + 1
    beta2 = float(f["sophia_beta2"])
    assert 1 - beta2**refreshes >= 0.5 > 1 - beta2 ** (refreshes - 1), "h holds half of H from that refresh on"
    assert 0 < float(f["sophia_low"].rstrip("%")) <= float(f["sophia_high"].rstrip("%")) <= 100
    hessian = rosenbrock_hessian((1.0, 1.0))
    np.testing.assert_allclose(hessian, [[802, -400], [-400, 200]], rtol=1e-6)


@pytest.mark.parametrize("rows", [2, 7, 16])
@pytest.mark.parametrize("cols", [2, 9, 16])
@pytest.mark.parametrize("seed", [0, 5])
def test_one_examples_gradient_is_rebuilt_exactly_from_its_rows_and_columns(rows, cols, seed):
    result = FactoredMoment(rows=rows, cols=cols, batch=1, steps=1, seed=seed).result
    np.testing.assert_allclose(result.estimate, result.full, rtol=1e-9)
    np.testing.assert_allclose(result.rows, result.full.mean(axis=1), rtol=1e-12)
    np.testing.assert_allclose(result.cols, result.full.mean(axis=0), rtol=1e-12)


@pytest.mark.parametrize("batch", [2, 16, 64])
def test_with_more_steps_the_factored_estimate_gets_closer(batch):
    errors = [np.median([FactoredMoment(batch=batch, steps=s, seed=seed).result.error for seed in range(5)])
              for s in (20, 200)]
    assert errors[1] < errors[0]


@pytest.mark.parametrize("rows,cols", [(1, 1), (4096, 4096), (1_000_000, 1_000_000), (3, 1_000_000)])
def test_memory_counts(rows, cols):
    memory = FactoredMoment(layer_rows=rows, layer_cols=cols).memory()
    assert memory == {"weights": rows * cols, "adam": 2 * rows * cols, "full": rows * cols,
                      "factored": rows + cols}


@pytest.mark.parametrize("rows,cols", [(1, 1), (1, 2), (2, 2), (1, 1000), (3, 3), (50, 9950), (4096, 4096),
                                       (1_000_000, 1_000_000)])
def test_the_memory_note_says_how_many_times_more_adam_keeps_and_when_factoring_saves_nothing(rows, cols):
    memory = FactoredMoment(layer_rows=rows, layer_cols=cols).memory()
    note = memory_note(memory)
    ratio = memory["adam"] / memory["factored"]
    if ratio == 1:
        assert "keep the same count" in note
    else:
        times = float(re.search(r"Adam keeps ([\d,.]+) times as many", note).group(1).replace(",", ""))
        assert times == pytest.approx(ratio, rel=0.03) and times > 1
    assert ("saves nothing" in note) == (rows + cols >= rows * cols)
    assert f"{rows * cols:,} weight" in note and ("1 weights" not in note) and not re.search(r"\de[+-]?\d", note)


@pytest.mark.parametrize(("rows", "cols"), [(2, 2), (2, 3), (6, 8), (16, 16)])
def test_the_factored_reading_says_no_saving_only_where_there_is_none(rows, cols):
    reading = FactoredView(FactoredMoment(rows=rows, cols=cols)).reading.object
    assert (f"keeps {rows + cols} numbers instead of {rows * cols}" in reading) == (rows + cols < rows * cols)
    assert ("too small for factoring to save any" in reading) == (rows + cols >= rows * cols)


@pytest.mark.parametrize(("count", "shown"), [(1, "1 byte"), (8, "8 bytes"), (4004, "3.91 KiB"),
                                              (4 * 4096**2, "64 MiB"), (8 * 10**12, "7.28 TiB"), (2**50, "1,024 TiB"),
                                              (1_023_744, "1,000 KiB"), (1_022_976, "999 KiB")])
def test_byte_sizes_use_the_largest_unit_that_keeps_a_number_above_one(count, shown):
    assert byte_size(count) == shown


def test_every_tree_node_answers_a_click_on_its_dot_its_label_and_its_lane():
    tree = FamilyTree()
    lanes = len(positions())
    for name, (_, lane) in positions().items():
        for height in (lane + 0.2, lane, lane - 0.3, lane + 0.45):
            tree.selected = "sgd" if name != "sgd" else "adam"
            assert tree.pick(height) and tree.selected == name
    tree.selected = "lion"
    assert not tree.pick(-0.6) and not tree.pick(lanes - 0.4) and tree.selected == "lion"


def test_every_optimizer_has_a_card_with_its_rule_year_paper_and_state():
    for name, spec in REGISTRY.items():
        text = card(name)
        assert spec.paper in text and str(spec.year) in text and spec.idea in text
        assert all(line in text for line in RULES[name])
        assert "State kept" in text


def test_the_summary_table_is_the_registry():
    table = summary_table()
    assert [row[0] for row in table.rows] == [spec.title for spec in REGISTRY.values()]
    assert [row[1] for row in table.rows] == [spec.year for spec in REGISTRY.values()]


def test_the_quiz_right_answer_is_lions_sign_and_single_buffer():
    right = [c for c in quiz().choices if c.correct]
    assert len(right) == 1 and "sign" in right[0].text
    assert REGISTRY["lion"].buffers == ("m",) and len(REGISTRY["adam"].buffers) == 2


def test_the_page_builds_and_a_link_sets_every_lesson():
    _, links, notices = build(6, {"tree.selected": "lion", "demo.method": "sophia", "demo.log_lr": "-1.5",
                                  "matrix.rows": "3", "matrix.layer_cols": "12"})
    assert notices == []
    models = {link.prefix: link.model for link in links if not isinstance(link.model, Player)}
    assert models["tree"].selected == "lion" and models["demo"].method == "sophia"
    assert models["demo"].log_lr == -1.5 and models["demo"].landscape == "saddle"
    assert models["matrix"].rows == 3 and models["matrix"].layer_cols == 12


def test_the_demo_text_shows_the_chosen_methods_rule_and_follows_a_switch():
    page, links, _ = build(6, {})
    draw_all(page)
    demo = next(link.model for link in links if link.prefix == "demo")

    def demo_text():
        return next(pane.object for pane in page.select(Prose)
                    if pane.object.lstrip().startswith("**") and pane.name != "family-card")

    for method in DEMOS:
        demo.method = method
        text = demo_text()
        assert text.lstrip().startswith(f"**{REGISTRY[method].title.split()[0]}")
        assert all(line in text for line in RULES[method])


@pytest.mark.parametrize("drawn", [False, True])
def test_a_click_on_the_tree_shows_the_new_demo_whole_whether_or_not_it_is_drawn_yet(drawn):
    page, links, _ = build(6, {"demo.step": "40"})
    if drawn:
        draw_all(page)
    tree = next(link.model for link in links if link.prefix == "tree")
    demo = next(link.model for link in links if link.prefix == "demo" and isinstance(link.model, Player))
    assert demo.step == 40
    tree.selected = "lion"
    assert demo.step == -1


def test_a_bad_link_is_named_and_changes_nothing():
    _, links, notices = build(6, {"tree.selected": "<b>x</b>", "demo.method": "adam", "matrix.rows": "99"})
    assert len(notices) == 3
    models = {link.prefix: link.model for link in links if not isinstance(link.model, Player)}
    assert models["tree"].selected == "adam" and models["demo"].method == "radam" and models["matrix"].rows == 6


@pytest.mark.parametrize("text", ["²", "٣", "-1", "1e3", "9" * 400, "0", "1000001", "<b>1</b>", ""])
def test_a_whole_number_box_refuses_with_a_message_and_changes_nothing(text):
    from widgets.inputs import whole_number_box

    model = FactoredMoment()
    box, note = whole_number_box(model, "layer_rows")
    box.value = text
    assert model.layer_rows == 4096 and box.value == "4096" and note.visible
    assert "<b>" not in note.object and "from 1 to 1,000,000" in note.object
    box.value = " 12 "
    assert model.layer_rows == 12 and not note.visible


@pytest.mark.parametrize("flip_at", [11, 101, 201])
def test_nadam_turns_round_sooner_than_adam_after_a_sign_flip(flip_at):
    flip = np.where(np.arange(1, 301) < flip_at, 1.0, -1.0)
    nadam, adam = turn_step("nadam", flip), turn_step("adam", flip)
    assert flip_at <= nadam < adam
    f = facts()
    page_flip = preset_gradients("sign flip")
    assert f["flip_at"] == int(np.flatnonzero(page_flip < 0)[0]) + 1
    assert (f["nadam_turn"], f["adam_turn"]) == (turn_step("nadam", page_flip), turn_step("adam", page_flip))


def test_a_new_method_brings_its_own_settings_to_the_sliders_too():
    model = MethodDemo()
    steps = pn.widgets.IntSlider.from_param(model.param.steps)
    rate = pn.widgets.FloatSlider.from_param(model.param.log_lr)
    for method in [*DEMOS, "radam"]:
        model.method = method
        expected = first_settings(DEMOS[method])
        assert steps.value == model.steps == expected["steps"] and rate.value == model.log_lr == expected["log_lr"]
        assert model.result.steps == model.steps and tuple(model.start) == tuple(expected["start"])


def test_the_idea_chart_draws_a_method_and_its_rival_as_the_map_does():
    def as_drawn(color, dash):  # Bokeh keeps a dash's name as its pattern
        return color, Line(line_dash=dash).line_dash

    lesson = Lesson("demo", MethodDemo(), ("method", "log_lr", "steps", "start"), player=Player())
    view = DemoView(lesson, facts())
    for method, demo in DEMOS.items():
        lesson.model.method = method
        drawn = [(r.glyph.line_color, r.glyph.line_dash) for r in view.chart.figure.renderers]
        if demo.chart.from_rival:
            assert drawn == [as_drawn(*optimizer_style(demo.method)), as_drawn(*optimizer_style(demo.rival))]
        else:
            assert [dash for _, dash in drawn] == [as_drawn("", "solid")[1], as_drawn("", "dashed")[1]]
