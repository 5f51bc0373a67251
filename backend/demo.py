"""Kota Batu demo data: the agencies (SKPD), default category routing, one account per role.

Idempotent: running it again adds what is missing and changes nothing else. Demo accounts get
random passwords, printed once when they are created (never stored in clear anywhere).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass

from tortoise.transactions import in_transaction

from among_warga.categories import DEFAULT_CATEGORIES, seed_categories
from backend.accounts import services as accounts
from backend.accounts.models import Role, Skpd, User
from backend.geo.services import load_demo_areas
from command_center.models import RoutingRule

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
)

# Default routing from the BATT paper; "lainnya" (other) has no rule: the command center
# decides case by case.
ROUTING: tuple[tuple[str, str, str], ...] = (
    ("jalan_rusak", "dpupr", ""),
    ("kemacetan", "dishub", ""),
    ("lampu_lalu_lintas", "dishub", ""),
    ("pju", "dishub", ""),
    ("sampah", "dlh", ""),
    ("pohon_tumbang", "dlh", ""),
    ("pohon_tumbang", "bpbd", "when the tree blocks a road"),
    ("longsor", "bpbd", ""),
    ("kebakaran", "damkar", ""),
    ("iklan_liar", "satpolpp", ""),
    ("pkl_liar", "satpolpp", ""),
    ("narkoba", "bnn", ""),
    ("pertanian", "distan", ""),
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
)


async def seed_demo(echo: Callable[[str], None] = print) -> dict[str, str]:
    """Load the demo data; returns {phone: password} for the accounts created this time."""
    async with in_transaction():
        for code, name in SKPDS:
            await Skpd.get_or_create(code=code, defaults={"name": name})
        skpds = {s.code: s for s in await Skpd.all()}
        for category, skpd_code, note in ROUTING:
            await RoutingRule.get_or_create(
                category_code=category,
                area_code=None,
                skpd=skpds[skpd_code],
                defaults={"note": note},
            )
        await seed_categories()
    echo(f"SKPD: {len(SKPDS)} agencies; routing: {len(ROUTING)} default rules; "
         f"{len(DEFAULT_CATEGORIES)} complaint categories.")

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
