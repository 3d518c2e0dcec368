"""Rate limits on writes, counted in the cache so they hold across processes (Redis)."""

import time

from django.core.cache import cache
from django.core.exceptions import ValidationError

# action: [(most allowed, per seconds, how the limit reads)]
LIMITS = {
    "comment": [(5, 60, "5 comments a minute"), (30, 3600, "30 comments an hour")],
    "flag": [(20, 3600, "20 flags an hour")],
    "propose": [(5, 3600, "5 proposed factors an hour")],
    "ballot": [(20, 3600, "20 rankings an hour")],
    # Join codes are short: guessing them is slowed down per member.
    "join": [(10, 600, "10 join attempts in 10 minutes")],
    # Per address: generous, as a class signs up together from one school address.
    "signup": [(60, 3600, "60 new accounts an hour from one address")],
}


class RateLimited(ValidationError):
    pass


def count_action(action: str, member_id: int | str) -> None:
    """Count one `action` by the member (or address); raise RateLimited if it goes over a limit.

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
