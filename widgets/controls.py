"""Sliders that answer at once, including one over a fixed list of values (log-spaced learning
rates, batch sizes).

Panel waits 50 ms after a widget's value arrives before acting on it, to merge bursts of
changes into one. Here a recomputation takes about 20 ms and changes arriving meanwhile are
merged anyway, so the wait would be a third of a slider's response time; these sliders skip it.

Panel's DiscreteSlider sets up a JavaScript link whose set-up walks the page's whole model
graph, about 0.17 s per slider on a chapter page. An IntSlider over the index, with a tick
formatter that prints the value, looks the same and costs nothing extra.
"""

import panel as pn
import param
from bokeh.models import CustomJSTickFormatter

import landscapes
from optimizers import get_spec

FINGER_HANDLES = """
.noUi-target { background: #e4e4e4; border-color: #9a9a9a; }
@media (pointer: coarse) {
  .noUi-horizontal .noUi-handle { width: 30px; height: 30px; right: -15px; top: -13px; border-radius: 50%; }
  .bk-input-group .noUi-target.noUi-horizontal { margin: 14px 15px 0 15px; }
  :host { padding-bottom: 12px; }
}
"""
"""On a touch screen a slider's handle is 30 px, big enough for a finger (Bokeh's is about 15 px),
with room around the track so that the handle stays clear of the slider's own label, of the next
slider's label, and of the box's edges at either end. A mouse keeps the small handle. Every track
is drawn a shade darker than Bokeh's, to be seen on a projector."""


class FingerSized:
    """A slider that adds FINGER_HANDLES to its stylesheets."""

    def __init__(self, **params):
        params["stylesheets"] = [FINGER_HANDLES, *params.get("stylesheets", [])]
        super().__init__(**params)


class IntSlider(FingerSized, pn.widgets.IntSlider):
    _debounce = 0


class FloatSlider(FingerSized, pn.widgets.FloatSlider):
    """A float slider whose values are the step's own numbers: the browser computes start + k·step
    in binary floating point (0.9 + 2 × 0.01 = 0.9200000000000002), and that noise would otherwise
    reach the model and the page's link."""

    _debounce = 0

    def _process_property_change(self, msg):
        msg = super()._process_property_change(msg)
        for key in ("value", "value_throttled"):
            if isinstance(msg.get(key), float):
                msg[key] = float(f"{msg[key]:.12g}")
        return msg


def log_rate_slider(parameter: param.Number, *, width: int, symbol: str = "η") -> FloatSlider:
    """A slider over the base-10 logarithm of a rate that shows the rate itself (η = 0.010),
    as every rate slider of the course does; its label says that the track is logarithmic."""
    shown = f"return '{symbol} = ' + Math.pow(10, tick).toPrecision(2)"
    return FloatSlider.from_param(parameter, format=CustomJSTickFormatter(code=shown), width=width)


def landscape_options(names) -> dict[str, str]:
    """A select's choices for landscapes: each shown by its title (Rosenbrock), kept by its key."""
    return {landscapes.get(name).title: name for name in names}


def optimizer_options(names) -> dict[str, str]:
    """A select's choices for optimizers: each shown by its title (AdamW), kept by its key."""
    return {get_spec(name).title: name for name in names}


def choice_slider(owner: param.Parameterized, name: str, *, width: int = 280) -> IntSlider:
    """A slider bound both ways to the Selector parameter `name` of `owner`."""
    parameter = owner.param[name]
    values = list(parameter.objects)
    labels = [f"{v:g}" for v in values]
    slider = IntSlider(
        label=parameter.label, start=0, end=len(values) - 1, value=values.index(getattr(owner, name)),
        format=CustomJSTickFormatter(args={"labels": labels}, code="return labels[Math.round(tick)]"),
        width=width,
    )
    slider.param.watch(lambda event: setattr(owner, name, values[event.new]), "value_throttled")
    owner.param.watch(lambda event: setattr(slider, "value", values.index(event.new)), name)
    return slider


def check_box(owner: param.Parameterized, name: str, *, label: str = "",
              css_class: str = "") -> pn.widgets.CheckBoxGroup:
    """A tick box bound both ways to the Boolean parameter `name` of `owner`, whose label answers a
    click too: Bokeh's Checkbox draws its label beside the box, where a click does nothing (and a
    screen reader finds no name), while a group's options are real labels."""
    text = label or owner.param[name].label
    box = pn.widgets.CheckBoxGroup(options=[text], value=[text] if getattr(owner, name) else [],
                                   css_classes=[css_class] if css_class else [])
    box.param.watch(lambda event: setattr(owner, name, bool(event.new)), "value")
    owner.param.watch(lambda event: setattr(box, "value", [text] if event.new else []), name)
    return box
