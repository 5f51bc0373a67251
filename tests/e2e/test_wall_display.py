"""The command center's wall display in a real headless Chromium (Debian's `chromium`).

The browser is driven over the Chrome DevTools Protocol with `websockets` (already a
dependency): no browser download, no driver binary, nothing that must match Chromium's
version beyond a handful of long-stable protocol methods. The server is the real ASGI app
under uvicorn on a loopback port, in the test's event loop (so it shares the test database),
and can be stopped and started again on the same port to cut the wall's connection.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import shutil
import struct
import subprocess
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from websockets.asyncio.client import ClientConnection, connect

from among_warga.categories import seed_categories
from among_warga.models import Complaint
from backend.accounts import services as accounts
from backend.accounts.models import Role, Skpd
from backend.app import create_app
from backend.clock import utcnow
from backend.geo.services import load_demo_areas
from backend.settings import Settings
from tests.among_warga.test_complaints import SUBMIT, complaint_input, upload_photo
from tests.command_center.conftest import free_port

pytestmark = pytest.mark.slow

CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--remote-debugging-port=0", "--window-size=1920,1080",
)
WIDTH, HEIGHT = 1920, 1080
OPERATOR_PHONE = "+6281100000002"
OPERATOR_PASSWORD = "menara-balai-kota-5"
BUMIAJI = (-7.8530, 112.5250)
JUNREJO = (-7.9050, 112.5600)


def chromium_executable() -> str:
    path = shutil.which(os.environ.get("BATT_CHROMIUM") or "chromium") \
        or shutil.which("chromium-browser")
    if not path:
        pytest.fail(
            "The wall display test needs Chromium and did not find it: install Debian's "
            "package with `apt-get install -y chromium` (or set BATT_CHROMIUM to its path).",
            pytrace=False,
        )
    return path


class DevToolsError(Exception):
    pass


class Chromium:
    """Just enough of the DevTools protocol: one browser process, pages as flat sessions."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.profile = workdir / "profile"
        self.log_path = workdir / "chromium.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.socket: ClientConnection | None = None
        self.reader: asyncio.Task[None] | None = None
        self.pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self.listeners: list[Any] = []
        self.ids = iter(range(1, 10**9))

    async def __aenter__(self) -> Chromium:
        executable = chromium_executable()
        self.profile.mkdir(parents=True)
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                [executable, *CHROMIUM_FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            )
        port_file = self.profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (port_file.exists() and len(port_file.read_text().splitlines()) >= 2):
            if self.process.poll() is not None or time.monotonic() > deadline:
                await self.close()
                pytest.fail(f"Chromium did not start:\n{self.log_path.read_text()[-3000:]}")
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
        self.problems: list[str] = []  # uncaught exceptions, console errors, CSP violations

    def on_event(self, message: dict[str, Any]) -> None:
        if message.get("sessionId") != self.session:
            return
        method, params = message["method"], message.get("params", {})
        if method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            self.problems.append(details.get("exception", {}).get("description")
                                 or details.get("text", "exception"))
        elif method == "Runtime.consoleAPICalled" and params.get("type") == "error":
            self.problems.append(" ".join(str(a.get("value", a.get("description")))
                                          for a in params.get("args", [])))
        elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
            self.problems.append(params["entry"].get("text", ""))

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

    async def wait_for(self, expression: str, timeout: float = 10.0,
                       interval: float = 0.02) -> Any:
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


@pytest.fixture
async def chromium(tmp_path: Path) -> AsyncIterator[Chromium]:
    async with Chromium(tmp_path / "chromium") as browser:
        yield browser


@pytest.fixture
async def city() -> None:
    await load_demo_areas(echo=lambda *_: None)
    await seed_categories()
    for code, name in (("dpupr", "Dinas Pekerjaan Umum dan Penataan Ruang (PUPR)"),
                       ("dlh", "Dinas Lingkungan Hidup"), ("bpbd", "BPBD")):
        await Skpd.create(code=code, name=name)
    await accounts.create_user(name="Operator Command Center", phone=OPERATOR_PHONE,
                               password=OPERATOR_PASSWORD, roles=[Role.OPERATOR])


class Api:
    """The resident's app and the operator's console, over real HTTP to the live server."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def __call__(self, query: str, variables: dict[str, Any] | None = None,
                       token: str | None = None) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = await self.http.post("/graphql", json={"query": query,
                                                          "variables": variables or {}},
                                        headers=headers)
        assert response.status_code == 200, response.text
        body = response.json()
        assert not body.get("errors"), body
        return body["data"]

    async def login(self, phone: str, password: str) -> str:
        data = await self("mutation($i: LoginInput!) { login(input: $i) { accessToken } }",
                          {"i": {"identifier": phone, "password": password}})
        return data["login"]["accessToken"]

    async def submit(self, token: str, **overrides: Any) -> dict[str, Any]:
        photo = await upload_photo(self.http, token, seed=len(overrides))
        data = await self(SUBMIT, {"input": complaint_input([photo], **overrides)}, token=token)
        assert data["submitComplaint"]["errors"] == [], data
        return data["submitComplaint"]["complaint"]


class LiveServer:
    """uvicorn on a fixed loopback port; stop() drops every connection, start() comes back."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.port = free_port()
        self.address = f"127.0.0.1:{self.port}"
        self.server: uvicorn.Server | None = None
        self.task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        app = create_app(self.settings, manage_db=False, run_jobs=False)
        self.server = uvicorn.Server(uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning",
            ws="websockets-sansio", lifespan="on", timeout_graceful_shutdown=5))
        self.task = asyncio.create_task(self.server.serve())
        for _ in range(250):
            if self.server.started:
                return
            assert not self.task.done(), "the server stopped while starting"
            await asyncio.sleep(0.02)
        raise AssertionError("the server did not start")

    async def stop(self) -> None:
        if self.server is not None and self.task is not None:
            self.server.should_exit = True
            await asyncio.wait_for(self.task, 15)
        self.server = self.task = None


@pytest.fixture
async def live(settings: Settings) -> AsyncIterator[LiveServer]:
    server = LiveServer(settings)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def api(live: LiveServer) -> AsyncIterator[Api]:
    async with httpx.AsyncClient(base_url=f"http://{live.address}", timeout=30) as http:
        yield Api(http)


@pytest.fixture
async def resident_token(api: Api) -> str:
    phone = "+6285712340001"
    await accounts.create_user(name="Siti Rahayu", phone=phone, password="apel-manalagi",
                               roles=[Role.CITIZEN])
    return await api.login(phone, "apel-manalagi")


async def open_wall(chromium: Chromium, address: str) -> Page:
    page = await chromium.new_page()
    await page.goto(f"http://{address}/command-center")
    await page.wait_for("!document.getElementById('signin').hidden")
    await page.type("#phone", OPERATOR_PHONE)
    await page.type("#password", OPERATOR_PASSWORD)
    await page.click("#signin-submit")
    await page.wait_for("document.getElementById('wall').dataset.ready === '1'")
    await page.wait_for("document.getElementById('connection').dataset.state === 'live'")
    return page


def in_feed(ticket: str) -> str:
    return f"document.getElementById('feed').textContent.includes({json.dumps(ticket)})"


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


async def test_wall_display_shows_a_new_complaint_within_a_second(
    city, live, api, resident_token, chromium, tmp_path
):
    operator_token = await api.login(OPERATOR_PHONE, OPERATOR_PASSWORD)

    # Cases already open when the wall is switched on: one dispatched and past its deadline.
    road = await api.submit(resident_token, categoryCode="jalan_rusak", at=BUMIAJI,
                            description="Jalan berlubang besar di depan balai desa Bumiaji.")
    garbage = await api.submit(resident_token)
    dpupr = await Skpd.get(code="dpupr")
    dispatched = await api(
        """mutation($id: ID!, $skpds: [ID!]!) { dispatchComplaint(id: $id, skpdIds: $skpds) {
             errors { code } } }""", {"id": road["id"], "skpds": [str(dpupr.id)]},
        token=operator_token)
    assert dispatched["dispatchComplaint"]["errors"] == []
    await Complaint.filter(id=int(road["id"])).update(sla_due_at=utcnow() - timedelta(hours=3))

    page = await open_wall(chromium, live.address)

    # The open cases are loaded: in the feed, on the map, the overdue one on the board.
    feed = await page.text("#feed")
    assert road["ticketNumber"] in feed and garbage["ticketNumber"] in feed
    assert "Jalan Rusak" in feed and "Sampah" in feed
    assert await page.evaluate("document.querySelectorAll('#map path.village').length") == 24
    assert await page.evaluate("document.querySelectorAll('#map g.case').length") == 2
    assert await page.evaluate(
        f"document.querySelector('#map g.case[data-case-id=\"{road['id']}\"]')"
        ".classList.contains('overdue')")
    assert road["ticketNumber"] in await page.text("#overdue")
    assert garbage["ticketNumber"] not in await page.text("#overdue")
    await page.wait_for("document.querySelector('#skpd tr[data-skpd=dpupr]') !== null")
    assert [int(x) for x in (await page.evaluate(
        "[...document.querySelectorAll('#skpd tr[data-skpd=dpupr] td')]"
        ".map(td => td.textContent)"))] == [1, 1, 1]  # open, overdue, awaiting acceptance
    clock, wib = await page.text("#clock"), utcnow() + timedelta(hours=7)
    assert clock.endswith(" WIB")
    assert clock[:5] in {f"{t:%H:%M}" for t in (wib, wib - timedelta(seconds=2))}

    # A resident reports; the wall shows it within one second of the submit response.
    tree = await api.submit(resident_token, categoryCode="pohon_tumbang", at=JUNREJO)
    submitted_at = time.monotonic()
    await page.wait_for(in_feed(tree["ticketNumber"]), timeout=5, interval=0.01)
    elapsed = time.monotonic() - submitted_at
    assert elapsed < 1.0, f"the wall showed the complaint after {elapsed:.2f} s"
    top = await page.evaluate("document.querySelector('#feed li').dataset.ticket")
    assert top == tree["ticketNumber"]  # newest on top
    await page.wait_for(f"document.querySelector('#map g.case[data-case-id=\"{tree['id']}\"]')")

    # Text from people is shown as text: an operator's reason with markup stays inert.
    reason = '<img src=x onerror="document.title=\'pwned\'"> Foto buram, mohon kirim ulang.'
    rejected = await api("""mutation($id: ID!, $r: String!) { rejectComplaint(id: $id, reason: $r)
                              { errors { code } } }""", {"id": garbage["id"], "r": reason},
                         token=operator_token)
    assert rejected["rejectComplaint"]["errors"] == []
    await page.wait_for(in_feed(reason))
    assert await page.evaluate("document.querySelectorAll('#feed img').length") == 0
    assert await page.evaluate("document.title") != "pwned"
    # A rejected case is no longer open: it leaves the map.
    await page.wait_for(
        f"!document.querySelector('#map g.case[data-case-id=\"{garbage['id']}\"]')")

    shot = await page.screenshot(tmp_path / "wall.png")
    assert png_size(shot) == (WIDTH, HEIGHT)
    assert len(shot) > 30_000, "the screenshot is nearly empty"
    assert page.problems == []


async def test_a_wall_that_lost_its_connection_resumes_without_a_gap(
    city, live, api, resident_token, chromium, client
):
    page = await open_wall(chromium, live.address)
    first = await api.submit(resident_token)
    await page.wait_for(in_feed(first["ticketNumber"]))

    # The server goes away; a report comes in meanwhile (through another process's app).
    await live.stop()
    await page.wait_for("document.getElementById('connection').dataset.state === 'reconnecting'")
    while_away = await Api(client).submit(resident_token, categoryCode="longsor", at=BUMIAJI)
    assert not await page.evaluate(in_feed(while_away["ticketNumber"]))

    # Back: the wall resubscribes from its last cursor and shows what it missed, once.
    await live.start()
    await page.wait_for("document.getElementById('connection').dataset.state === 'live'",
                        timeout=20)
    await page.wait_for(in_feed(while_away["ticketNumber"]), timeout=5)
    after = await api.submit(resident_token, categoryCode="pju", at=JUNREJO)
    await page.wait_for(in_feed(after["ticketNumber"]), timeout=2)
    tickets = await page.evaluate(
        "[...document.querySelectorAll('#feed li')].map(li => li.dataset.ticket)")
    assert tickets == [after["ticketNumber"], while_away["ticketNumber"], first["ticketNumber"]]
    # Markers follow the feed on the next frame.
    await page.wait_for("document.querySelectorAll('#map g.case').length === 3")
    assert page.problems == []


async def test_the_wall_refreshes_its_token_before_it_expires(
    city, settings, resident_token, chromium
):
    # Access tokens of 62 s: the wall refreshes a minute before expiry, so every ~2 s here.
    server = LiveServer(replace(settings, access_token_ttl_seconds=62))
    await server.start()
    try:
        page = await open_wall(chromium, server.address)
        stored = "JSON.parse(localStorage.getItem('batt.commandCenter.session'))"
        first = await page.evaluate(stored)
        seen = {first["refreshToken"]}
        for _ in range(2):  # two rotations, each spending the previous refresh token once
            token = await page.wait_for(
                f"(s => s && !{json.dumps(sorted(seen))}.includes(s.refreshToken)"
                f" && s.refreshToken)({stored})", timeout=10)
            seen.add(token)
        assert (await page.evaluate(stored))["accessToken"] != first["accessToken"]
        # Still signed in (a reused refresh token would have revoked the whole sign-in).
        assert await page.evaluate("document.getElementById('signin').hidden")
        async with httpx.AsyncClient(base_url=f"http://{server.address}", timeout=30) as http:
            complaint = await Api(http).submit(resident_token)
        await page.wait_for(in_feed(complaint["ticketNumber"]), timeout=2)
        assert page.problems == []
    finally:
        await server.stop()
