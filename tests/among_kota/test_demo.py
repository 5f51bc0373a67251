from __future__ import annotations

from among_kota.demo import loader
from among_kota.services.models import PublicService
from among_kota.umkm.models import UmkmBusiness
from backend.clock import utcnow
from backend.demo import DemoContext, play
from backend.media.storage import storage_for


async def test_the_demo_has_places_events_ten_demo_services_and_twelve_umkm_once(settings, gql):
    lines: list[str] = []
    context = DemoContext(settings=settings, now=utcnow(), storage=storage_for({}, settings),
                          echo=lines.append)
    assert await play(context, [loader]) == 4
    assert await PublicService.filter(demo=True).count() == 10
    body = await gql("""{ publicServices(text: "akta", first: 20) { edges { node {
        name demo free servicePoints { name locationApproximate } } } }
        events(first: 50) { totalCount } places(first: 1) { totalCount }
        umkm(first: 20, text: "apel") { totalCount edges { node { name demo whatsappUrl } } }
        }""")
    services = [e["node"] for e in body["data"]["publicServices"]["edges"]]
    # Also the services whose requirements name a certificate (family card, KIA).
    assert {"Akta Kelahiran", "Akta Kematian"} <= {s["name"] for s in services}
    assert all(s["demo"] and s["free"] for s in services)
    assert services[0]["servicePoints"][0]["name"] == "Mal Pelayanan Publik Kota Batu"
    assert body["data"]["events"]["totalCount"] >= 3
    assert body["data"]["places"]["totalCount"] == 20
    businesses = [e["node"] for e in body["data"]["umkm"]["edges"]]
    assert "Keripik Apel Manalagi Bu Sri" in {b["name"] for b in businesses}
    assert all(b["demo"] and b["whatsappUrl"].startswith("https://wa.me/62811000002")
               for b in businesses)
    assert await UmkmBusiness.filter(demo=True, status="verified").count() == 12
    context.summaries.clear()
    assert await play(context, [loader]) == 0  # loaded once
