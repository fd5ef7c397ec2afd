"""Page speed in headless Chromium: seconds from navigation until a chapter's plots are drawn,
and milliseconds from a slider change to the redrawn path. `python -m benchmarks.pages`.

Navigation is measured as a learner meets it: one browser, moving from page to page, so the
JavaScript bundles come from the browser's cache. The very first load of the course (cold
cache: about 5 MB of Bokeh, Panel and KaTeX) is reported on its own line. Each figure is the
median of several tries. Needs the test extra and Debian's chromium (see scripts/test.sh).
"""

import statistics
import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from browser import launch, served_app

TRIES = 7
SLIDERS = {0: ("explorer-full", 0), 1: ("fan", 0), 2: ("ravine-full", 0)}
"""Per chapter: the source whose data a slider change replaces, and which slider to move."""


ALL_CANVASES_DRAWN = """() => {
    const canvases = [];
    const walk = (root) => root.querySelectorAll("*").forEach((e) => {
        if (e.tagName === "CANVAS") canvases.push(e);
        if (e.shadowRoot) walk(e.shadowRoot);
    });
    walk(document);
    return canvases.length > 0 && canvases.every((c) => c.width > 0 && c.height > 0);
}"""


def time_navigation(page, url) -> float:
    began = time.perf_counter()
    page.goto(url)
    page.wait_for_function("() => window.Bokeh && Bokeh.documents.length > 0", timeout=30000, polling="raf")
    page.wait_for_function(ALL_CANVASES_DRAWN, timeout=30000, polling="raf")
    return time.perf_counter() - began


def time_slider(page, url, source, slider) -> list[float]:
    page.goto(url)
    page.wait_for_function(f"() => window.Bokeh && Bokeh.documents.length && "
                           f"Bokeh.documents[0].get_model_by_name({source!r})", timeout=30000)
    read = f"() => JSON.stringify(Bokeh.documents[0].get_model_by_name({source!r}).data)"
    handle = page.locator(".noUi-handle").nth(slider)
    handle.scroll_into_view_if_needed()
    handle.focus()
    times = []
    for key in ["ArrowRight", "ArrowLeft"] * TRIES:
        before = page.evaluate(read)
        began = time.perf_counter()
        handle.press(key)
        page.wait_for_function(f"(before) => ({read})() !== before", arg=before, timeout=10000, polling="raf")
        times.append((time.perf_counter() - began) * 1000)
    return times


def main():
    pages = [("home", "")] + [(f"chapter {n}", f"?chapter={n}") for n in range(10)]
    with served_app() as url, sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        cold = time_navigation(page, url)
        print(f"First load of the course, cold browser cache: {cold:.2f} s")
        print(f"Then, median (fastest) of {TRIES}: navigation until plots are drawn, and as a multiple of the "
              "home page measured in the same run; slider change until the path is redrawn")
        navigation = {name: [] for name, _ in pages}
        for _ in range(TRIES):
            for name, query in pages:
                navigation[name].append(time_navigation(page, url + query))
        home = statistics.median(navigation["home"])
        for name, query in pages:
            median = statistics.median(navigation[name])
            line = f"  {name:<10} {median:5.2f} s ({min(navigation[name]):4.2f})  {median / home:4.2f} x home"
            number = int(name.split()[-1]) if name != "home" else None
            if number in SLIDERS:
                presses = time_slider(page, url + query, *SLIDERS[number])
                line += f"   slider -> path {statistics.median(presses):4.0f} ms ({min(presses):3.0f})"
            print(line)
        browser.close()


if __name__ == "__main__":
    main()
