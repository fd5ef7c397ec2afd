"""Chapter 3's lessons: AdaGrad's sum and RMSProp's average of squared gradients, and the
per-coordinate rates they give."""

import functools

import numpy as np
import param

import landscapes
from landscapes.expression import from_expression
from optimizers import get_spec, run

from .kept import Kept
from .race import Entry, Race, run_lane
from .sequence import replay
from .wording import apart, counted

BY_HAND_LR = 0.1
BY_HAND_RHO = 0.9


def _gradient(label: str, default: float) -> param.Number:
    return param.Number(default=default, bounds=(-1e3, 1e3), label=label)


class AdaptiveByHand(param.Parameterized):
    """Two parameters fed four gradients each: A every step, B (by default) only at step 4."""

    a1, a2, a3, a4 = (_gradient(f"g_A at step {k}", v) for k, v in enumerate((3.0, 2.5, 2.8, 3.1), 1))
    b1, b2, b3, b4 = (_gradient(f"g_B at step {k}", v) for k, v in enumerate((0.0, 0.0, 0.0, 5.0), 1))

    GRADIENTS = ("a1", "a2", "a3", "a4", "b1", "b2", "b3", "b4")

    def gradients(self) -> np.ndarray:
        """Shape (4, 2): one row per step, columns A and B."""
        return np.array([[getattr(self, f"a{k}"), getattr(self, f"b{k}")] for k in range(1, 5)])

    def runs(self):
        grads = self.gradients()
        return (replay("adagrad", grads, lr=BY_HAND_LR),
                replay("rmsprop", grads, lr=BY_HAND_LR, alpha=BY_HAND_RHO))

    def tables(self) -> list[tuple[list[str], list[list], str]]:
        """(headers, rows, note) for AdaGrad then RMSProp; a NaN rate is a coordinate with no
        gradient yet."""
        grads = self.gradients()
        out = []
        for traj, buffer, title in zip(self.runs(), ("G", "E"), ("AdaGrad", "RMSProp"), strict=True):
            acc, rate = traj.internals[buffer], traj.internals["effective_lr"]
            seen = np.cumsum(grads != 0, axis=0) > 0
            rows = [[k + 1, float(grads[k, 0]), float(acc[k, 0]), _rate(rate[k, 0], seen[k, 0]),
                     float(grads[k, 1]), float(acc[k, 1]), _rate(rate[k, 1], seen[k, 1])] for k in range(len(grads))]
            headers = [f"{title} step", "g_A", f"{buffer}_A", "rate A", "g_B", f"{buffer}_B", "rate B"]
            out.append((headers, rows, self._note(buffer, rate, seen, int(np.count_nonzero(grads[:, 0])))))
        return out

    @staticmethod
    def _note(buffer: str, rate: np.ndarray, seen: np.ndarray, a_gradients: int) -> str:
        a_last, b_first = rate[-1, 0], rate[:, 1][np.isfinite(rate[:, 1])]
        for name, column in (("A", 0), ("B", 1)):
            if seen[-1, column] and not np.isfinite(rate[-1, column]):
                return (f"{name}'s gradients are so small (below a few times 1e-162) that their squares round "
                        f"to 0 in double precision, so {buffer}_{name} is still 0 and its steps are η·g/ε.")
        if not np.isfinite(a_last):
            return "A has had no gradient yet, so it has no rate to compare with."
        if not b_first.size:
            return "B has had no gradient yet, so it has no rate (the formula would give η/ε, a number no step uses)."
        first_b = int(np.flatnonzero(np.isfinite(rate[:, 1]))[0]) + 1
        compare = "larger than" if b_first[0] > a_last else "smaller than" if b_first[0] < a_last else "the same as"
        b_shown, a_shown = apart(b_first[0], a_last)
        gradients = counted(a_gradients, "nonzero gradient")
        if first_b > 1 and seen[first_b - 2, 1]:  # B had gradients before, too small to count
            return (f"B's gradients before step {first_b} are so small that their squares round to 0, so its "
                    f"first rate comes at step {first_b}: {b_shown}, {compare} A's {a_shown} "
                    f"after {gradients}.")
        return (f"B's first gradient arrives at step {first_b} and gets the rate {b_shown}, {compare} "
                f"A's {a_shown} after {gradients}" + (" (its accumulator had nothing in it yet)."
                                                           if buffer == "G" else "."))


def _rate(value: float, seen: bool):
    """A table cell for an effective rate: NaN means the accumulator is still 0."""
    if np.isfinite(value):
        return float(value)
    return "none: g² rounds to 0" if seen else "no gradient yet"


ELLIPSE_RATES = [0.01, 0.03, 0.1, 0.3, 1.0]


ROTATED_ELLIPSE = "0.125*(x + y)**2 + (y - x)**2"
"""The ellipse turned by 45°: the same two curvatures, along the diagonals instead of the axes."""


def turned_valley_steps(lr: float) -> tuple[int | None, int | None]:
    """Steps AdaGrad at rate `lr` needs to stay within the race's tolerance of the minimum, on the
    ellipse and on the same ellipse turned by 45°, from the same start turned with it."""
    aligned, turned = landscapes.get("ellipse"), from_expression(ROTATED_ELLIPSE)
    half = np.sqrt(0.5)
    start = np.array(aligned.start)
    entry = Entry("adagrad", "AdaGrad", {"lr": lr})
    tolerance = EllipseRace.param.tolerance.default
    return tuple(run_lane(entry, surface, point, EllipseRace.param.steps.default, 0.0, tolerance).steps_to_tolerance
                 for surface, point in ((aligned, start), (turned, np.array([[half, -half], [half, half]]) @ start)))


class EllipseRace(Race):
    """AdaGrad and RMSProp from one start on the ellipse, with each axis's effective rate."""

    landscape = param.Selector(default="ellipse", objects=["ellipse"])
    lr = param.Selector(default=0.1, objects=ELLIPSE_RATES, label="Learning rate η")
    rho = param.Number(default=0.9, bounds=(0.0, 0.999), step=0.001, label="RMSProp's decay ρ")
    steps = param.Integer(default=200, bounds=(1, 5000), precedence=-1)

    def entries(self):
        return [Entry("adagrad", "AdaGrad", {"lr": self.lr}),
                Entry("rmsprop", "RMSProp", {"lr": self.lr, "alpha": self.rho})]

    def rises(self) -> list[int]:
        """For each lane, on how many steps some coordinate's effective rate went up."""
        counts = []
        for lane in self.result.lanes:
            rates = lane.internals["effective_lr"]
            with np.errstate(invalid="ignore"):
                counts.append(int(np.sum(np.any(np.diff(rates, axis=0) > 0, axis=1))))
        return counts

    def verdict(self) -> str:
        adagrad, rmsprop = self.result.lanes
        up_a, up_r = self.rises()

        def rates(lane):
            x, y = (f"{r:.3g}" if np.isfinite(r) else "no gradient yet" for r in lane.internals["effective_lr"][-1])
            return f"x {x}, y {y}"

        return (f"After {self.steps} steps the rates are AdaGrad: <b>{rates(adagrad)}</b>; RMSProp: "
                f"<b>{rates(rmsprop)}</b>. Steps on which a rate went up: AdaGrad <b>{up_a}</b>, "
                f"RMSProp <b>{up_r}</b>.")


ELLIPSE = landscapes.get("ellipse")
STEEP = float(ELLIPSE.hess_diag(np.zeros(2))[1])
"""The curvature c of the ellipse's steep axis, y."""


LONG_CURVES = Kept(max_bytes=16 * 2**20)


class RateOverTime(param.Parameterized):
    """A long run of both methods on the ellipse; the steep axis's effective rate at every step."""

    noise = param.Boolean(default=True, label="Gradient noise")
    rho = param.Selector(default=0.99, objects=[0.9, 0.99, 0.999], label="RMSProp's decay ρ")

    LR = 0.1
    SIGMA = 1.0
    STEPS = 5000
    SEED = 0

    def curves(self) -> dict[str, np.ndarray]:
        """The y axis's effective rate after each step, by method, and where each ball is ("adagrad_x", ...)."""
        return LONG_CURVES.get((self.noise, self.rho), self._curves)

    def _curves(self) -> dict[str, np.ndarray]:
        out = {}
        for name, hyper in (("adagrad", {}), ("rmsprop", {"alpha": self.rho})):
            grad = ELLIPSE.noisy_grad(self.SIGMA, self.SEED) if self.noise else ELLIPSE.grad
            traj = run(name, grad, np.array(ELLIPSE.start), self.STEPS, lr=self.LR, **hyper)
            out[name] = traj.internals["effective_lr"][:, 1]
            out[f"{name}_x"], out[f"{name}_y"] = traj.params[1:, 0], traj.params[1:, 1]
        return out

    @property
    def edge(self) -> float:
        """2/c: the largest rate at which plain descent along the steep axis is stable."""
        return 2 / STEEP

    def summary(self, curves: dict[str, np.ndarray] | None = None) -> str:
        curves = curves or self.curves()
        adagrad, rmsprop = curves["adagrad"], curves["rmsprop"]
        half, end = self.STEPS // 2, self.STEPS
        late = slice(-end // 5, None)
        span = f"the last {end // 5} steps"
        y_adagrad, y_rmsprop = (float(np.abs(curves[f"{name}_y"][late]).max()) for name in ("adagrad", "rmsprop"))
        distances = (f"Over {span} AdaGrad's ball stays within |y| = {y_adagrad:.2g} of the valley's floor, "
                     f"RMSProp's within {y_rmsprop:.2g}.")
        low, high = f"{rmsprop[late].min():.3g}", f"{rmsprop[late].max():.3g}"
        held = f"at {low}" if low == high else f"between {low} and {high}"
        if self.noise:
            return (f"AdaGrad's rate went from {adagrad[half - 1]:.3g} at step {half} to {adagrad[-1]:.3g} at step "
                    f"{end}: still falling. RMSProp's stayed {held} over {span}, near η/σ = "
                    f"{self.LR / self.SIGMA:g}. " + distances)
        peak = int(np.argmax(rmsprop))
        return (f"AdaGrad's rate is {adagrad[half - 1]:.4g} at step {half} and {adagrad[-1]:.4g} at step {end}: it "
                f"has stopped falling, and the ball has reached the minimum. RMSProp's rate peaked at "
                f"{rmsprop[peak]:.3g} (step {peak + 1}) and stayed {held} over {span}; 2/c = {self.edge:g}. "
                + distances)


class SparseFeatures(param.Parameterized):
    """A frequent feature (a gradient of 1 at every step) and a rare one (1 at every k-th step)."""

    every = param.Selector(default=10, objects=[2, 5, 10, 20, 50, 100], label="The rare feature appears every k steps")

    LR = 0.1
    RHO = 0.9
    STEPS = 1000

    def gradients(self) -> np.ndarray:
        return self.gradients_for(self.every, self.STEPS)

    def rates(self) -> dict[str, np.ndarray]:
        """Effective rates (steps, 2), columns frequent and rare, by method."""
        return _sparse_rates(self.every, self.LR, self.RHO, self.STEPS)

    @staticmethod
    def gradients_for(every: int, steps: int) -> np.ndarray:
        t = np.arange(1, steps + 1)
        return np.stack([np.ones(steps), (t % every == 0).astype(float)], axis=1)

    def applied(self) -> dict[str, tuple[float, float]]:
        """Each method's rate at the last step each feature had a gradient (the rate its step used)."""
        hits = self.gradients() != 0
        out = {}
        for name, rates in self.rates().items():
            out[name] = tuple(float(rates[np.flatnonzero(hits[:, c])[-1], c]) for c in (0, 1))
        return out

    def table(self) -> tuple[list[str], list[list], str]:
        applied = self.applied()
        rows = [[get_spec(name).title, frequent, rare, rare / frequent]
                for name, (frequent, rare) in applied.items()]
        a_frequent, a_rare = applied["adagrad"]
        note = (f"After {self.STEPS} steps the frequent feature has had {self.STEPS} gradients and the rare one "
                f"{self.STEPS // self.every}. Under AdaGrad the rare feature's rate is {a_rare / a_frequent:.3g} "
                f"times the frequent one's: √{self.every} = {np.sqrt(self.every):.3g}. RMSProp (ρ = {self.RHO:g}) "
                f"also favours the rare feature, but never by more than 1/√(1 − ρ) = {1 / np.sqrt(1 - self.RHO):.3g} "
                f"times.")
        headers = ["method", "frequent feature's rate", "rare feature's rate, at its last gradient", "rare ÷ frequent"]
        return headers, rows, note


@functools.lru_cache(maxsize=16)
def _sparse_rates(every: int, lr: float, rho: float, steps: int) -> dict[str, np.ndarray]:
    grads = SparseFeatures.gradients_for(every, steps)
    out = {"adagrad": replay("adagrad", grads, lr=lr).internals["effective_lr"],
           "rmsprop": replay("rmsprop", grads, lr=lr, alpha=rho).internals["effective_lr"]}
    for values in out.values():
        values.flags.writeable = False
    return out
