"""Failed sign-ins are throttled so that an attacker cannot lock the owner out: per
identifier from one address, per address, and a high ceiling per identifier; and a client
cannot choose its own address with X-Forwarded-For unless it is a configured proxy."""

from __future__ import annotations

import subprocess
import time

import httpx
import pytest

from tests.backend.test_accounts import LOGIN, RESIDENT, register
from tests.backend.test_rate_limits import serving
from tests.conftest import replace_settings
from tests.e2e.test_serve import BATT, clean_env, free_port

LOGIN_WITH_WAIT = LOGIN.replace("errors { field message code }",
                                "errors { field message code retryAfterSeconds }")
OWNER = "081234567890"


def attempt(identifier: str, password: str = "salah-terus-99") -> dict:
    return {"input": {"identifier": identifier, "password": password}}


async def codes(gql, identifier: str, times: int, password: str = "salah-terus-99") -> list[str]:
    found = []
    for _ in range(times):
        body = await gql(LOGIN_WITH_WAIT, attempt(identifier, password))
        found.append(body["data"]["login"]["errors"][0]["code"])
    return found


async def test_an_attacker_elsewhere_cannot_lock_the_owner_out(gql, settings):
    await register(gql)
    async with serving(settings, address="192.0.2.66") as attacker:
        assert await codes(attacker, OWNER, 5) == ["INVALID_CREDENTIALS"] * 5
        body = await attacker(LOGIN_WITH_WAIT, attempt(OWNER, RESIDENT["password"]))
        [error] = body["data"]["login"]["errors"]
        # Even the right password is refused from there, for the rest of the window…
        assert error["code"] == "TOO_MANY_ATTEMPTS"
        assert 60 < error["retryAfterSeconds"] <= settings.login_window_seconds
    # …while the owner, from their own address, signs in as usual.
    async with serving(settings, address="198.51.100.23") as owner:
        body = await owner(LOGIN_WITH_WAIT, attempt(OWNER, RESIDENT["password"]))
        assert body["data"]["login"]["errors"] == [] and body["data"]["login"]["accessToken"]


async def test_one_address_trying_many_accounts_is_stopped(gql, settings):
    limited = replace_settings(settings, login_max_failures_per_address=8)
    async with serving(limited, address="192.0.2.67") as attacker:
        found = []
        for n in range(10):
            found += await codes(attacker, f"0812000000{n:02d}", 1)
        assert found == ["INVALID_CREDENTIALS"] * 8 + ["TOO_MANY_ATTEMPTS"] * 2


async def test_guessing_one_account_from_many_addresses_meets_a_ceiling(gql, settings):
    await register(gql)
    limited = replace_settings(settings, login_max_failures_per_identifier=12)
    found = []
    for n in range(5):  # five addresses, three guesses each: below the per-address pair limit
        async with serving(limited, address=f"192.0.2.{100 + n}") as attacker:
            found += await codes(attacker, OWNER, 3)
    assert found == ["INVALID_CREDENTIALS"] * 12 + ["TOO_MANY_ATTEMPTS"] * 3


async def test_signing_in_clears_only_that_addresss_failures(gql, settings):
    await register(gql)
    async with serving(settings, address="192.0.2.70") as attacker, \
            serving(settings, address="198.51.100.24") as owner:
        assert await codes(attacker, OWNER, 4) == ["INVALID_CREDENTIALS"] * 4
        assert await codes(owner, OWNER, 2) == ["INVALID_CREDENTIALS"] * 2
        body = await owner(LOGIN_WITH_WAIT, attempt(OWNER, RESIDENT["password"]))
        assert body["data"]["login"]["errors"] == []
        # The owner's success gives the attacker no fresh allowance.
        assert await codes(attacker, OWNER, 2) == ["INVALID_CREDENTIALS", "TOO_MANY_ATTEMPTS"]


def _serve(tmp_path, **env: str):
    tmp_path.mkdir(parents=True)
    port = free_port()
    environment = clean_env(tmp_path / "var", BATT_LOGIN_MAX_FAILURES_PER_ADDRESS="3",
                            BATT_LOGIN_MAX_FAILURES="100", **env)
    subprocess.run([BATT, "migrate"], env=environment, check=True, capture_output=True)
    with open(tmp_path / "serve.log", "w") as log:
        server = subprocess.Popen([BATT, "serve", "--port", str(port)], env=environment,
                                  stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return server, base
        except httpx.TransportError:
            pass
        assert server.poll() is None, (tmp_path / "serve.log").read_text()
        assert time.monotonic() < deadline
        time.sleep(0.2)


def _login_codes(base: str, forwarded_for: list[str]) -> list[str]:
    found = []
    for n, address in enumerate(forwarded_for):
        response = httpx.post(f"{base}/graphql", headers={"X-Forwarded-For": address}, json={
            "query": LOGIN, "variables": attempt(f"0812555000{n:02d}")}, timeout=10)
        found.append(response.json()["data"]["login"]["errors"][0]["code"])
    return found


@pytest.mark.slow
def test_x_forwarded_for_is_believed_only_from_configured_proxies(tmp_path):
    fresh = [f"203.0.113.{n}" for n in range(1, 6)]
    server, base = _serve(tmp_path / "direct")
    try:
        # Not a proxy: a fresh X-Forwarded-For per attempt changes nothing, the peer address
        # (127.0.0.1) is counted.
        assert _login_codes(base, fresh) == ["INVALID_CREDENTIALS"] * 3 + [
            "TOO_MANY_ATTEMPTS"] * 2
    finally:
        server.terminate()
        server.wait(10)

    server, base = _serve(tmp_path / "proxied", BATT_TRUSTED_PROXIES="127.0.0.1")
    try:
        # Behind a configured proxy, the client's address is the forwarded one.
        assert _login_codes(base, fresh) == ["INVALID_CREDENTIALS"] * 5
        assert _login_codes(base, ["203.0.113.9"] * 4) == ["INVALID_CREDENTIALS"] * 3 + [
            "TOO_MANY_ATTEMPTS"]
    finally:
        server.terminate()
        server.wait(10)
