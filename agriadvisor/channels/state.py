"""Per-farmer conversation state in a SQLite file (standard library ``sqlite3``, WAL mode).

Phone numbers never reach the file: a farmer is known by a keyed HMAC-SHA256 of the number,
so a stolen database cannot be turned back into numbers without the key, which lives in the
settings. The same key must be used for the life of the database; a different key would
silently forget every farmer, so opening the file with another key is refused.

Example:
    >>> store = StateStore("state.sqlite3", key=b"a long random secret")  # doctest: +SKIP
    >>> farmer = store.get(store.sender_key("+977 980-0000000"))
"""

from __future__ import annotations

import hashlib
import hmac
import re
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from agriadvisor.errors import ConfigError

__all__ = ["FarmerState", "StateStore", "normalise_phone"]

SCHEMA_VERSION = "1"
SEEN_TTL_S = 7 * 24 * 3600
_SCHEMA = """
CREATE TABLE IF NOT EXISTS farmers (
    sender      TEXT PRIMARY KEY,   -- HMAC-SHA256 of the phone number, never the number
    country     TEXT,
    crop        TEXT,
    stage       TEXT,
    language    TEXT,
    last_answer TEXT,               -- the last Answer as JSON
    opted_out   INTEGER NOT NULL DEFAULT 0,
    messages    INTEGER NOT NULL DEFAULT 0,
    created_at  REAL NOT NULL,
    updated_at  REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS seen_messages (
    message     TEXT PRIMARY KEY,   -- HMAC of provider and message id (Meta ids embed the number)
    at          REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS store_info (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


def normalise_phone(phone: str) -> str:
    """Digits only, so '+977 980-000', 'whatsapp:+977980000' and Meta's '977980000' are one farmer."""
    digits = re.sub(r"\D", "", phone.removeprefix("whatsapp:"))
    if not digits:
        raise ValueError(f"not a phone number: {phone!r}")
    return digits


# the sender's calling code names the country: +880 Bangladesh, +977 Nepal, +91 India, +92 Pakistan, +94 Sri Lanka
_CALLING_CODES = (("880", "Bangladesh"), ("977", "Nepal"), ("91", "India"), ("92", "Pakistan"), ("94", "Sri Lanka"))


def country_of_phone(phone: str) -> str | None:
    """The country of an international number ('+977 98...', 'whatsapp:+91...', Meta's '880...'), or None."""
    try:
        digits = normalise_phone(phone)
    except ValueError:
        return None
    return next((country for code, country in _CALLING_CODES if digits.startswith(code)), None)


@dataclass
class FarmerState:
    """What the bot remembers about one farmer."""

    sender: str
    country: str | None = None
    crop: str | None = None
    stage: str | None = None
    language: str | None = None
    last_answer: str | None = None
    opted_out: bool = False
    messages: int = 0
    created_at: float = field(default_factory=time.time)

    def context(self) -> dict[str, str | None]:
        """The remembered country, crop and stage, as :meth:`Advisor.ask` takes them."""
        return {"country": self.country, "crop": self.crop, "stage": self.stage}


class StateStore:
    """Farmer state keyed by hashed phone number. Thread-safe: one connection behind a lock."""

    def __init__(self, path: str | Path, *, key: bytes | str) -> None:
        key = key.encode("utf-8") if isinstance(key, str) else key
        if len(key) < 16:
            raise ConfigError("phone_hash_key must be at least 16 characters; generate one with "
                              "python -c \"import secrets; print(secrets.token_hex(32))\"")
        self.path = Path(path)
        self._key = key
        self._lock = threading.Lock()
        self._inserts = 0
        self._conn = self._connect()

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=10.0)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise ConfigError(f"cannot open the state database {self.path}: {exc}") from exc
        self._check_key(conn)
        return conn

    def _check_key(self, conn: sqlite3.Connection) -> None:
        """Refuse a key other than the one the database was created with."""
        check = self._hash("agriadvisor:key-check")[:16]
        conn.execute("INSERT OR IGNORE INTO store_info VALUES ('key_check', ?), ('schema', ?)", (check, SCHEMA_VERSION))
        stored = conn.execute("SELECT value FROM store_info WHERE key = 'key_check'").fetchone()[0]
        if stored != check:
            conn.close()
            raise ConfigError(f"the state database {self.path} was created with another phone_hash_key; "
                              "with this key every farmer would be forgotten. Use the original key or a new state_db_path.")

    def _hash(self, value: str) -> str:
        return hmac.new(self._key, value.encode("utf-8"), hashlib.sha256).hexdigest()

    def sender_key(self, phone: str) -> str:
        """The stored identity of a phone number (keyed hash; the number itself is never kept)."""
        return self._hash("phone:" + normalise_phone(phone))

    # ---- farmers ---------------------------------------------------------------------------
    def get(self, sender: str) -> FarmerState | None:
        """The farmer's state, or None for a farmer not seen before (or forgotten)."""
        with self._lock:
            row = self._conn.execute(
                "SELECT sender, country, crop, stage, language, last_answer, opted_out, messages, created_at "
                "FROM farmers WHERE sender = ?", (sender,)).fetchone()
        if row is None:
            return None
        return FarmerState(*row[:6], opted_out=bool(row[6]), messages=row[7], created_at=row[8])

    def save(self, state: FarmerState) -> None:
        """Insert or replace the farmer's row."""
        now = time.time()
        with self._lock:
            self._conn.execute(
                "INSERT INTO farmers (sender, country, crop, stage, language, last_answer, opted_out, messages, "
                "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(sender) DO UPDATE SET "
                "country=excluded.country, crop=excluded.crop, stage=excluded.stage, language=excluded.language, "
                "last_answer=excluded.last_answer, opted_out=excluded.opted_out, messages=excluded.messages, "
                "updated_at=excluded.updated_at",
                (state.sender, state.country, state.crop, state.stage, state.language, state.last_answer,
                 int(state.opted_out), state.messages, state.created_at, now))

    def forget(self, sender: str) -> None:
        """Delete everything remembered about a farmer."""
        with self._lock:
            self._conn.execute("DELETE FROM farmers WHERE sender = ?", (sender,))

    def count(self) -> int:
        """How many farmers are stored."""
        with self._lock:
            return int(self._conn.execute("SELECT COUNT(*) FROM farmers").fetchone()[0])

    # ---- provider retries --------------------------------------------------------------------
    def first_delivery(self, provider: str, message_id: str) -> bool:
        """True the first time a provider's message id is seen; False for a redelivery."""
        key = self._hash(f"message:{provider}:{message_id}")
        now = time.time()
        with self._lock:
            cur = self._conn.execute("INSERT OR IGNORE INTO seen_messages VALUES (?, ?)", (key, now))
            self._inserts += cur.rowcount
            if self._inserts % 1000 == 1:  # now and then, forget ids too old to be redelivered
                self._conn.execute("DELETE FROM seen_messages WHERE at < ?", (now - SEEN_TTL_S,))
            return cur.rowcount == 1

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._conn.close()

    def __enter__(self) -> "StateStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:  # never show the key
        return f"StateStore({str(self.path)!r})"
