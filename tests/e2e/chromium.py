"""A headless Chromium (Debian's `chromium`) driven over the Chrome DevTools Protocol.

Just enough of the protocol for the wall-display test and its benchmark (bench/wall): one
browser process, pages as flat sessions, evaluate, type, click, screenshot. It speaks the
protocol with `websockets` (already a dependency): no browser download, no driver binary,
nothing that must match Chromium's version beyond a handful of long-stable methods.

Every page collects its *problems* — uncaught exceptions, console errors, errors Chromium logs
(CSP violations, failed loads). A test that causes an error on purpose (it stops the server)
declares exactly which entries it expects, for how long, with :meth:`Page.expecting`; anything
else stays a problem.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--remote-debugging-port=0", "--window-size=1920,1080",
)
WIDTH, HEIGHT = 1920, 1080


class ChromiumNotFound(RuntimeError):
    pass


class DevToolsError(Exception):
    pass


def chromium_executable() -> str:
    path = shutil.which(os.environ.get("BATT_CHROMIUM") or "chromium") \
        or shutil.which("chromium-browser")
    if not path:
        raise ChromiumNotFound(
            "Chromium was not found: install Debian's package with `apt-get install -y "
            "chromium` (or set BATT_CHROMIUM to its path)."
        )
    return path


@dataclass(frozen=True)
class Problem:
    """Something that went wrong on a page, as Chromium reported it."""

    kind: str  # "exception", "console" or "log"
    text: str
    source: str = ""  # for "log": Chromium's source (network, javascript, security, …)
    url: str = ""


Expectation = Callable[[Problem], bool]


def connection_refused(address: str) -> Expectation:
    """Chromium's own log entries for requests to ``address`` (host:port) that found nobody
    listening: a fetch of /graphql, a WebSocket handshake at /graphql — nothing else."""
    fetch = ("Failed to load resource: net::ERR_CONNECTION_REFUSED", f"http://{address}/graphql")
    websocket = f"WebSocket connection to 'ws://{address}/graphql' failed: "

    def expected(problem: Problem) -> bool:
        if problem.kind != "log" or problem.source != "network":
            return False
        return ((problem.text, problem.url) == fetch
                or (problem.text.startswith(websocket)
                    and problem.text.endswith("net::ERR_CONNECTION_REFUSED")))

    return expected


class Expected:
    """The problems a test declared it would cause, as they are reported."""

    def __init__(self, expectation: Expectation) -> None:
        self.expectation = expectation
        self.seen: list[Problem] = []
        self._arrived = asyncio.Event()

    def add(self, problem: Problem) -> None:
        self.seen.append(problem)
        self._arrived.set()

    async def first(self, timeout: float = 10.0) -> Problem:
        """Wait until one has been reported."""
        await asyncio.wait_for(self._arrived.wait(), timeout)
        return self.seen[0]


class Chromium:
    """One browser process; pages are flat DevTools sessions on its one socket."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.profile = workdir / "profile"
        self.log_path = workdir / "chromium.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.socket: ClientConnection | None = None
        self.reader: asyncio.Task[None] | None = None
        self.pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self.listeners: list[Callable[[dict[str, Any]], None]] = []
        self.ids = iter(range(1, 10**9))

    async def __aenter__(self) -> Chromium:
        executable = chromium_executable()
        self.profile.mkdir(parents=True)
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                [executable, *CHROMIUM_FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            )
        # Chromium writes its DevTools port here once it listens; polled, as nothing else
        # announces it.
        port_file = self.profile / "DevToolsActivePort"
        deadline = time.monotonic() + 60
        while not (port_file.exists() and len(port_file.read_text().splitlines()) >= 2):
            if self.process.poll() is not None or time.monotonic() > deadline:
                await self.close()
                raise RuntimeError(
                    f"Chromium did not start:\n{self.log_path.read_text()[-3000:]}")
            await asyncio.sleep(0.05)
        port, path = port_file.read_text().splitlines()[:2]
        self.socket = await connect(f"ws://127.0.0.1:{port}{path}", max_size=None)
        self.reader = asyncio.create_task(self._read())
        return self

    async def _read(self) -> None:
        assert self.socket is not None
        async for raw in self.socket:
            message = json.loads(raw)
            future = self.pending.pop(message.get("id", -1), None)
            if future is not None and not future.done():
                future.set_result(message)
            elif "method" in message:
                for listener in self.listeners:
                    listener(message)

    async def send(self, method: str, params: dict[str, Any] | None = None,
                   session: str | None = None, timeout: float = 30) -> dict[str, Any]:
        assert self.socket is not None
        message_id = next(self.ids)
        message: dict[str, Any] = {"id": message_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        future = asyncio.get_running_loop().create_future()
        self.pending[message_id] = future
        await self.socket.send(json.dumps(message))
        reply = await asyncio.wait_for(future, timeout)
        if "error" in reply:
            raise DevToolsError(f"{method}: {reply['error']}")
        return reply["result"]

    async def new_page(self) -> Page:
        target = await self.send("Target.createTarget", {"url": "about:blank"})
        attached = await self.send("Target.attachToTarget",
                                   {"targetId": target["targetId"], "flatten": True})
        page = Page(self, attached["sessionId"])
        self.listeners.append(page.on_event)
        for domain in ("Page", "Runtime", "Log"):
            await page.send(f"{domain}.enable")
        await page.send("Emulation.setDeviceMetricsOverride",
                        {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1,
                         "mobile": False})
        return page

    async def close(self) -> None:
        if self.socket is not None:
            with contextlib.suppress(Exception):
                await self.send("Browser.close", timeout=5)
            await self.socket.close()
        if self.reader is not None:
            self.reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.reader
        if self.process is not None:
            try:
                await asyncio.to_thread(self.process.wait, 10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                await asyncio.to_thread(self.process.wait, 10)

    async def __aexit__(self, *exc_info: Any) -> None:
        await self.close()


class Page:
    def __init__(self, browser: Chromium, session: str) -> None:
        self.browser = browser
        self.session = session
        self.reported: list[Problem] = []  # unexpected: what `problems` shows
        self._expecting: list[Expected] = []
        self._bindings: dict[str, Callable[[str], None]] = {}

    @property
    def problems(self) -> list[str]:
        """Unexpected uncaught exceptions, console errors and logged errors, as text."""
        return [p.text for p in self.reported]

    def on_event(self, message: dict[str, Any]) -> None:
        if message.get("sessionId") != self.session:
            return
        method, params = message["method"], message.get("params", {})
        if method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            self._problem(Problem("exception", details.get("exception", {}).get("description")
                                  or details.get("text", "exception"), url=details.get("url", "")))
        elif method == "Runtime.consoleAPICalled" and params.get("type") == "error":
            self._problem(Problem("console", " ".join(
                str(a.get("value", a.get("description"))) for a in params.get("args", []))))
        elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
            entry = params["entry"]
            self._problem(Problem("log", entry.get("text", ""), entry.get("source", ""),
                                  entry.get("url", "")))
        elif method == "Runtime.bindingCalled" and params.get("name") in self._bindings:
            self._bindings[params["name"]](params.get("payload", ""))

    def _problem(self, problem: Problem) -> None:
        for expected in self._expecting:
            if expected.expectation(problem):
                expected.add(problem)
                return
        self.reported.append(problem)

    @contextlib.contextmanager
    def expecting(self, expectation: Expectation) -> Iterator[Expected]:
        """Problems matching ``expectation`` while inside the block are the test's own doing:
        collected in the :class:`Expected` yielded, not problems of the page."""
        expected = Expected(expectation)
        self._expecting.append(expected)
        try:
            yield expected
        finally:
            self._expecting.remove(expected)

    async def bind(self, name: str, handler: Callable[[str], None]) -> None:
        """``window[name](text)`` in the page calls ``handler(text)`` here, as it happens."""
        self._bindings[name] = handler
        await self.send("Runtime.addBinding", {"name": name})

    async def send(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return await self.browser.send(method, params, session=self.session)

    async def evaluate(self, expression: str) -> Any:
        result = await self.send("Runtime.evaluate", {
            "expression": expression, "returnByValue": True, "awaitPromise": True,
        })
        if "exceptionDetails" in result:
            raise DevToolsError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    async def goto(self, url: str) -> None:
        await self.send("Page.navigate", {"url": url})
        await self.wait_for("document.readyState === 'complete'")

    async def wait_for(self, expression: str, timeout: float = 60.0,
                       interval: float = 0.02) -> Any:
        """Poll ``expression`` in the page until it is truthy (the page announces nothing, so
        its state is polled); fail after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            value = await self.evaluate(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {expression}; "
                                     f"problems on the page: {self.problems}")
            await asyncio.sleep(interval)

    async def type(self, selector: str, text: str) -> None:
        await self.evaluate(f"document.querySelector({json.dumps(selector)}).focus()")
        await self.send("Input.insertText", {"text": text})

    async def click(self, selector: str) -> None:
        box = await self.evaluate(f"""(() => {{
            const r = document.querySelector({json.dumps(selector)}).getBoundingClientRect();
            return [r.x + r.width / 2, r.y + r.height / 2]; }})()""")
        for kind in ("mousePressed", "mouseReleased"):
            await self.send("Input.dispatchMouseEvent", {
                "type": kind, "x": box[0], "y": box[1], "button": "left", "clickCount": 1})

    async def text(self, selector: str) -> str:
        return await self.evaluate(
            f"(document.querySelector({json.dumps(selector)}) || {{}}).textContent || ''")

    async def screenshot(self, path: Path) -> bytes:
        shot = await self.send("Page.captureScreenshot", {"format": "png"})
        data = base64.b64decode(shot["data"])
        path.write_bytes(data)
        return data
