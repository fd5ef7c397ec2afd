"""Safe reading of numbers typed by a learner: parsed, never evaluated."""

import math


class InputError(ValueError):
    """A message to show beside the box; nothing else changes."""


def parse_number(text: str, *, name: str, low: float, high: float) -> float:
    cleaned = text.strip().replace("−", "-")
    if cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")  # a decimal comma, as many learners write it
    try:
        value = float(cleaned)
    except ValueError:
        raise InputError(f"{name}: “{text.strip()[:30]}” is not a number. Type something like 0.1.") from None
    if not math.isfinite(value) or not low <= value <= high:
        raise InputError(f"{name} must be between {low:g} and {high:g}; got {text.strip()[:30]}.")
    return value

