"""The command-center wall shows Among Tani's open overdue crop questions and pest alerts
beside the complaints, live from the farming stream, in a real headless Chromium: a question
flagged by the deadline job and a pest alert raised by three nearby questions appear without
a reload; an answer takes the question off the wall."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest

from among_tani.farming import questions
from among_tani.farming.models import CropQuestion
from backend.accounts import services as accounts
from backend.accounts.models import Role
from tests.among_tani.conftest import TaniPeople, batu  # noqa: F401 (fixture)
from tests.among_tani.farming.conftest import ANSWER, ASK, SIDOMULYO
from tests.conftest import GraphQL
from tests.e2e.test_wall_display import (  # noqa: F401 (fixtures)
    api,
    chromium,
    city,
    live,
    open_wall,
)

pytestmark = pytest.mark.slow

FARM = "document.getElementById('farm')"


def aphids(at=SIDOMULYO):
    return {"clientRequestId": uuid.uuid4().hex, "commodityCode": "krisan",
            "problemType": "PEST", "lat": at[0], "lon": at[1], "photoIds": [],
            "description": "Daun krisan penuh kutu daun hijau, bunga jadi keriting."}


async def test_the_wall_shows_overdue_crop_questions_and_pest_alerts_live(
    city, batu, live, api, chromium  # noqa: F811
):
    gql = GraphQL(api.http)  # everything through the live server, as the apps do
    counter = iter(range(1000))

    async def make_user(*roles, skpd=None, name="Pengguna Uji"):
        phone = f"+62813{next(counter):08d}"
        user = await accounts.create_user(name=name, phone=phone, password="kata-sandi-uji",
                                          roles=list(roles) or [Role.CITIZEN], skpd_code=skpd)
        return user, await gql.login(phone, "kata-sandi-uji")

    tani = TaniPeople(gql, make_user)
    _, ppl = await tani.officer("batu-sidomulyo")
    _, first_farmer = await tani.farmer(village="batu-sidomulyo", name="Pak Krisan Satu",
                                        commodities=("krisan",))

    page = await open_wall(chromium, live.address)
    await page.wait_for(f"{FARM}.textContent.includes('Tidak ada pertanyaan tani')")

    # A question nobody answers; the deadline job flags it: it appears on the wall.
    asked = await gql(ASK, {"i": aphids()}, token=first_farmer)
    question_id = asked["data"]["askCropQuestion"]["question"]["id"]
    row = await CropQuestion.get(id=int(question_id))
    assert await questions.flag_overdue(now=row.due_at + timedelta(minutes=1)) == 1
    shown = f"{FARM}.querySelector('li[data-question=\"{question_id}\"]')"
    await page.wait_for(f"{shown} !== null")
    text = await page.evaluate(f"{shown}.textContent")
    assert "Sidomulyo" in text and "Hama" in text and "krisan" in text
    assert "Pak Krisan" not in await page.text("#farm")  # no farmer on the wall

    # Two more aphid questions nearby: one pest alert, on the wall beside it.
    for i, offset in enumerate((0.004, -0.005)):
        _, token = await tani.farmer(village="batu-sidomulyo", name=f"Petani {i}",
                                     commodities=("krisan",))
        more = await gql(ASK, {"i": aphids(at=(SIDOMULYO[0] + offset, SIDOMULYO[1]))},
                         token=token)
        assert more["data"]["askCropQuestion"]["errors"] == [], more
    await page.wait_for(f"{FARM}.querySelector('li.pest-alert') !== null")
    assert "3 pertanyaan" in await page.evaluate(f"{FARM}.querySelector('li.pest-alert')"
                                                 ".textContent")
    assert await page.evaluate("document.getElementById('farm-count').textContent") == "2"

    # The PPL answers the overdue question: it leaves the wall, the alert stays.
    answered = await gql(ANSWER, {"i": {"questionId": question_id,
                                        "text": "Semprot sabun insektisida."}}, token=ppl)
    assert answered["data"]["answerCropQuestion"]["errors"] == [], answered
    await page.wait_for(f"{shown} === null")
    assert await page.evaluate(f"{FARM}.querySelectorAll('li.pest-alert').length") == 1
    # The complaints side is untouched.
    assert await page.evaluate("document.getElementById('overdue').children.length") == 1
    assert json.dumps(page.problems) == "[]"
