"""Page speed in headless Chromium: seconds from navigation until a chapter's plots are drawn,
and milliseconds from a slider change to the redrawn path. `python -m benchmarks.pages`.

Navigation is measured as a learner meets it: one browser, moving from page to page, so the
JavaScript bundles come from the browser's cache. The very first load of the course (cold
cache: several MB of Bokeh, Panel and MathJax) is reported on its own line. Each figure is the
median of several tries. Beside every page the script times its floor: `benchmarks/floor_app.py`,
the course's frame holding the same number of plain Bokeh figures and nothing else. Needs the
test extra and Debian's chromium (see scripts/test.sh).
"""

import statistics
import time

from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright

from deploy.local import launch, served_app

TRIES = 7
SLIDERS = {0: ("explorer-paths-full", 0), 1: ("fan-arrow", 0), 2: ("ravine-paths1-full", 0),
           3: ("ellipse-paths-full", 0), 4: ("inside-first-source", 0), 5: ("weights-lines-full", 0),
           6: ("demo-paths-full", 0)}
"""Per chapter: the source whose data a slider change replaces, and which slider to move."""


PAGE_DRAWN = """() => {
    if (!(window.Bokeh && Bokeh.index && Bokeh.index.roots.length > 0)) return false;
    const canvases = [];
    const walk = (root) => root.querySelectorAll("*").forEach((e) => {
        if (e.tagName === "CANVAS") canvases.push(e);
        if (e.shadowRoot) walk(e.shadowRoot);
    });
    walk(document);
    return Bokeh.index.roots.every((view) => view.has_finished())
        && canvases.every((c) => c.width > 0 && c.height > 0);
}"""
"""Every root view has finished rendering and every canvas has a size; a page without plots
(the cheat sheet, the zero-figure floor) is drawn once its views have finished."""


def time_navigation(page, url) -> float:
    began = time.perf_counter()
    page.goto(url)
    page.wait_for_function(PAGE_DRAWN, timeout=30000, polling="raf")
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


PLOTS_ON_PAGE = """() => {
    let plots = 0;
    const walk = (root) => root.querySelectorAll("*").forEach((e) => {
        if (e.classList.contains("bk-Canvas")) plots += 1;
        if (e.shadowRoot) walk(e.shadowRoot);
    });
    walk(document);
    return plots;
}"""
"""Each plot (figure) has one canvas view; legends and toolbars have canvases of their own."""


def main():
    pages = [("home", "")] + [(f"chapter {n}", f"?chapter={n}") for n in range(10)]
    with served_app(also=("benchmarks/floor_app.py",)) as url, sync_playwright() as playwright:
        floor_url = url.rsplit("/", 1)[0] + "/floor_app"
        browser = launch(playwright)
        page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        cold = time_navigation(page, url)
        print(f"First load of the course, cold browser cache: {cold:.2f} s")
        plots = {}
        for name, query in pages:
            time_navigation(page, url + query)
            plots[name] = page.evaluate(PLOTS_ON_PAGE)
        floors = sorted(set(plots.values()))
        print(f"Then, median (fastest) of {TRIES}: navigation until plots are drawn; that time as a multiple of "
              "the home page, and of the floor (the course's frame with the same number of plain Bokeh "
              "figures, nothing else), both measured in the same run; slider change until the path is redrawn")
        navigation = {name: [] for name, _ in pages}
        floor = {n: [] for n in floors}
        for _ in range(TRIES):
            for name, query in pages:
                navigation[name].append(time_navigation(page, url + query))
            for n in floors:
                floor[n].append(time_navigation(page, f"{floor_url}?figures={n}"))
        home = statistics.median(navigation["home"])
        for n in floors:
            print(f"  floor, {n} figure{'s' if n != 1 else ''}: {statistics.median(floor[n]):5.2f} s "
                  f"({min(floor[n]):4.2f})")
        for name, query in pages:
            median = statistics.median(navigation[name])
            line = (f"  {name:<10} {median:5.2f} s ({min(navigation[name]):4.2f})  {median / home:4.2f} x home"
                    f"  {plots[name]} plots, {median / statistics.median(floor[plots[name]]):4.2f} x floor")
            number = int(name.split()[-1]) if name != "home" else None
            if number in SLIDERS:
                try:
                    presses = time_slider(page, url + query, *SLIDERS[number])
                    line += f"   slider -> path {statistics.median(presses):4.0f} ms ({min(presses):3.0f})"
                except PlaywrightTimeout:
                    line += f"   slider {SLIDERS[number][1]} left {SLIDERS[number][0]} unchanged"
            print(line)
        browser.close()


if __name__ == "__main__":
    main()
