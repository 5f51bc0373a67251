"""The four growing complaint lists, each with the full selection a client shows (timeline
with its photos, reporter, photos, dispatchedTo, duplicateOf, category, area), send the same
number of SQL statements for a page of 2 rows and for one of 50: visibility is decided for
the page at once, every per-row field is a data loader, the personal-data access log is one
insert per request. (The figures per database are bench/statements/run.py's.)"""

from __future__ import annotations

from among_warga.categories import seed_categories
from among_warga.models import Complaint
from backend.accounts import services as accounts
from backend.accounts.models import Role, Skpd
from backend.geo.services import load_demo_areas
from bench.statements.run import CASES, LISTS, PASSWORD, Client, add_complaint
from tests.conftest import replace_settings


async def test_each_list_costs_the_same_statements_for_2_rows_and_for_50(
    settings, count_queries
):
    import httpx

    from backend.app import create_app

    await load_demo_areas(echo=lambda *_: None)
    await seed_categories()
    await Skpd.create(code="dpupr", name="Dinas PUPR")
    # 50 rows with every field cost more than the default ceiling; not what is measured.
    app = create_app(replace_settings(settings, rate_limits_disabled=True,
                                      graphql_max_cost=1_000_000), manage_db=False)
    transport = httpx.ASGITransport(app=app, client=("198.51.100.9", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        client = Client(http, {"anonymous": None})
        people = {"operator": [Role.OPERATOR], "responder": [Role.RESPONDER],
                  "reporter": [Role.CITIZEN], "resident": [Role.CITIZEN]}
        for n, (who, roles) in enumerate(people.items()):
            phone = f"+6281300000{n:03d}"
            await accounts.create_user(name=f"Uji {who}", phone=phone, password=PASSWORD,
                                       roles=roles,
                                       skpd_code="dpupr" if who == "responder" else None)
            login = await client.gql(
                "mutation($i: LoginInput!) { login(input: $i) { accessToken } }",
                {"i": {"identifier": phone, "password": PASSWORD}})
            client.tokens[who] = login["login"]["accessToken"]

        made: list[int] = []
        counts: dict[int, dict[tuple[str, str], int]] = {}
        for size in (2, 50):
            while len(made) < size:
                made.append(await add_complaint(client, len(made)))
            for i in range(1, len(made), 2):  # every second one points at the one before
                await Complaint.filter(id=made[i]).update(duplicate_of_id=made[i - 1])
            counts[size] = {}
            for name, who in CASES:
                variables = {"n": size}
                await client.gql(LISTS[name], variables, who)  # warm up
                with count_queries() as statements:
                    data = await client.gql(LISTS[name], variables, who)
                assert len(data[name]["edges"]) == size, (name, who)
                node = data[name]["edges"][-1]["node"]
                assert node["timeline"] and node["photos"] and node["category"], node
                counts[size][(name, who)] = len(statements)
                inserts = statements.matching(r"insert into .?personal_data_access")
                assert len(inserts) <= 1, (name, who, inserts)
    assert counts[50] == counts[2], counts
    # The same on SQLite and PostgreSQL (README "SQL statements per list request"): a change
    # that adds a statement to a list shows here.
    assert counts[2] == PINNED, counts[2]


# Every statement of the request: the principal read, the page, totalCount, one per kind
# of per-row data (timeline, its photos, photos, reporters, dispatches, originals, supports)
# and, for staff, the personal-data access log.
PINNED = {
    ("caseQueue", "operator"): 11,
    ("responderInbox", "responder"): 13,
    ("myComplaints", "reporter"): 9,
    ("publicComplaints", "anonymous"): 8,
    ("publicComplaints", "resident"): 10,
}
