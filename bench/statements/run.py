"""SQL statements per request of the four growing complaint lists, for 2 rows and for 50,
on SQLite and on PostgreSQL + PostGIS: does a list cost the same whatever its length?

    .venv/bin/python bench/statements/run.py [--postgres postgres://postgres@127.0.0.1:5432/postgres]
                                            [--rows 2 50] [--show LIST]

Each database is fresh (a temporary SQLite file; a throwaway PostgreSQL database created and
dropped on the given server), migrated, with the demo areas and categories. One reporter files
the complaints over GraphQL, each with a photo; an operator verifies and dispatches each to
Dinas PUPR, whose responder accepts it and adds a public progress note with a photo; every
second complaint then points at the one before it as ``duplicateOf`` (set in the database:
the flow would close a duplicate and take it out of these lists, and the field is what is
measured). Every list is asked with the full selection a client shows — timeline (with
photos), reporter, photos, dispatchedTo, duplicateOf, category, area — one page holding every
row, once to warm up and once counted (tests/querycount.py: every statement through
Tortoise's clients, BEGIN/COMMIT included; the principal read is one of them).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import subprocess
import sys
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from among_warga.categories import seed_categories  # noqa: E402
from among_warga.models import Complaint  # noqa: E402
from backend import db  # noqa: E402
from backend.accounts import services as accounts  # noqa: E402
from backend.accounts.models import Role, Skpd  # noqa: E402
from backend.app import create_app  # noqa: E402
from backend.geo.services import load_demo_areas  # noqa: E402
from backend.settings import Settings  # noqa: E402
from bench.common import admin  # noqa: E402
from tests.backend.media.samples import encode, photo_like  # noqa: E402
from tests.querycount import QueryLog, counting_queries  # noqa: E402

FULL = """fragment Full on Complaint {
  id ticketNumber status visibility description lat lon slaDueAt overdue createdAt updatedAt
  resolvedAt closedAt supportCount supportedByMe reporterName rating rejectionReason isMine
  category { id code name description icon sensitiveLocation }
  area { villageCode villageName districtCode districtName }
  reporter { id name phone }
  photos { id url thumbnailUrl width height takenAt exifLocation { lat lon } }
  dispatchedTo { id code name }
  duplicateOf { id ticketNumber }
  timeline { id kind fromStatus toStatus note public actorLabel createdAt
             photos { id url thumbnailUrl } }
}"""
PAGE = "totalCount pageInfo { hasNextPage endCursor } edges { cursor node { ...Full } }"
LISTS = {
    "caseQueue": f"query($n: Int) {{ caseQueue(first: $n) {{ {PAGE} }} }} {FULL}",
    "responderInbox": f"query($n: Int) {{ responderInbox(first: $n) {{ {PAGE} }} }} {FULL}",
    "myComplaints": f"query($n: Int) {{ myComplaints(first: $n) {{ {PAGE} }} }} {FULL}",
    "publicComplaints": f"""query($n: Int) {{ publicComplaints(first: $n,
        bbox: {{south: -7.95, west: 112.45, north: -7.75, east: 112.60}}) {{ {PAGE} }} }}
        {FULL}""",
}
# (list, who asks) in the order of the table.
CASES = [("caseQueue", "operator"), ("responderInbox", "responder"),
         ("myComplaints", "reporter"), ("publicComplaints", "anonymous"),
         ("publicComplaints", "resident")]
UPLOAD = """mutation($file: Upload!, $key: String) { uploadPhoto(file: $file, clientKey: $key) {
  photo { id } errors { code } } }"""
SUBMIT = """mutation($input: SubmitComplaintInput!) { submitComplaint(input: $input) {
  complaint { id } errors { code field } } }"""
STEPS = {
    "operator": [
        'mutation($id: ID!) { verifyComplaint(id: $id, note: "Terverifikasi.") '
        "{ errors { code } } }",
        'mutation($id: ID!) { dispatchComplaint(id: $id, skpdCodes: ["dpupr"]) '
        "{ errors { code } } }",
    ],
    "responder": [
        'mutation($id: ID!) { acceptCase(id: $id, note: "Kami tangani.") { errors { code } } }',
        'mutation($id: ID!, $p: [ID!]) { addProgress(id: $id, note: "Tim sudah di lokasi.", '
        "photoIds: $p) { errors { code } } }",
    ],
}
PASSWORD = "kata-sandi-bench"


@dataclass
class Client:
    http: httpx.AsyncClient
    tokens: dict[str, str | None]

    async def gql(self, query: str, variables: dict[str, Any] | None = None,
                  who: str = "anonymous") -> dict[str, Any]:
        token = self.tokens.get(who)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = await self.http.post("/graphql", json={"query": query,
                                                          "variables": variables or {}},
                                        headers=headers)
        body = response.json()
        if response.status_code != 200 or body.get("errors"):
            raise RuntimeError(f"{response.status_code}: {body}")
        return body["data"]

    async def upload(self, who: str, seed: int) -> str:
        data = encode(photo_like((320, 240), seed=seed), "JPEG", quality=75)
        operations = {"query": UPLOAD, "variables": {"file": None, "key": uuid.uuid4().hex}}
        response = await self.http.post(
            "/graphql", headers={"Authorization": f"Bearer {self.tokens[who]}"},
            data={"operations": json.dumps(operations),
                  "map": json.dumps({"0": ["variables.file"]})},
            files={"0": ("IMG.jpg", data, "image/jpeg")})
        payload = response.json()["data"]["uploadPhoto"]
        assert payload["errors"] == [], payload
        return payload["photo"]["id"]


async def add_complaint(client: Client, n: int) -> int:
    photo = await client.upload("reporter", seed=n)
    lat, lon = -7.8713 + (n % 10) * 0.001, 112.5269 + (n // 10) * 0.001
    data = await client.gql(SUBMIT, {"input": {
        "clientRequestId": uuid.uuid4().hex, "categoryCode": "jalan_rusak",
        "description": f"Jalan berlubang besar nomor {n}, membahayakan pengendara motor.",
        "lat": lat, "lon": lon, "photoIds": [photo], "visibility": "PUBLIC"}}, "reporter")
    complaint_id = data["submitComplaint"]["complaint"]["id"]
    for step in STEPS["operator"]:
        await client.gql(step, {"id": complaint_id}, "operator")
    await client.gql(STEPS["responder"][0], {"id": complaint_id}, "responder")
    progress_photo = await client.upload("responder", seed=1000 + n)
    await client.gql(STEPS["responder"][1], {"id": complaint_id, "p": [progress_photo]},
                     "responder")
    return int(complaint_id)


async def measure(client: Client, name: str, who: str, rows: int) -> QueryLog:
    query, variables = LISTS[name], {"n": max(rows, 1)}
    await client.gql(query, variables, who)  # warm up
    with counting_queries() as log:
        data = await client.gql(query, variables, who)
    edges = data[name]["edges"]
    if len(edges) != rows:
        raise RuntimeError(f"{name} as {who}: {len(edges)} rows, expected {rows}")
    return log


async def run(database_url: str, var_dir: Path, sizes: list[int],
              show: str | None) -> dict[tuple[str, str, int], int]:
    settings = Settings(env="bench", var_dir=var_dir, database_url=database_url,
                        media_dir=var_dir / "media", secret_key=secrets.token_urlsafe(40),
                        # 50 rows with every field cost about 28,000: over the server's
                        # default ceiling (25,000), which is not what is measured here.
                        rate_limits_disabled=True, graphql_max_cost=1_000_000)
    await db.migrate(settings)
    await db.close_db()
    await db.init_db(settings)
    results: dict[tuple[str, str, int], int] = {}
    try:
        await load_demo_areas(echo=lambda *_: None)
        await seed_categories()
        await Skpd.create(code="dpupr", name="Dinas PUPR")
        people = {"operator": [Role.OPERATOR], "responder": [Role.RESPONDER],
                  "reporter": [Role.CITIZEN], "resident": [Role.CITIZEN]}
        app = create_app(settings, manage_db=False)
        transport = httpx.ASGITransport(app=app, client=("198.51.100.9", 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
            client = Client(http, {"anonymous": None})
            for n, (who, roles) in enumerate(people.items()):
                phone = f"+6281300000{n:03d}"
                await accounts.create_user(name=f"Bench {who}", phone=phone, password=PASSWORD,
                                           roles=roles,
                                           skpd_code="dpupr" if who == "responder" else None)
                login = await client.gql(
                    "mutation($i: LoginInput!) { login(input: $i) { accessToken } }",
                    {"i": {"identifier": phone, "password": PASSWORD}})
                client.tokens[who] = login["login"]["accessToken"]
            made: list[int] = []
            for size in sorted(sizes):
                while len(made) < size:
                    made.append(await add_complaint(client, len(made)))
                for i in range(1, len(made), 2):
                    await Complaint.filter(id=made[i]).update(duplicate_of_id=made[i - 1])
                for name, who in CASES:
                    log = await measure(client, name, who, size)
                    results[(name, who, size)] = len(log)
                    if show == name:
                        print(f"\n-- {name} as {who}, {size} rows: {len(log)} statements")
                        for statement in log:
                            print("  ", " ".join(statement.split())[:160])
    finally:
        await db.close_db()
    return results


def _database(base: str, name: str) -> str:
    return urlunsplit(urlsplit(base)._replace(path=f"/{name}"))


def _measure_in_child(database_url: str, var_dir: Path, sizes: list[int],
                      show: str | None) -> dict[tuple[str, str, int], int]:
    # One process per database: Tortoise keeps per-dialect state in its model classes, so a
    # second initialisation in the same process would speak the first one's SQL.
    command = [sys.executable, __file__, "--child", database_url, "--var", str(var_dir),
               "--rows", *map(str, sizes)] + (["--show", show] if show else [])
    done = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True)
    *printed, last = done.stdout.rstrip("\n").split("\n")
    if printed:
        print("\n".join(printed))
    return {(name, who, int(n)): count for name, who, n, count in json.loads(last)}


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", help="a PostgreSQL server URL (omit: SQLite only)")
    parser.add_argument("--rows", type=int, nargs="+", default=[2, 50])
    parser.add_argument("--show", choices=sorted(LISTS), help="print that list's statements")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--var", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        results = await run(args.child, Path(args.var), args.rows, args.show)
        print(json.dumps([[*key, count] for key, count in results.items()]))
        return
    columns: dict[str, dict[tuple[str, str, int], int]] = {}
    with tempfile.TemporaryDirectory(prefix="batt-bench-statements-") as tmp:
        columns["SQLite"] = _measure_in_child(f"sqlite://{tmp}/bench.sqlite3",
                                              Path(tmp) / "sqlite", args.rows, args.show)
        if args.postgres:
            base = args.postgres.replace("postgresql://", "postgres://", 1)
            name = f"batt_bench_statements_{secrets.token_hex(3)}"
            url = _database(base, name)
            server = base.replace("postgres://", "postgresql://", 1)
            await admin(server, f'CREATE DATABASE "{name}"')
            try:
                await admin(url.replace("postgres://", "postgresql://", 1),
                            "CREATE EXTENSION IF NOT EXISTS postgis")
                columns["PostgreSQL"] = _measure_in_child(url, Path(tmp) / "postgres",
                                                          args.rows, args.show)
            finally:
                await admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    sizes = sorted(args.rows)
    header = ["list", "as"] + [f"{db_name} {n} rows" for db_name in columns for n in sizes]
    print("\nSQL statements per request (full selection, one page holding every row)\n")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for name, who in CASES:
        cells = [str(columns[db_name][(name, who, n)]) for db_name in columns for n in sizes]
        print(f"| `{name}` | {who} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    asyncio.run(main())
