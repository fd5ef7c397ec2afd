"""The classic test surfaces, each with an analytic gradient and Hessian diagonal."""

import numpy as np

from .base import Landscape, coordinates, pair


def _quadratic(name, title, a, b, x_range, y_range, start, summary):
    """f = a x^2 + b y^2: curvature 2a along x and 2b along y."""
    def f(p):
        x, y = coordinates(p)
        return a * x * x + b * y * y

    def grad(p):
        x, y = coordinates(p)
        return pair(2 * a * x, 2 * b * y)

    def hess_diag(p):
        x, y = coordinates(p)
        return pair(np.full_like(x, 2 * a), np.full_like(y, 2 * b))

    return Landscape(name, title, f, grad, hess_diag, x_range, y_range, ((0.0, 0.0),), start,
                     summary=summary)


BOWL = _quadratic("bowl", "Bowl", 1.0, 1.0, (-3.0, 3.0), (-3.0, 3.0), (-2.5, 2.0),
                  "f = x² + y²: the same curvature (2) in every direction.")
RAVINE = _quadratic("ravine", "Ravine", 0.05, 5.0, (-10.0, 10.0), (-3.0, 3.0), (-9.0, 2.0),
                    "f = 0.05x² + 5y²: walls 100 times steeper than the floor.")
ELLIPSE = _quadratic("ellipse", "Ellipse", 0.25, 2.0, (-4.0, 4.0), (-3.0, 3.0), (-3.5, 2.0),
                     "f = 0.25x² + 2y²: an oval bowl, 8 times steeper across than along.")


def _saddle_f(p):
    x, y = coordinates(p)
    return x * x + 0.25 * y**4 - 0.5 * y * y


def _saddle_grad(p):
    x, y = coordinates(p)
    return pair(2 * x, y**3 - y)


def _saddle_hess(p):
    x, y = coordinates(p)
    return pair(np.full_like(x, 2.0), 3 * y * y - 1)


SADDLE = Landscape(
    "saddle", "Saddle", _saddle_f, _saddle_grad, _saddle_hess, (-2.0, 2.0), (-2.0, 2.0),
    ((0.0, -1.0), (0.0, 1.0)), (1.8, 0.0),
    summary="f = x² + y⁴/4 − y²/2: a saddle at the origin between two valleys at y = ±1.",
)


def _rosenbrock_f(p):
    x, y = coordinates(p)
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


def _rosenbrock_grad(p):
    x, y = coordinates(p)
    return pair(-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x))


def _rosenbrock_hess(p):
    x, y = coordinates(p)
    return pair(2 - 400 * (y - x * x) + 800 * x * x, np.full_like(y, 200.0))


ROSENBROCK = Landscape(
    "rosenbrock", "Rosenbrock", _rosenbrock_f, _rosenbrock_grad, _rosenbrock_hess,
    (-2.0, 2.0), (-1.0, 3.0), ((1.0, 1.0),), (-1.2, 1.0), log_contours=True,
    summary="(1 − x)² + 100(y − x²)²: a curved, flat-bottomed valley ending at (1, 1).",
)


def _himmelblau_f(p):
    x, y = coordinates(p)
    return (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2


def _himmelblau_grad(p):
    x, y = coordinates(p)
    a, b = x * x + y - 11, x + y * y - 7
    return pair(4 * x * a + 2 * b, 2 * a + 4 * y * b)


def _himmelblau_hess(p):
    x, y = coordinates(p)
    return pair(12 * x * x + 4 * y - 42, 4 * x + 12 * y * y - 26)


HIMMELBLAU = Landscape(
    "himmelblau", "Himmelblau", _himmelblau_f, _himmelblau_grad, _himmelblau_hess,
    (-5.0, 5.0), (-5.0, 5.0),
    ((3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126)),
    (0.0, 0.0), log_contours=True,
    summary="(x² + y − 11)² + (x + y² − 7)²: four equally deep minima.",
)


def _rastrigin_f(p):
    x, y = coordinates(p)
    return 20 + x * x - 10 * np.cos(2 * np.pi * x) + y * y - 10 * np.cos(2 * np.pi * y)


def _rastrigin_grad(p):
    x, y = coordinates(p)
    return pair(2 * x + 20 * np.pi * np.sin(2 * np.pi * x), 2 * y + 20 * np.pi * np.sin(2 * np.pi * y))


def _rastrigin_hess(p):
    x, y = coordinates(p)
    return pair(2 + 40 * np.pi**2 * np.cos(2 * np.pi * x), 2 + 40 * np.pi**2 * np.cos(2 * np.pi * y))


RASTRIGIN = Landscape(
    "rastrigin", "Rastrigin", _rastrigin_f, _rastrigin_grad, _rastrigin_hess,
    (-5.12, 5.12), (-5.12, 5.12), ((0.0, 0.0),), (3.3, -2.4),
    summary="A bowl covered in a grid of bumps: many local minima, one global at the origin.",
)

_BEALE_C = (1.5, 2.25, 2.625)


def _beale_f(p):
    x, y = coordinates(p)
    return sum((c - x + x * y ** (i + 1)) ** 2 for i, c in enumerate(_BEALE_C))


def _beale_grad(p):
    x, y = coordinates(p)
    gx = gy = 0.0
    for i, c in enumerate(_BEALE_C):
        n = i + 1
        r = c - x + x * y**n
        gx = gx + 2 * r * (y**n - 1)
        gy = gy + 2 * r * n * x * y ** (n - 1)
    return pair(gx, gy)


def _beale_hess(p):
    x, y = coordinates(p)
    hx = hy = 0.0
    for i, c in enumerate(_BEALE_C):
        n = i + 1
        r = c - x + x * y**n
        hx = hx + 2 * (y**n - 1) ** 2
        hy = hy + 2 * (n * x * y ** (n - 1)) ** 2 + 2 * r * n * (n - 1) * x * y ** max(n - 2, 0)
    return pair(hx, hy)


BEALE = Landscape(
    "beale", "Beale", _beale_f, _beale_grad, _beale_hess, (-4.5, 4.5), (-4.5, 4.5),
    ((3.0, 0.5),), (1.0, 1.5), log_contours=True,
    summary="Three squared residuals: flat plateaus and sharp ridges, minimum at (3, 0.5).",
)

CLASSICS = (BOWL, RAVINE, ELLIPSE, SADDLE, ROSENBROCK, HIMMELBLAU, RASTRIGIN, BEALE)
