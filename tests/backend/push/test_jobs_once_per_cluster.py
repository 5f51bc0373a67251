"""Two real `batt serve` processes on one PostgreSQL, jobs on: each missed deadline is flagged
once and each push reaches the (fake) FCM once, whichever process runs the job."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import textwrap
from collections import Counter
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from among_warga.categories import seed_categories
from among_warga.events import ComplaintEvent
from among_warga.models import Complaint, ComplaintCategory, ComplaintStatus, Dispatch
from backend.accounts import services as accounts
from backend.accounts.models import Role, Skpd, UserRole
from backend.clock import utcnow
from backend.events import unit_of_work
from backend.events.models import DomainEvent
from backend.push.models import Device, Platform, PushMessage, PushStatus
from backend.push.services import enqueue_push
from backend.settings import Settings
from tests.backend.push.conftest import write_service_account
from tests.backend.push.fake_fcm import FakeFcm
from tests.command_center.conftest import free_port
from tests.conftest import PROJECT_ROOT
from tests.e2e.test_serve import BATT

pytestmark = [pytest.mark.postgres_only, pytest.mark.slow]

# firebase-admin has no setting for FCM's address (see the fcm_settings fixture): each server
# process applies the same two redirections at start-up, through a sitecustomize module on
# its PYTHONPATH, before `batt serve` runs unchanged.
SITECUSTOMIZE = textwrap.dedent('''
    import os

    from firebase_admin import messaging
    from google.auth import _regional_access_boundary_utils

    _fake = os.environ["BATT_TEST_FAKE_FCM_URL"]
    messaging._MessagingService.FCM_URL = _fake + "/v1/projects/{0}/messages:send"
    _regional_access_boundary_utils.get_service_account_rab_endpoint = (
        lambda email: f"{_fake}/v1/projects/-/serviceAccounts/{email}/allowedLocations")
''')
OVERDUE = 8
QUEUED = 12


async def device(user_id: int, token: str) -> None:
    await Device.create(user_id=user_id, token=token, platform=Platform.ANDROID,
                        last_seen_at=utcnow())


async def overdue_cases() -> dict[str, int]:
    """Cases past their deadline when the servers start: half waiting for triage, half
    dispatched to Dinas PUPR and not accepted. Returns device tokens → user ids."""
    await seed_categories()
    dpupr = await Skpd.create(code="dpupr", name="Dinas PUPR")
    operator = await accounts.create_user(name="Operator", phone="+6281234000001",
                                          password="sandi-operator-1", roles=[Role.OPERATOR])
    supervisor = await accounts.create_user(name="Kepala Seksi PUPR", phone="+6281234000002",
                                            password="sandi-pupr-1", roles=[Role.RESPONDER],
                                            skpd_code="dpupr")
    await UserRole.filter(user_id=supervisor.id, role=Role.RESPONDER).update(supervisor=True)
    resident = await accounts.create_user(name="Warga Temas", phone="+6281234000003",
                                          password="sandi-warga-1", roles=[Role.CITIZEN])
    tokens = {"operator-phone": operator.id, "supervisor-phone": supervisor.id,
              "resident-phone": resident.id}
    for token, user_id in tokens.items():
        await device(user_id, token)

    road = await ComplaintCategory.get(code="jalan_rusak")
    past = utcnow() - timedelta(hours=3)
    for n in range(OVERDUE):
        dispatched = n % 2 == 1
        complaint = await Complaint.create(
            ticket_number=f"BTU-TEST-{n:05d}", reporter=resident, category=road,
            description="Jalan berlubang di depan sekolah, membahayakan pengendara motor.",
            lat=-7.8785, lon=112.5385, village_code="batu-temas", village_name="Temas",
            status=ComplaintStatus.DISPATCHED if dispatched else ComplaintStatus.SUBMITTED,
            client_request_id=f"cluster-test-{n}", request_fingerprint="x" * 64,
            sla_due_at=past + timedelta(minutes=n),
        )
        if dispatched:
            await Dispatch.create(complaint=complaint, skpd=dpupr, dispatched_by=operator)
    # Pushes already waiting in the outbox: both processes' push jobs start on them at once.
    async with unit_of_work():
        for n in range(QUEUED):
            await enqueue_push([resident.id], title=f"Laporan {n}", body="Pesan uji.",
                               data={"kind": "test", "n": str(n)}, dedupe_key=f"queued:{n}")
    return tokens


def start_server(settings: Settings, tmp_path: Path, name: str, credentials: Path,
                 fake_fcm: FakeFcm) -> tuple[subprocess.Popen, int, Path]:
    port = free_port()
    log_path = tmp_path / f"{name}.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BATT_", "FIREBASE_"))}
    env.update(
        BATT_DATABASE_URL=settings.database_url, BATT_SECRET_KEY=settings.secret_key,
        BATT_VAR_DIR=str(tmp_path / name), BATT_MEDIA_DIR=str(settings.media_dir),
        BATT_FIREBASE_CREDENTIALS=str(credentials), BATT_TEST_FAKE_FCM_URL=fake_fcm.url,
        PYTHONPATH=os.pathsep.join([str(tmp_path / "site"), str(PROJECT_ROOT)]),
    )
    with open(log_path, "w") as log:
        server = subprocess.Popen([BATT, "serve", "--port", str(port), "--log-level", "info"],
                                  env=env, stdout=log, stderr=subprocess.STDOUT)
    return server, port, log_path


async def wait_ready(server: subprocess.Popen, port: int, log_path: Path) -> None:
    async with httpx.AsyncClient() as http, asyncio.timeout(60):
        while True:  # a new process announces nothing: its readiness endpoint is polled
            assert server.poll() is None, log_path.read_text()
            try:
                if (await http.get(f"http://127.0.0.1:{port}/readyz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)


async def all_done(expected_pushes: int) -> None:
    """Until every deadline is flagged and every push has left the outbox (polled: the work
    happens in other processes)."""
    async with asyncio.timeout(90):
        while True:
            flagged = await DomainEvent.filter(type=ComplaintEvent.COMPLAINT_OVERDUE.value).count()
            pushes = await PushMessage.all().count()
            pending = await PushMessage.filter(status=PushStatus.PENDING).count()
            if flagged >= OVERDUE and pushes >= expected_pushes and pending == 0:
                return
            await asyncio.sleep(0.1)


async def test_two_servers_flag_each_deadline_once_and_send_each_push_once(
    settings: Settings, fake_fcm: FakeFcm, service_account_key: rsa.RSAPrivateKey,
    tmp_path: Path,
):
    tokens = await overdue_cases()
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "sitecustomize.py").write_text(SITECUSTOMIZE)
    credentials = write_service_account(tmp_path / "service-account.json",
                                        service_account_key, fake_fcm)
    # Each overdue case pushes to the operator, a dispatched one also to the SKPD supervisor.
    expected_pushes = QUEUED + OVERDUE + OVERDUE // 2

    servers = [start_server(settings, tmp_path, name, credentials, fake_fcm)
               for name in ("worker-a", "worker-b")]
    try:
        for server, port, log_path in servers:
            await wait_ready(server, port, log_path)
        await all_done(expected_pushes)
    finally:
        for server, _, _ in servers:
            server.terminate()
        for server, _, _ in servers:
            server.wait(20)
    # Both processes are gone: nothing more can be flagged or sent from here on.
    logs = [log_path.read_text() for _, _, log_path in servers]

    # One OVERDUE event per deadline, all cases flagged.
    overdue = await DomainEvent.filter(type=ComplaintEvent.COMPLAINT_OVERDUE.value)
    assert sorted(Counter(e.subject_id for e in overdue).values()) == [1] * OVERDUE
    assert await Complaint.filter(overdue_flagged_for__isnull=True).count() == 0

    # Every push claimed once and delivered once; FCM got exactly one message per push.
    rows = await PushMessage.all()
    assert len(rows) == expected_pushes
    assert {(r.status, r.attempts) for r in rows} == {(PushStatus.SENT, 1)}
    owner = {user_id: token for token, user_id in tokens.items()}
    sent = Counter((s.message["token"], s.message["data"].get("kind"),
                    s.message["data"].get("complaintId") or s.message["data"].get("n"))
                   for s in fake_fcm.sends)
    wanted = Counter((owner[r.user_id], r.data["kind"], r.data.get("complaintId") or r.data["n"])
                     for r in rows)
    assert sent == wanted and set(sent.values()) == {1}

    # Both processes ran the job loop under the cluster lock; the runs that flagged deadlines
    # flagged each once between them.
    for log in logs:
        assert "one process of the cluster at a time" in log, log
    flagged_per_run = [int(n) for log in logs
                       for n in re.findall(r"job flag-overdue-cases: done in \d+ ms: (\d+)", log)]
    assert sum(flagged_per_run) == OVERDUE, logs
