"""Keeping the address bar in step with a page's lessons, and the buttons that copy it.

The address is rewritten in place (`pn.state.location.update_query`): no reload, so the page
keeps its state while the link always reproduces it.
"""

import html
import urllib.parse

import panel as pn

from lessons import Link

COPY_JS = """
const url = window.location.href;
function done(text) { source.label = text; setTimeout(() => { source.label = "Copy link"; }, 1600); }
if (navigator.clipboard && window.isSecureContext) {
  navigator.clipboard.writeText(url).then(() => done("Link copied"), () => done("Copy failed"));
} else {
  const box = document.createElement("textarea");
  box.value = url;
  document.body.appendChild(box);
  box.select();
  const ok = document.execCommand("copy");
  box.remove();
  done(ok ? "Link copied" : "Copy failed");
}
"""


def copy_link_button(name: str) -> pn.widgets.Button:
    """Copies the page's address, which holds every setting on the page."""
    button = pn.widgets.Button(label="Copy link", width=100, css_classes=[f"{name}-copy-link"],
                               description="Copy a link that reopens this page with these settings")
    # The script finds the button as `source`: a button passed in its args would keep itself alive
    # in Panel's registry of callbacks (weak keys, strong values) after its session has ended.
    button.js_on_click(code=COPY_JS)
    return button


def follow_in_address(links: list[Link]):
    """Write every link's parameters into the address whenever one of them changes."""
    location = pn.state.location
    if location is None:
        return

    def write(*_):
        query = {}
        for link in links:
            query.update(link.query())
        shown = dict(urllib.parse.parse_qsl(location.search.lstrip("?")))
        if any(shown.get(key) != value for key, value in query.items()):
            location.update_query(**query)

    for link in links:
        watched = list(link.names) + (["result"] if "result" in link.model.param else [])
        link.model.param.watch(write, watched)
    # The browser reports the address it opened (bad values and all) once the page has loaded, which
    # can come after anything written here: answer each report with the page's own settings.
    location.param.watch(write, "search")
    pn.state.onload(write)


def notices_pane(notices: list[str]) -> pn.pane.HTML:
    """What the link asked for that could not be used; the text is escaped, never markup."""
    items = "".join(f"<li>{html.escape(n)}</li>" for n in notices)
    return pn.pane.HTML(f"<b>Some settings in this link could not be used:</b><ul>{items}</ul>",
                        visible=bool(notices), name="link-notices", sizing_mode="stretch_width",
                        styles={"background": "#fff3cd", "color": "#5c4400", "border-radius": "6px",
                                "padding": "4px 12px"})
