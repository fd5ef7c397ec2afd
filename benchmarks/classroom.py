"""A class opening one chapter at once: S students at random moments within W seconds.

    python -m benchmarks.classroom --chapter 2 --students 60 --window 30 [--procs 1]

Each student is `benchmarks.student`: the page request, then the websocket pull of the whole
document, as Bokeh's browser client does it, without a browser; all of them in this one asyncio
process, so the clients cost the machine little. With `--procs 1` the course runs as one
`panel serve` process with the options of `deploy/panel-serve.args`; with more, as the classroom
recipe of `deploy/` (that many processes behind HAProxy).

Printed: seconds from a student's page request to the whole document (median, 95th percentile,
slowest), failures, the server's CPU seconds per visit and its memory per open session (the
processes' resident memory with every student's page open, less what it was before the class,
over the students). Each process serves one visit first, so that its per-process caches are warm.

A page draws its lower sections as the reader scrolls near them (`widgets.deferred`). With
`--draw-sections` every student also draws all of them as soon as the page has arrived, as if the
whole class scrolled straight to the bottom: the most a class can ask of the server.
"""

import argparse
import asyncio
import contextlib
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.student import Visit, draw_sections, open_page
from deploy.classroom import classroom
from deploy.local import free_port, served_app

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
"""The unit of the CPU times in /proc/PID/stat, per second."""


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def resident_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise ValueError(f"no VmRSS for process {pid}")


async def a_class(base: str, query: str, students: int, window: float, seed: int,
                  draw: bool = False) -> tuple[list[Visit], list, list[float]]:
    """Every student's visit, their open websockets (the caller closes them) and, with `draw`, the
    seconds each took to draw every deferred section once the page had arrived."""
    arrivals = random.Random(seed)
    moments = sorted(arrivals.uniform(0, window) for _ in range(students))
    drawing = []

    async def student(moment):
        await asyncio.sleep(moment)
        visit, socket = await open_page(base, query, find_sections=draw)
        if draw and socket is not None and visit.sections:
            drawing.append(await draw_sections(socket, visit.sections))
        return visit, socket

    answers = await asyncio.gather(*(student(moment) for moment in moments))
    return [visit for visit, _ in answers], [socket for _, socket in answers if socket is not None], drawing


async def one_visit(base: str, query: str, **options) -> Visit:
    """A student who opens the page and leaves as soon as it has arrived; `options` as for
    `open_page`."""
    visit, socket = await open_page(base, query, **options)
    if socket is not None:
        socket.close()
    return visit


@contextlib.contextmanager
def course(procs: int):
    """The base URL students open, and the course processes' ids with each one's own base URL."""
    if procs == 1:
        with served_app() as url:
            base = url.rsplit("/", 1)[0]
            yield base, {url.pid: base}
    else:
        port = free_port()
        ports = [free_port() for _ in range(procs)]
        with classroom(procs, port, process_ports=ports) as room:
            own = zip(room.processes.values(), ports, strict=True)
            yield room.url, {process.pid: f"http://127.0.0.1:{p}" for process, p in own}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chapter", type=int, default=2)
    parser.add_argument("--students", type=int, default=60)
    parser.add_argument("--window", type=float, default=30.0, help="seconds over which the students arrive")
    parser.add_argument("--procs", type=int, default=1, help="course processes (more than 1: behind HAProxy)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--draw-sections", action="store_true",
                        help="every student draws all the page's deferred sections at once")
    args = parser.parse_args()
    query = f"chapter={args.chapter}"
    with course(args.procs) as (base, processes):
        for own_base in processes.values():
            warm = asyncio.run(one_visit(own_base, query))
            if warm.error:
                raise SystemExit(f"the warm-up visit failed: {warm.error}")
        time.sleep(1)
        cpu_before = sum(cpu_seconds(pid) for pid in processes)
        memory_before = sum(resident_bytes(pid) for pid in processes)

        async def run_class():
            visits, sockets, drawing = await a_class(base, query, args.students, args.window, args.seed,
                                                     args.draw_sections)
            cpu = sum(cpu_seconds(pid) for pid in processes) - cpu_before
            memory = sum(resident_bytes(pid) for pid in processes) - memory_before
            for socket in sockets:
                socket.close()
            return visits, cpu, memory, drawing

        visits, cpu, memory, drawing = asyncio.run(run_class())
    served = [v.seconds for v in visits if not v.error]
    failures = [v.error for v in visits if v.error]
    print(f"chapter {args.chapter}: {args.students} students in {args.window:g} s, {args.procs} process"
          f"{'es' if args.procs > 1 else ''}")
    if served:
        print(f"  seconds to the whole document: median {statistics.median(served):.2f}, "
              f"95th percentile {percentile(served, 0.95):.2f}, slowest {max(served):.2f}")
        print(f"  document: {statistics.median(v.document_bytes for v in visits if not v.error) / 1e6:.2f} MB")
    if drawing:
        print(f"  then every deferred section drawn, seconds: median {statistics.median(drawing):.2f}, "
              f"95th percentile {percentile(drawing, 0.95):.2f}, slowest {max(drawing):.2f}")
    print(f"  failures: {len(failures)}" + (f" (first: {failures[0]})" if failures else ""))
    print(f"  server CPU per visit: {cpu / args.students:.3f} s" + (" (sections included)" if drawing else
                                                                    " (budget 0.2 s)"))
    print(f"  server memory per open session: {memory / args.students / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()
