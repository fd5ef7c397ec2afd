"""Safe reading of numbers typed by a learner: parsed, never evaluated."""

import html

import panel as pn

from lessons.numbers import TooLargeError, number, read_number


class InputError(ValueError):
    """A message to show beside the box; nothing else changes."""


def parse_number(text: str, *, name: str, low: float, high: float) -> float:
    out_of_range = InputError(f"{name} must be between {number(low, 6)} and {number(high, 6)}; "
                              f"got {text.strip()[:30]}.")
    try:
        value = read_number(text)
    except TooLargeError:
        raise out_of_range from None
    except ValueError:
        raise InputError(f"{name}: “{text.strip()[:30]}” is not a number. Type something like 0.1.") from None
    if not low <= value <= high:
        raise out_of_range
    return value


def whole_number_box(owner, name: str, *, width: int = 110):
    """A box for the Integer parameter `name` of `owner` (a seed, say). Text that is not a whole
    number within the parameter's bounds is answered under the box and changes nothing.

    A text box, not a number box: a number box's browser side silently drops a value outside
    its bounds, and turns 400 digits into a float the server's integer widget refuses."""
    parameter = owner.param[name]
    low, high = parameter.bounds
    box = pn.widgets.TextInput(label=parameter.label, value=str(getattr(owner, name)), width=width)
    note = pn.pane.HTML("", visible=False, width=max(width, 200), styles={"color": "#8a1c12", "font-size": "12px"})

    def typed(event):
        text = event.new.strip()
        if text == str(getattr(owner, name)):
            return  # the box put back to the model's value after a refusal: the message stays
        if not (text.isascii() and text.isdigit() and len(text) <= len(str(high)) and low <= int(text) <= high):
            note.object = html.escape(f"{parameter.label} must be a whole number from {low:,} to {high:,}; "
                                      f"got “{text[:30]}”.")
            note.visible = True
            box.value = str(getattr(owner, name))
            return
        note.visible = False
        setattr(owner, name, int(text))

    box.param.watch(typed, "value")
    owner.param.watch(lambda event: setattr(box, "value", str(event.new)), name)
    return pn.Column(box, note, width=max(width, 200))
