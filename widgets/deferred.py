"""Parts of a page built only when the reader gets to them.

A chapter's lower widgets cost the server most of a visit's CPU (a race view alone is a few dozen
Bokeh models), yet a reader spends minutes on the text above them first. `Deferred` puts a light
placeholder in their place; a script in the page tells the server when the placeholder comes
within NEAR_MARGIN_PX of the visible part of the page, and only then is the section built and
sent. A class that opens a chapter at once thus waits for the top of the page only, and the rest
is spread over their reading. `OnRequest` does the same for a part behind a button, and a plain
`Unbuilt` for one the page draws when a setting first needs it. The lesson models behind every
part exist from the start, so the page's link and its notices are complete before anything below
is drawn.
"""

import html
from collections.abc import Callable
from typing import ClassVar

import panel as pn
import param
from panel.reactive import ReactiveHTML

NEAR_MARGIN_PX = 300
"""How far above or below the visible part of the page a placeholder starts its section. The
course's template scrolls its #main element, not the window, so that element is what is watched
(the window where a page has none)."""


class NearSignal(ReactiveHTML):
    """An empty mark that sets `near` once it comes within NEAR_MARGIN_PX of the visible page."""

    near = param.Boolean(default=False, doc="True from the moment the mark first came near the visible page.")

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


class Unbuilt(pn.Column):
    """A column that holds `waiting` (components) until `draw()`, then the part `build()` makes,
    built once however often it is asked for."""

    def __init__(self, build: Callable[[], pn.viewable.Viewable], waiting: list, **params):
        self._build = build
        self._drawn = False
        params.setdefault("sizing_mode", "stretch_width")
        super().__init__(*waiting, **params)

    @property
    def drawn(self) -> bool:
        return self._drawn

    def draw(self) -> None:
        if self._drawn:
            return
        self._drawn = True
        part = self._build()
        with pn.io.hold():
            self.min_height = None
            self.css_classes = [*self.css_classes, "drawn"]
            self.objects = [part]


class Deferred(Unbuilt):
    """A section drawn when the reader scrolls near it. `label` names it meanwhile, and `height`
    (pixels) keeps roughly its room so that the page below does not jump when it arrives."""

    def __init__(self, build: Callable[[], pn.viewable.Viewable], label: str, height: int = 600, **params):
        signal = NearSignal(height=1, margin=0, sizing_mode="stretch_width")
        placeholder = pn.pane.HTML(f"<em>{html.escape(label)}</em> (drawn as you scroll here)",
                                   css_classes=["deferred-placeholder"], margin=(10, 10),
                                   styles={"color": "var(--bs-secondary-color, grey)"})
        super().__init__(build, [placeholder, signal], min_height=height, css_classes=["deferred-section"],
                         **params)
        signal.param.watch(lambda event: self.draw() if event.new else None, "near")


class OnRequest(Unbuilt):
    """A part drawn when the reader presses the button labelled `label` (CSS class `reveals-more`)."""

    def __init__(self, build: Callable[[], pn.viewable.Viewable], label: str, width: int = 300, **params):
        button = pn.widgets.Button(label=label, width=width, css_classes=["reveals-more"])
        button.on_click(lambda _: self.draw())
        super().__init__(build, [button], **params)


def draw_all(*roots: pn.viewable.Viewable) -> int:
    """Build every part under `roots` (a page, or a template's `main`) that waits to be drawn,
    nested ones included; returns how many."""
    count = 0
    while pending := [part for root in roots for part in root.select(Unbuilt) if not part.drawn]:
        for part in pending:
            part.draw()
        count += len(pending)
    return count
