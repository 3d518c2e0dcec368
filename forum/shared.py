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
import uuid

from django.conf import settings
from django.core.cache import cache
from redis.exceptions import RedisError

from forum.cache_backends import redis_unavailable


class RedisCounters:
    """Counters and versions in Redis. With Redis gone, limits fail open (0) and there is no version (None):
    pages are then rendered for every request rather than risk a stale one."""

    def incr(self, key: str, seconds: int) -> int:
        try:
            cache.add(key, 0, timeout=seconds)
            try:
                return cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.set(key, 1, timeout=seconds)
                return 1
        except RedisError as error:
            redis_unavailable(error, "rate limit")
            return 0

    def get(self, key: str) -> int:
        return cache.get(key) or 0

    def version(self, key: str) -> str | None:
        """A token that changes with every bump and never comes back, even when Redis restarts empty."""
        try:
            cache.add(key, uuid.uuid4().hex, timeout=None)
            return cache.get(key)
        except RedisError as error:
            redis_unavailable(error, "content version")
            return None

    def new_version(self, key: str) -> None:
        cache.set(key, uuid.uuid4().hex, timeout=None)


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

    def version(self, key: str) -> str:
        """A token that changes with every bump and never comes back (the count, and the file's own id)."""
        return f"{self.file_token()}.{self.get(key)}"

    def new_version(self, key: str) -> None:
        self.incr(key, None)

    def file_token(self) -> str:
        """Made once per file: a file deleted and made again starts with another token, not at 0 again."""
        connection = self.connection()
        connection.execute("CREATE TABLE IF NOT EXISTS token (id INTEGER PRIMARY KEY CHECK (id = 1), value TEXT)")
        connection.execute("INSERT OR IGNORE INTO token (id, value) VALUES (1, ?)", (uuid.uuid4().hex,))
        return connection.execute("SELECT value FROM token").fetchone()[0]

    def get(self, key: str) -> int:
        row = (
            self.connection()
            .execute(
                "SELECT count FROM counter WHERE key = ? AND (expires IS NULL OR expires >= ?)", (key, time.time())
            )
            .fetchone()
        )
        return row[0] if row else 0

    def clear(self) -> None:
        self.connection().execute("DELETE FROM counter")
        self.connection().execute("DROP TABLE IF EXISTS token")


def make_counters():
    return RedisCounters() if settings.REDIS_URL else SQLiteCounters(settings.SHARED_STATE_PATH)


counters = make_counters()
