"""The README's run command, for real: `batt serve --demo` in a fresh directory, over TCP."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from among_warga.demo_week import REPORTERS
from backend.demo import DEMO_ACCOUNTS
from responder.demo import field_staff


def domain_demo_people() -> set[str]:
    """Phones of the Among Tani (registry and farming) and Among Kota (editors, UMKM owners)
    demo people without a demo account."""
    from among_kota.demo import kota_demo_people
    from among_tani.farming.demo import DISTAN_PHONE, NEIGHBOURS
    from among_tani.registry.demo import BUYERS, FARMERS, PPL_VILLAGES

    phones = {p for p, *_ in FARMERS} | {p for p, *_ in BUYERS} | set(PPL_VILLAGES)
    phones |= {DISTAN_PHONE} | {p for p, _ in NEIGHBOURS}
    return (phones - {a.phone for a in DEMO_ACCOUNTS}) | kota_demo_people()

BATT = str(Path(sys.executable).with_name("batt"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def clean_env(var_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BATT_", "FIREBASE_"))}
    env.update(BATT_VAR_DIR=str(var_dir), **extra)
    return env


@pytest.mark.slow
def test_serve_demo_on_a_fresh_directory(tmp_path):
    port = free_port()
    log_path = tmp_path / "serve.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [BATT, "serve", "--demo", "--port", str(port)],
            env=clean_env(tmp_path / "var"), stdout=log, stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        # A new process announces nothing: its readiness endpoint is polled.
        deadline = time.monotonic() + 300  # bounds a broken start only (the demo week renders photos)
        while True:
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.2)

        output = log_path.read_text()
        assert f"{base}/graphql" in output
        # Demo passwords are printed once; use the admin's to sign in.
        admin = re.search(r"admin\s+(\+62\d+)\s+(\S+)", output)
        assert admin, output

        def gql(query, variables=None, token=None):
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            response = httpx.post(f"{base}/graphql", json={"query": query, "variables": variables},
                                  headers=headers, timeout=10)
            assert response.status_code == 200
            return response.json()

        registered = gql(
            "mutation($i: RegisterInput!) { register(input: $i) { errors { code } user { id } } }",
            {"i": {"name": "Warga Temas", "phone": "085712345678", "password": "stroberi-segar"}},
        )
        assert registered["data"]["register"]["errors"] == []
        login = gql("mutation($i: LoginInput!) { login(input: $i) { accessToken errors { code } } }",
                    {"i": {"identifier": "+6285712345678", "password": "stroberi-segar"}})
        token = login["data"]["login"]["accessToken"]
        assert gql("{ me { name roles } }", token=token)["data"]["me"] == {
            "name": "Warga Temas", "roles": ["CITIZEN"]}

        skpds = gql("{ skpds { code } }")["data"]["skpds"]
        assert {s["code"] for s in skpds} >= {"dpupr", "dishub", "dlh", "bpbd", "damkar",
                                              "satpolpp", "bnn", "distan", "diskominfo"}
        admin_token = gql(
            "mutation($i: LoginInput!) { login(input: $i) { accessToken } }",
            {"i": {"identifier": admin.group(1), "password": admin.group(2)}},
        )["data"]["login"]["accessToken"]
        users = gql("{ users(first: 50) { totalCount } }", token=admin_token)["data"]["users"]
        # The sign-in demo accounts, the demo week's residents and field staff, Among Tani's
        # demo farmers, buyers and officers and Among Kota's editors and UMKM owners (no
        # password), and the resident who just registered.
        assert users["totalCount"] == len(DEMO_ACCOUNTS) + len(REPORTERS) + len(
            field_staff()) + len(domain_demo_people()) + 1

        # The demo week is there: the public map is not empty.
        city = {"south": -7.96, "west": 112.44, "north": -7.74, "east": 112.61}
        public = gql("query($b: BboxInput!) { publicComplaints(bbox: $b) { totalCount } }",
                     {"b": city})["data"]["publicComplaints"]
        assert public["totalCount"] > 50
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = subprocess.run(
        [BATT, "serve"], env=clean_env(tmp_path, BATT_ENV="production"),
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 2
    assert "BATT_SECRET_KEY is required" in result.stderr


def test_development_secret_is_generated_once_and_kept(tmp_path):
    from backend.settings import load_settings

    os.environ.pop("BATT_SECRET_KEY", None)
    env_before = os.environ.get("BATT_VAR_DIR")
    os.environ["BATT_VAR_DIR"] = str(tmp_path)
    try:
        first = load_settings().secret_key
        second = load_settings().secret_key
    finally:
        if env_before is None:
            os.environ.pop("BATT_VAR_DIR")
        else:
            os.environ["BATT_VAR_DIR"] = env_before
    assert first == second and len(first) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
