"""One student opening a page, as Bokeh's own browser client does it, without a browser and without
building the document in Python: the page request, then the websocket that pulls the whole
document. Many students run in one asyncio loop, so the clients cost the machine little.

Bokeh's protocol: the page's HTML carries a session token; the websocket at `/app/ws` is opened
with the sub-protocols `bokeh` and that token; the server says ACK; the client sends PULL-DOC-REQ
and the server answers PULL-DOC-REPLY with every model of the page; the client then reports the
document ready (a PATCH-DOC), which runs the page's on-load callbacks. Each message is a header,
a metadata and a content frame, then two frames (a reference and the bytes) per binary buffer.

A page draws its lower sections when the reader scrolls near them (`widgets.deferred`): the
page's script sets a `near` flag, which reaches the server as a PATCH-DOC. `draw_sections` sends
those flags for every section at once, as a reader who scrolls to the bottom would.
"""

import asyncio
import json
import re
import time
from dataclasses import dataclass

from tornado.httpclient import AsyncHTTPClient, HTTPRequest
from tornado.websocket import WebSocketClientConnection, websocket_connect

AsyncHTTPClient.configure(None, max_clients=10_000)
"""Tornado's client queues more than ten requests at once by default; a class sends sixty."""

TOKEN = re.compile(r'"token"\s*:\s*"([^"]+)"')
NEAR_FLAG = re.compile(r"NearSignal\d*")
SERVED_BY = "X-Served-By"
"""The response header the load balancer of `deploy/` adds, naming the process that answered."""


@dataclass
class Visit:
    """One student's page: seconds from the page request until the whole document had arrived,
    which process served the page and its websocket (behind the load balancer), or what failed."""

    seconds: float = float("nan")
    page_served_by: str = ""
    socket_served_by: str = ""
    document_bytes: int = 0
    error: str = ""
    sections: list[str] | None = None
    """The ids of the page's deferred sections' `near` flags (when `open_page` was asked for them)."""


async def read_message(socket: WebSocketClientConnection) -> tuple[dict, int, list]:
    """The next Bokeh message's header, the size of all its frames in bytes, and the frames after
    the header (metadata, content, buffers)."""
    frames = []
    header_text = await socket.read_message()
    if header_text is None:
        raise ConnectionError("the server closed the websocket")
    header = json.loads(header_text)
    for _ in range(2 + 2 * header.get("num_buffers", 0)):
        frame = await socket.read_message()
        if frame is None:
            raise ConnectionError("the server closed the websocket mid-message")
        frames.append(frame)
    return header, len(header_text) + sum(len(frame) for frame in frames), frames


DOCUMENT_READY = {"events": [{"kind": "MessageSent", "msg_type": "bokeh_event",
                               "msg_data": {"type": "event", "name": "document_ready", "values": {"type": "map"}}}]}
"""What BokehJS sends once it has drawn the document."""


async def pull_document(socket: WebSocketClientConnection) -> tuple[int, str]:
    """Wait for the server's ACK, ask for the document, wait for all of it and report it ready, as
    the browser does; the document's size in bytes and its content (JSON)."""
    header, _, _ = await read_message(socket)
    if header["msgtype"] != "ACK":
        raise ConnectionError(f"expected ACK, got {header['msgtype']}")
    for frame in (json.dumps({"msgid": "pull", "msgtype": "PULL-DOC-REQ"}), "{}", "{}"):
        await socket.write_message(frame)
    while True:
        header, size, frames = await read_message(socket)
        if header["msgtype"] == "PULL-DOC-REPLY":
            for frame in (json.dumps({"msgid": "ready", "msgtype": "PATCH-DOC"}), "{}", json.dumps(DOCUMENT_READY)):
                await socket.write_message(frame)
            return size, frames[1]
        if header["msgtype"] == "ERROR":
            raise ConnectionError("the server answered the pull with an error")


def near_flags(content: str) -> list[str]:
    """The ids of the models in a document's JSON that hold a deferred section's `near` flag (Panel
    names the data model of each `NearSignal` after the class)."""
    found = []

    def walk(value):
        if isinstance(value, dict):
            if NEAR_FLAG.fullmatch(str(value.get("name", ""))) and value.get("type") == "object":
                found.append(value["id"])
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(json.loads(content))
    return found


def sections_drawn(content: str) -> int:
    """How many deferred sections a server's PATCH-DOC content draws: each drawn section's column
    gains the CSS class `drawn` in the same patch as its new children."""
    events = json.loads(content).get("events", [])
    return sum(1 for event in events if event.get("kind") == "ModelChanged" and event.get("attr") == "css_classes"
               and "drawn" in (event.get("new") or []))


async def draw_sections(socket: WebSocketClientConnection, flags: list[str], timeout: float = 120) -> float:
    """Set every `near` flag, as the page's script does when the reader scrolls near a section, and
    wait until the server has sent every section; the seconds that took."""
    began = time.perf_counter()
    events = [{"kind": "ModelChanged", "model": {"id": flag}, "attr": "near", "new": True} for flag in flags]
    for frame in (json.dumps({"msgid": "near", "msgtype": "PATCH-DOC"}), "{}", json.dumps({"events": events})):
        await socket.write_message(frame)
    drawn, deadline = 0, began + timeout
    while drawn < len(flags):
        header, _, frames = await asyncio.wait_for(read_message(socket), max(0.0, deadline - time.perf_counter()))
        if header["msgtype"] == "PATCH-DOC":
            drawn += sections_drawn(frames[1])
        elif header["msgtype"] == "ERROR":
            raise ConnectionError("the server answered the sections' flags with an error")
    return time.perf_counter() - began


async def open_page(base: str, query: str = "", origin: str | None = None, cookie: str = "",
                    timeout: float = 60, find_sections: bool = False) -> tuple[Visit, WebSocketClientConnection | None]:
    """Open `base`/app?`query` as a student; the visit and the open websocket (None if it failed).
    The caller closes the websocket when the student leaves. `cookie` is sent with both requests,
    and a cookie the page response sets is added to it, as a browser would. `find_sections`
    reads the document for its deferred sections (`Visit.sections`)."""
    visit = Visit()
    began = time.perf_counter()
    try:
        response = await AsyncHTTPClient().fetch(
            HTTPRequest(f"{base}/app?{query}", headers={"Cookie": cookie} if cookie else {},
                        request_timeout=timeout))
        visit.page_served_by = response.headers.get(SERVED_BY, "")
        token = TOKEN.search(response.body.decode())
        if token is None:
            raise ConnectionError("the page carries no session token")
        cookies = [cookie] if cookie else []
        cookies += [c.split(";", 1)[0] for c in response.headers.get_list("Set-Cookie")]
        headers = {"Origin": origin or base}
        if cookies:
            headers["Cookie"] = "; ".join(cookies)
        socket = await websocket_connect(
            HTTPRequest(f"ws{base.removeprefix('http')}/app/ws", headers=headers, request_timeout=timeout),
            subprotocols=["bokeh", token.group(1)])
        visit.socket_served_by = socket.headers.get(SERVED_BY, "")
        visit.document_bytes, content = await pull_document(socket)
        if find_sections:
            visit.sections = near_flags(content)
    except Exception as error:  # any failure is this student's result, reported
        visit.error = f"{type(error).__name__}: {error}"
        return visit, None
    visit.seconds = time.perf_counter() - began
    return visit, socket
