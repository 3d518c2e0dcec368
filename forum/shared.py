"""Counters every process of the site shares: rate limits and the content version.

With Redis (REDIS_URL) they are Redis keys, shared by every app server. Without
it, they live in a small SQLite file beside the database (SHARED_STATE_PATH),
shared by every process on the machine, which is where the embedded SQLite
database is too. Either way an increment is atomic (Redis INCR; one SQLite
upsert statement) and outside the request's database transaction, so a write
that is refused and rolled back still counts towards its limit.
"""

import sqlite3
import threading
import time

from django.conf import settings
from django.core.cache import cache


class RedisCounters:
    def incr(self, key: str, seconds: int) -> int:
        cache.add(key, 0, timeout=seconds)
        try:
            return cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=seconds)
            return 1

    def get(self, key: str) -> int:
        return cache.get(key) or 0


class SQLiteCounters:
    """One table of (key, count, expires), one connection per thread, autocommit."""

    def __init__(self, path):
        self.path = str(path)
        self.local = threading.local()
        self.calls = 0

    def connection(self) -> sqlite3.Connection:
        connection = getattr(self.local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(self.path, timeout=20, isolation_level=None, check_same_thread=False)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.execute(
                "CREATE TABLE IF NOT EXISTS counter (key TEXT PRIMARY KEY, count INTEGER NOT NULL, expires REAL)"
            )
            self.local.connection = connection
        return connection

    def incr(self, key: str, seconds: int | None) -> int:
        now = time.time()
        expires = now + seconds if seconds else None
        connection = self.connection()
        self.calls += 1
        if self.calls % 1000 == 0:  # now and then, forget windows that have ended
            connection.execute("DELETE FROM counter WHERE expires < ?", (now,))
        # An expired window starts again at 1; otherwise one more. One statement: atomic across processes.
        (count,) = connection.execute(
            "INSERT INTO counter (key, count, expires) VALUES (?, 1, ?) "
            "ON CONFLICT (key) DO UPDATE SET "
            "count = CASE WHEN expires IS NOT NULL AND expires < ? THEN 1 ELSE count + 1 END, "
            "expires = CASE WHEN expires IS NOT NULL AND expires < ? THEN excluded.expires ELSE expires END "
            "RETURNING count",
            (key, expires, now, now),
        ).fetchone()
        return count

    def get(self, key: str) -> int:
        row = self.connection().execute(
            "SELECT count FROM counter WHERE key = ? AND (expires IS NULL OR expires >= ?)", (key, time.time())
        ).fetchone()
        return row[0] if row else 0

    def clear(self) -> None:
        self.connection().execute("DELETE FROM counter")


def make_counters():
    return RedisCounters() if settings.REDIS_URL else SQLiteCounters(settings.SHARED_STATE_PATH)


counters = make_counters()
