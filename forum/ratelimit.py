"""Rate limits on writes, counted in the cache so they hold across processes (Redis)."""

import time

from django.core.cache import cache
from django.core.exceptions import ValidationError

# action: [(most allowed, per seconds, how the limit reads)]
LIMITS = {
    "comment": [(5, 60, "5 comments a minute"), (30, 3600, "30 comments an hour")],
    "flag": [(20, 3600, "20 flags an hour")],
    "propose": [(5, 3600, "5 proposed factors an hour")],
}


class RateLimited(ValidationError):
    pass


def count_action(action: str, member_id: int) -> None:
    """Count one `action` by the member; raise RateLimited if it goes over a limit.

    Fixed windows: the counter for each window is created with the window's
    length as its expiry, then incremented atomically.
    """
    now = time.time()
    for most, seconds, wording in LIMITS[action]:
        window = int(now // seconds)
        key = f"ratelimit:{action}:{member_id}:{seconds}:{window}"
        cache.add(key, 0, timeout=seconds)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=seconds)
            count = 1
        if count > most:
            wait = int((window + 1) * seconds - now) + 1
            raise RateLimited(
                f"You have reached the limit of {wording}. Please wait {wait} seconds and try again.",
                code="rate_limited",
            )
