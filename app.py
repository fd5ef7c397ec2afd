"""Optimizer Lab: `panel serve app.py`, then open /app (or /app?chapter=N for chapter N).

Panel runs this script once per browser session, so every learner gets fresh objects.
"""

from collections.abc import Callable

import panel as pn
from bokeh.settings import settings

from chapters import CHAPTERS, build, home
from widgets import speedups
from widgets.links import follow_in_address, notices_pane
from widgets.text import INLINE_CODE
from widgets.timeline import clip_overlays

pn.extension(notifications=False, sizing_mode="stretch_width")
speedups.install()

LAST = len(CHAPTERS) - 1


def url_value(args: dict, name: str) -> str:
    """The URL's value for `name` as text ("" when absent); Bokeh hands session arguments over as
    lists of bytes."""
    raw = args.get(name, [b""])[0]
    return raw.decode("utf-8", "replace").strip() if isinstance(raw, bytes) else str(raw).strip()


def requested_chapter(args: dict) -> tuple[int | None, str]:
    """The chapter in the URL (None for home) and a message when the value was unusable."""
    text = url_value(args, "chapter")
    if text == "":
        return None, ""
    if text.isdigit() and 0 <= int(text) <= LAST:
        return int(text), ""
    shown = text[:20]
    return None, f"There is no chapter “{shown}”: chapters are numbered 0 to {LAST}. Here is the home page."


def query_of(args: dict) -> dict[str, str]:
    """Every URL value as text, for the lessons' links to parse."""
    return {name: url_value(args, name) for name in args}


def theme_of(args: dict) -> str:
    raw = args.get("theme", [b"default"])[0]
    return "dark" if raw in (b"dark", "dark") else "default"


def link(chapter: int | None, theme: str) -> str:
    query = [] if chapter is None else [f"chapter={chapter}"]
    if theme == "dark":
        query.append("theme=dark")
    return "?" + "&".join(query) if query else "?"


def sidebar(current: int | None, theme: str) -> pn.pane.Markdown:
    def entry(number, label):
        marker = "▸ " if number == current else ""
        text = f"**{marker}{label}**" if number == current else label
        return f"- [{text}]({link(number, theme)})"

    lines = [entry(None, "Home")] + [entry(c.number, f"{c.number} · {c.title}") for c in CHAPTERS]
    return pn.pane.Markdown("\n".join(lines), name="nav")


THEME_JS = """
const query = new URLSearchParams(window.location.search);
if (other === "dark") { query.set("theme", "dark"); } else { query.delete("theme"); }
window.location.search = query.toString();
"""


def theme_switch(theme: str) -> pn.widgets.Button:
    """Reloads the page in the other theme with the address as it is now, settings included."""
    other = "dark" if theme == "default" else "default"
    button = pn.widgets.Button(label=f"{'Dark' if other == 'dark' else 'Light'} theme", css_classes=["theme-switch"],
                               width=140)
    button.js_on_click(args={"other": other}, code=THEME_JS)
    return button


def footer(current: int, theme: str) -> pn.pane.Markdown:
    before = "Home" if current == 0 else f"Chapter {current - 1}: {CHAPTERS[current - 1].title}"
    parts = [f"[← {before}]({link(current - 1 if current else None, theme)})"]
    if current < LAST:
        parts.append(f"[Chapter {current + 1}: {CHAPTERS[current + 1].title} →]({link(current + 1, theme)})")
    return pn.pane.Markdown("---\n" + " &nbsp; · &nbsp; ".join(parts), name="prev-next")


PHONE_CSS = """
@media (max-width: 767.98px) {
  #sidebar.collapse.show { display: none !important; }
  #sidebar.collapse:not(.show), #sidebar.collapsing {
    display: block !important; position: absolute; z-index: 1050; left: 0; top: 0; bottom: 0;
    width: min(var(--sidebar-width), 85vw) !important; max-width: 85vw !important;
    background: var(--bs-body-bg); box-shadow: 2px 0 8px rgba(0,0,0,.3); transition: none !important; }
  #content { position: relative; flex-wrap: nowrap; }
  #main { padding: 8px; min-width: 0; }
}
"""
"""Below 768 px the sidebar starts hidden and the menu button opens it over the page: Bootstrap's
'show' class is read the other way round, so the same toggle serves both widths."""


def course_template(chapter: int | None, theme: str) -> pn.template.BootstrapTemplate:
    """The frame of every page: title bar, themes, and the sidebar with `chapter` marked."""
    colours = f":root {{ --inline-code-color: {INLINE_CODE[theme]}; }}"
    template = pn.template.BootstrapTemplate(title="Optimizer Lab", theme=theme, sidebar_width=300,
                                             meta_viewport="width=device-width, initial-scale=1",
                                             raw_css=[PHONE_CSS, colours])
    template.sidebar.extend([sidebar(chapter, theme), theme_switch(theme)])
    return template


def create_app(args: dict) -> pn.template.BootstrapTemplate:
    chapter, message = requested_chapter(args)
    theme = theme_of(args)
    template = course_template(chapter, theme)
    if message:
        template.main.append(pn.pane.Alert(message, alert_type="warning", name="url-message"))
    if chapter is None:
        template.main.append(home.page())
        return template
    page, links, notices = build(chapter, query_of(args))
    template.main.append(clip_overlays())
    template.main.append(notices_pane(notices))
    template.main.append(page)
    template.main.append(footer(chapter, theme))
    follow_in_address(links)
    return template


def serve(build: Callable[[dict], pn.template.BaseTemplate]):
    """Make `build(session_args)` this session's page, the way every page of the course is served."""
    # Bokeh checks each new document's integrity (empty layouts, plots with nothing drawn):
    # a tenth of a second on a long chapter, every visit. The test suite runs the same checks
    # on every page instead.
    settings.perform_document_validation.set_value(False)
    # Panel asks Bokeh models for attributes they may not have; without diagnostics Bokeh answers
    # with a plain AttributeError instead of first searching all property names for a suggestion
    # (and skips checking callback signatures, which the suite exercises).
    settings.perform_error_diagnostics.set_value(False)
    # Frozen, the document indexes its models once instead of after each of the template's roots:
    # about a third of the server's time for a chapter with several plots. (Turning Bokeh's
    # property checks off as well saves another 10%, but the dark theme's plot titles then
    # reach the browser in the light theme's colour.)
    with pn.state.curdoc.models.freeze():
        build(pn.state.session_args).servable()
    pn.state.onload(free_when_closed)


def free_when_closed():
    """Free this page as soon as its tab closes, at Bokeh's next check for unused sessions.

    Bokeh keeps a page whose websocket has closed for the whole unused-session lifetime (see
    deploy/panel-serve.args: it must be long, because it also runs from the page request until the
    websocket opens). Once the browser has loaded the page that wait has done its job, and asking
    for expiration now makes Bokeh drop the session as soon as it has no connection left."""
    session = getattr(pn.state.curdoc.session_context, "_session", None)
    if session is not None:
        session.request_expiration()


if __name__.startswith("bokeh"):
    serve(create_app)
