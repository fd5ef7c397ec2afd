"""Chapter 4's lessons: Adam's five lines, its internals step by step, bias correction on and off,
and its indifference to the loss's scale."""

import functools

import numpy as np
import param

from optimizers import get_spec

from .race import Entry, Race
from .sequence import replay

ADAM = get_spec("adam").defaults
BETA1, BETA2 = ADAM["betas"]


class AdamByHand(param.Parameterized):
    """Three steps of Adam at PyTorch's defaults on gradients the learner types."""

    g1 = param.Number(default=4.0, bounds=(-1e6, 1e6), label="g at step 1")
    g2 = param.Number(default=-1.0, bounds=(-1e6, 1e6), label="g at step 2")
    g3 = param.Number(default=3.0, bounds=(-1e6, 1e6), label="g at step 3")

    GRADIENTS = ("g1", "g2", "g3")

    def table(self) -> tuple[list[str], list[list], str]:
        grads = [self.g1, self.g2, self.g3]
        traj = replay("adam", grads)
        inside = {k: v[:, 0] for k, v in traj.internals.items()}
        rows = [[t + 1, grads[t], *(float(inside[k][t]) for k in ("m", "v", "m_hat", "v_hat", "update"))]
                for t in range(3)]
        first = inside["update"][0] / ADAM["lr"]
        note = (f"The first update is {first:.6g} × η: m̂₁ = g₁ and v̂₁ = g₁², so the update is η·g₁/(|g₁| + ε), "
                f"of size η·|g₁|/(|g₁| + ε), whatever g₁ is (a zero gradient gives no step).")
        return ["step", "g", "m", "v", "m̂", "v̂", "update"], rows, note


PRESETS = ("constant", "noisy", "sign flip", "sparse")
INTERNALS_STEPS = 300


def preset_gradients(preset: str, steps: int = INTERNALS_STEPS) -> np.ndarray:
    """The gradient sequences of the internals visualiser."""
    t = np.arange(1, steps + 1)
    if preset == "constant":
        return np.full(steps, 1.0)
    if preset == "noisy":
        return 1.0 + np.random.default_rng(0).standard_normal(steps)
    if preset == "sign flip":
        return np.where(t <= steps // 3, 1.0, -1.0)
    if preset == "sparse":
        return np.where(t % 10 == 0, 5.0, 0.0)
    raise ValueError(f"unknown preset {preset!r}; choose one of {', '.join(PRESETS)}")


class AdamInternals(param.Parameterized):
    """Adam fed one of a few gradient sequences: every internal at every step."""

    beta1 = param.Number(default=BETA1, bounds=(0.0, 0.999), step=0.001, label="β₁ (momentum)")
    beta2 = param.Number(default=BETA2, bounds=(0.0, 0.9999), step=0.0001, label="β₂ (squares)")
    preset = param.Selector(default="constant", objects=list(PRESETS), label="Gradients")
    step = param.Integer(default=1, bounds=(1, INTERNALS_STEPS), label="Step t")

    STEPS = INTERNALS_STEPS

    def series(self) -> dict[str, np.ndarray]:
        """g, m, v, m̂, v̂ and update ÷ η at steps 1..STEPS, from the core; and the correction
        factors 1 − β^t that turn m into m̂ and v into v̂."""
        return dict(_internals(self.beta1, self.beta2, self.preset))

    def at_step(self, series: dict | None = None) -> list[tuple[str, float]]:
        series = series or self.series()
        k = self.step - 1
        names = (("g", "gradient g_t"), ("m", "m_t (uncorrected)"), ("correction1", "1 − β₁^t"),
                 ("m_hat", "m̂_t = m_t / (1 − β₁^t)"), ("v", "v_t (uncorrected)"), ("correction2", "1 − β₂^t"),
                 ("v_hat", "v̂_t = v_t / (1 − β₂^t)"), ("update_over_lr", "update ÷ η"))
        return [(label, float(series[key][k])) for key, label in names]

    def first_step(self) -> str:
        s = self.series()
        diverged = int(s["diverged_at"])
        peak = float(np.nanmax(np.abs(s["update_over_lr"])))
        if diverged >= 0 or (self.beta2 <= self.beta1**2 and peak > 10):
            what = f"blew up at step {diverged}" if diverged >= 0 else f"made a step of {peak:.3g} × η"
            return (f"This run {what}: with β₂ = {self.beta2:g} not above β₁² = {self.beta1**2:.3g}, v̂ forgets "
                    f"the gradients faster than m̂ does and falls far below m̂², so m̂/√v̂ is huge. "
                    f"Raise β₂ above β₁².")
        if s["g"][0] == 0:
            return "The first gradient is 0, so m₁ = 0 and there is no first step."
        share = s["m"][0] / s["g"][0]
        kept = "m₁ = g₁, since 1 − β₁ = 1" if share == 1 else f"m₁ is {share:.3g} of g₁ (that is 1 − β₁), but m̂₁ = g₁"
        return (f"Step 1, whichever step the slider shows: {kept}. Without the correction the first "
                f"update would be {s['m'][0] / np.sqrt(s['v'][0]):.3g} × η; with it, {s['update_over_lr'][0]:.6g} × η.")


@functools.lru_cache(maxsize=64)
def _internals(beta1: float, beta2: float, preset: str) -> dict[str, np.ndarray]:
    """Once per process for each setting: every visitor sees the same sequences."""
    grads = preset_gradients(preset)
    traj = replay("adam", grads, betas=(beta1, beta2))
    out = {k: traj.internals[k][:, 0] for k in ("m", "v", "m_hat", "v_hat", "update")}
    t = np.arange(1, INTERNALS_STEPS + 1)
    out.update(g=grads, update_over_lr=out["update"] / ADAM["lr"], step=t,
               correction1=1 - beta1**t, correction2=1 - beta2**t, diverged_at=np.array(traj.diverged_at))
    for values in out.values():
        values.flags.writeable = False
    return out


def rmsprop_first_steps(alphas=(0.9, 0.99, 0.999), gradient: float = 4.0) -> list[list]:
    """RMSProp's first step divided by η, for a few ρ (PyTorch's alpha), from the core (no bias correction)."""
    lr = 0.001
    rows = []
    for alpha in alphas:
        step = abs(float(replay("rmsprop", [gradient], lr=lr, alpha=alpha).params[1, 0]))
        rows.append([alpha, step / lr, float(1 / np.sqrt(1 - alpha))])
    return rows


BIAS_RATES = [0.03, 0.1, 0.3]


class BiasRace(Race):
    """Adam with and without bias correction, from one start on the ellipse."""

    landscape = param.Selector(default="ellipse", objects=["ellipse"])
    lr = param.Selector(default=0.1, objects=BIAS_RATES, label="Learning rate η")
    steps = param.Integer(default=600, bounds=(1, 5000), precedence=-1)

    UNCORRECTED = "#CC79A7"

    def entries(self):
        return [Entry("adam", "Adam", {"lr": self.lr}),
                Entry("adam", "Adam without bias correction", {"lr": self.lr, "bias_correction": False},
                      color=self.UNCORRECTED, dash="dashed")]

    def step_lengths(self) -> dict[str, np.ndarray]:
        out = {}
        for lane, key in zip(self.result.lanes, ("corrected", "uncorrected"), strict=True):
            out[key] = np.linalg.norm(np.diff(lane.path, axis=0), axis=1)
        return out

    def verdict(self) -> str:
        lengths = self.step_lengths()
        corrected, uncorrected = self.result.lanes
        gap = float(np.linalg.norm(corrected.path[-1] - uncorrected.path[-1]))
        if not lengths["corrected"][0] > 0:
            return "Both runs start at the minimum, where the gradient is zero: neither moves."
        ratio = lengths["uncorrected"][0] / lengths["corrected"][0]
        return (f"Step 1 without correction is <b>{ratio:.3g}×</b> as long (the same gradient: uncorrected, m is "
                f"{1 - BETA1:g} of it and √v {np.sqrt(1 - BETA2):.3g} of its size). After {self.steps} steps "
                f"the two balls are <b>{gap:.2g}</b> apart.")


@functools.lru_cache(maxsize=4)
def correction_ratio(steps: int = 3000, gradients=(4.0, -1.0, 3.0)) -> np.ndarray:
    """How much larger Adam's step is without bias correction when both runs are fed the same
    gradients (the by-hand ones, repeated): (1 − β₁^t)/√(1 − β₂^t), up to ε."""
    feed = np.resize(np.array(gradients), steps)
    corrected = replay("adam", feed).internals["update"][:, 0]
    uncorrected = replay("adam", feed, bias_correction=False).internals["update"][:, 0]
    return uncorrected / corrected


SCALES = [1, 10, 100, 1000]
SCALE_RATE = 0.1


class ScaleRace(Race):
    """SGD and Adam on the ellipse's loss times k, each beside its own run on the loss itself."""

    landscape = param.Selector(default="ellipse", objects=["ellipse"])
    scale = param.Selector(default=100, objects=SCALES, label="Loss multiplied by k")
    steps = param.Integer(default=200, bounds=(1, 5000), precedence=-1)

    def entries(self):
        hyper = {"lr": SCALE_RATE}
        return [Entry("sgd", "SGD on L", hyper, dash="dotted", color="#999999"),
                Entry("sgd", f"SGD on {self.scale}·L", hyper, loss_scale=self.scale),
                Entry("adam", "Adam on L", hyper, dash="dotted", color="#999999"),
                Entry("adam", f"Adam on {self.scale}·L", hyper, loss_scale=self.scale)]

    def differences(self) -> dict[str, tuple[float, int]]:
        """Per method: the largest distance between its scaled and unscaled paths (inf once the
        scaled run diverged), and the step it diverged at (-1: never)."""
        lanes = self.result.lanes
        out = {}
        for name, (plain, scaled) in (("sgd", lanes[:2]), ("adam", lanes[2:])):
            with np.errstate(invalid="ignore"):
                gap = np.linalg.norm(plain.path - scaled.path, axis=1)
            out[name] = (float(np.inf if scaled.diverged_at >= 0 else np.nanmax(gap)), scaled.diverged_at)
        return out

    def verdict(self) -> str:
        said = []
        for name, (gap, diverged) in self.differences().items():
            title = get_spec(name).title
            if diverged >= 0:
                said.append(f"{title} on {self.scale}·L <b>diverged at step {diverged}</b>")
            else:
                said.append(f"{title}'s two paths are at most <b>{gap:.2g}</b> apart")
        return f"Both at η = {SCALE_RATE:g}: " + "; ".join(said) + "."
