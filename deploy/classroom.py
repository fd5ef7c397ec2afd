"""Serve the course to a class: several `panel serve` processes behind HAProxy on one address.

    bash deploy/serve-class.sh --procs 2 --host classroom.example.org --port 8080

One Python process builds one visit's page at a time, so a class that opens a chapter all at
once is spread over processes, one per core. HAProxy sends each new student to the process with
the fewest open connections and inserts a cookie naming it, so the student's page request and
the websocket that follows reach the same process (a classroom's students share one public
address, so the address cannot be the key). It passes websocket upgrades through, asks every
process's `/liveness` each second and stops sending students to one that fails twice. Each
process accepts websockets only from the host name students type (`--host`).
"""

import argparse
import contextlib
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OPTIONS_FILE = Path(__file__).with_name("panel-serve.args")
COOKIE = "optimizer_lab_process"


def panel_options() -> list[str]:
    """The options every `panel serve` of the course runs with (deploy/panel-serve.args)."""
    lines = (line.strip() for line in OPTIONS_FILE.read_text().splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def panel_command(port: int, origins: list[str], apps: tuple[str, ...] = ("app.py",)) -> list[str]:
    """`panel serve` of `apps` on 127.0.0.1:`port`, accepting websockets from `origins` only."""
    origin_options = [option for origin in origins for option in ("--allow-websocket-origin", origin)]
    return [sys.executable, "-m", "panel", "serve", *apps, "--port", str(port), "--address", "127.0.0.1",
            *origin_options, *panel_options()]


def haproxy_config(address: str, port: int, process_ports: list[int]) -> str:
    servers = "\n".join(f"    server p{i} 127.0.0.1:{p} check cookie p{i}" for i, p in enumerate(process_ports, 1))
    return f"""\
global
    maxconn 4096

defaults
    mode http
    option redispatch
    retries 2
    timeout connect 5s
    timeout http-request 10s
    timeout client 60s
    timeout server 60s
    # an open page keeps its websocket for as long as the student reads
    timeout tunnel 4h

frontend course
    bind {address}:{port}
    default_backend panel

backend panel
    balance leastconn
    cookie {COOKIE} insert indirect nocache httponly
    option httpchk GET /liveness
    http-check expect status 200
    default-server inter 1s fall 2 rise 2
    http-response set-header X-Served-By %[srv_name]
{servers}
"""


def wait_for(url: str, process: subprocess.Popen, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not answer") from None
            time.sleep(0.2)


@dataclass
class Class:
    """A running classroom: the address students open, and the course's processes by name."""

    url: str
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    balancer: subprocess.Popen | None = None


@contextlib.contextmanager
def classroom(procs: int, port: int, host: str = "localhost", address: str = "127.0.0.1",
              process_ports: list[int] | None = None, log_dir: Path | None = None):
    """Run `procs` course processes behind HAProxy on address:port until the block ends. Students
    reach it as http://host:port; `process_ports` default to the ports after `port`."""
    haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
    process_ports = process_ports or [port + i for i in range(1, procs + 1)]
    origins = [f"{host}:{port}"] + ([f"{address}:{port}"] if address not in ("0.0.0.0", host) else [])
    log_dir = log_dir or Path(tempfile.mkdtemp(prefix="classroom-"))
    room = Class(url=f"http://{address if address != '0.0.0.0' else '127.0.0.1'}:{port}")
    with contextlib.ExitStack() as stack:
        for i, process_port in enumerate(process_ports, 1):
            log = stack.enter_context(open(log_dir / f"p{i}.log", "w"))
            process = subprocess.Popen(panel_command(process_port, origins), cwd=ROOT, stdout=log,
                                       stderr=subprocess.STDOUT)
            stack.callback(stop, process)
            room.processes[f"p{i}"] = process
        for process_port, process in zip(process_ports, room.processes.values(), strict=True):
            wait_for(f"http://127.0.0.1:{process_port}/liveness", process)
        config = log_dir / "haproxy.cfg"
        config.write_text(haproxy_config(address, port, process_ports))
        log = stack.enter_context(open(log_dir / "haproxy.log", "w"))
        room.balancer = subprocess.Popen([haproxy, "-db", "-f", str(config)], stdout=log, stderr=subprocess.STDOUT)
        stack.callback(stop, room.balancer)
        wait_for(f"{room.url}/liveness", room.balancer)
        yield room


def stop(process: subprocess.Popen):
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--procs", type=int, default=2, help="course processes (one per core)")
    parser.add_argument("--host", default="localhost", help="the host name students type in the address bar")
    parser.add_argument("--port", type=int, default=8080, help="the port students use")
    parser.add_argument("--address", default="0.0.0.0", help="the address HAProxy listens on")
    args = parser.parse_args()
    with classroom(args.procs, args.port, args.host, args.address) as room:
        print(f"Serving {args.procs} processes at http://{args.host}:{args.port}/app (Ctrl-C stops them)", flush=True)
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        with contextlib.suppress(KeyboardInterrupt):
            while all(p.poll() is None for p in [room.balancer, *room.processes.values()]):
                time.sleep(1)


if __name__ == "__main__":
    main()
