"""The Landscape record: a 2-D loss surface with everything a plot and an optimizer need."""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Landscape:
    """A loss surface over points `(..., 2)`.

    `f`, `grad` and `hess_diag` are vectorised over any leading shape: a point (2,), a batch of
    starts (n, 2) or a contour grid (h, w, 2). `log_contours` says whether the contour map reads
    better on a log scale (for surfaces whose values span many decades).
    """

    name: str
    title: str
    f: Callable[[np.ndarray], np.ndarray]
    grad: Callable[[np.ndarray], np.ndarray]
    hess_diag: Callable[[np.ndarray], np.ndarray]
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    minima: tuple[tuple[float, float], ...]
    start: tuple[float, float]
    log_contours: bool = False
    summary: str = ""

    @property
    def escape_bound(self) -> float:
        """A path farther than this from the origin has left the map for good: it diverged."""
        return 100.0 * max(map(abs, (*self.x_range, *self.y_range)))

    def grid(self, resolution: int = 160):
        """Sample points `xs` (w,), `ys` (h,) and the loss on the grid, shape (h, w)."""
        xs = np.linspace(*self.x_range, resolution)
        ys = np.linspace(*self.y_range, resolution)
        points = np.stack(np.meshgrid(xs, ys), axis=-1)
        return xs, ys, self.f(points)

    def contains(self, point) -> bool:
        x, y = point
        return (self.x_range[0] <= x <= self.x_range[1]) and (self.y_range[0] <= y <= self.y_range[1])

    def noisy_grad(self, scale: float, seed: int = 0, *, shared: bool = False) -> Callable[[np.ndarray], np.ndarray]:
        """The gradient plus Gaussian noise of standard deviation `scale`, from a seeded stream.

        Each call of the returned function draws fresh noise, so a run with it stands in for
        mini-batch training; the same seed gives the same run. With `shared`, every point of a
        call gets the same draw: the many rates of a sweep then see the same mini-batches, and
        each column of a sweep equals the single run at its rate.
        """
        if scale < 0:
            raise ValueError(f"noise scale must be >= 0, got {scale}")
        rng = np.random.default_rng(seed)

        def grad(points):
            exact = self.grad(points)
            return exact + scale * rng.standard_normal(exact.shape[-1:] if shared else exact.shape)

        return grad


def coordinates(points):
    """Split points (..., 2) into contiguous x and y arrays (about 10% faster to compute on
    than the strided views, which matters for basin maps of many thousands of starts)."""
    points = np.asarray(points, dtype=np.float64)
    return points[..., 0].copy(), points[..., 1].copy()


def pair(a, b):
    """Join two arrays into points (..., 2), broadcasting a scalar or a smaller shape."""
    a, b = np.asarray(a), np.asarray(b)
    out = np.empty((*np.broadcast_shapes(a.shape, b.shape), 2))
    out[..., 0] = a
    out[..., 1] = b
    return out
