"""Rate limits on writes, counted in forum.shared so they hold in every process (Redis, or a file)."""

import math
import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, gettext_lazy, ngettext

from forum import shared
from forum.client_ip import client_ip


def login_failure_limits():
    """Failed logins from one address, whoever they were for: a ceiling against password spraying.

    Read at each use, so the setting can change under test.
    """
    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    most = settings.LOGIN_FAILURES_PER_ADDRESS
    return [
        (
            most,
            seconds,
            gettext("%(most)d failed logins in %(minutes)d minutes from one address")
            % {"most": most, "minutes": seconds // 60},
        )
    ]


# action: [(most allowed, per seconds, how the limit reads)], or a function returning that list
LIMITS = {
    "comment": [(5, 60, gettext_lazy("5 comments a minute")), (30, 3600, gettext_lazy("30 comments an hour"))],
    "flag": [(20, 3600, gettext_lazy("20 flags an hour"))],
    "propose": [(5, 3600, gettext_lazy("5 proposed factors an hour"))],
    "ballot": [(20, 3600, gettext_lazy("20 rankings an hour"))],
    # The comment box asks as a member types "@na…": generous for typing, a wall against listing members.
    "mention_lookup": [
        (60, 60, gettext_lazy("60 name lookups a minute")),
        (600, 3600, gettext_lazy("600 name lookups an hour")),
    ],
    "api_token": [(10, 3600, gettext_lazy("10 new API tokens or feed addresses an hour"))],
    # Join codes are short: guessing them is slowed down per member.
    "join": [(10, 600, gettext_lazy("10 join attempts in 10 minutes"))],
    # Per address: generous, as a class signs up together from one school address.
    "signup": [(60, 3600, gettext_lazy("60 new accounts an hour from one address"))],
    # A teacher's calls to their learning platform (forum/services/lti.py): each is many requests over there.
    "lti_sync": [(10, 600, gettext_lazy("10 roster syncs in 10 minutes"))],
    "lti_grades": [(10, 600, gettext_lazy("10 sendings of scores in 10 minutes"))],
    # Per address: a whole school may launch from one, so only a flood is stopped.
    "lti_login": [(1000, 600, gettext_lazy("1000 launches in 10 minutes from one address"))],
    # Per address, and generous: a class of 30 searches from one school address.
    "search": [(300, 60, gettext_lazy("300 searches a minute from one address"))],
    # Per address; counted by forum.apps when a login fails, checked by forms.LoginForm before the next.
    "login_failure": login_failure_limits,
}


class RateLimited(ValidationError):
    pass


def windows(action: str, member_id: int | str):
    """For each limit of `action`: (most, its current window's cache key, seconds until it ends, wording)."""
    limits = LIMITS[action]
    now = time.time()
    for most, seconds, wording in limits() if callable(limits) else limits:
        window = int(now // seconds)
        yield (
            most,
            f"ratelimit:{action}:{member_id}:{seconds}:{window}",
            seconds,
            int((window + 1) * seconds - now) + 1,
            wording,
        )


def count_action(action: str, member_id: int | str) -> None:
    """Count one `action` by the member (or address); raise RateLimited if it goes over a limit.

    Fixed windows: the counter for each window is created with the window's
    length as its expiry, then incremented atomically.
    """
    for most, key, seconds, wait, wording in windows(action, member_id):
        if shared.counters.incr(key, seconds) > most:
            raise RateLimited(
                gettext("You have reached the limit of %(limit)s. Please wait %(wait)s and try again.")
                % {"limit": wording, "wait": in_words(wait)},
                code="rate_limited",
            )


def record_action(action: str, member_id: int | str) -> None:
    """Count one `action` that has already happened (a failed login), refusing nothing."""
    for _, key, seconds, _, _ in windows(action, member_id):
        shared.counters.incr(key, seconds)


def seconds_until_allowed(action: str, member_id: int | str) -> int:
    """0 if the member (or address) is under every limit of `action`, else how long until it is."""
    return max(
        (wait for most, key, _, wait, _ in windows(action, member_id) if shared.counters.get(key) >= most), default=0
    )


def in_words(seconds: int) -> str:
    """A wait as a person reads it: "40 seconds", "1 minute", "12 minutes"."""
    if seconds < 60:
        return ngettext("%(count)d second", "%(count)d seconds", seconds) % {"count": seconds}
    minutes = math.ceil(seconds / 60)
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}


def count_failed_login(sender, credentials=None, request=None, **kwargs) -> None:
    """user_login_failed: one more failure for the client's address (none without a request)."""
    if request is not None:
        record_action("login_failure", client_ip(request))
