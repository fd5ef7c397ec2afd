"""Chapter 5's lessons: an L2 penalty added to the gradient against weight decay applied to the
weights, under SGD and under Adam."""

import numpy as np
import param

from .kept import Kept
from .sequence import replay


class DecayByHand(param.Parameterized):
    """One weight θ with gradient g, penalty λ and rate η: how much of one step is decay."""

    theta = param.Number(default=5.0, bounds=(-1e3, 1e3), label="Weight θ")
    g = param.Number(default=2.0, bounds=(-1e3, 1e3), label="Gradient g")
    lam = param.Number(default=0.1, bounds=(0.0, 10.0), label="Decay λ")
    lr = param.Number(default=0.001, bounds=(0.0, 0.1), label="Learning rate η")

    NAMES = ("theta", "g", "lam", "lr")

    def steps(self) -> dict[str, dict]:
        """Each method's step from θ, run by the core. Adam and AdamW are fed the same gradient at
        every step, so their bias-corrected averages already hold their settled values at step 1."""
        theta, g, lam, lr = self.theta, self.g, self.lam, self.lr
        fed = g + lam * theta
        cancelled = self.cancels()
        out = {}
        sgd = replay("sgd", [g], start=[theta], lr=lr, weight_decay=lam)
        sgd_plain = replay("sgd", [g], start=[theta], lr=lr)
        out["plain SGD + L2 (= with decay)"] = {
            "fed": fed, "v_hat": None, "step": theta - sgd.final[0],
            "decay": sgd_plain.final[0] - sgd.final[0]}
        l2 = replay("adam", [g], start=[theta], lr=lr, weight_decay=lam)
        step = theta - l2.final[0]
        out["Adam + L2"] = {"fed": fed, "v_hat": float(l2.internals["v_hat"][0, 0]), "step": step,
                            "decay": 0.0 if cancelled else step * (lam * theta / fed)}
        decoupled = replay("adamw", [g], start=[theta], lr=lr, weight_decay=lam)
        undecayed = replay("adamw", [g], start=[theta], lr=lr, weight_decay=0.0)
        out["AdamW"] = {"fed": g, "v_hat": float(decoupled.internals["v_hat"][0, 0]),
                        "step": theta - decoupled.final[0], "decay": undecayed.final[0] - decoupled.final[0]}
        return out

    def cancels(self) -> bool:
        """Whether g and λθ cancel, exactly or to within rounding (0.1 · 3 is 0.30000000000000004, so
        −0.3 + 0.1 · 3 leaves 5.6 × 10⁻¹⁷): Adam + L2 is then fed nothing a step could be split by."""
        fed = self.g + self.lam * self.theta
        return abs(fed) <= 4 * np.spacing(max(abs(self.g), abs(self.lam * self.theta)))

    def table(self) -> tuple[list[str], list[list], str]:
        steps = self.steps()
        rows = []
        for name, s in steps.items():
            share = s["decay"] / self.theta if self.theta else float("nan")
            rows.append([name, float(s["fed"]), "—" if s["v_hat"] is None else s["v_hat"], float(s["step"]),
                         float(s["decay"]), f"{100 * share + 0.0:.3g}%" if np.isfinite(share) else "—"])
        l2, decoupled = steps["Adam + L2"]["decay"], steps["AdamW"]["decay"]
        if not (self.theta and self.lam and self.lr):
            note = "With θ, λ or η at zero there is no decay to compare."
        elif self.cancels():
            l2_step = steps["Adam + L2"]["step"]
            moves = "does not move" if l2_step == 0 else f"moves by only {l2_step:.3g}"
            rounding = "" if steps["Adam + L2"]["fed"] == 0 else " (to within rounding)"
            note = (f"Here g + λθ = 0{rounding}: Adam + L2 is fed nothing, so it {moves} and its step has no decay "
                    f"part. AdamW still removes ηλθ = {decoupled:.3g}.")
        else:
            note = (f"The decay part of AdamW's step is ηλθ = {decoupled:.3g}; Adam + L2's is divided by √v̂ + ε "
                    f"and comes to {l2:.3g}. (When g and λθ have opposite signs, a decay part can exceed the "
                    f"whole step: the gradient part pushes the other way.)")
        return ["method", "gradient fed to the optimizer", "v̂", "whole step", "decay part of it",
                "decay part ÷ θ"], rows, note


BUSY, QUIET = 10.0, 0.01
"""Gradient sizes of the two weights: the busy one's are a thousand times the quiet one's."""


TWO_WEIGHTS = Kept(max_bytes=16 * 2**20)


class TwoWeights(param.Parameterized):
    """Two weights, both starting at 1, whose gradients only swing ±s (zero on average): the
    busy one with s = 10, the quiet one with s = 0.01. Each is trained by torch's Adam with
    weight_decay = λ (an L2 penalty) and by AdamW with the same λ."""

    lam = param.Number(default=0.1, bounds=(0.0, 0.3), step=0.01, label="Weight decay λ")

    LR = 0.01
    STEPS = 2000

    def gradients(self) -> np.ndarray:
        t = np.arange(1, self.STEPS + 1)
        swing = np.where(t % 2 == 0, 1.0, -1.0)
        return swing[:, None] * np.array([BUSY, QUIET])[None, :]

    def weights(self) -> dict[str, np.ndarray]:
        """(steps + 1, 2) per method, columns busy and quiet."""
        return TWO_WEIGHTS.get(self.lam, self._weights)

    def _weights(self) -> dict[str, np.ndarray]:
        grads = self.gradients()
        return {name: replay(name, grads, start=[1.0, 1.0], lr=self.LR, weight_decay=self.lam).params
                for name in ("adam", "adamw")}

    def quiet_divisor(self, below: float = 0.01) -> tuple[int, float]:
        """Under Adam + L2: the first step at which the quiet weight is below `below` in size, and
        the √v̂ its step was divided by there."""
        run = replay("adam", self.gradients(), start=[1.0, 1.0], lr=self.LR, weight_decay=self.lam)
        step = int(np.flatnonzero(np.abs(run.params[:, 1]) < below)[0])
        return step, float(np.sqrt(run.internals["v_hat"][step - 1, 1]))

    def table(self, weights: dict | None = None) -> tuple[list[str], list[list], str]:
        weights = weights or self.weights()
        calls = {"adam": f"torch.optim.Adam(params, lr={self.LR:g}, weight_decay={self.lam:g})",
                 "adamw": f"torch.optim.AdamW(params, lr={self.LR:g}, weight_decay={self.lam:g})"}
        rows = [[calls[name], float(w[-1, 0]), float(w[-1, 1])] for name, w in weights.items()]
        note = (f"After {self.STEPS} steps, from 1. The same λ: Adam's decays the quiet weight far more than the "
                f"busy one, AdamW's shrinks both alike." if self.lam else "λ = 0: no decay, and the two calls agree.")
        return ["what you write", "busy weight (|g| = 10)", "quiet weight (|g| = 0.01)"], rows, note
