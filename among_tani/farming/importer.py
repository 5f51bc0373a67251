"""``batt farmers import FILE.csv``: load an existing by-name-by-address farmer list (the
Agriculture Office's spreadsheet, Simluhtan exports) into the registry.

Columns (a header row names them; order free; ``;`` or ``,`` separated, UTF-8 with or without
BOM): ``name`` and ``village`` (a village code such as ``batu-sidomulyo`` or its name) are
required; optional ``address``, ``phone``, ``nik``, ``farmer_group``, ``commodities`` (codes
separated by ``|`` or spaces), and a parcel: ``lat``, ``lon``, ``area_ha``, ``tenure``
(own/rent/share_crop/work_for_owner).

Every row is checked first; a bad row is reported with its line and reasons and changes
nothing; good rows are written, each in its own transaction. Idempotent: a farmer is known
again by NIK, else phone, else name + village + address (``ImportedFarmer.key``); an unchanged
row is skipped, a changed one updates the profile. Imported farmers are verified (the list is
the Office's own) and have no password: they sign in later by SMS (Firebase) with their
phone, or the village PPL keeps their records for them.
"""

from __future__ import annotations

import asyncio
import csv
import hashlib
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from tortoise.exceptions import IntegrityError

from among_tani.farming.models import ImportedFarmer, Parcel, Planting, Tenure
from among_tani.farming.records import MAX_PARCEL_HA
from among_tani.registry.models import (
    Application,
    ApplicationKind,
    ApplicationStatus,
    Commodity,
    FarmerCommodity,
    FarmerGroup,
    FarmerProfile,
)
from backend.accounts.identity import nik_problem, normalize_phone
from backend.accounts.models import Role, User, UserRole
from backend.clock import utcnow
from backend.events import unit_of_work
from backend.geo.geodesy import valid_lat_lon
from backend.geo.models import Area, AreaLevel
from backend.geo.services import locate

REQUIRED = ("name", "village")
KNOWN = {"name", "village", "address", "phone", "nik", "farmer_group", "commodities", "lat",
         "lon", "area_ha", "tenure"}
ALIASES = {"nama": "name", "desa": "village", "alamat": "address", "hp": "phone",
           "telepon": "phone", "kelompok_tani": "farmer_group", "poktan": "farmer_group",
           "komoditas": "commodities", "luas_ha": "area_ha", "status_lahan": "tenure"}


class ImportFileError(Exception):
    """The file as a whole cannot be read (no header, missing columns, not UTF-8)."""


@dataclass
class Rejected:
    line: int
    name: str
    reasons: list[str]


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    parcels: int = 0
    rejected: list[Rejected] = field(default_factory=list)


@dataclass(frozen=True)
class FarmerRow:
    line: int
    name: str
    village: Area
    address: str
    phone: str | None
    nik: str | None
    farmer_group: str
    commodities: tuple[Commodity, ...]
    parcel: tuple[float, float, Decimal, Tenure] | None

    @property
    def key(self) -> str:
        if self.nik:
            basis = f"nik:{self.nik}"
        elif self.phone:
            basis = f"phone:{self.phone}"
        else:
            basis = "name:" + "|".join(" ".join(v.lower().split()) for v in (
                self.name, self.village.code, self.address))
        return hashlib.sha256(basis.encode()).hexdigest()

    @property
    def row_hash(self) -> str:
        content = [self.name, self.village.code, self.address, self.phone, self.nik,
                   self.farmer_group, sorted(c.code for c in self.commodities),
                   [str(v) for v in self.parcel] if self.parcel else None]
        return hashlib.sha256(json.dumps(content).encode()).hexdigest()


def read_rows(text: str) -> list[tuple[int, dict[str, str]]]:
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise ImportFileError("the file is empty")
    try:
        dialect = csv.Sniffer().sniff(text.splitlines()[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    header = [ALIASES.get(h.strip().lower(), h.strip().lower()) for h in next(reader)]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ImportFileError(f"missing column(s): {', '.join(missing)}")
    rows = []
    for values in reader:
        line = reader.line_num
        if not any(v.strip() for v in values):
            continue
        rows.append((line, {h: (values[i].strip() if i < len(values) else "")
                            for i, h in enumerate(header) if h in KNOWN}))
    return rows


class Catalogue:
    """Villages and commodities, read once for the whole file."""

    def __init__(self, villages: list[Area], commodities: list[Commodity]) -> None:
        self.villages: dict[str, Area] = {}
        for v in villages:
            self.villages[v.code.lower()] = v
            self.villages.setdefault(" ".join(v.name.lower().split()), v)
        self.commodities = {c.code: c for c in commodities}

    @classmethod
    async def load(cls) -> Catalogue:
        return cls(await Area.filter(level=AreaLevel.VILLAGE),
                   await Commodity.filter(active=True))


async def check_row(line: int, raw: dict[str, str], catalogue: Catalogue
                    ) -> FarmerRow | Rejected:
    reasons: list[str] = []
    name = " ".join(raw.get("name", "").split())
    if not 2 <= len(name) <= 120:
        reasons.append("name: 2–120 characters required")
    village = catalogue.villages.get(" ".join(raw.get("village", "").lower().split()))
    if village is None:
        reasons.append(f"village: unknown '{raw.get('village', '')}'")
    address = " ".join(raw.get("address", "").split())[:200]
    phone = None
    if raw.get("phone"):
        phone = normalize_phone(raw["phone"])
        if phone is None:
            reasons.append(f"phone: not a valid number '{raw['phone']}'")
    nik = raw.get("nik") or None
    if nik is not None and nik_problem(nik):
        reasons.append(f"nik: not a valid NIK ({nik_problem(nik)})")
    group = " ".join(raw.get("farmer_group", "").split())[:120]
    codes = [c for c in raw.get("commodities", "").replace("|", " ").replace(",", " ").split()]
    unknown = [c for c in codes if c not in catalogue.commodities]
    if unknown:
        reasons.append(f"commodities: unknown {', '.join(unknown)}")
    parcel = None
    if any(raw.get(k) for k in ("lat", "lon", "area_ha")):
        try:
            lat, lon = float(raw.get("lat", "")), float(raw.get("lon", ""))
            area = Decimal(raw.get("area_ha", ""))
            tenure = Tenure((raw.get("tenure") or "own").strip().lower())
        except (ValueError, InvalidOperation):
            reasons.append("parcel: lat, lon, area_ha must be numbers and tenure one of "
                           + ", ".join(t.value for t in Tenure))
        else:
            if not valid_lat_lon(lat, lon):
                reasons.append("parcel: lat/lon out of range")
            elif not (area.is_finite() and 0 < area <= MAX_PARCEL_HA):
                reasons.append(f"parcel: area_ha must be above 0 and at most {MAX_PARCEL_HA}")
            else:
                located = await locate(lat, lon)
                if located is None or located.village is None:
                    reasons.append("parcel: the point is outside Kota Batu")
                else:
                    parcel = (lat, lon, area.quantize(Decimal("0.0001")), tenure)
    if reasons:
        return Rejected(line, name, reasons)
    assert village is not None
    return FarmerRow(line, name, village, address, phone, nik, group,
                     tuple(catalogue.commodities[c] for c in dict.fromkeys(codes)), parcel)


async def _write(row: FarmerRow, source: str) -> str:
    """Create or update one farmer; returns "created", "updated" or "unchanged"."""
    key = row.key
    known = await ImportedFarmer.get_or_none(key=key)
    if known is not None and known.row_hash == row.row_hash:
        return "unchanged"
    now = utcnow()
    async with unit_of_work():
        if known is None:
            user = None
            if row.phone:
                user = await User.get_or_none(User.identified_by(phone=row.phone))
            if user is None:
                user = await User.create(name=row.name, phone=row.phone, password_hash=None)
            await ImportedFarmer.create(key=key, user=user, row_hash=row.row_hash,
                                        source=source[:200])
            outcome = "created"
        else:
            user = await User.get(id=known.user_id)
            user.name = row.name
            await user.save(update_fields=["name", "updated_at"])
            await ImportedFarmer.filter(id=known.id).update(row_hash=row.row_hash,
                                                            updated_at=now)
            outcome = "updated"
        if not await UserRole.exists(user_id=user.id, role=Role.FARMER):
            await UserRole.create(user_id=user.id, role=Role.FARMER)
        application, _ = await Application.get_or_create(
            user_id=user.id, kind=ApplicationKind.FARMER,
            defaults={"village_id": row.village.id, "submitted_at": now})
        await Application.filter(id=application.id).update(
            status=ApplicationStatus.APPROVED, village_id=row.village.id, reviewed_at=now,
            approved_at=application.approved_at or now)
        group = await FarmerGroup.get_or_none(village_id=row.village.id,
                                              name=row.farmer_group) \
            if row.farmer_group else None
        profile = await FarmerProfile.get_or_none(user_id=user.id) or FarmerProfile(
            user_id=user.id, application_id=application.id)
        profile.village_id = row.village.id
        profile.farmer_group_id = group.id if group else None
        profile.farmer_group_name = row.farmer_group
        if row.nik:
            profile.nik = row.nik
        profile.verified = True
        profile.verified_at = profile.verified_at or now
        await profile.save()
        await FarmerCommodity.filter(farmer_id=profile.id).delete()
        await FarmerCommodity.bulk_create([FarmerCommodity(farmer_id=profile.id,
                                                           commodity_id=c.id)
                                           for c in row.commodities])
        if row.parcel is not None:
            lat, lon, area, tenure = row.parcel
            values = {"farmer_id": user.id, "name": row.address[:100] or "Lahan",
                      "lat": lat, "lon": lon, "area_ha": area, "tenure": tenure,
                      "village_id": (await locate(lat, lon)).village.id}  # type: ignore[union-attr]
            parcel_ids = await Parcel.filter(import_key=key).values_list("id", flat=True)
            if parcel_ids:
                await Parcel.filter(id__in=parcel_ids).update(**values)
                # Plantings carry their parcel's village (the outlook reads them alone), as
                # in update_parcel; the outlook's weekly sums follow by trigger.
                await Planting.filter(parcel_id__in=parcel_ids).update(
                    village_id=values["village_id"])
            else:
                await Parcel.create(import_key=key, **values)
    return outcome


async def import_farmers(path: Path, *, progress: Callable[[int, int], None] | None = None
                         ) -> ImportReport:
    try:
        text = await asyncio.to_thread(path.read_text, encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportFileError(f"cannot read {path}: {exc}") from exc
    rows = read_rows(text)
    catalogue = await Catalogue.load()
    report = ImportReport(rows=len(rows))
    seen: dict[str, int] = {}
    for index, (line, raw) in enumerate(rows, start=1):
        checked = await check_row(line, raw, catalogue)
        if isinstance(checked, FarmerRow) and checked.key in seen:
            checked = Rejected(line, checked.name,
                               [f"duplicate of line {seen[checked.key]} (same person)"])
        if isinstance(checked, Rejected):
            report.rejected.append(checked)
        else:
            seen[checked.key] = line
            try:
                outcome = await _write(checked, path.name)
            except IntegrityError as exc:
                # e.g. a NIK or phone already registered to someone else
                report.rejected.append(Rejected(line, checked.name,
                                                [f"conflicts with an existing record ({exc})"
                                                 .split("\n")[0][:200]]))
            else:
                setattr(report, outcome, getattr(report, outcome) + 1)
                report.parcels += int(checked.parcel is not None and outcome != "unchanged")
        if progress is not None:
            progress(index, len(rows))
    return report


def progress_bar(out: Any) -> Callable[[int, int], None]:
    tty = out.isatty()

    def show(done: int, total: int) -> None:
        width = 30
        filled = int(width * done / max(total, 1))
        line = f"  farmers [{'#' * filled}{'-' * (width - filled)}] {done:>7,}/{total:,}"
        if tty:
            out.write("\r" + line + ("\n" if done == total else ""))
        elif done == total or done % 500 == 0:
            out.write(line + "\n")
        out.flush()

    return show
