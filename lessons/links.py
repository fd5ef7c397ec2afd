"""A page's link: lesson parameters written into the address and read back, value by value.

Each value from a link is parsed on its own against its parameter (type, bounds, choices). A
bad one is skipped with a notice naming it, and the rest still apply. Nothing here is ever
evaluated: numbers go through `float`, choices are matched against the parameter's own list.
"""

import math

import param

from .numbers import number

MAX_TEXT = 200
"""Longer values are refused unread."""


def _float(text):
    try:
        return float(text)
    except ValueError:
        raise ValueError("not a number") from None


def _number(parameter, text):
    value = _float(text)
    if not math.isfinite(value):
        raise ValueError("not a finite number")
    if isinstance(parameter, param.Integer):
        if value != int(value):
            raise ValueError("not a whole number")
        value = int(value)
    low, high = parameter.bounds or (None, None)
    if (low is not None and value < low) or (high is not None and value > high):
        raise ValueError(_outside(low, high))
    return value


def _outside(low, high) -> str:
    if low is None:
        return f"above {_bound(high)}"
    if high is None:
        return f"below {_bound(low)}"
    return f"outside the range {_bound(low)} to {_bound(high)}"


def _bound(value) -> str:
    """A bound as a reader writes it: 2,147,483,647 or 10⁻¹², never 2.14748e+09."""
    if isinstance(value, int):
        return f"{value:,}".replace("-", "−")
    return number(value, 6)


def _matching(objects, text):
    for obj in objects:
        if isinstance(obj, bool) or not isinstance(obj, int | float):
            if str(obj) == text:
                return obj
        else:
            try:
                if math.isclose(float(text), obj, rel_tol=1e-9, abs_tol=1e-15):
                    return obj
            except ValueError:
                continue
    raise ValueError("not one of the choices")


def _boolean(text):
    lowered = text.lower()
    if lowered in ("true", "1", "yes", "on"):
        return True
    if lowered in ("false", "0", "no", "off"):
        return False
    raise ValueError("not true or false")


def parse(parameter: param.Parameter, text: str, limit: int = MAX_TEXT):
    """The value `text` stands for, or ValueError saying why it cannot be one."""
    if len(text) > limit:
        raise ValueError(f"longer than {limit} characters")
    if isinstance(parameter, param.ListSelector):
        chosen = [item for item in text.split(",") if item]
        values = [_matching(parameter.objects, item) for item in chosen]
        if len(set(values)) != len(values):
            raise ValueError("names a choice twice")
        return values
    if isinstance(parameter, param.Selector):
        return _matching(parameter.objects, text)
    if isinstance(parameter, param.Boolean):
        return _boolean(text)
    if isinstance(parameter, param.NumericTuple):
        parts = text.split(",")
        if len(parts) != parameter.length:
            raise ValueError(f"needs {parameter.length} numbers separated by commas")
        values = tuple(_float(part) for part in parts)
        if not all(map(math.isfinite, values)):
            raise ValueError("not finite numbers")
        return values
    if isinstance(parameter, param.Number):
        return _number(parameter, text)
    if isinstance(parameter, param.String):
        return text  # as text only: the model checks what it means (see `link_problem`)
    raise ValueError("cannot be set from a link")


def text_of(value) -> str:
    """A value as it is written in the address."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ",".join(text_of(v) for v in value)
    if isinstance(value, float):
        short = f"{value:.6g}"
        # repr gives back this very value; float() first, as a NumPy float's repr names its type
        return short if float(short) == value else repr(float(value))
    return str(value)


class Link:
    """The parameters of one lesson that the address carries, under `prefix.name`."""

    def __init__(self, model: param.Parameterized, prefix: str, names: tuple[str, ...]):
        self.model, self.prefix, self.names = model, prefix, tuple(names)

    def key(self, name: str) -> str:
        return f"{self.prefix}.{name}"

    def query(self) -> dict[str, str]:
        return {self.key(name): text_of(getattr(self.model, name)) for name in self.names}

    def apply(self, query: dict[str, str]) -> list[str]:
        """Set every parameter the query names, in declaration order; returns a notice for each
        value that could not be used (that parameter keeps its value). A model may refuse a value
        that passes its parameter's own checks with `link_problem(name, value, accepted_so_far)`,
        and allow a text parameter more than MAX_TEXT characters in `LINK_TEXT_LIMITS`."""
        limits = getattr(self.model, "LINK_TEXT_LIMITS", {})
        notices, values = [], {}
        for name in self.names:
            text = query.get(self.key(name))
            if text is None:
                continue
            parameter = self.model.param[name]
            try:
                value = parse(parameter, text.strip(), limits.get(name, MAX_TEXT))
                parameter._validate(value)
                problem = getattr(self.model, "link_problem", lambda *_: None)(name, value, values)
                if problem:
                    raise ValueError(problem)
            except (ValueError, TypeError) as problem:
                notices.append(f"“{self.key(name)}={shorten(text)}” was ignored: {reason(problem)}.")
                continue
            values[name] = value
        if values:
            try:
                self.model.param.update(**values)
            except ValueError as problem:
                notices.append(f"the link's settings for {self.prefix} were ignored: {reason(problem)}.")
        return notices


def shorten(text: str, limit: int = 24) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def reason(problem: Exception) -> str:
    return shorten(str(problem).split("\n")[0], 120)
