"""The farmer state store: a real SQLite file in WAL mode, phone numbers only as keyed hashes."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from agriadvisor.channels.state import FarmerState, StateStore, normalise_phone
from agriadvisor.errors import ConfigError

from ._helpers import HASH_KEY, db_bytes

PHONE = "+977 981-2345678"


@pytest.fixture
def store(tmp_path: Path):
    with StateStore(tmp_path / "state.sqlite3", key=HASH_KEY) as s:
        yield s


def test_state_round_trips_and_uses_wal(store: StateStore) -> None:
    sender = store.sender_key(PHONE)
    assert store.get(sender) is None
    store.save(FarmerState(sender, country="Nepal", crop="wheat", language="en", messages=1))
    got = store.get(sender)
    assert got is not None and got.context() == {"country": "Nepal", "crop": "wheat", "stage": None}
    with sqlite3.connect(store.path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    store.forget(sender)
    assert store.get(sender) is None and store.count() == 0


def test_one_farmer_whatever_the_number_format(store: StateStore) -> None:
    keys = {store.sender_key(p) for p in (PHONE, "+9779812345678", "whatsapp:+9779812345678", "9779812345678")}
    assert len(keys) == 1
    assert normalise_phone("whatsapp:+977 981-2345678") == "9779812345678"
    with pytest.raises(ValueError, match="not a phone number"):
        normalise_phone("whatsapp:")


def test_phone_numbers_never_reach_the_file(store: StateStore) -> None:
    for i in range(20):
        phone = f"+97798123456{i:02d}"
        store.save(FarmerState(store.sender_key(phone), crop="wheat"))
        assert store.first_delivery("meta", f"wamid.{phone}")
    raw = db_bytes(store.path)
    assert b"wheat" in raw  # the data is there...
    for i in range(20):
        assert f"97798123456{i:02d}".encode() not in raw  # ...the numbers are not, in any file SQLite wrote
        assert f"wamid.+97798123456{i:02d}".encode() not in raw


def test_the_hash_is_keyed(tmp_path: Path) -> None:
    a = StateStore(tmp_path / "a.sqlite3", key=HASH_KEY)
    b = StateStore(tmp_path / "b.sqlite3", key="another-key-of-enough-length")
    assert a.sender_key(PHONE) != b.sender_key(PHONE)
    assert HASH_KEY not in repr(a)


def test_a_different_key_is_refused(tmp_path: Path) -> None:
    StateStore(tmp_path / "s.sqlite3", key=HASH_KEY).close()
    with pytest.raises(ConfigError, match="created with another phone_hash_key"):
        StateStore(tmp_path / "s.sqlite3", key="another-key-of-enough-length")
    with pytest.raises(ConfigError, match="at least 16 characters"):
        StateStore(tmp_path / "t.sqlite3", key="short")


def test_redelivered_message_ids_are_recognised(store: StateStore) -> None:
    assert store.first_delivery("meta", "wamid.A") is True
    assert store.first_delivery("meta", "wamid.A") is False
    assert store.first_delivery("twilio", "wamid.A") is True


def test_concurrent_writers_lose_nothing(store: StateStore) -> None:
    def work(t: int) -> None:
        for i in range(50):
            sender = store.sender_key(f"+91{t:02d}000{i:05d}")
            store.save(FarmerState(sender, crop="rice", messages=i))
            got = store.get(sender)
            assert got is not None and got.messages == i

    threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=30)
    assert store.count() == 400
