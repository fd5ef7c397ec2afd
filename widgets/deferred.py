"""Sections drawn when the reader scrolls near them.

A chapter's lower widgets cost the server most of a visit's CPU (a race view alone is a few dozen
Bokeh models), yet a reader spends minutes on the text above them first. `Deferred` puts a light
placeholder in their place; a script in the page tells the server when the placeholder comes
within about a screen of the window, and only then is the section built and sent. A class that
opens a chapter at once thus waits for the top of the page only, and the rest is spread over
their reading. The lesson models behind the section exist from the start, so the page's link and
its notices are complete before anything below is drawn.
"""

from collections.abc import Callable
from typing import ClassVar

import panel as pn
import param
from panel.reactive import ReactiveHTML

NEAR_MARGIN_PX = 300
"""How far below the visible part of the page a placeholder starts its section. The course's
template scrolls its #main element, not the window, so that element is what is watched."""


class NearSignal(ReactiveHTML):
    """An empty mark that sets `near` once it comes within NEAR_MARGIN_PX of the window."""

    near = param.Boolean(default=False, doc="True from the moment the mark first came near the window.")

    _template: ClassVar[str] = '<div id="mark" style="height: 1px; width: 100%"></div>'

    _scripts: ClassVar[dict[str, str]] = {
        "render": f"""
            if (data.near) {{ return; }}
            const seen = new IntersectionObserver((entries) => {{
              if (entries.some((entry) => entry.isIntersecting)) {{
                seen.disconnect();
                data.near = true;
              }}
            }}, {{root: document.querySelector("#main"), rootMargin: "{NEAR_MARGIN_PX}px 0px"}});
            seen.observe(mark);
            state.seen = seen;
        """,
        "remove": "if (state.seen) { state.seen.disconnect(); }",
    }


class Deferred(pn.Column):
    """A column that holds a placeholder until the reader comes near, then the section `build()` makes.
    `label` names the section meanwhile, and `height` (pixels) keeps roughly its room so that the
    page below does not jump when it arrives."""

    def __init__(self, build: Callable[[], pn.viewable.Viewable], label: str, height: int = 600, **params):
        self._build = build
        self._signal = NearSignal(height=1, margin=0, sizing_mode="stretch_width")
        placeholder = pn.pane.Str(f"{label} (drawn as you scroll here)", css_classes=["deferred-placeholder"],
                                  styles={"color": "var(--bs-secondary-color, grey)"}, margin=(10, 10))
        super().__init__(placeholder, self._signal, min_height=height, sizing_mode="stretch_width",
                         css_classes=["deferred-section"], **params)
        self._signal.param.watch(self._draw, "near")

    @property
    def drawn(self) -> bool:
        return self._signal.near

    def draw(self) -> None:
        """Build the section now (what the page does when the reader comes near)."""
        self._signal.near = True

    def _draw(self, event) -> None:
        if not event.new:
            return
        section = self._build()
        with pn.io.hold():
            self.min_height = None
            self.css_classes = ["deferred-section", "drawn"]
            self.objects = [section]


def draw_all(root: pn.viewable.Viewable) -> int:
    """Build every deferred section under `root` at once, nested ones included; returns how many."""
    count = 0
    while pending := [d for d in root.select(Deferred) if not d.drawn]:
        for section in pending:
            section.draw()
        count += len(pending)
    return count
