"""The command center's wall display in a real headless Chromium (Debian's `chromium`),
driven over the DevTools protocol (tests/e2e/chromium.py). The server is the real ASGI app
under uvicorn on a loopback port, in the test's event loop (so it shares the test database),
and can be stopped and started again on the same port to cut the wall's connection.

How fast the wall shows a new report is measured by bench/wall/run.py, not asserted here.
"""

from __future__ import annotations

import asyncio
import json
import struct
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

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
from tests.e2e.chromium import (  # noqa: F401 (re-exported for other browser tests)
    HEIGHT,
    WIDTH,
    Chromium,
    ChromiumNotFound,
    DevToolsError,
    Page,
    connection_refused,
)

pytestmark = pytest.mark.slow

OPERATOR_PHONE = "+6281100000002"
OPERATOR_PASSWORD = "menara-balai-kota-5"
BUMIAJI = (-7.8530, 112.5250)
JUNREJO = (-7.9050, 112.5600)


@pytest.fixture
async def chromium(tmp_path: Path) -> AsyncIterator[Chromium]:
    try:
        browser = await Chromium(tmp_path / "chromium").__aenter__()
    except ChromiumNotFound as exc:
        pytest.fail(f"The wall display test needs Chromium. {exc}", pytrace=False)
    try:
        yield browser
    finally:
        await browser.close()


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
        # uvicorn announces nothing but its `started` flag: polled until it listens.
        deadline = time.monotonic() + 60  # bounds a broken start only
        while time.monotonic() < deadline:
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


async def test_wall_display_shows_open_cases_and_new_reports_live(
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

    # A resident reports; the wall shows it (how fast: bench/wall/run.py).
    tree = await api.submit(resident_token, categoryCode="pohon_tumbang", at=JUNREJO)
    await page.wait_for(in_feed(tree["ticketNumber"]))
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
    # While it is away, the wall's reconnection attempts are refused and Chromium logs each
    # refusal: those entries (and only those) are expected.
    with page.expecting(connection_refused(live.address)) as refusals:
        await live.stop()
        await page.wait_for(
            "document.getElementById('connection').dataset.state === 'reconnecting'")
        while_away = await Api(client).submit(resident_token, categoryCode="longsor",
                                              at=BUMIAJI)
        assert not await page.evaluate(in_feed(while_away["ticketNumber"]))
        # The wall keeps trying: wait for a refused attempt, so every run covers it.
        await refusals.first()

        # Back: the wall resubscribes from its last cursor and shows what it missed, once.
        await live.start()
        await page.wait_for("document.getElementById('connection').dataset.state === 'live'",
                            timeout=20)
    await page.wait_for(in_feed(while_away["ticketNumber"]))
    after = await api.submit(resident_token, categoryCode="pju", at=JUNREJO)
    await page.wait_for(in_feed(after["ticketNumber"]))
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
        await page.wait_for(in_feed(complaint["ticketNumber"]))
        assert page.problems == []
    finally:
        await server.stop()
