"""Among Kota's public events share the log with complaints: the command center's stream
carries complaints only, for operators and residents alike."""

from __future__ import annotations

from among_warga.categories import seed_categories
from backend.accounts.models import Role, Skpd
from backend.geo.services import load_demo_areas
from tests.among_kota.conftest import publish_places
from tests.command_center.conftest import Collector, live_server, submit_complaint  # noqa: F401


async def test_place_events_never_reach_the_command_center_stream(
        live_server, gql, client, make_user):  # noqa: F811
    await load_demo_areas(echo=lambda *_: None)
    await seed_categories()
    await Skpd.get_or_create(code="dpupr", defaults={"name": "Dinas PUPR"})
    _, operator = await make_user(Role.OPERATOR)
    _, resident = await make_user(Role.CITIZEN)
    async with Collector(live_server, operator) as staff, \
            Collector(live_server, resident) as own:
        await publish_places(2)  # two public "place.published" events
        await submit_complaint(gql, client, resident)
        # The complaint is the first thing either hears: the places never came.
        assert [e["type"] for e in await staff.wait_for(1)] == ["COMPLAINT_SUBMITTED"]
        assert [e["type"] for e in await own.wait_for(1)] == ["COMPLAINT_SUBMITTED"]
