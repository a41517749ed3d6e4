"""The server under concurrent load: uvicorn on 127.0.0.1 in a background thread, real sockets."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Iterator
from urllib.parse import urlencode

import pytest

from agriadvisor.channels.twilio import compute_signature
from agriadvisor.models import Answer

from ._helpers import TWILIO_TOKEN, twilio_form, twiml_messages

CLIENTS = 8
REQUESTS = 10
FARMS = [("wheat", "Nepal", "I grow wheat in Nepal"), ("rice", "Bangladesh", "I grow rice in Bangladesh")]
FOLLOW_UPS = ["When should I irrigate?", "How much fertiliser should I apply?", "How do I control weeds?"]


@pytest.fixture
def live_server(small_advisor: Any, bot_settings: Any) -> Iterator[tuple[str, Any]]:
    """The app served by uvicorn on a free loopback port; yields (base URL, app)."""
    import uvicorn

    from agriadvisor.channels.server import create_app

    app = create_app(small_advisor, bot_settings)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started and time.monotonic() < deadline and thread.is_alive():
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}", app
    finally:
        server.should_exit = True
        thread.join(timeout=15)


def _farmer(base: str, n: int) -> list[tuple[int, float, str]]:
    """One farmer's conversation: a statement of the farm, then follow-up questions."""
    import httpx

    phone = f"+97798000000{n:02d}"
    url = f"{base}/webhooks/twilio"
    texts = [FARMS[n % 2][2]] + [FOLLOW_UPS[i % len(FOLLOW_UPS)] for i in range(REQUESTS - 1)]
    results = []
    with httpx.Client(timeout=30) as client:
        for text in texts:
            params = twilio_form(phone, text)
            t0 = time.perf_counter()
            r = client.post(url, content=urlencode(params), headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Twilio-Signature": compute_signature(TWILIO_TOKEN, url, params)})
            results.append((r.status_code, time.perf_counter() - t0, r.text))
    return results


def _intruder(base: str) -> list[int]:
    """Unsigned requests mixed into the load: each must be refused without touching state."""
    import httpx

    with httpx.Client(timeout=30) as client:
        return [client.post(f"{base}/webhooks/twilio", content=urlencode(twilio_form("+9779800000099", "hi")),
                            headers={"Content-Type": "application/x-www-form-urlencoded"}).status_code
                for _ in range(REQUESTS)]


def test_concurrent_farmers_on_loopback(live_server: tuple[str, Any]) -> None:
    base, app = live_server
    t0 = time.monotonic()
    with ThreadPoolExecutor(max_workers=CLIENTS + 1) as pool:
        conversations = [pool.submit(_farmer, base, n) for n in range(CLIENTS)]
        intruder = pool.submit(_intruder, base)
        results = [f.result(timeout=180) for f in conversations]
        refused = intruder.result(timeout=180)
    elapsed = time.monotonic() - t0
    assert elapsed < 180
    assert refused == [403] * REQUESTS
    for conversation in results:
        assert [status for status, _, _ in conversation] == [200] * REQUESTS
        assert all(twiml_messages(body) for _, _, body in conversation), "every message got a reply"
    # no lost state: each farmer has all ten answers counted and the farm they stated remembered
    store = app.state.channels.store
    assert store.count() == CLIENTS
    for n in range(CLIENTS):
        crop, country, _ = FARMS[n % 2]
        state = store.get(store.sender_key(f"+97798000000{n:02d}"))
        assert state is not None
        assert (state.messages, state.crop, state.country) == (REQUESTS, crop, country)
        last = Answer.model_validate_json(state.last_answer or "{}")
        assert last.query.crop == crop and last.query.crop_from == "context"
