"""Loss surfaces for the course: `get(name)` and `names()`."""

from .base import Landscape
from .classic import CLASSICS
from .regression import LineFit, regression_landscape, synthetic_line

_BY_NAME = {landscape.name: landscape for landscape in CLASSICS}


def names() -> list[str]:
    return list(_BY_NAME)


def get(name: str) -> Landscape:
    try:
        return _BY_NAME[name]
    except KeyError:
        raise ValueError(f"unknown landscape {name!r}; choose one of {', '.join(_BY_NAME)}") from None


__all__ = ["Landscape", "LineFit", "get", "names", "regression_landscape", "synthetic_line"]
