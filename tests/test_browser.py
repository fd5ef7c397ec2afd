"""The served app in headless Chromium: every page loads offline and cleanly; chapters 0-2's
widgets respond to a slider, a click on the map, Play and Step, and playback is browser-only."""

import math
import re
import time
import urllib.parse
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from deploy.local import ROOT, is_local, launch, served_app
from optimizers import get_spec, names
from widgets.map_view import FLAT

pytestmark = pytest.mark.browser
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
PAGES = [("home", "")] + [(f"chapter{n}", f"?chapter={n}") for n in range(10)]
WITHOUT_PLOTS = {"chapter9", "?chapter=9"}
"""The cheat sheet is text, tables and buttons."""


class Watched:
    """A page with everything it does recorded: errors, requests, websocket frames sent."""

    def __init__(self, browser, url, width=1400, height=1000, zoom=1, everything=True, touch=False):
        self.context = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=zoom,
                                           has_touch=touch, is_mobile=touch)
        self.context.grant_permissions(["clipboard-read", "clipboard-write"])
        self.page = self.context.new_page()
        self.errors, self.external, self.frames_sent = [], [], 0
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: None if is_local(r.url) else self.external.append(r.url))
        self.page.on("websocket", self._socket)
        self.page.goto(url)
        self.page.wait_for_function("() => window.Bokeh && Bokeh.documents.length > 0", timeout=30000)
        self.page.wait_for_function("() => document.readyState === 'complete'")
        # every root drawn, so that every placeholder is in the page before anything counts them
        self.page.wait_for_function("() => Bokeh.documents[0].is_idle", timeout=30000)
        if everything:
            self.draw_everything()
            if not any(url.endswith(page) or f"{page}&" in url for page in WITHOUT_PLOTS):
                wait_until(lambda: self.page.locator("canvas").count() > 0)

    def placeholders(self):
        return self.page.locator(".deferred-placeholder").count()

    def draw_everything(self):
        """Scroll down the page as a reader would until every deferred section has been drawn,
        open what waits behind a button (`reveals-more`), then go back to the top."""
        for _ in range(200):
            if not self.placeholders():
                break
            self.page.evaluate("() => { const main = document.querySelector('#main'); "
                               "main.scrollTop += main.clientHeight / 2; }")
            self.page.wait_for_timeout(100)
        wait_until(lambda: self.placeholders() == 0, message=lambda: f"{self.placeholders()} sections never drawn")
        more = self.page.locator(".reveals-more button")
        for _ in range(20):
            waiting = more.count()
            if not waiting:
                break
            more.first.click()
            wait_until(lambda waiting=waiting: more.count() < waiting)
        self.page.evaluate("() => { document.querySelector('#main').scrollTop = 0; }")

    def _socket(self, socket):
        def sent(_payload):
            self.frames_sent += 1

        socket.on("framesent", sent)

    def close(self):
        self.context.close()

    def model(self, name, expression):
        return self.page.evaluate(
            f"() => {{ const m = Bokeh.documents[0].get_model_by_name({name!r}); return m ? {expression} : null; }}")

    def collapsed_plots(self):
        """Names of the visible figures that BokehJS laid out without a frame to draw in."""
        return self.page.evaluate("""() => Array.from(Bokeh.documents[0].all_models)
            .filter((m) => m.type === "Figure")
            .map((m) => [m.name, Bokeh.index.find_one(m)])
            .filter(([_, view]) => view != null && view.el.offsetParent !== null)
            .filter(([_, view]) => !(view.frame.bbox.width > 0 && view.frame.bbox.height > 0))
            .map(([name]) => name)""")

    def maps_off_scale(self):
        """The visible maps whose frame is not drawn to scale (one unit as long on both axes), and
        those low enough to show their legend under the frame that show it over the frame."""
        maps = self.page.evaluate("""() => Array.from(Bokeh.documents[0].all_models)
            .filter((m) => m.type === "Figure" && m.tags.includes("map"))
            .map((m) => [m, Bokeh.index.find_one(m)])
            .filter(([_, view]) => view != null && view.el.offsetParent !== null)
            .map(([m, view]) => {
                const frame = view.frame.bbox;
                const over = [...view.renderer_views.values()]
                    .filter((r) => r.model.type === "Legend" && r.model.visible).map((r) => r.bbox)
                    .some((box) => box.top < frame.bottom && box.bottom > frame.top && box.left < frame.right
                                   && box.right > frame.left);
                return [m.name, frame.width, frame.height,
                        (m.y_range.end - m.y_range.start) / (m.x_range.end - m.x_range.start), over]; })""")
        return [(name, width, height) for name, width, height, aspect, over in maps
                if abs(height - width * aspect) > 1 or (over and height < FLAT * width)]

    def step(self, timeline):
        return self.model(f"{timeline}-state", "m.data.step[0]")

    def play(self, timeline, seconds):
        """Play for `seconds` once playback is under way, then pause: the steps it advanced in that
        time and the websocket frames the page sent meanwhile."""
        self.button("▶ Play").click()
        self.page.wait_for_timeout(400)
        frames, playing_from = self.frames_sent, self.step(timeline)
        self.page.wait_for_timeout(seconds * 1000)
        advanced, sent = self.step(timeline) - playing_from, self.frames_sent - frames
        self.button("‖ Pause").click()
        return advanced, sent

    def path(self, timeline, row=0, group="paths"):
        """Row `row`'s whole x and y, as the browser holds them."""
        return self.model(f"{timeline}-{group}-full", f"[Array.from(m.data.x[{row}]), Array.from(m.data.y[{row}])]")

    def shown(self, timeline, column, group="paths", kind="point"):
        """A column of the rows shown at the current step."""
        return self.model(f"{timeline}-{group}-{kind}", f"Array.from(m.data[{column!r}], v => (v == null || "
                                                        f"typeof v === 'string' || v.length === undefined) ? v : "
                                                        f"Array.from(v))")

    def query(self):
        """The address bar's settings, as the page holds them now."""
        return dict(urllib.parse.parse_qsl(self.page.evaluate("window.location.search").lstrip("?")))

    def click_map(self, plot, x, y):
        """Click at data coordinates (x, y) of the named plot."""
        position = self.page.evaluate("""([name, x, y]) => {
            const view = Bokeh.index.find_one(Bokeh.documents[0].get_model_by_name(name));
            view.el.scrollIntoView({block: "center"});
            const box = view.el.getBoundingClientRect();
            return [box.x + view.frame.x_scale.compute(x), box.y + view.frame.y_scale.compute(y)];
        }""", [plot, x, y])
        self.page.mouse.click(*position)

    def sliders(self):
        return self.page.locator(".noUi-handle")

    def press_slider(self, index, key, times=1):
        handle = self.sliders().nth(index)
        handle.scroll_into_view_if_needed()
        handle.focus()
        for _ in range(times):
            handle.press(key)

    def has_text(self, text):
        """Whether the text is shown on the page, inside shadow roots too (where Panel renders)."""
        found = self.page.get_by_text(text)
        return any(found.nth(i).is_visible() for i in range(found.count()))

    def button(self, label, index=0):
        target = self.page.get_by_role("button", name=label).nth(index)
        target.scroll_into_view_if_needed()
        return target


def server_problems(log: str) -> list[str]:
    """The log's entries with a traceback or an error, except Tornado's note that a browser closed
    its websocket while the server was still writing to it (a page closed by the test itself)."""
    entries = re.split(r"\n(?=\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} )", log)
    return [e for e in entries if ("Traceback" in e or "ERROR" in e) and "WebSocketClosedError" not in e]


def wait_until(condition, timeout=20.0, interval=0.1, message=lambda: ""):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met in time {message()}")
        time.sleep(interval)


@pytest.fixture(scope="module")
def app_url():
    with served_app() as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


def screenshot(watched, name) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    watched.page.set_viewport_size({"width": 1366, "height": 5200})
    watched.page.wait_for_timeout(400)
    watched.page.screenshot(path=str(path), full_page=True)
    return path


@pytest.mark.parametrize(("name", "query"), PAGES, ids=[p[0] for p in PAGES])
def test_every_page_loads_offline_without_errors(browser, app_url, name, query):
    watched = Watched(browser, app_url + query)
    canvases = watched.page.locator("canvas")
    drawn = sum(canvases.nth(i).evaluate("c => c.width > 0 && c.height > 0") for i in range(canvases.count()))
    assert drawn >= 1 or name in WITHOUT_PLOTS, "no plot was drawn"
    assert watched.collapsed_plots() == [], "every plot on the page, deferred sections included, has a frame"
    assert watched.maps_off_scale() == [], "every map is to scale, and a low one has its legend underneath"
    title = "Optimizer Lab" if name == "home" else f"Chapter {name.removeprefix('chapter')}"
    assert watched.has_text(title)
    assert screenshot(watched, name).stat().st_size > 10_000
    assert watched.errors == []
    assert watched.external == []
    watched.close()


def test_equations_are_typeset_not_left_as_tex(browser, app_url):
    watched = Watched(browser, app_url + "?chapter=2")
    typeset = wait_until(lambda: watched.page.locator("mjx-container").count())
    assert typeset >= 10, "chapter 2's prose has more than ten equations"
    assert not watched.has_text(r"1/(1-\beta)"), "the prose's equations are not left as TeX source"
    assert not watched.has_text(r"\theta_t = \theta_{t-1} - \eta"), "the code's docstring is typeset too"
    listing = watched.page.locator(".bk-panel-models-markup-HTML").filter(has_text="def momentum_step")
    assert listing.count() >= 1 and "$" not in listing.first.inner_text(), "and kept out of the listing"
    assert watched.external == []
    watched.close()


def test_a_bad_chapter_in_the_url_gets_a_message_and_the_home_page(browser, app_url):
    watched = Watched(browser, app_url + "?chapter=99")
    assert watched.has_text("There is no chapter") and watched.has_text("The chapters")
    assert watched.errors == []
    watched.close()


def _inline_code_colour(watched):
    code = watched.page.locator("p code").first
    code.wait_for()
    return code.evaluate("(el) => getComputedStyle(el).color")


def test_sidebar_links_navigate_and_the_url_follows(browser, app_url):
    watched = Watched(browser, app_url + "?chapter=1")
    watched.page.get_by_role("link", name="Chapter 2: Momentum and Nesterov →").click()
    watched.page.wait_for_url("**/app?chapter=2")
    wait_until(lambda: watched.has_text("Chapter 2 · Momentum and Nesterov"))
    assert _inline_code_colour(watched) == "rgb(31, 92, 153)", "code in a sentence is dark enough to read"
    watched.button("Dark theme").click()
    watched.page.wait_for_url("**/app?chapter=2*theme=dark*")
    wait_until(lambda: watched.page.locator("canvas").count() > 0)
    title = watched.model("ravine-loss", "[m.title.text_color, m.border_fill_color]")
    assert watched.query()["race.lr"] == "0.15", "the theme switch keeps the page's settings"
    assert title == ["#E0E0E0", "#212529"], "plot titles are light on the dark theme's background"
    assert _inline_code_colour(watched) == "rgb(130, 170, 255)", "and light on the dark theme"
    screenshot(watched, "chapter2-dark")
    assert watched.errors == []
    watched.close()


def swipe(page, x, from_y, to_y, moves=10):
    """A finger drawn up or down the screen at x, as a phone's touch screen reports it."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": from_y}]})
    for k in range(1, moves + 1):
        y = from_y + (to_y - from_y) * k / moves
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]})
        page.wait_for_timeout(30)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    page.wait_for_timeout(800)


@pytest.mark.parametrize(("chapter", "plot"), [(0, "explorer-map"), (8, "arena-map")])
def test_on_a_phone_a_finger_on_a_map_scrolls_the_page_and_a_tap_still_sets_the_start(browser, app_url, chapter,
                                                                                       plot):
    w = Watched(browser, f"{app_url}?chapter={chapter}", width=390, height=844, touch=True, everything=False)
    box = w.page.evaluate("""(name) => {
        const view = Bokeh.index.find_one(Bokeh.documents[0].get_model_by_name(name));
        view.el.scrollIntoView({block: "end"});
        const b = view.el.getBoundingClientRect();
        return [b.x + view.frame.bbox.hcenter, b.y + view.frame.bbox.bottom];
    }""", plot)
    w.page.wait_for_timeout(500)
    top = w.page.evaluate("document.querySelector('#main').scrollTop")
    x_range = w.model(plot, "[m.x_range.start, m.x_range.end]")
    finger_x, frame_bottom = box
    swipe(w.page, finger_x, frame_bottom - 10, frame_bottom - 310)  # from the frame's foot: the ravine's is low
    assert w.page.evaluate("document.querySelector('#main').scrollTop") > top + 100, "the page scrolled"
    assert w.model(plot, "[m.x_range.start, m.x_range.end]") == x_range, "the map did not pan"
    start = w.query().get(f"{plot.split('-')[0]}.start")
    position = w.page.evaluate("""(name) => {
        const view = Bokeh.index.find_one(Bokeh.documents[0].get_model_by_name(name));
        view.el.scrollIntoView({block: "center"});
        const b = view.el.getBoundingClientRect();
        const frame = view.frame.bbox;
        return [b.x + frame.x + frame.width * 0.7, b.y + frame.y + frame.height * 0.3];
    }""", plot)
    w.page.wait_for_timeout(500)
    w.page.touchscreen.tap(*position)
    wait_until(lambda: w.query().get(f"{plot.split('-')[0]}.start") not in (None, start),
               message=lambda: w.query())
    assert w.errors == [] and w.external == []
    w.close()


def handle_sizes(w):
    return [(width, height) for width, height, *_ in handle_boxes(w)]


def handle_boxes(w):
    """Each visible slider handle's width and height, and how far its top and left edge lie from
    the bottom and left edge of its slider's title."""
    return w.page.evaluate("""() => { const boxes = []; const walk = (root) => {
        for (const el of root.querySelectorAll('.noUi-handle')) {
            const b = el.getBoundingClientRect(), title = root.querySelector('.bk-slider-title');
            const t = title ? title.getBoundingClientRect() : b;
            if (b.width > 0) boxes.push([b.width, b.height, b.top - t.bottom, b.left - t.left]); }
        for (const el of root.querySelectorAll('*')) if (el.shadowRoot) walk(el.shadowRoot); };
        walk(document); return boxes; }""")


def test_slider_handles_are_finger_sized_on_a_touch_screen_and_small_under_a_mouse(browser, app_url):
    phone = Watched(browser, f"{app_url}?chapter=2", width=390, height=844, touch=True, everything=False)
    desk = Watched(browser, f"{app_url}?chapter=2", everything=False)
    touched, moused = handle_sizes(phone), handle_sizes(desk)
    assert len(touched) == len(moused) >= 3
    assert all(w >= 28 and h >= 28 for w, h in touched), touched
    assert all(below >= 0 and right >= 0 for *_, below, right in handle_boxes(phone)), \
        "a finger-sized handle covers no letter of its slider's title"
    assert all(w < 20 for w, _ in moused), moused
    phone.page.locator(".noUi-handle").first.scroll_into_view_if_needed()
    before = phone.query()
    phone.page.locator(".noUi-handle").first.focus()
    phone.page.keyboard.press("ArrowRight")
    wait_until(lambda: phone.query() != before, message=lambda: phone.query())
    assert phone.errors == [] and desk.errors == []
    phone.close()
    desk.close()


UNDER_THE_FRAME = "m.below.some((item) => item.type === 'Legend' && item.visible)"


def test_chapter0_player_slider_click_and_playback_without_server_messages(browser, app_url):
    w = Watched(browser, app_url + "?chapter=0")
    assert w.step("explorer") == 200, "a new setting shows its whole path"
    w.button("Drop ball").click()
    wait_until(lambda: 3 < w.step("explorer") < 100)  # back to the start, and playing
    w.button("‖ Pause").click()
    paused_at = w.step("explorer")
    w.page.wait_for_timeout(300)
    assert w.step("explorer") == paused_at, "Pause stops the clock"
    wait_until(lambda: w.query().get("explorer.step") == str(paused_at)), "the link remembers where it stopped"
    w.button("↺ Reset").click()
    wait_until(lambda: w.step("explorer") == 0)
    w.button("Step ▷").click()
    w.button("Step ▷").click()
    wait_until(lambda: w.step("explorer") == 2)
    w.button("◁ Back").click()
    wait_until(lambda: w.step("explorer") == 1)
    readout = w.shown("explorer", "text")[0]
    assert "step 1/200" in readout and "loss − min" in readout and "|∇L|" in readout
    map_box, strip_box = (w.model(name, "Bokeh.index.find_one(m).el.getBoundingClientRect().toJSON()")
                          for name in ("explorer-map", "explorer-map-readout"))
    assert strip_box["top"] >= map_box["bottom"] - 1 and strip_box["height"] >= 40, "the readout sits under the map"
    loss_box = w.model("explorer-loss", "Bokeh.index.find_one(m).el.getBoundingClientRect().toJSON()")
    assert loss_box["left"] >= map_box["right"] and abs(loss_box["top"] - map_box["top"]) < 5, \
        "on a wide screen the map, with its readout, sits beside the loss chart"
    assert strip_box["width"] == pytest.approx(map_box["width"], abs=2)
    assert len(w.shown("explorer", "x", kind="trail")[0]) == 2, "the trail shows steps 0 and 1"

    w.button("↺ Reset").click()
    w.button("▶ Play").click()
    w.page.wait_for_timeout(400)
    frames_before = w.frames_sent
    at_start = w.step("explorer")
    w.page.wait_for_timeout(1500)
    assert w.step("explorer") >= at_start + 20, "playback advances about 30 steps a second"
    assert w.frames_sent == frames_before, "playback sent websocket messages"

    path_before = w.path("explorer")
    w.press_slider(0, "ArrowRight")
    wait_until(lambda: w.path("explorer") != path_before)
    assert w.step("explorer") == 200
    wait_until(lambda: w.query().get("explorer.lr") == "0.15"), "the address follows the slider, no reload"

    w.click_map("explorer-map", 1.5, -1.0)
    wait_until(lambda: abs(w.path("explorer")[0][0] - 1.5) < 0.05)
    assert abs(w.path("explorer")[1][0] + 1.0) < 0.05

    for landscape, low in (("Ravine", True), ("Bowl", False)):
        w.page.get_by_role("button", name=landscape, exact=True).click()
        wait_until(lambda low=low: w.model("explorer-map", UNDER_THE_FRAME) == low)
        assert w.maps_off_scale() == [], "a map stays to scale when its landscape changes"
        on_the_right = w.model("explorer-map", "(() => { const view = Bokeh.index.find_one(m); "
                                               "return [...view.renderer_views.values()].find((r) => r.model.type === "
                                               "'Legend' && r.model.visible).bbox.left > view.frame.bbox.hcenter; })()")
        assert on_the_right != low, "under a low map the legend is on the left; over a tall one, on the right"
    w.page.get_by_role("button", name="Saddle", exact=True).click()
    wait_until(lambda: w.path("explorer")[0][:1] == [1.8])
    wait_until(lambda: w.query().get("explorer.landscape") == "saddle")  # the address is written after the path
    assert w.query()["explorer.start"] == "1.8,0"
    w.button("Copy link").click()
    wait_until(lambda: w.page.get_by_role("button", name="Link copied").count() == 1)
    assert w.page.evaluate("navigator.clipboard.readText()") == w.page.url
    assert w.errors == []
    screenshot(w, "chapter0-driven")
    w.close()


def test_chapter0_table_recomputes_and_refuses_odd_text(browser, app_url):
    w = Watched(browser, app_url + "?chapter=0")
    box = w.page.get_by_label("Learning rate η").first
    box.fill("1.1")
    box.press("Enter")
    wait_until(lambda: w.has_text("Diverged: at step"))
    wait_until(lambda: w.query().get("hand.lr") == "1.1")
    box.fill("<b>eval('2')</b>")
    box.press("Enter")
    wait_until(lambda: w.has_text("is not a number"))
    assert w.has_text("<b>eval('2')</b>", ) or w.has_text("“<b>eval('2')</b>”"), "typed text is shown as text"
    assert w.has_text("Diverged: at step"), "the table is left as it was"
    assert w.errors == []
    w.close()


LEGEND_INK = """(name) => {
  const figure = Bokeh.documents[0].get_model_by_name(name);
  const legend = [...figure.center, ...figure.below].find((item) => item.type == "Legend" && item.visible);
  const view = Bokeh.index.find_one(figure).views.find_one(legend);
  return view.entries.map(({glyph}) => {
    const pixels = glyph.canvas.getContext("2d").getImageData(0, 0, glyph.canvas.width, glyph.canvas.height).data;
    return pixels.filter((value, i) => i % 4 == 3 && value > 0).length;
  });
}"""
"""How many pixels each entry of a map's legend has drawn in its sample (BokehJS 3.9 draws each
entry's line or marker on a small canvas of its own)."""


def legend_ink(w, name):
    return w.page.evaluate(LEGEND_INK, name)


def test_chapter1_batch_size_resample_and_click_change_the_arrows(browser, app_url):
    w = Watched(browser, app_url + "?chapter=1")
    assert w.model("fan-arrow", "m.data.x0.length") == 6
    w.press_slider(0, "ArrowRight")
    wait_until(lambda: w.model("fan-arrow", "m.data.x0.length") == 4)
    ends = w.model("fan-arrow", "Array.from(m.data.x1)")
    w.button("Resample").click()
    wait_until(lambda: w.model("fan-arrow", "Array.from(m.data.x1)") != ends)
    wait_until(lambda: w.query().get("batches.seed") == "1", message=lambda: w.page.evaluate("window.location.search"))
    w.press_slider(0, "End")
    wait_until(lambda: w.model("fan-arrow", "m.data.x0.length") == 1)
    wait_until(lambda: w.has_text("Spread of the batch gradients (root-mean-square distance from the full one): 0;"))
    w.click_map("minibatch-map", 1.0, 0.5)
    wait_until(lambda: abs(w.model("full-arrow", "m.data.x0[0]") - 1.0) < 0.05)
    wait_until(lambda: w.query().get("batches.point") == "1,0.5", message=lambda: w.query().get("batches.point"))
    assert w.query()["batches.batch_size"] == "24"
    w.page.wait_for_timeout(500)
    assert all(painted > 0 for painted in legend_ink(w, "minibatch-map")), "every legend entry keeps its line"
    assert w.errors == []
    w.close()


def test_chapter2_race_and_lookahead(browser, app_url):
    w = Watched(browser, app_url + "?chapter=2")
    assert w.step("ravine") == 300
    w.button("↺ Reset").click()
    w.button("Step ▷").click()
    wait_until(lambda: w.step("ravine") == 1)
    before = w.path("ravine", group="paths1")
    w.press_slider(0, "ArrowLeft", times=3)
    wait_until(lambda: w.path("ravine", group="paths1") != before)
    w.click_map("ravine-map", -6.0, 1.5)
    wait_until(lambda: abs(w.path("ravine", group="paths1")[0][0] + 6.0) < 0.1)
    assert abs(w.path("ravine")[0][0] + 6.0) < 0.1, "both panels share the start"

    w.press_slider(3, "Home")  # the lookahead's β to 0: Nesterov cannot run, and the page says why
    wait_until(lambda: w.has_text("Nesterov was not run"))
    assert w.has_text("At β = 0 there is no velocity, so there is nothing to look ahead along")
    w.press_slider(3, "End")
    wait_until(lambda: not w.has_text("Nesterov was not run"))
    w.button("▶ Play", index=1).click()
    w.page.wait_for_timeout(400)
    frames = w.frames_sent
    w.page.wait_for_timeout(1000)
    assert w.frames_sent == frames
    assert 0 < w.step("nesterov") < 150
    ghosts = w.shown("nesterov", "gx")
    assert len(ghosts) == 2 and math.isnan(ghosts[0]) and math.isfinite(ghosts[1]), "one ghost: Nesterov's"
    entries = legend_ink(w, "nesterov-map")
    assert len(entries) == 4 and all(painted > 0 for painted in entries), "minimum, both paths and the ghost"
    assert w.errors == []
    screenshot(w, "chapter2-driven")
    w.close()


def type_into(w, label, text):
    box = w.page.get_by_label(label).first
    box.scroll_into_view_if_needed()
    box.fill(text)
    box.press("Enter")


def answer_quiz(w, text):
    w.page.get_by_text(text).first.click()
    wait_until(lambda: w.has_text("Right."))


def test_chapter3_race_bars_long_run_sparse_and_table(browser, app_url):
    w = Watched(browser, app_url + "?chapter=3")
    assert w.step("ellipse") == 200
    w.button("↺ Reset").click()
    w.button("Step ▷").click()
    wait_until(lambda: w.step("ellipse") == 1)
    bars = w.shown("ellipse", "text", group="ellipse-bars")
    assert bars[0] == "0.05714" and len(bars) == 4, "AdaGrad's x rate after one step: 0.1/|−1.75|"
    before = w.path("ellipse")
    w.press_slider(0, "ArrowRight")  # η 0.1 → 0.3
    wait_until(lambda: w.path("ellipse") != before)
    wait_until(lambda: w.query().get("race.lr") == "0.3")
    w.click_map("ellipse-map", 2.0, -1.0)
    wait_until(lambda: abs(w.path("ellipse")[0][0] - 2.0) < 0.1)
    w.button("▶ Play").click()
    w.page.wait_for_timeout(400)
    frames = w.frames_sent
    w.page.wait_for_timeout(800)
    assert w.frames_sent == frames and 0 < w.step("ellipse") < 200

    assert w.has_text("still falling")
    noise = w.page.get_by_role("checkbox").first  # the only one: the noise switch
    noise.scroll_into_view_if_needed()
    noise.uncheck()
    wait_until(lambda: w.has_text("stopped falling"))
    wait_until(lambda: w.query().get("long.noise") == "false")
    w.press_slider(4, "End")
    wait_until(lambda: w.has_text("√100 = 10"))

    type_into(w, "g_B at step 1", "2")
    wait_until(lambda: w.has_text("B's first gradient arrives at step 1"))
    type_into(w, "g_B at step 2", "abc")
    wait_until(lambda: w.has_text("is not a number"))
    assert w.has_text("B's first gradient arrives at step 1"), "the tables are left as they were"
    type_into(w, "g_A at step 1", "4 × 10⁻¹")
    wait_until(lambda: w.query().get("hand.a1") == "0.4")
    assert w.has_text("The table uses what the other boxes say.")
    assert w.query()["hand.b2"] == "0", "the bad box changes nothing"
    answer_quiz(w, "Its sum of squared gradients only grows")
    assert w.errors == [] and w.external == []
    screenshot(w, "chapter3-driven")
    w.close()


def test_lower_sections_are_drawn_as_the_reader_scrolls_to_them_with_the_links_settings(browser, app_url):
    w = Watched(browser, app_url + "?chapter=4&scale.scale=1", width=1366, height=650, everything=False)
    assert w.placeholders() == 3 and w.model("scale-state", "m") is None, "the page opens without them"
    assert w.query()["scale.scale"] == "1", "the link's setting is the lesson's before its section is drawn"
    sent = w.frames_sent
    w.page.mouse.move(700, 400)
    for _ in range(80):
        if not w.placeholders():
            break
        w.page.mouse.wheel(0, 500)
        w.page.wait_for_timeout(150)
    wait_until(lambda: w.placeholders() == 0)
    assert w.frames_sent > sent, "the page told the server which sections to draw"
    wait_until(lambda: w.has_text("SGD's two paths are at most 0 apart"))
    assert w.model("scale-state", "m.data.step[0]") is not None
    assert w.errors == [] and w.external == []
    w.close()


def test_chapter4_internals_bias_and_scale(browser, app_url):
    w = Watched(browser, app_url + "?chapter=4")
    assert w.has_text("Without the correction the first update would be 3.16 × η")
    w.button("sparse").click()
    wait_until(lambda: w.has_text("no first step"))
    w.press_slider(2, "ArrowRight", times=4)  # the step slider: 1 → 5
    wait_until(lambda: w.has_text("at step 5"))
    wait_until(lambda: w.query().get("inside.step") == "5")
    w.press_slider(1, "Home")  # β₂ = 0 with sparse gradients blows up, and the page says why
    wait_until(lambda: w.has_text("This run blew up at step"))

    verdict = "Step 1 without correction is 3.16× as long"
    assert w.has_text(verdict)
    before = w.path("bias", row=1)
    w.press_slider(3, "End")  # η 0.1 → 0.3
    wait_until(lambda: w.path("bias", row=1) != before)
    assert w.has_text(verdict)
    w.button("▶ Play", index=0).click()
    w.page.wait_for_timeout(400)
    frames = w.frames_sent
    w.page.wait_for_timeout(800)
    assert w.frames_sent == frames and 0 < w.step("bias") < 600

    assert w.has_text("SGD on 100·L diverged at step")
    w.press_slider(5, "Home")  # k = 1: the two runs of each method coincide
    wait_until(lambda: w.has_text("SGD's two paths are at most 0 apart"))
    type_into(w, "g at step 1", "4000")
    wait_until(lambda: w.has_text("4000"))
    assert w.has_text("The first update is 1 × η")
    answer_quiz(w, "Both start at zero, so early on they are too small")
    assert w.errors == [] and w.external == []
    screenshot(w, "chapter4-driven")
    w.close()


def test_chapter5_two_weights_trap_and_by_hand(browser, app_url):
    w = Watched(browser, app_url + "?chapter=5")
    assert w.has_text("torch.optim.Adam(params, lr=0.01, weight_decay=0.1)")
    assert w.step("weights") == 2000
    w.press_slider(0, "End")
    wait_until(lambda: w.has_text("torch.optim.AdamW(params, lr=0.01, weight_decay=0.3)"))
    wait_until(lambda: w.query().get("two.lam") == "0.3")
    w.button("▶ Play").click()
    w.page.wait_for_timeout(400)
    frames = w.frames_sent
    w.page.wait_for_timeout(800)
    assert w.frames_sent == frames and 0 < w.step("weights") < 2000
    assert len(w.shown("weights", "w", group="lines")) == 4
    assert w.has_text("0.004%")
    type_into(w, "Gradient g", "200")
    wait_until(lambda: w.has_text("4.99 × 10⁻⁵%"))
    type_into(w, "Decay λ", "<script>")
    wait_until(lambda: w.has_text("is not a number"))
    answer_quiz(w, "Because Adam divides whatever it is fed by √v̂")
    assert w.errors == [] and w.external == []
    screenshot(w, "chapter5-driven")
    w.close()


def slider_values(w):
    """The values the page's sliders show beside their titles, as drawn."""
    return w.page.locator(".bk-slider-value").all_inner_texts()


def test_chapter6_tree_clicks_demo_matrix_and_memory(browser, app_url):
    w = Watched(browser, app_url + "?chapter=6")
    assert w.has_text("Kingma and Ba, 2015"), "Adam's card to begin with"
    assert "η = 0.010" in slider_values(w), "the rate slider shows the rate, not its logarithm"
    w.click_map("family-tree", 2023, 12)  # Lion's dot: year 2023, lane 12
    wait_until(lambda: w.query().get("tree.selected") == "lion")
    assert w.has_text("Chen et al., 2023")
    wait_until(lambda: w.query().get("demo.method") == "lion")
    # a section drawn after the page was built may answer after the address has changed
    wait_until(lambda: w.model("demo-chart", "m.title.text") == "Size of each step along θ₁")
    sizes = w.model("demo-chart-source", "Array.from(m.data.a)")
    rate = 10 ** float(w.query()["demo.log_lr"])
    assert all(abs(v - rate) < 1e-9 * rate for v in sizes), "every Lion step is η"

    w.page.locator("select").first.select_option(label="Sophia")
    wait_until(lambda: w.query().get("demo.method") == "sophia")
    wait_until(lambda: w.model("demo-map", "[m.x_range.start, m.x_range.end]") == [-2, 2])
    wait_until(lambda: w.has_text("The clip decided") and w.path("demo")[0][0] == 1.8)
    w.click_map("demo-map", -1.0, 1.5)
    wait_until(lambda: w.query().get("demo.start") != "1.8,0.05" and w.path("demo")[0][0] != 1.8)
    x0, y0 = map(float, w.query()["demo.start"].split(","))
    assert abs(x0 + 1.0) < 0.1 and abs(y0 - 1.5) < 0.1
    advanced, sent = w.play("demo", 0.8)
    assert advanced > 0 and sent == 0

    full = w.model("factored-map0", "m.renderers[0].data_source.data.image[0].length")
    assert full == 6 * 8
    w.press_slider(3, "Home")  # rows: the slider after the demo's rate, steps and speed
    wait_until(lambda: w.query().get("matrix.rows") == "2")
    wait_until(lambda: w.model("factored-map0", "m.renderers[0].data_source.data.image[0].length") == 2 * 8)
    box = w.page.get_by_label("A layer's rows")
    box.scroll_into_view_if_needed()
    box.fill("10")
    box.press("Enter")
    wait_until(lambda: w.has_text("For 40,960 weights"))
    box.fill("-3")
    box.press("Enter")
    wait_until(lambda: w.has_text("must be a whole number from 1 to 1,000,000"))
    assert w.query()["matrix.layer_rows"] == "10" and box.input_value() == "10"
    answer_quiz(w, "It steps by the sign of a momentum blend")
    assert w.errors == [] and w.external == []
    screenshot(w, "chapter6-driven")
    w.close()


def test_chapter9_decision_tree_clicks_back_and_link(browser, app_url):
    w = Watched(browser, app_url + "?chapter=9")
    for label in ("A model from scratch", "A transformer (language or vision)", "Usual: up to a few thousand examples"):
        w.button(label).click()
        wait_until(lambda label=label: w.has_text(label) and not w.page.get_by_role("button", name=label).count())
    wait_until(lambda: w.query().get("tree.path") == "scratch/transformer/usual")
    w.page.get_by_role("button", name="Yes", exact=True).click()
    wait_until(lambda: w.has_text("Is optimizer memory your limit?"))
    w.page.get_by_role("button", name="No", exact=True).click()
    wait_until(lambda: w.has_text("Start with AdamW"))
    assert w.query()["tree.path"] == "scratch/transformer/usual/known/no"
    assert w.page.locator("a[href='?chapter=5']").count() >= 1, "the recipe links to the chapter on decay"
    w.button("← Back").click()
    wait_until(lambda: w.has_text("Is optimizer memory your limit?"))
    w.button("Yes: at most one buffer per weight").click()
    wait_until(lambda: w.has_text("Start with Lion"))
    w.button("Start over").click()
    wait_until(lambda: w.query().get("tree.path", "") == "" and w.has_text("What are you training?"))
    answer_quiz(w, "AdamW at 10⁻⁵ to 5 × 10⁻⁵")
    assert w.errors == [] and w.external == []
    w.close()
    w = Watched(browser, app_url + "?chapter=9&tree.path=finetune/tight")
    assert w.has_text("Start with AdaFactor")
    w.close()


def test_chapter7_schedule_shapes_play_and_schedule_free(browser, app_url):
    w = Watched(browser, app_url + "?chapter=7")
    assert {"η_max = 0.10", "η = 0.10"} <= set(slider_values(w)), "the rate sliders show rates"
    curve = w.model("schedule-curve-source", "Array.from(m.data.scheduled)")
    assert curve[0] == 0 and max(curve) == 1, "warmup from zero to the peak"
    w.page.locator("select").first.select_option(label="step decay")
    wait_until(lambda: w.query().get("lab.kind") == "step")
    wait_until(lambda: w.model("schedule-curve-source", "Array.from(m.data.scheduled)") != curve)
    stepped = w.model("schedule-curve-source", "Array.from(m.data.scheduled)")
    assert len(set(round(v, 9) for v in stepped[int(0.1 * len(stepped)):])) <= 5, "a staircase"
    assert w.has_text("with the step decay schedule")
    advanced, sent = w.play("schedules", 0.8)
    assert advanced > 0 and sent == 0
    before = w.model("free-map", "[m.x_range.start, m.x_range.end]")
    w.page.locator("select").nth(3).select_option(label="Himmelblau")
    wait_until(lambda: w.model("free-map", "[m.x_range.start, m.x_range.end]") != before)
    assert w.query()["free.landscape"] == "himmelblau"
    assert w.model("free-paths-full", "m.data.label.length") == 4
    assert w.has_text("Schedule-Free's average x")
    assert w.errors == [] and w.external == []
    w.close()


def _labels(w):
    return w.model("arena-paths-full", "Array.from(m.data.label)")


def _leaderboard_cells(w):
    """The leaderboard's rows as drawn, each from the column after the optimizer's name: the name
    is a frozen column, drawn in a row of its own that stays put when the others scroll sideways."""
    return [row for row in w.page.locator(".slick-row").all_inner_texts() if "\n" in row]


def _leaderboard_on_screen_and_in_its_source(w):
    """The leaderboard's steps column as drawn in its cells, and as its data say it should read."""
    drawn = [row.split("\n")[1] for row in _leaderboard_cells(w)]
    steps = w.model("leaderboard-source", "Array.from(m.data.steps)")
    return drawn, ["never" if step is None or math.isnan(step) else str(int(step)) for step in steps]


def test_chapter8_tick_landscape_typed_click_mode_play_basins_and_presets(browser, app_url):
    w = Watched(browser, app_url + "?chapter=8")
    assert _labels(w) == ["SGD", "Momentum", "RMSProp", "Adam"]
    w.page.get_by_role("checkbox", name="Nesterov").check()
    wait_until(lambda: "Nesterov" in _labels(w))
    w.page.get_by_role("checkbox", name="SGD").uncheck()
    wait_until(lambda: _labels(w) == ["Momentum", "Nesterov", "RMSProp", "Adam"])
    wait_until(lambda: w.query().get("arena.optimizers") == "momentum,nesterov,rmsprop,adam")
    assert w.model("leaderboard-source", "m.data.title.length") == 4

    w.page.locator("select").first.select_option(label="Rosenbrock")
    wait_until(lambda: w.model("arena-map", "[m.x_range.start, m.x_range.end]") == [-2, 2])
    assert w.query()["arena.landscape"] == "rosenbrock" and w.query()["arena.start"] == "-1.2,1"

    legend = w.page.locator(".race-legend span")
    w.page.get_by_role("button", name="All").click()
    wait_until(lambda: len(_labels(w)) == len(names()))
    wait_until(lambda: all(f"━━ {get_spec(n).title}" in legend.all_inner_texts()
                           or f"╺╸╺╸ {get_spec(n).title}" in legend.all_inner_texts() for n in names()),
               message=lambda: legend.all_inner_texts())
    w.click_map("arena-map", 1.7, 2.8)  # the top right corner: no legend over the map takes the click
    wait_until(lambda: w.query()["arena.start"] != "-1.2,1")
    x0, y0 = map(float, w.query()["arena.start"].split(","))
    assert abs(x0 - 1.7) < 0.1 and abs(y0 - 2.8) < 0.1
    w.page.get_by_role("button", name="None").click()
    wait_until(lambda: _labels(w) == [])
    for name in ("momentum", "nesterov", "rmsprop", "adam"):
        w.page.get_by_role("checkbox", name=get_spec(name).title, exact=True).check()
    wait_until(lambda: _labels(w) == ["Momentum", "Nesterov", "RMSProp", "Adam"])
    assert abs(w.path("arena")[0][0] - x0) < 1e-9, "every path starts at the click"
    wait_until(lambda: len(set(map(tuple, _leaderboard_on_screen_and_in_its_source(w)))) == 1,
               message=lambda: _leaderboard_on_screen_and_in_its_source(w))
    cells = _leaderboard_cells(w)
    assert len(cells) == 4 and all(row.split("\n")[0] == "0.01" for row in cells), cells
    frozen = [row for row in w.page.locator(".slick-row").all_inner_texts() if "\n" not in row]
    assert sorted(frozen) == sorted(_labels(w)), "the names are a frozen column, kept in view on a phone"
    assert not any(re.search(r"\de[-+]?\d", row) for row in cells), "numbers as the page writes them"
    gaps = w.model("leaderboard", """(() => {
        const root = Bokeh.index.find_one(m).shadow_el, right = (el) => el.getBoundingClientRect().right;
        const headers = Array.from(root.querySelectorAll(".slick-pane-right .slick-header-column"));
        const row = root.querySelector(".slick-pane-right .slick-row");
        return headers.map((header, i) => {
            const cell = row.children[i], text = cell.querySelector("div") || cell;
            const range = document.createRange(); range.selectNodeContents(text);
            return [right(header) - right(header.querySelector(".slick-column-name")),
                    right(cell) - range.getBoundingClientRect().right];
        }); })()""")
    assert len(gaps) == 5 and all(0 <= gap < 15 for pair in gaps for gap in pair), f"right-aligned: {gaps}"

    w.page.locator("select").first.select_option(label="Type your own")
    box = w.page.locator(".formula-box input")
    wait_until(lambda: box.is_visible())
    box.fill("x**2 + 2*y**2")
    box.press("Enter")
    wait_until(lambda: w.query().get("arena.formula") == "x**2 + 2*y**2")
    assert w.model("arena-map", "[m.x_range.start, m.x_range.end]") == [-3, 3]
    before = w.path("arena")
    box.fill("x + $")
    box.press("Enter")
    wait_until(lambda: w.has_text("the character '$' (at character 5) is not allowed"))
    assert w.query()["arena.formula"] == "x**2 + 2*y**2" and w.path("arena") == before, "nothing else changed"
    box.fill("x + y")  # no lowest point: paths leave the map and end below the map's lowest corner
    box.press("Enter")
    wait_until(lambda: w.query().get("arena.formula") == "x + y")
    wait_until(lambda: any("(off the map)" in row for row in _leaderboard_cells(w)),
               message=lambda: _leaderboard_cells(w))
    box.fill("x**2 + 2*y**2")
    box.press("Enter")
    wait_until(lambda: w.path("arena") == before)

    rates_before = w.model("leaderboard-source", "Array.from(m.data.rate)")
    w.page.get_by_role("radio", name="each at its own best rate (from the sweep)").check()
    wait_until(lambda: w.query().get("arena.mode") == "tuned")
    wait_until(lambda: w.model("leaderboard-source", "Array.from(m.data.rate)") != rates_before)
    assert w.model("sweep-source", "m.data.xs.length") == 4, "one sweep line per ticked optimizer"
    wait_until(lambda: w.model("sweep", "Bokeh.index.find_one(m)?.el.offsetParent != null"))
    assert w.collapsed_plots() == [], "the sweep chart, shown after loading, has a frame like the race's plots"

    advanced, sent = w.play("arena", 1.0)
    assert advanced >= 20, "playback advances about 30 steps a second"
    assert sent == 0, "playback sends nothing to the server while it runs"

    w.page.get_by_text("Show basins of attraction", exact=True).click()  # the label answers a click
    wait_until(lambda: w.model("basins-source", "m.data.image.length") == 1)
    assert w.has_text("Where Adam ends from each of 40,000 starts")

    w.page.get_by_role("link", name="SGD diverges").click()
    wait_until(lambda: w.query().get("arena.landscape") == "ravine" and w.query().get("arena.mode") == "shared")
    w.page.wait_for_function("() => window.Bokeh && Bokeh.documents.length > 0", timeout=30000)
    wait_until(lambda: _labels(w) == ["SGD", "Momentum", "Adam"], message=lambda: f"{_labels(w)} {w.query()}")
    diverged = w.model("leaderboard-source", "[Array.from(m.data.title), Array.from(m.data.diverged)]")
    row = dict(zip(*diverged, strict=True))
    assert row["SGD"] > 0 and (row["Adam"] is None or math.isnan(row["Adam"]))
    screenshot(w, "chapter8-preset")

    w.page.get_by_role("link", name="Many minima (Rastrigin)").click()
    wait_until(lambda: w.query().get("arena.landscape") == "rastrigin")
    w.page.wait_for_function("() => window.Bokeh && Bokeh.documents.length > 0", timeout=30000)
    wait_until(lambda: w.model("basins-others", "m.data.x.length") == 120, timeout=60)
    assert w.has_text("at 120 minima the landscape does not mark")
    colours = w.model("basins-source", "Array.from(new Set(Array.from(m.data.image[0]).map(String)))")
    assert {"0", "7", "8", "9", "10"} <= set(colours), "the marked dip and four tints for the others"
    assert w.errors == [] and w.external == []
    w.close()


def test_chapter8_gives_one_optimizer_settings_of_its_own_and_answers_a_bad_one(browser, app_url):
    w = Watched(browser, app_url + "?chapter=8&arena.optimizers=momentum,adam", everything=False)
    assert w.page.get_by_label("Optimizer", exact=True).count() == 0, "behind a button until asked for"
    w.button("Give one optimizer settings of its own…").click()
    w.page.get_by_label("Optimizer", exact=True).select_option(label="Momentum")
    wait_until(lambda: w.query().get("arena.own_name") == "momentum")
    box = w.page.locator(".own-settings input")
    wait_until(lambda: box.get_attribute("placeholder") == "momentum=0.9, nesterov=false, weight_decay=0.0",
               message=lambda: box.get_attribute("placeholder"))
    before = w.path("arena")
    box.fill("momentum=0.5")
    box.press("Enter")
    wait_until(lambda: w.query().get("arena.own_settings") == "momentum:momentum=0.5")
    wait_until(lambda: w.path("arena") != before)
    assert w.has_text("Momentum's momentum=0.5"), "the race says what it compares"
    changed = w.path("arena")
    box.fill("momentum=lots")
    box.press("Enter")
    wait_until(lambda: w.has_text("Not used: momentum must be a finite number, got 'lots'."))
    assert w.query()["arena.own_settings"] == "momentum:momentum=0.5" and w.path("arena") == changed
    box.fill("")
    box.press("Enter")
    wait_until(lambda: "arena.own_settings" not in w.query())
    wait_until(lambda: w.path("arena") == before, message=lambda: "blank text races at the defaults again")
    assert w.errors == [] and w.external == []
    w.close()


def test_a_link_reopens_the_page_with_its_settings(browser, app_url):
    query = "?chapter=2&race.lr=0.3&race.beta=0.7&race.start=-5%2C1&race.speed=90&look.step=12"
    w = Watched(browser, app_url + query)
    assert w.has_text("Learning rate η: 0.3") or w.has_text("0.3")
    assert w.model("ravine-speed", "m.value") == 90
    assert abs(w.path("ravine")[0][0] + 5.0) < 1e-9 and abs(w.path("ravine")[1][0] - 1.0) < 1e-9
    assert w.step("nesterov") == 12
    assert w.has_text("SGD diverged at step") or w.has_text("diverged at step")
    assert w.query()["race.beta"] == "0.7" and not w.has_text("could not be used")
    assert w.errors == []
    w.close()


HOSTILE = {"explorer.lr": "nan", "explorer.steps": "-5", "explorer.start": "1e308,0", "explorer.landscape": "<script>x",
           "hand.x0": "9" * 400, "explorer.speed": "1e308"}


def test_a_hostile_link_is_named_value_by_value_and_the_rest_applies(browser, app_url):
    query = urllib.parse.urlencode({"chapter": "0", **HOSTILE, "hand.lr": "0.5"})
    w = Watched(browser, app_url + "?" + query)
    assert w.has_text("Some settings in this link could not be used")
    for key in HOSTILE:
        assert w.page.get_by_text(f"“{key}=").count() == 1, key
    assert w.has_text("“explorer.landscape=<script>x”"), "echoed as text, never markup"
    assert w.page.locator("script:has-text('x')").count() == 0
    assert w.query()["hand.lr"] == "0.5" and w.query()["explorer.lr"] == "0.1", "bad values replaced by the page's"
    assert w.errors == [] and w.external == []
    w.close()


HOSTILE_LINK_VALUES = ("<script>window.__hacked = 1</script>", "nan", "9" * 400, "1e308,-1e308", "-1e308")


@pytest.mark.parametrize("chapter", range(10))
def test_a_hostile_value_for_every_setting_of_a_page_is_refused_on_the_page(browser, app_url, chapter):
    """Every setting a page keeps in its link, given a value no setting takes: the page opens,
    names each refused setting, runs none of it and logs no server problem."""
    from chapters import build

    _, links, _ = build(chapter, {})
    keys = [f"{link.prefix}.{name}" for link in links for name in link.names]
    values = {key: HOSTILE_LINK_VALUES[i % len(HOSTILE_LINK_VALUES)] for i, key in enumerate(keys)}
    log = ROOT / "artifacts" / "server.log"
    before = log.read_text()
    w = Watched(browser, app_url + "?" + urllib.parse.urlencode({"chapter": str(chapter), **values}))
    assert keys and w.has_text("Some settings in this link could not be used")
    assert [key for key in keys if w.page.get_by_text(f"“{key}=").count() != 1] == []
    assert w.page.evaluate("() => window.__hacked") is None
    w.page.wait_for_timeout(500)
    new_log = log.read_text()[len(before):]
    assert not server_problems(new_log), new_log[-2000:]
    assert w.errors == [] and w.external == []
    w.close()


@pytest.mark.parametrize("chapter", [0, 1, 2, 3, 4, 5, 6, 7, 8])
def test_every_slider_to_both_ends_raises_nothing(browser, app_url, chapter):
    log = ROOT / "artifacts" / "server.log"
    before = log.read_text()
    shown = {8: "&arena.landscape=typed",  # chapter 8's map-size slider shows for a typed landscape
             7: "&lab.kind=step"}.get(chapter, "")  # chapter 7's γ and interval show for the step schedule
    w = Watched(browser, app_url + f"?chapter={chapter}{shown}")
    count = w.sliders().count()
    assert count >= 1
    for index in range(count):
        for key in ("Home", "End", "Home"):
            w.press_slider(index, key)
            w.page.wait_for_timeout(150)
    w.page.wait_for_timeout(500)
    new_log = log.read_text()[len(before):]
    assert not server_problems(new_log), new_log[-2000:]
    assert w.errors == []
    w.close()


HOSTILE_TEXT = ("abc", "-1", "1e308", "nan", "<script>window.__hacked = 1</script>", "", "9" * 400)


@pytest.mark.parametrize("chapter", [0, 1, 2, 3, 4, 5, 6, 7, 8])
def test_hostile_text_in_every_box_raises_nothing_and_runs_nothing(browser, app_url, chapter):
    log = ROOT / "artifacts" / "server.log"
    before = log.read_text()
    shown = "&arena.landscape=typed" if chapter == 8 else ""  # chapter 8's formula box shows for a typed map
    w = Watched(browser, app_url + f"?chapter={chapter}{shown}")
    boxes = w.page.locator("input:not([type=checkbox]):not([type=radio]):not([type=range])")
    visible = [boxes.nth(i) for i in range(boxes.count()) if boxes.nth(i).is_visible()]
    assert visible or chapter in (1, 2, 5, 7), "the pages with boxes have some"
    for box in visible:
        for text in HOSTILE_TEXT:
            box.scroll_into_view_if_needed()
            box.fill(text)
            box.press("Enter")
            w.page.wait_for_timeout(60)
    w.page.wait_for_timeout(600)
    new_log = log.read_text()[len(before):]
    assert not server_problems(new_log), new_log[-2000:]
    assert w.page.evaluate("() => window.__hacked === undefined"), "no typed text ran as script"
    assert w.errors == []
    w.close()


@pytest.mark.parametrize(("name", "query"), PAGES, ids=[p[0] for p in PAGES])
def test_every_page_fits_a_phone(browser, app_url, name, query):
    w = Watched(browser, app_url + query, width=390, height=844)
    fits = w.page.evaluate("""() => {
        const main = document.querySelector('#main');
        return [document.documentElement.scrollWidth, window.innerWidth, main.scrollWidth, main.clientWidth,
                main.getBoundingClientRect().width];
    }""")
    page_width, window_width, main_scroll, main_client, main_width = fits
    assert page_width <= window_width and main_scroll <= main_client + 1, fits
    assert main_width >= 370, "the sidebar folds away: the content has the screen"
    assert w.maps_off_scale() == [], "every map is to scale on a phone too"
    cramped = w.page.evaluate("""() => Array.from(Bokeh.documents[0].all_models)
        .filter((m) => m.type === "Figure" && m.below.some((item) => item.type.endsWith("Axis")))
        .map((m) => [m.name, Bokeh.index.find_one(m)])
        .filter(([_, view]) => view != null && view.el.offsetParent !== null)
        .filter(([_, view]) => view.bbox.width - view.frame.bbox.right < 12)
        .map(([name, view]) => [name, view.bbox.width - view.frame.bbox.right])""")
    assert cramped == [], "right of every frame there is room for half of the x axis's last label"
    if name not in ("home", "chapter9"):  # the pages with equations: wait until MathJax has set them
        wait_until(lambda: w.page.locator("mjx-container").count() > 0)
    wide = w.page.evaluate("""() => { const found = [];
        const walk = (root) => { for (const el of root.querySelectorAll('*')) {
            if (el.shadowRoot) walk(el.shadowRoot);
            if (el.tagName === 'MJX-CONTAINER' && el.scrollWidth > el.clientWidth + 2) found.push(el.scrollWidth);
        } };
        walk(document);
        return found; }""")
    assert wide == [], "every displayed equation fits the phone's width without scrolling sideways"
    has_viewport = w.page.evaluate("() => !!document.querySelector('meta[name=viewport]')")
    assert has_viewport
    w.page.set_viewport_size({"width": 390, "height": 6000})
    w.page.wait_for_timeout(400)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    w.page.screenshot(path=str(SCREENSHOTS / f"{name}-390.png"), full_page=True)
    assert w.errors == []
    w.close()


@pytest.mark.parametrize("chapter", [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
def test_at_200_percent_zoom_nothing_is_cut(browser, app_url, chapter):
    """A 1366 px screen at 200% zoom lays the page out 683 CSS pixels wide."""
    w = Watched(browser, app_url + f"?chapter={chapter}", width=683, height=768, zoom=2)
    main_scroll, main_client = w.page.evaluate(
        "() => { const m = document.querySelector('#main'); return [m.scrollWidth, m.clientWidth]; }")
    assert main_scroll <= main_client + 1
    edges = w.page.evaluate("""() => {
        const rights = [];
        for (const model of Bokeh.documents[0].all_models) {
            if (model.type !== "Figure") continue;
            const view = Bokeh.index.find_one(model);
            if (view) rights.push(view.el.getBoundingClientRect().right);
        }
        return [rights, window.innerWidth];
    }""")
    rights, width = edges
    assert (rights or chapter == 9) and max(rights, default=0) <= width, "every plot fits inside the window"
    assert w.errors == []
    w.close()


def test_a_slider_moved_step_by_step_writes_the_steps_own_numbers_into_the_link(browser, app_url):
    w = Watched(browser, app_url + "?chapter=2", everything=False)
    before = dict(w.query())
    for index in range(w.sliders().count()):
        w.press_slider(index, "ArrowLeft", times=3)
    wait_until(lambda: w.query() != before)
    w.page.wait_for_timeout(500)
    noisy = {key: text for key, text in w.query().items()
             if re.fullmatch(r"-?\d+\.\d+", text) and len(text.split(".")[1]) > 6}
    assert noisy == {}, "a value like 0.9200000000000002 came from binary arithmetic, not from the slider's step"
    w.close()
