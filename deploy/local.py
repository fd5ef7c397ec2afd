"""The app served on a free localhost port, and Debian's headless Chromium to drive it: what
the browser tests and the page benchmarks share."""

import contextlib
import os
import socket
import subprocess
from pathlib import Path

from .classroom import panel_command, stop, wait_for

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServedURL(str):
    """The base URL of /app, also carrying the id of the server process (to read its CPU time)
    and the path of its log."""

    pid: int
    log: Path


@contextlib.contextmanager
def served_app(port: int | None = None, also: tuple[str, ...] = (), root: Path = ROOT, log_name: str = ""):
    """Run `panel serve app.py` in `root` until the block ends; yields the base URL of /app.
    `also` names more app scripts to serve beside it (each at /its-file-name); the server's output
    goes to artifacts/`log_name`."""
    port = port or free_port()
    log_path = ROOT / "artifacts" / (log_name or ("server.log" if root == ROOT else f"server-{port}.log"))
    log_path.parent.mkdir(exist_ok=True)
    with open(log_path, "w") as log:
        yield from _serve(port, log, also, root, log_path)


def _serve(port, log, also, root, log_path):
    process = subprocess.Popen(panel_command(port, [f"127.0.0.1:{port}"], apps=("app.py", *also)), cwd=root,
                               stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "BOKEH_MINIFIED": "yes"})
    url = ServedURL(f"http://127.0.0.1:{port}/app")
    url.pid = process.pid
    url.log = log_path
    try:
        wait_for(f"http://127.0.0.1:{port}/liveness", process)
        yield url
    finally:
        stop(process)


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def is_local(url: str) -> bool:
    return url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "http://localhost", "ws://localhost",
                           "data:", "blob:", "about:"))
