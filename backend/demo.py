"""Kota Batu demo data: reference data (agencies, routing, categories, areas, one account per
role), then a plausible past week of activity written through the real services.

Idempotent: running it again adds what is missing and changes nothing else. Demo accounts get
random passwords, printed once when they are created (never stored in clear anywhere).

**How a domain adds demo activity.** A :class:`DemoLoader` plans :class:`DemoStep` objects,
each a call into the domain's own services at a moment of the past week. The steps of every
loader are merged and played in time order, each with the clock (:func:`backend.clock.frozen_at`)
and the ORM's automatic timestamps set to its moment, all in one transaction: the rows,
timelines, deadlines, events (ids in the order they happened) and pushes come out as if the
week had really taken place, and a failed load leaves nothing behind. Loaders run in list
order and may leave a plan for later ones in :attr:`DemoContext.shared` (the command center's
triage works on the complaints Among Warga planned). A loader whose data is already in the
database plans nothing.

Demo people who are not sign-in accounts (the reporters, the agencies' field staff) have no
password; they exist so that the week has plausible actors. Their phone numbers are in the
+62 811 0001 xxxx range.
"""

from __future__ import annotations

import contextlib
import itertools
import random
import secrets
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import tortoise.timezone
from tortoise.expressions import Subquery
from tortoise.transactions import in_transaction

from backend.accounts import services as accounts
from backend.accounts.models import SKPD_ROLES, Role, Skpd, User, UserRole
from backend.clock import frozen_at, utcnow
from backend.events import unit_of_work
from backend.events.handlers import drain
from backend.geo.services import load_demo_areas
from backend.media.storage import Storage, storage_for
from backend.push.models import Device, PushMessage, PushStatus
from backend.settings import Settings

SKPDS: tuple[tuple[str, str], ...] = (
    ("dpupr", "Dinas Pekerjaan Umum dan Penataan Ruang (PUPR)"),
    ("dishub", "Dinas Perhubungan"),
    ("dlh", "Dinas Lingkungan Hidup"),
    ("bpbd", "Badan Penanggulangan Bencana Daerah (BPBD)"),
    ("damkar", "Pemadam Kebakaran (Damkar)"),
    ("satpolpp", "Satuan Polisi Pamong Praja (Satpol PP)"),
    ("bnn", "BNN Kota Batu"),
    ("distan", "Dinas Pertanian"),
    ("diskominfo", "Dinas Komunikasi dan Informatika (Diskominfo)"),
    ("dispar", "Dinas Pariwisata"),
    ("dinkes", "Dinas Kesehatan"),
)

@dataclass(frozen=True)
class DemoAccount:
    name: str
    phone: str
    roles: tuple[Role, ...]
    skpd: str | None = None


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("Admin Diskominfo", "+6281100000001", (Role.ADMIN,)),
    DemoAccount("Operator Command Center", "+6281100000002", (Role.OPERATOR,)),
    DemoAccount("Petugas Dinas PUPR", "+6281100000003", (Role.RESPONDER,), "dpupr"),
    DemoAccount("Petugas DLH", "+6281100000004", (Role.RESPONDER,), "dlh"),
    DemoAccount("Siti Warga Sisir", "+6281100000005", (Role.CITIZEN,)),
    DemoAccount("Pak Tani Bumiaji", "+6281100000006", (Role.FARMER, Role.CITIZEN)),
    DemoAccount("Toko Buah Batu", "+6281100000007", (Role.BUYER, Role.CITIZEN)),
    DemoAccount("PPL Dinas Pertanian", "+6281100000008", (Role.EXTENSION_OFFICER,)),
    DemoAccount("Editor Dinas Pariwisata", "+6281100000009", (Role.CONTENT_EDITOR,), "dispar"),
)
OPERATOR_PHONE = "+6281100000002"
# Demo actors without a password (reporters, field staff): +62 811 0001 xxxx.
ACTOR_PHONE_PREFIX = "+628110001"
DEMO_WEEK = timedelta(days=7)


# -- demo activity: loaders, steps, context ----------------------------------------------------


@dataclass(frozen=True)
class DemoStep:
    """One call into a domain's services at a moment of the demo week."""

    at: datetime
    run: Callable[[], Awaitable[object]]
    label: str = ""


@dataclass
class DemoContext:
    settings: Settings
    # The moment the demo is loaded: the week of activity ends here.
    now: datetime
    storage: Storage
    echo: Callable[[str], None] = print
    # What one loader plans for later ones (e.g. "among_warga.week": the planned cases).
    shared: dict[str, Any] = field(default_factory=dict)
    # One line each, printed once the week has been played.
    summaries: list[Callable[[], Awaitable[str]]] = field(default_factory=list)
    _users: dict[str, User] = field(default_factory=dict)
    _skpds: list[Skpd] = field(default_factory=list)

    def rng(self, name: str) -> random.Random:
        """The same random choices on every load, per loader."""
        return random.Random(f"batt-demo:{name}")

    async def actor(self, name: str, phone: str, roles: tuple[Role, ...],
                    skpd: str | None = None, *, supervisor: bool = False) -> User:
        """A demo person without a password (cannot sign in); created once."""
        user = await User.get_or_none(User.identified_by(phone=phone))
        if user is not None:
            return user
        user = await User.create(name=name, phone=phone, password_hash=None)
        skpd_row = await Skpd.get(code=skpd) if skpd else None
        for role in roles:
            await UserRole.create(user=user, role=role,
                                  skpd=skpd_row if role in SKPD_ROLES else None,
                                  supervisor=supervisor and role == Role.RESPONDER)
        return user

    async def user(self, phone: str) -> User:
        """A demo account or actor by phone (looked up once)."""
        if phone not in self._users:
            self._users[phone] = await User.get(User.identified_by(phone=phone))
        return self._users[phone]

    async def skpds(self) -> list[Skpd]:
        if not self._skpds:
            self._skpds = list(await Skpd.all())
        return self._skpds

    async def skpd(self, code: str) -> Skpd:
        return next(s for s in await self.skpds() if s.code == code)


@dataclass(frozen=True)
class DemoLoader:
    name: str
    # Steps to play, or [] when this loader's data is already in the database.
    plan: Callable[[DemoContext], Awaitable[list[DemoStep]]]
    # Reference data the domain needs (categories, routing rules …), written before the demo
    # accounts are created; idempotent. Returns a line to print, or None.
    reference: Callable[[DemoContext], Awaitable[str | None]] | None = None


def demo_loaders() -> list[DemoLoader]:
    """Every installed domain's demo loader (``Domain.demo``), in domain order: a domain's
    loader runs after those of the domains it depends on, so it can build on their plans."""
    from backend import domains

    return domains.collect("demo")


@contextlib.contextmanager
def _orm_follows_clock() -> Iterator[None]:
    """Tortoise stamps ``auto_now``/``auto_now_add`` fields from its own clock, which knows
    nothing of :func:`frozen_at`; while the demo week is written it asks ours. Scoped to the
    demo load (nothing else runs in that process meanwhile), and restored after."""
    original = tortoise.timezone.now
    tortoise.timezone.now = utcnow
    try:
        yield
    finally:
        tortoise.timezone.now = original


async def play(context: DemoContext, loaders: list[DemoLoader]) -> int:
    """Plan every loader, then play all steps in time order in one transaction."""
    steps: list[DemoStep] = []
    for loader in loaders:
        steps += await loader.plan(context)
    if not steps:
        return 0
    order = itertools.count()
    ordered = sorted(steps, key=lambda s: (s.at, next(order)))  # stable for equal moments
    late = [s for s in ordered if s.at > context.now]
    if late:
        raise ValueError(f"demo step {late[0].label!r} is planned after the demo's end")
    first_push = await _next_push_id()
    with _orm_follows_clock():
        async with unit_of_work():
            for step in ordered:
                with frozen_at(step.at):
                    await step.run()
    # The week's reactions (pushes) come from the event handlers, as in a server.
    await drain()
    await _pushes_are_history(first_push, context.now)
    return len(ordered)


async def _next_push_id() -> int:
    last = await PushMessage.all().order_by("-id").first()
    return last.id + 1 if last else 1


async def _pushes_are_history(first_id: int, now: datetime) -> None:
    """The week's pushes went out during the week: the demo people have no devices, so there
    was nothing to send (left pending, a server would work through them on start and log
    each one when Firebase is not configured)."""
    with_devices = Device.all().values("user_id")
    await PushMessage.filter(id__gte=first_id, status=PushStatus.PENDING).exclude(
        user_id__in=Subquery(with_devices)).update(status=PushStatus.NO_DEVICES,
                                                   finished_at=now)


# -- the whole demo --------------------------------------------------------------------------


async def seed_demo(settings: Settings, echo: Callable[[str], None] = print) -> dict[str, str]:
    """Load the demo data; returns {phone: password} for the accounts created this time."""
    loaders = demo_loaders()
    context = DemoContext(settings=settings, now=utcnow(), storage=storage_for({}, settings),
                          echo=echo)
    async with in_transaction():
        for code, name in SKPDS:
            await Skpd.get_or_create(code=code, defaults={"name": name})
        lines = [f"SKPD: {len(SKPDS)} agencies"]
        for loader in loaders:
            if loader.reference is not None:
                line = await loader.reference(context)
                if line:
                    lines.append(line)
    echo("; ".join(lines) + ".")

    await load_demo_areas(echo)

    created: dict[str, str] = {}
    for account in DEMO_ACCOUNTS:
        if await User.exists(User.identified_by(phone=account.phone)):
            continue
        password = "batu-" + secrets.token_urlsafe(9)
        await accounts.create_user(
            name=account.name,
            phone=account.phone,
            password=password,
            roles=list(account.roles),
            skpd_code=account.skpd,
        )
        created[account.phone] = password

    started = time.monotonic()
    context.now = utcnow()
    steps = await play(context, loaders)
    for summary in context.summaries:
        echo(await summary())
    if steps:
        echo(f"Demo week: {steps} steps played in {time.monotonic() - started:.1f} s.")
    else:
        echo("Demo week already loaded.")

    if created:
        echo("Demo accounts (passwords are shown only now — note them):")
        for account in DEMO_ACCOUNTS:
            if account.phone in created:
                roles = ", ".join(r.value for r in account.roles)
                skpd = f" @ {account.skpd}" if account.skpd else ""
                password = created[account.phone]
                echo(f"  {roles + skpd:<28} {account.phone}  {password}  ({account.name})")
    else:
        echo("Demo accounts already exist (their passwords were printed when first created).")
    return created
