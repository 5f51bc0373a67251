"""`batt serve` applies the request size limit before the application reads a message:
uvicorn refuses an oversized WebSocket frame from its header (ws_max_size), so a large
message is never buffered whole — the application's own check is the second line."""

from __future__ import annotations

import asyncio
import json
import subprocess
import time

import httpx
import pytest
import websockets

from tests.e2e.test_serve import BATT, clean_env, free_port

pytestmark = pytest.mark.slow


async def test_serve_refuses_oversized_messages_in_uvicorn(tmp_path):
    port = free_port()
    env = clean_env(tmp_path / "var", BATT_GRAPHQL_MAX_REQUEST_BYTES="4096")
    log_path = tmp_path / "serve.log"
    subprocess.run([BATT, "migrate"], env=env, check=True, capture_output=True, timeout=120)
    with open(log_path, "w") as log:
        server = subprocess.Popen([BATT, "serve", "--port", str(port), "--log-level", "warning"],
                                  env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 300  # bounds a broken start only (the demo week renders photos)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            while True:
                try:
                    if (await http.get("/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert server.poll() is None, log_path.read_text()
                assert time.monotonic() < deadline, log_path.read_text()
                await asyncio.sleep(0.2)
            big = await http.post("/graphql", json={"query": "{ __typename }" + " " * 5000})
            assert big.status_code == 413

        async with websockets.connect(f"ws://127.0.0.1:{port}/graphql", compression=None,
                                      subprotocols=["graphql-transport-ws"]) as ws:
            await ws.send('{"type": "connection_init", "payload": {}}')
            assert json.loads(await ws.recv())["type"] == "connection_ack"
            await ws.send(json.dumps({"id": "1", "type": "subscribe",
                                      "payload": {"query": "{ __typename }" + " " * 5000}}))
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await ws.recv()
        assert closed.value.rcvd.code == 1009
        # Refused by the server's frame reader (its reason names the size), not the app.
        assert closed.value.rcvd.reason != "Message too big", closed.value.rcvd
    finally:
        server.terminate()
        server.wait(15)
