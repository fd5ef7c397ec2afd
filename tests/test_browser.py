"""The served app in headless Chromium: every page loads offline and cleanly; chapters 0-2's
widgets respond to a slider, a click on the map, Play and Step, and playback is browser-only."""

import time
from pathlib import Path

import pytest
from browser import ROOT, is_local, launch, served_app
from playwright.sync_api import sync_playwright

pytestmark = pytest.mark.browser
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
PAGES = [("home", "")] + [(f"chapter{n}", f"?chapter={n}") for n in range(10)]


class Watched:
    """A page with everything it does recorded: errors, requests, websocket frames sent."""

    def __init__(self, browser, url):
        self.page = browser.new_page(viewport={"width": 1400, "height": 1000})
        self.errors, self.external, self.frames_sent = [], [], 0
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: None if is_local(r.url) else self.external.append(r.url))
        self.page.on("websocket", self._socket)
        self.page.goto(url)
        self.page.wait_for_function("() => window.Bokeh && Bokeh.documents.length > 0", timeout=30000)
        self.page.wait_for_function("() => document.readyState === 'complete'")
        wait_until(lambda: self.page.locator("canvas").count() > 0)

    def _socket(self, socket):
        def sent(_payload):
            self.frames_sent += 1

        socket.on("framesent", sent)

    def model(self, name, expression):
        return self.page.evaluate(
            f"() => {{ const m = Bokeh.documents[0].get_model_by_name({name!r}); return m ? {expression} : null; }}")

    def step(self, timeline):
        return self.model(f"{timeline}-state", "m.data.step[0]")

    def path(self, timeline, track):
        """A path's whole x and y columns, as the browser holds them."""
        return self.model(f"{timeline}-full", f"[Array.from(m.data['{track}-x']), Array.from(m.data['{track}-y'])]")

    def click_map(self, plot, x, y):
        """Click at data coordinates (x, y) of the named plot."""
        position = self.page.evaluate("""([name, x, y]) => {
            const view = Bokeh.index.find_one(Bokeh.documents[0].get_model_by_name(name));
            view.el.scrollIntoView({block: "center"});
            const box = view.el.getBoundingClientRect();
            return [box.x + view.frame.x_scale.compute(x), box.y + view.frame.y_scale.compute(y)];
        }""", [plot, x, y])
        self.page.mouse.click(*position)

    def press_slider(self, index, key, times=1):
        handle = self.page.locator(".noUi-handle").nth(index)
        handle.scroll_into_view_if_needed()
        handle.focus()
        for _ in range(times):
            handle.press(key)

    def has_text(self, text):
        """Whether the text is on the page, inside shadow roots too (where Panel renders)."""
        return self.page.get_by_text(text).count() > 0

    def button(self, label, index=0):
        target = self.page.get_by_role("button", name=label).nth(index)
        target.scroll_into_view_if_needed()
        return target


def wait_until(condition, timeout=20.0, interval=0.1):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
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
    watched.page.set_viewport_size({"width": 1400, "height": 5200})
    watched.page.wait_for_timeout(400)
    watched.page.screenshot(path=str(path), full_page=True)
    return path


@pytest.mark.parametrize(("name", "query"), PAGES, ids=[p[0] for p in PAGES])
def test_every_page_loads_offline_without_errors(browser, app_url, name, query):
    watched = Watched(browser, app_url + query)
    canvases = watched.page.locator("canvas")
    drawn = sum(canvases.nth(i).evaluate("c => c.width > 0 && c.height > 0") for i in range(canvases.count()))
    assert drawn >= 1, "no plot was drawn"
    title = "Optimizer Lab" if name == "home" else f"Chapter {name.removeprefix('chapter')}"
    assert watched.has_text(title)
    assert screenshot(watched, name).stat().st_size > 10_000
    assert watched.errors == []
    assert watched.external == []
    watched.page.close()


def test_equations_are_typeset_not_left_as_tex(browser, app_url):
    watched = Watched(browser, app_url + "?chapter=2")
    typeset = wait_until(lambda: watched.page.locator("mjx-container").count())
    assert typeset >= 10, "chapter 2's prose has more than ten equations"
    assert not watched.has_text(r"1/(1-\beta)"), "the prose's equations are not left as TeX source"
    assert watched.has_text(r"\theta_t = \theta_{t-1} - \eta"), "while the code view's docstring keeps its source"
    assert watched.external == []
    watched.page.close()


def test_a_bad_chapter_in_the_url_gets_a_message_and_the_home_page(browser, app_url):
    watched = Watched(browser, app_url + "?chapter=99")
    assert watched.has_text("There is no chapter") and watched.has_text("The chapters")
    assert watched.errors == []
    watched.page.close()


def test_sidebar_links_navigate_and_the_url_follows(browser, app_url):
    watched = Watched(browser, app_url + "?chapter=1")
    watched.page.get_by_role("link", name="Chapter 2: Momentum and Nesterov →").click()
    watched.page.wait_for_url("**/app?chapter=2")
    wait_until(lambda: watched.has_text("Chapter 2 · Momentum and Nesterov"))
    watched.page.get_by_role("link", name="Dark theme").click()
    watched.page.wait_for_url("**/app?chapter=2&theme=dark")
    wait_until(lambda: watched.page.locator("canvas").count() > 0)
    title = watched.model("ravine-loss", "[m.title.text_color, m.border_fill_color]")
    assert title == ["#E0E0E0", "#212529"], "plot titles are light on the dark theme's background"
    screenshot(watched, "chapter2-dark")
    assert watched.errors == []
    watched.page.close()


def test_chapter0_player_slider_click_and_playback_without_server_messages(browser, app_url):
    w = Watched(browser, app_url + "?chapter=0")
    assert w.step("explorer") == 200, "a new setting shows its whole path"
    w.button("Drop ball").click()
    wait_until(lambda: 3 < w.step("explorer") < 100)  # back to the start, and playing
    w.button("‖ Pause").click()
    paused_at = w.step("explorer")
    w.page.wait_for_timeout(300)
    assert w.step("explorer") == paused_at, "Pause stops the clock"
    w.button("↺ Reset").click()
    wait_until(lambda: w.step("explorer") == 0)
    w.button("Step ▷").click()
    w.button("Step ▷").click()
    wait_until(lambda: w.step("explorer") == 2)
    w.button("◁ Back").click()
    wait_until(lambda: w.step("explorer") == 1)
    readout = w.model("explorer-points", "m.data['explorer-map-readout-text'][0]")
    assert "step 1/200" in readout and "loss" in readout and "|∇L|" in readout
    assert w.model("explorer-trails", "m.data['explorer-map-path0-x'].length") == 2, "the trail shows steps 0 and 1"

    w.button("↺ Reset").click()
    w.button("▶ Play").click()
    w.page.wait_for_timeout(400)
    frames_before = w.frames_sent
    at_start = w.step("explorer")
    w.page.wait_for_timeout(1500)
    assert w.step("explorer") >= at_start + 20, "playback advances about 30 steps a second"
    assert w.frames_sent == frames_before, "playback sent websocket messages"

    path_before = w.path("explorer", "explorer-map-path0")
    w.press_slider(0, "ArrowRight")
    wait_until(lambda: w.path("explorer", "explorer-map-path0") != path_before)
    assert w.step("explorer") == 200

    w.click_map("explorer-map", 1.5, -1.0)
    wait_until(lambda: abs(w.path("explorer", "explorer-map-path0")[0][0] - 1.5) < 0.05)
    assert abs(w.path("explorer", "explorer-map-path0")[1][0] + 1.0) < 0.05

    w.page.get_by_role("button", name="saddle").click()
    wait_until(lambda: w.path("explorer", "explorer-map-path0")[0][:1] == [1.8])
    assert w.errors == []
    screenshot(w, "chapter0-driven")
    w.page.close()


def test_chapter0_table_recomputes_and_refuses_odd_text(browser, app_url):
    w = Watched(browser, app_url + "?chapter=0")
    box = w.page.get_by_label("Learning rate η").first
    box.fill("1.1")
    box.press("Enter")
    wait_until(lambda: w.has_text("Diverged at step"))
    box.fill("eval('2')")
    box.press("Enter")
    wait_until(lambda: w.has_text("is not a number"))
    assert w.has_text("Diverged at step"), "the table is left as it was"
    w.page.close()


def test_chapter1_batch_size_and_click_change_the_arrows(browser, app_url):
    w = Watched(browser, app_url + "?chapter=1")
    assert w.model("fan", "m.data.x0.length") == 6
    w.press_slider(0, "ArrowRight")
    wait_until(lambda: w.model("fan", "m.data.x0.length") == 4)
    w.press_slider(0, "End")
    wait_until(lambda: w.model("fan", "m.data.x0.length") == 1)
    wait_until(lambda: w.has_text("Spread of the batch arrows (RMS distance from the full one): 0."))
    w.click_map("minibatch-map", 1.0, 0.5)
    wait_until(lambda: abs(w.model("full-arrow", "m.data.x0[0]") - 1.0) < 0.05)
    w.button("Resample").click()
    assert w.errors == []
    w.page.close()


def test_chapter2_race_and_lookahead(browser, app_url):
    w = Watched(browser, app_url + "?chapter=2")
    assert w.step("ravine") == 300
    w.button("↺ Reset").click()
    w.button("Step ▷").click()
    wait_until(lambda: w.step("ravine") == 1)
    before = w.path("ravine", "ravine-map1-path0")
    w.press_slider(0, "ArrowLeft", times=3)
    wait_until(lambda: w.path("ravine", "ravine-map1-path0") != before)
    w.click_map("ravine-map", -6.0, 1.5)
    wait_until(lambda: abs(w.path("ravine", "ravine-map1-path0")[0][0] + 6.0) < 0.1)
    assert abs(w.path("ravine", "ravine-map-path0")[0][0] + 6.0) < 0.1, "both panels share the start"

    w.button("▶ Play", index=1).click()
    w.page.wait_for_timeout(400)
    frames = w.frames_sent
    w.page.wait_for_timeout(1000)
    assert w.frames_sent == frames
    assert 0 < w.step("nesterov") < 150
    assert w.model("nesterov-points", "m.data['nesterov-map-ghost-x'].length") == 1, "one ghost, at the current step"
    assert w.errors == []
    screenshot(w, "chapter2-driven")
    w.page.close()
