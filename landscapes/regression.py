r"""A landscape made from data: mean squared error of a straight-line fit (chapter 1).

The loss is an average over examples, $L(\theta) = \frac1N \sum_i (\hat y_i - y_i)^2$, so its
gradient is the average of per-example gradients, and the gradient of a mini-batch is the
average over that batch only: an unbiased, noisy estimate of the full one.
"""

from dataclasses import dataclass

import numpy as np

from .base import Landscape


@dataclass(frozen=True)
class LineFit:
    """Least squares for $\\hat y = w x + b$ (params (..., 2)) or $\\hat y = w x$ (params (..., 1))."""

    x: np.ndarray
    y: np.ndarray
    intercept: bool = True

    @property
    def n(self) -> int:
        return len(self.x)

    def _features(self):
        return np.stack([self.x, np.ones_like(self.x)], axis=-1) if self.intercept else self.x[:, None]

    def residuals(self, params):
        """Prediction minus target for every example: shape (..., N)."""
        return np.asarray(params, dtype=np.float64) @ self._features().T - self.y

    def loss(self, params):
        return np.mean(self.residuals(params) ** 2, axis=-1)

    def per_example_grads(self, params):
        """Gradient of each example's squared error, shape (..., N, d): 2 (ŷ_i − y_i) [x_i, 1]."""
        return 2 * self.residuals(params)[..., None] * self._features()

    def grad(self, params, batch=None):
        """Mean gradient over `batch` (indices into the data), or over all the data."""
        per_example = self.per_example_grads(params)
        if batch is not None:
            per_example = per_example[..., np.asarray(batch), :]
        return per_example.mean(axis=-2)

    def hess_diag(self, params):
        features = self._features()
        diag = 2 * np.mean(features**2, axis=0)
        return np.broadcast_to(diag, np.shape(params)).copy()

    def minimum(self):
        solution, *_ = np.linalg.lstsq(self._features(), self.y, rcond=None)
        return solution


def synthetic_line(n=24, slope=2.0, intercept=-0.5, noise=0.8, seed=7) -> LineFit:
    """A small, fixed data set: x spread over [-2, 2], y on a line plus Gaussian noise."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-2.0, 2.0, n)
    y = slope * x + intercept + noise * rng.standard_normal(n)
    return LineFit(x, y, intercept=True)


def regression_landscape(fit: LineFit | None = None) -> Landscape:
    """The (w, b) loss surface of a line fit, as a Landscape centred on its minimum."""
    fit = fit or synthetic_line()
    w, b = fit.minimum()
    return Landscape(
        "regression", "Line fit (data)", fit.loss, fit.grad, fit.hess_diag,
        (w - 3.0, w + 3.0), (b - 3.0, b + 3.0), ((float(w), float(b)),),
        (float(w) - 2.5, float(b) + 2.0),
        summary=f"Mean squared error of y = w·x + b on {fit.n} data points.",
    )
