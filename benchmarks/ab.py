"""Which of two checkouts loads a page faster: `python -m benchmarks.ab OTHER_DIR [--chapter N]`.

This machine's speed drifts by ±20% from minute to minute, so two benchmark runs made minutes
apart cannot tell a 5% change from noise. This script serves this checkout and another one side
by side (make it with `git worktree add ../before HEAD~1`, say) and alternates visits between
them in one browser, so both meet the same drift. Each visit goes home first, then to the
chapter, and is timed until the chapter's plots are drawn. Besides that wall time it reports
two readings that are less noisy: how long the browser's main thread was busy (Chromium's
TaskDuration) and how much CPU the server process used (Linux /proc).
"""

import argparse
import os
import statistics
from pathlib import Path

from playwright.sync_api import sync_playwright

from benchmarks.pages import time_navigation
from deploy.local import ROOT, launch, served_app


def server_cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Side:
    """One served checkout and its own browser tab."""

    def __init__(self, label: str, url, page):
        self.label, self.url, self.page = label, url, page
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.send("Performance.enable")
        self.wall, self.busy, self.server = [], [], []

    def browser_busy(self) -> float:
        metrics = self.cdp.send("Performance.getMetrics")["metrics"]
        return next(m["value"] for m in metrics if m["name"] == "TaskDuration")

    def visit(self, query: str, record: bool = True):
        time_navigation(self.page, self.url)
        busy, cpu = self.browser_busy(), server_cpu_seconds(self.url.pid)
        wall = time_navigation(self.page, self.url + query)
        if record:
            self.wall.append(wall)
            self.busy.append(self.browser_busy() - busy)
            self.server.append(server_cpu_seconds(self.url.pid) - cpu)

    def report(self) -> str:
        return (f"{self.label:<40} {statistics.median(self.wall):6.3f} s   browser busy "
                f"{statistics.median(self.busy):5.3f} s   server CPU {statistics.median(self.server):5.3f} s")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("other", type=Path, help="the other checkout's directory")
    parser.add_argument("--chapter", type=int, default=2)
    parser.add_argument("--tries", type=int, default=10)
    args = parser.parse_args()
    query = f"?chapter={args.chapter}"
    with (served_app() as here, served_app(root=args.other.resolve()) as there,
          sync_playwright() as playwright):
        browser = launch(playwright)
        sides = [Side(f"this checkout ({ROOT.name})", here, browser.new_page(viewport={"width": 1400, "height": 900})),
                 Side(f"other ({args.other})", there, browser.new_page(viewport={"width": 1400, "height": 900}))]
        for side in sides:  # warm both servers and the browser cache
            for _ in range(2):
                side.visit(query, record=False)
        for k in range(args.tries):
            for side in sides if k % 2 == 0 else sides[::-1]:
                side.visit(query)
        print(f"chapter {args.chapter}, median of {args.tries} visits each, taken in turns:")
        for side in sides:
            print("  " + side.report())
        ratio = statistics.median(sides[1].wall) / statistics.median(sides[0].wall)
        print(f"  other / this: {ratio:.3f} (above 1: this checkout is faster)")
        browser.close()


if __name__ == "__main__":
    main()
