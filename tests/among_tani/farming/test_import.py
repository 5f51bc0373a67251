"""`batt farmers import FILE.csv`: good rows in, bad rows reported with reasons, idempotent."""

from __future__ import annotations

import subprocess

from among_tani.farming.importer import import_farmers
from among_tani.farming.models import ImportedFarmer, Parcel
from among_tani.registry.models import FarmerCommodity, FarmerProfile
from backend.accounts.models import Role, User, UserRole
from tests.e2e.test_serve import BATT, clean_env

CSV = """nama;desa;alamat;hp;nik;kelompok_tani;komoditas;lat;lon;luas_ha;status_lahan
Sarmin;batu-sidomulyo;Dusun Tinjumoyo RT 2;0812 3456 0001;;Poktan Melati;krisan mawar;-7.8585;112.5356;0.25;own
Sulastri;Sidomulyo;Dusun Sukorembug;;3579014107800003;Poktan Melati;krisan;;;;
Paidi;Tulungrejo;Dusun Gondang;;;;apel_manalagi;;;;
;Sidomulyo;tanpa nama;;;;;;;;
Ponimin;Desa Antah;Jl. Entah;;;;krisan;;;;
Tukiran;Sidomulyo;Jl. Mawar;08xx;;;durian;-7.60;112.70;0.5;own
Sarmin lagi;Sidomulyo;Dusun Tinjumoyo RT 2;0812-3456-0001;;;krisan;;;;
"""


async def test_import_checks_every_row_and_runs_twice_the_same(tmp_path, batu):
    path = tmp_path / "petani.csv"
    path.write_text(CSV, encoding="utf-8")
    seen = []
    report = await import_farmers(path, progress=lambda done, total: seen.append((done, total)))
    assert (report.rows, report.created, report.updated, report.parcels) == (7, 3, 0, 1)
    assert seen[-1] == (7, 7)
    reasons = {r.line: r.reasons for r in report.rejected}
    assert sorted(reasons) == [5, 6, 7, 8]
    assert any("name" in r for r in reasons[5])
    assert any("village: unknown 'Desa Antah'" in r for r in reasons[6])
    assert {r.split(":")[0] for r in reasons[7]} == {"phone", "commodities", "parcel"}
    assert "duplicate of line 2" in reasons[8][0]

    sarmin = await User.get(User.identified_by(phone="+6281234560001"))
    assert await UserRole.exists(user_id=sarmin.id, role=Role.FARMER)
    profile = await FarmerProfile.get(user_id=sarmin.id).select_related("village")
    assert profile.verified and profile.village.code == "batu-sidomulyo"
    assert sorted(await FarmerCommodity.filter(farmer_id=profile.id)
                  .values_list("commodity__code", flat=True)) == ["krisan", "mawar"]
    assert await Parcel.filter(farmer_id=sarmin.id).count() == 1

    again = await import_farmers(path)
    assert (again.created, again.updated, again.unchanged, len(again.rejected)) == (0, 0, 3, 4)
    path.write_text(CSV.replace("Dusun Gondang;;;;apel_manalagi", "Dusun Gondang;;;;kentang"),
                    encoding="utf-8")
    changed = await import_farmers(path)
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 2)
    assert await ImportedFarmer.all().count() == 3
    assert await FarmerProfile.all().count() == 3


def test_the_command_prints_progress_and_rejects(tmp_path):
    env = clean_env(tmp_path)
    assert subprocess.run([BATT, "migrate"], env=env, capture_output=True,
                          timeout=300).returncode == 0
    assert subprocess.run([BATT, "seed-demo"], env=env, capture_output=True,
                          timeout=300).returncode == 0
    path = tmp_path / "petani.csv"
    path.write_text(CSV, encoding="utf-8")
    rejects = tmp_path / "ditolak.csv"
    run = subprocess.run([BATT, "farmers", "import", str(path), "--rejects", str(rejects)],
                         env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 1, run.stderr
    assert "7/7" in run.stderr
    assert "3 created" in run.stdout and "4 rejected" in run.stdout
    assert "line 6 (Ponimin): village: unknown 'Desa Antah'" in run.stdout
    assert len(rejects.read_text().splitlines()) == 5
    again = subprocess.run([BATT, "farmers", "import", str(path)], env=env,
                           capture_output=True, text=True, timeout=120)
    assert "0 created, 0 updated, 3 unchanged" in again.stdout
