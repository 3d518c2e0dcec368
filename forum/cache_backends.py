"""Django's Redis cache, made to fail open: with Redis gone the site serves uncached, it does not fail.

Every call that reaches Redis is guarded: an error is logged (once a minute at most, per process) and
the call answers as a miss (get), a no-op (set, delete) or nothing found. Short socket timeouts keep a
dead Redis from holding requests.
"""

import logging
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger("forum.cache")
_last_warning = [0.0]


def redis_unavailable(error: Exception, what: str) -> None:
    """Log that Redis failed, at most once a minute, and go on without it."""
    now = time.monotonic()
    if now - _last_warning[0] > 60:
        _last_warning[0] = now
        logger.warning("Redis unavailable (%s): %s; serving without the cache, rate limits open.", what, error)


def guarded(method, default):
    def call(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except RedisError as error:
            redis_unavailable(error, method.__name__)
            return default() if callable(default) else default

    call.__name__ = method.__name__
    return call


class ResilientRedisCache(RedisCache):
    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except RedisError as error:
            redis_unavailable(error, "get")
            return default

    get_many = guarded(RedisCache.get_many, dict)
    set = guarded(RedisCache.set, None)
    set_many = guarded(RedisCache.set_many, list)
    add = guarded(RedisCache.add, False)
    touch = guarded(RedisCache.touch, False)
    delete = guarded(RedisCache.delete, False)
    delete_many = guarded(RedisCache.delete_many, None)
    has_key = guarded(RedisCache.has_key, False)
    clear = guarded(RedisCache.clear, False)
