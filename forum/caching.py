"""The content version: one number that every change to what readers see raises, at once, in every process.

Cached pages (forum/pagecache.py) and cached results (selectors/voting.py) are
keyed by it, so nothing stale is ever served: a change makes new keys, and the
old entries simply expire. It lives in forum.shared (Redis, or a file every
process on the machine shares), is read at most once per request, and is raised
when a transaction that changed content commits (signals below, and the few
bulk updates that send none).
"""

from contextvars import ContextVar

from django.db import transaction

from forum import shared

VERSION_KEY = "forum:content-version"
UNREAD = object()
# Inside a request (see ContentVersionMiddleware): UNREAD, then the version read. Outside one: None, read each time.
_request_version: ContextVar = ContextVar("content_version", default=None)


def content_version() -> str | None:
    """The version's token, or None when it cannot be read (Redis gone): then nothing is cached."""
    version = _request_version.get()
    if version is None or version is UNREAD:
        value = shared.counters.version(VERSION_KEY)
        if version is UNREAD:
            _request_version.set(value)
        return value
    return version


def bump_content_version() -> None:
    shared.counters.new_version(VERSION_KEY)
    if _request_version.get() is not None:
        _request_version.set(UNREAD)  # this request reads the new version too


def content_changed(**kwargs) -> None:
    """Raise the content version once the current transaction commits (at once outside one).

    A transaction that saves several things raises it several times: a cheap increment each.
    """
    transaction.on_commit(bump_content_version)


# Member fields that no page shows: saving only these changes nothing readers see.
UNSHOWN_USER_FIELDS = {
    "last_login",
    "password",
    "must_change_password",
    "session_generation",
    "email",
    "email_on_reply",
}


def user_changed(sender, instance, created=False, update_fields=None, **kwargs) -> None:
    """A member's name is on their comments; a new member, a login or a password is not."""
    if created or (update_fields is not None and set(update_fields) <= UNSHOWN_USER_FIELDS):
        return
    content_changed()


class ContentVersionMiddleware:
    """Read the content version at most once per request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request_version.set(UNREAD)
        try:
            return self.get_response(request)
        finally:
            _request_version.reset(token)
