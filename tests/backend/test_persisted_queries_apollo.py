"""Apollo Client's persisted-queries link (npm, pinned in tests/js/package-lock.json) against
a running server: the first time a hash over GET, PERSISTED_QUERY_NOT_FOUND, the document;
from then on the hash alone over GET, answered from the public-read cache with an ETag."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
from collections.abc import AsyncIterator

import pytest
import uvicorn

from among_warga.categories import seed_categories
from backend.app import create_app
from backend.graphql.models import PersistedQuery
from tests.command_center.conftest import free_port
from tests.conftest import PROJECT_ROOT

JS = PROJECT_ROOT / "tests" / "js"
NODE = shutil.which("node")

pytestmark = pytest.mark.skipif(NODE is None, reason="needs Node.js 20+ (node on PATH)")


@pytest.fixture(scope="module")
def apollo_package() -> None:
    if not (JS / "node_modules" / "@apollo" / "client").is_dir():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=JS, check=True,
                       capture_output=True, timeout=300)


@pytest.fixture
async def live_server(settings) -> AsyncIterator[str]:
    port = free_port()
    app = create_app(settings, manage_db=False, run_jobs=False)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="on"))
    task = asyncio.create_task(server.serve())
    for _ in range(200):  # uvicorn announces nothing but its `started` flag
        if server.started:
            break
        await asyncio.sleep(0.02)
    assert server.started
    yield f"127.0.0.1:{port}"
    server.should_exit = True
    await asyncio.wait_for(task, 10)


async def test_apollo_persisted_queries_link(apollo_package, live_server):
    await seed_categories()
    process = await asyncio.create_subprocess_exec(
        NODE, str(JS / "persisted.mjs"), cwd=JS,
        env={**os.environ, "BATT_URL": f"http://{live_server}"},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(), 60)
    lines = [json.loads(line) for line in out.decode().splitlines() if line.strip()]
    assert process.returncode == 0, (lines, err.decode())
    requests = [(r["method"], r["document"], r["status"]) for r in lines
                if r["kind"] == "request"]
    assert requests == [
        ("GET", False, 200),   # the hash: PERSISTED_QUERY_NOT_FOUND
        ("POST", True, 200),   # hash + document, stored
        ("GET", False, 200),   # the next client: the hash alone
    ]
    answers = [r["codes"] for r in lines if r["kind"] == "answer"]
    assert len(answers) == 2 and answers[0] == answers[1] and "sampah" in answers[0]
    assert [r["etag"] for r in lines if r["kind"] == "request"][2]  # cacheable by a proxy
    assert await PersistedQuery.all().count() == 1
