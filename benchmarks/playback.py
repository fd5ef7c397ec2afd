"""Playback in headless Chromium: frames per second while the arena plays every optimizer's path.
`python -m benchmarks.playback` (needs the test extra and Debian's chromium, see scripts/test.sh).

The player advances in the browser; a frame here is a repaint of the race's map showing a step
it had not shown just before, counted for a few seconds of playing (a step that changed but was
never painted was never seen; counting animation frames on which the step changed counted those,
and missed frames where a 60 Hz timer and the screen's frames drifted apart). Websocket messages
sent meanwhile are counted too (the target is none).
"""

import urllib.parse

from playwright.sync_api import sync_playwright

from deploy.local import launch, served_app
from optimizers import names

SECONDS = 3
COUNT_FRAMES = """async ([name, plot, seconds]) => {
    const doc = Bokeh.documents[0];
    const state = doc.get_model_by_name(name);
    let frames = 0, shown = state.data.step[0], counting = true;
    Bokeh.index.find_one(doc.get_model_by_name(plot)).repainted.connect(() => {
        const now = state.data.step[0];
        if (counting && now !== shown) frames += 1;
        shown = now;
    });
    await new Promise((done) => setTimeout(done, seconds * 1000));
    counting = false;
    return [frames / seconds, state.data.step[0]];
}"""


def measure(url: str) -> tuple[float, int, int]:
    """(frames per second, step reached, websocket messages sent while playing)."""
    query = {"chapter": "8", "arena.optimizers": ",".join(names()), "arena.landscape": "rosenbrock",
             "arena.steps": "2000", "arena.log_lr": "-3", "arena.speed": "240"}
    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        sent = []
        page.on("websocket", lambda socket: socket.on("framesent", lambda _payload: sent.append(1)))
        page.goto(url + "?" + urllib.parse.urlencode(query))
        page.wait_for_function("() => window.Bokeh && Bokeh.documents.length && "
                               "Bokeh.documents[0].get_model_by_name('arena-state')", timeout=60000)
        page.wait_for_timeout(1500)
        page.get_by_role("button", name="↺ Reset").click()
        page.get_by_role("button", name="▶ Play").click()
        page.wait_for_timeout(300)
        before = len(sent)
        fps, step = page.evaluate(COUNT_FRAMES, ["arena-state", "arena-map", SECONDS])
        messages = len(sent) - before
        browser.close()
    return fps, step, messages


def main():
    with served_app() as url:
        fps, step, messages = measure(url)
    print(f"(f) playback, chapter 8 with all {len(names())} paths of 2000 steps at 240 steps a second: "
          f"{fps:.0f} frames per second (target >= 50), {messages} websocket messages while playing "
          f"(target 0); reached step {step} in {SECONDS} s")


if __name__ == "__main__":
    main()
