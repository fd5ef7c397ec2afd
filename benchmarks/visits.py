"""The server's CPU seconds for one visit of each page, beside the budget of 0.2 s.

    python -m benchmarks.visits [--tries 7]

One `panel serve` process with the course's options; each visit is a student of
`benchmarks.student` (the page request, then the websocket pull of the whole document), one at a
time, and its cost is the CPU time the server process used from the request until the document
had arrived, read from /proc. The first visit of a page fills the process's caches and is
reported on its own; the figure is the median of the visits after it.
"""

import argparse
import asyncio
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from browser import served_app

from benchmarks.classroom import cpu_seconds, one_visit

BUDGET = 0.2


def visit_cost(base: str, query: str, pid: int) -> float:
    before = cpu_seconds(pid)
    answer = asyncio.run(one_visit(base, query))
    if answer.error:
        raise SystemExit(f"{query or 'home'}: {answer.error}")
    return cpu_seconds(pid) - before


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tries", type=int, default=7)
    args = parser.parse_args()
    pages = [("home", "")] + [(f"chapter {n}", f"chapter={n}") for n in range(10)]
    with served_app() as url:
        base = url.rsplit("/", 1)[0]
        print(f"Server CPU per visit, one process, median of {args.tries} after the first (budget {BUDGET} s)")
        for name, query in pages:
            first = visit_cost(base, query, url.pid)
            costs = [visit_cost(base, query, url.pid) for _ in range(args.tries)]
            median = statistics.median(costs)
            verdict = "within budget" if median <= BUDGET else f"{median / BUDGET:.1f} x budget"
            print(f"  {name:<10} {median:5.2f} s  (first visit {first:4.2f} s)  {verdict}")


if __name__ == "__main__":
    main()
