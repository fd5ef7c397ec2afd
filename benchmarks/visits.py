"""The server's CPU seconds for one visit of each page, beside the budget of 0.2 s.

    python -m benchmarks.visits [--tries 7]

One `panel serve` process with the course's options; each visit is a student of
`benchmarks.student` (the page request, then the websocket pull of the whole document), one at a
time, and its cost is the CPU time the server process used from the request until the document
had arrived, read from /proc. The server readies every chapter before it starts (deploy/warm.py);
the first visit of a page still builds what Python imports and caches on first use, so it is
reported on its own, and the figure is the median of the visits after it.

The budget is for opening a page. A page draws its lower sections as the reader scrolls near them
(`widgets.deferred`); the second figure is a visit by a reader who goes on to draw every one of
them, which is what a page costs in all.
"""

import argparse
import asyncio
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.classroom import cpu_seconds, one_visit
from benchmarks.student import draw_sections, open_page
from deploy.local import served_app

BUDGET = 0.2


def visit_cost(base: str, query: str, pid: int) -> float:
    before = cpu_seconds(pid)
    answer = asyncio.run(one_visit(base, query))
    if answer.error:
        raise SystemExit(f"{query or 'home'}: {answer.error}")
    return cpu_seconds(pid) - before


def whole_visit_cost(base: str, query: str, pid: int) -> tuple[float, int]:
    """The CPU seconds of opening the page and then drawing every deferred section, and how many."""
    async def visit():
        answer, socket = await open_page(base, query, find_sections=True)
        if socket is None:
            raise SystemExit(f"{query or 'home'}: {answer.error}")
        await draw_sections(socket, answer.sections)
        socket.close()
        return len(answer.sections)

    before = cpu_seconds(pid)
    count = asyncio.run(visit())
    return cpu_seconds(pid) - before, count


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tries", type=int, default=7)
    args = parser.parse_args()
    pages = [("home", "")] + [(f"chapter {n}", f"chapter={n}") for n in range(10)]
    with served_app() as url:
        base = url.rsplit("/", 1)[0]
        print(f"Server CPU per visit, one process, median of {args.tries} after the first (budget {BUDGET} s "
              f"to open a page)")
        for name, query in pages:
            first = visit_cost(base, query, url.pid)
            costs = [visit_cost(base, query, url.pid) for _ in range(args.tries)]
            median = statistics.median(costs)
            verdict = "within budget" if median <= BUDGET else f"{median / BUDGET:.1f} x budget"
            wholes = [whole_visit_cost(base, query, url.pid) for _ in range(args.tries)]
            whole = statistics.median(cost for cost, _ in wholes)
            print(f"  {name:<10} open {median:5.2f} s  (first visit {first:4.2f} s)  {verdict:<15} "
                  f"with its {wholes[0][1]} deferred sections drawn: {whole:4.2f} s")


if __name__ == "__main__":
    main()
