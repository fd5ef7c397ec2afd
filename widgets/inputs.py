"""Safe reading of numbers typed by a learner: parsed, never evaluated."""

import html
import math

import panel as pn


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



def whole_number_box(owner, name: str, *, width: int = 110):
    """A box for the Integer parameter `name` of `owner` (a seed, say). A value outside the
    parameter's bounds, or none at all, is answered under the box and changes nothing."""
    parameter = owner.param[name]
    low, high = parameter.bounds
    box = pn.widgets.IntInput(label=parameter.label, value=getattr(owner, name), start=low, end=high, width=width)
    note = pn.pane.HTML("", visible=False, width=max(width, 200), styles={"color": "#8a1c12", "font-size": "12px"})

    def typed(event):
        value = event.new
        if value is None or not low <= value <= high:
            note.object = html.escape(f"{parameter.label} must be a whole number from {low} to {high}.")
            note.visible = True
            box.value = getattr(owner, name)
            return
        note.visible = False
        setattr(owner, name, value)

    box.param.watch(typed, "value")
    owner.param.watch(lambda event: setattr(box, "value", event.new), name)
    return pn.Column(box, note, width=max(width, 200))
