"""Chapter 7: learning-rate schedules, and the method that needs none."""

import functools

import numpy as np
import panel as pn

import landscapes
from lessons import Player
from lessons.schedules import CONSTANT_COLOR, REPEATS, ScheduleFreeRace, ScheduleLab
from optimizers import make_schedule
from optimizers.schedule_free import schedule_free_adamw
from optimizers.schedules import SCHEDULE_TITLES, SCHEDULES
from widgets.code_view import code_view
from widgets.controls import FloatSlider, IntSlider, landscape_options, log_rate_slider, optimizer_options
from widgets.deferred import Deferred
from widgets.inputs import whole_number_box
from widgets.line_chart import Curve, LineChart
from widgets.links import copy_link_button
from widgets.map_view import PATH_SEQUENCES, PATH_STATICS, MapView, path_row, paths_columns
from widgets.palette import PATH_COLORS
from widgets.quiz import Choice, Quiz
from widgets.race_view import RaceView, verdict_pane
from widgets.sizing import plots_row
from widgets.text import fill, prose
from widgets.timeline import Timeline
from widgets.worked_table import Table, WorkedTable

from .base import Chapter, Lesson

COSINE_TABLE = {"total": 1000, "peak": 1e-3, "warmup": 100, "rows": (0, 50, 100, 200, 300, 550, 800, 900, 999)}
"""The worked cosine example: T = 1000 steps, η_max = 0.001, 100 warmup steps."""


def cosine_table() -> Table:
    total, peak, warmup = COSINE_TABLE["total"], COSINE_TABLE["peak"], COSINE_TABLE["warmup"]
    schedule = make_schedule("cosine", total, peak, warmup_steps=warmup)
    rows = []
    for step in COSINE_TABLE["rows"]:
        rate = float(schedule(step))
        phase = "warmup" if step < warmup else f"p = {(step - warmup) / (total - warmup):.3f}"
        rows.append([step, phase, f"{rate:.3e}", f"{rate / peak:.1%}"])
    note = (f"The rate climbs by {peak / warmup:.0e} per step during warmup, peaks at step {warmup}, is at half "
            f"the peak at step {warmup + (total - warmup) // 2}, and ends at {float(schedule(total - 1)):.2e}.")
    return Table(["step", "phase", "η", "share of η_max"], rows, note)


@functools.cache
def facts() -> dict:
    total, warmup = COSINE_TABLE["total"], COSINE_TABLE["warmup"]
    rescued = rescue_band()
    noisy = noisy_rescues(rescued)
    top = ScheduleLab(log_lr=ScheduleLab.param.log_lr.bounds[1])
    cosine, constant = ScheduleLab(kind="cosine").average_final_gaps()
    return {"T": total, "peak": f"{COSINE_TABLE['peak']:g}", "warmup": warmup,
            "half_step": warmup + (total - warmup) // 2, "sf_warmup": f"{ScheduleFreeRace.WARMUP:.0%}",
            "rescue_low": f"{rescued[0]:.2f}", "rescue_high": f"{rescued[-1]:.2f}",
            "top_warmup": top.warmup_steps, "top_rise": f"{top.peak / top.warmup_steps:g}",
            "noise": f"{ScheduleLab.param.noise.default:g}",
            "noisy_tried": len(noisy), "noisy_rescued": sum(noisy.values()), "repeats": REPEATS,
            "cosine_gain": f"{constant / cosine:.2g}"}


def _saving_kinds(optimizer: str, log_lr: float, noise: float = 0.0) -> list[str]:
    """The schedules (the lab's first warmup) with which `optimizer` ends finite on the ravine at
    the peak 10**log_lr, where the constant rate diverges; empty where the constant rate does not."""
    constant = ScheduleLab(optimizer=optimizer, noise=noise, log_lr=log_lr).average_final_gaps()[1]
    if np.isfinite(constant):
        return []
    labs = {kind: ScheduleLab(optimizer=optimizer, noise=noise, log_lr=log_lr, kind=kind)
            for kind in ScheduleLab.param.kind.objects}
    return [kind for kind, lab in labs.items() if np.isfinite(lab.average_final_gaps()[0])]


def slider_log_rates() -> list[float]:
    """Every value of the lab's peak-rate slider above its default, in slider steps."""
    step = ScheduleLab.param.log_lr.step
    top = ScheduleLab.param.log_lr.bounds[1]
    return [round(float(v), 2) for v in np.arange(ScheduleLab.param.log_lr.default, top + step / 2, step)]


def rescue_band(optimizer: str = "sgd") -> list[float]:
    """The peak rates on the lab's slider, just above where the constant rate diverges on the
    ravine without noise, at which some schedule still ends finite."""
    rescued = []
    for log_lr in slider_log_rates():
        if _saving_kinds(optimizer, log_lr):
            rescued.append(10**log_lr)
        elif rescued:
            break
    return rescued


def noisy_rescues(peaks: list[float], optimizer: str = "sgd") -> dict[tuple[float, str], bool]:
    """For each of `peaks` and each schedule that saves the run there without noise: whether it
    still does with the lab's default noise (the scheduled runs all end finite)."""
    ends = {}
    for peak in peaks:
        log_lr = round(float(np.log10(peak)), 2)
        for kind in _saving_kinds(optimizer, log_lr):
            lab = ScheduleLab(optimizer=optimizer, kind=kind, log_lr=log_lr)
            ends[peak, kind] = bool(np.isfinite(lab.average_final_gaps()[0]))
    return ends


TEXT_INTRO = r"""
# Chapter 7 · Learning-rate schedules

One learning rate for a whole run is a compromise. Early on, far from any minimum, a large rate
makes fast progress. Late, near a minimum and with noisy gradients, the same rate keeps the
parameters bouncing around it: the noise in each step is proportional to $$\eta$$. A
**schedule** changes the rate as training goes: $$\eta_t$$ instead of $$\eta$$.

**Warmup** starts the rate at zero and raises it linearly over the first steps. Adaptive
methods need it most: in the first steps Adam's $$\hat m$$ and $$\hat v$$ rest on a handful of
gradients, so every coordinate moves a full $$\eta$$ even in directions that are mostly noise;
once the averages settle, noisy coordinates take much smaller steps (chapter 4). The first
gradients of a freshly initialised network are also often the largest it will see. A few
hundred small steps let both settle before the full rate applies. (RAdam builds this caution
into the optimizer itself.)

## The usual shapes

After a warmup of $$w$$ steps, with $$p = (t - w)/(T - w)$$ the share of the remaining run done:

- **constant**: $$\eta_{max}$$ throughout.
- **step decay**: multiply by $$\gamma$$ every $$k$$ steps, never below $$\eta_{min}$$:
  $$\max(\eta_{min}, \eta_{max}\gamma^{\lfloor (t-w)/k \rfloor})$$, with $$k$$ the interval's share
  of the $$T - w$$ steps after warmup.
- **cosine**: $$\eta_{min} + (\eta_{max} - \eta_{min}) \tfrac12 (1 + \cos \pi p)$$, slow at both ends.
- **linear**: straight down from $$\eta_{max}$$ to $$\eta_{min}$$.
- **inverse square root**: $$\max(\eta_{min}, \eta_{max}\sqrt{\tau/(\tau + t - w)})$$ with
  $$\tau = \max(w, 1)$$: $$\eta_{max}\sqrt{w/t}$$ after a warmup, as in the original Transformer.
  It never reaches zero.
- **warmup-stable-decay (WSD)**: hold $$\eta_{max}$$, then fall linearly to $$\eta_{min}$$ over the
  last fifth of the steps after warmup. The run's length can be chosen, or extended, any time
  before the decay starts.

## The Schedule Visualiser

Pick a shape (step decay brings its own two sliders, γ and the interval). The chart shows the
rate as a share of its peak; the map runs the same optimizer
twice from the same start with the same noisy gradients: once with the schedule (solid), once at
the peak rate throughout (grey, dashed). One noisy run's last point is a single sample, so the
line above the map averages the final loss over [[repeats]] runs with different noise. Start with the
cosine on the ravine: it ends [[cosine_gain]] times lower than the constant rate. Then set the noise to
0: at these settings the constant rate now ends lowest, because the schedule's benefit here came
from quieting the noise. That is no rule: on other maps and at other rates a decaying schedule
can end lower without noise too. And with the noise at 0, just above the rate at which the
constant run diverges, warmup and decay can save the run (SGD on the ravine, peak rates
[[rescue_low]] to [[rescue_high]], depending on the schedule); further up, every schedule
diverges too, until the slider's top. At $$\eta$$ = 1, with the first warmup of [[top_warmup]]
steps, every schedule seems to save the run, but by accident: the warmup's rates climb in steps of
[[top_rise]], so one of them is exactly 0.1, which is 1/c for the steep direction, and that step
puts y at exactly 0, where it stays. With the lab's noise
($$\sigma$$ = [[noise]]) the rescue mostly fails: of the [[noisy_tried]] settings of schedule and peak
in that band that save the run without noise, [[noisy_rescued]] still ends finite.
"""

TEXT_TABLE = r"""
## Cosine with warmup, by hand

$$T$$ = [[T]] steps, $$\eta_{max}$$ = [[peak]], [[warmup]] warmup steps and $$\eta_{min} = 0$$. During
warmup $$\eta_t = \eta_{max}\, t / w$$; after it, the cosine formula above. At step [[half_step]],
halfway through the cosine, $$\cos \pi/2 = 0$$ and the rate is exactly half the peak.
"""

TEXT_FREE = r"""
## Schedule-Free AdamW: no schedule at all

A decaying schedule (cosine, linear, step or WSD) needs the run's length $$T$$ in advance. Stop a
cosine run early and its rate was never low; extend it and the rate is already near zero.
Schedule-Free AdamW (Defazio et al., 2024) replaces the schedule by **averaging**. It keeps three points:

- $$z$$ takes plain AdamW-normalised steps at a constant rate (after a short warmup);
- $$x$$ is a weighted running average of the $$z$$'s so far (uniform after warmup): this is the
  point you evaluate and ship;
- $$y$$, between them ($$y = (1-\beta_1) z + \beta_1 x$$), is where the gradient is taken.

Averaging does what a decaying rate does. In the average of $$T$$ points, the step taken at $$s$$
counts with weight $$(T - s + 1)/T$$: late steps, and their noise, move $$x$$ less and less, a
linear decay that the method never had to plan. The map shows the three paths and AdamW with a
cosine schedule at the same peak rate (both warm up over the first [[sf_warmup]] of the steps, both
without weight decay). Change the noise and the rate and read which one ends lower: neither wins
everywhere. Its merit is that it needs no $$T$$: nothing in its update refers to the end of the run,
so the run can be stopped or extended at any step (in this lesson only its warmup, [[sf_warmup]] of the steps,
depends on the length).
"""


def quiz() -> Quiz:
    return Quiz(
        "You train with a cosine schedule planned for 10,000 steps, but must stop at step 5,000. What rate did "
        "the last steps use?",
        [
            Choice("About half the peak: the cosine is near its midpoint, so the rate never got low", True,
                   "At step 5,000 the cosine is about halfway (exactly halfway only without warmup and with "
                   "a minimum rate of 0), so the run stopped before the low-rate phase that lets it settle. WSD "
                   "helps if you learn of the stop early enough to run its decay phase before it; Schedule-Free "
                   "AdamW's average x can be used at any step."),
            Choice("The minimum rate: cosine schedules end low", False,
                   "They end low at the T they were planned for. At 5,000 of 10,000 steps the cosine has only "
                   "fallen to about half."),
            Choice("The peak rate: warmup has just finished", False,
                   "Warmup is a small share of the run at the start; by step 5,000 the cosine has been falling for "
                   "most of the run."),
            Choice("It depends on the optimizer", False,
                   "The schedule is a function of the step alone: every optimizer it drives gets the same rate at "
                   "step 5,000."),
        ],
        name="quiz7",
    )


def lessons() -> dict[str, Lesson]:
    return {"lab": Lesson("lab", ScheduleLab(), ("landscape", "optimizer", "kind", "steps", "log_lr", "warmup_share",
                                                  "min_share", "gamma", "interval_share", "noise", "start"),
                          player=Player()),
            "free": Lesson("free", ScheduleFreeRace(), ("landscape", "log_lr", "steps", "noise", "seed"))}


class CurveView:
    """The schedule's rate against the step, as a share of its peak, with the constant rate."""

    def __init__(self, lab: ScheduleLab):
        self.lab = lab
        self.chart = LineChart([Curve("scheduled", "schedule", PATH_COLORS[0]),
                                Curve("constant", "constant", CONSTANT_COLOR, dash="dashed")],
                               name="schedule-curve", title="Rate as a share of the peak", y_label="η_t / η_max",
                               height=260)
        lab.param.watch(lambda *_: self.draw(), "result")
        self.draw()

    def draw(self):
        steps, shares = self.lab.curve()
        with pn.io.hold():
            self.chart.show(steps, {"scheduled": shares, "constant": np.ones_like(shares)})


class FreeView:
    """The three sequences of Schedule-Free AdamW and AdamW with a cosine schedule, drawn whole."""

    ROWS = (("y", "Schedule-Free: y (gradients)", PATH_COLORS[5], "dotted"),
            ("z", "Schedule-Free: z (base)", PATH_COLORS[4], "dashed"),
            ("x", "Schedule-Free: x (average)", PATH_COLORS[1], "solid"),
            ("cosine", "AdamW, cosine schedule", PATH_COLORS[0], "solid"))

    def __init__(self, race: ScheduleFreeRace):
        self.race = race
        self.timeline = Timeline("free")
        self.group = self.timeline.group("paths", PATH_SEQUENCES, PATH_STATICS, trail=False, point=False)
        self.map = MapView(landscapes.get(race.landscape), title="Three sequences and a cosine run",
                           name="free-map", legend_below=True)
        self.map.draw_paths(self.group, readout=False)
        self.loss = LineChart([Curve("x", "Schedule-Free x", PATH_COLORS[1]),
                               Curve("y", "Schedule-Free y", PATH_COLORS[5], dash="dotted"),
                               Curve("cosine", "AdamW cosine", PATH_COLORS[0])],
                              name="free-loss", title="Loss above the minimum", y_label="L(θ) − L*", log_y=True,
                              height=400)
        race.param.watch(lambda *_: self.draw(), "result")
        self.draw()

    def draw(self):
        result = self.race.result
        surface = landscapes.get(self.race.landscape)
        paths = {"y": result.y, "z": result.z, "x": result.x, "cosine": result.cosine}
        steps = len(result.y) - 1
        rows = paths_columns([path_row(paths[key], steps, label=label, color=color, dash=dash)
                              for key, label, color, dash in self.ROWS])
        floor = 1e-12
        with pn.io.hold():
            self.map.set_landscape(surface)
            self.timeline.load(self.group, rows, steps)
            self.loss.show(np.arange(steps + 1), {key: np.maximum(result.gaps[key], floor) for key in result.gaps})

    def layout(self):
        return plots_row(self.map.figure, self.loss.figure, name="free-plots")


def free_section(free_model) -> pn.Column:
    controls = pn.FlexBox(
        pn.widgets.Select.from_param(free_model.param.landscape,
                                     options=landscape_options(free_model.param.landscape.objects), width=150),
        log_rate_slider(free_model.param.log_lr, width=220),
        IntSlider.from_param(free_model.param.steps, step=50, width=220),
        FloatSlider.from_param(free_model.param.noise, width=200),
        whole_number_box(free_model, "seed"),
        copy_link_button("free"),
        sizing_mode="stretch_width",
    )
    return pn.Column(controls, verdict_pane(free_model, "free-verdict"), FreeView(free_model).layout(),
                     sizing_mode="stretch_width")


def page(lessons: dict[str, Lesson]):
    f = facts()
    lab, free = lessons["lab"], lessons["free"]
    lab_model = lab.model
    lab_view = RaceView(lab_model, "schedules", player=lab.player, readout=False,
                        titles=["Scheduled (solid) and constant (grey)"])
    curve = CurveView(lab_model)
    table = WorkedTable(name="cosine-table")
    table.show(cosine_table())
    step_settings = [FloatSlider.from_param(lab_model.param.gamma, width=200),
                     FloatSlider.from_param(lab_model.param.interval_share, width=260)]

    def show_step_settings(*_):
        """γ and the interval shape only the step schedule: shown only while it is chosen."""
        for slider in step_settings:
            slider.visible = lab_model.kind == "step"

    lab_model.param.watch(show_step_settings, "kind")
    show_step_settings()
    lab_controls = pn.FlexBox(
        pn.widgets.Select.from_param(lab_model.param.kind, options={SCHEDULE_TITLES[k]: k for k in SCHEDULES},
                                     width=190),
        pn.widgets.Select.from_param(lab_model.param.landscape,
                                     options=landscape_options(lab_model.param.landscape.objects), width=150),
        pn.widgets.Select.from_param(lab_model.param.optimizer,
                                     options=optimizer_options(lab_model.param.optimizer.objects), width=130),
        IntSlider.from_param(lab_model.param.steps, step=50, width=220),
        log_rate_slider(lab_model.param.log_lr, width=220, symbol="η_max"),
        FloatSlider.from_param(lab_model.param.warmup_share, width=220),
        FloatSlider.from_param(lab_model.param.min_share, width=220),
        *step_settings,
        FloatSlider.from_param(lab_model.param.noise, width=200),
        copy_link_button("lab"),
        sizing_mode="stretch_width", name="schedule-controls",
    )
    return pn.Column(
        prose(fill(TEXT_INTRO, f)),
        lab_controls,
        pn.pane.Bokeh(curve.chart.figure, sizing_mode="stretch_width", max_width=700),
        verdict_pane(lab_model, "schedule-verdict"),
        lab_view.layout(),
        prose(fill(TEXT_TABLE, f)),
        table,
        prose(fill(TEXT_FREE, f)),
        Deferred(lambda: free_section(free.model), "The Schedule-Free race", 700),
        code_view(schedule_free_adamw, "The code that ran, checked step for step against the authors' "
                                       "`schedulefree` package:"),
        quiz(),
        sizing_mode="stretch_width", name="chapter-7",
    )


CHAPTER = Chapter(7, lessons, page)
