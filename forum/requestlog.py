"""One log line per request, and the request id every log line carries.

`RequestLogMiddleware` (first in MIDDLEWARE) gives each request an id: the
`X-Request-ID` nginx sends (its `$request_id`), else a new one. It answers with
that id in `X-Request-ID`, and writes one JSON line on the `forum.request`
logger: method, path, status, milliseconds, member id, request id and client
address. `RequestIdFilter` (on the handlers in settings.LOGGING) stamps the id on
every other record written during the request, so an error's traceback names
the request it broke. The health check is logged at DEBUG: load balancers ask
for it every few seconds.

This module is imported while logging is configured, before the apps are
loaded: it must import no model.
"""

import json
import logging
import re
import time
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime

from django.conf import settings

from forum.client_ip import client_ip

logger = logging.getLogger("forum.request")

HEADER = "X-Request-ID"
# What we accept from upstream: nginx's 32 hex digits, a UUID, or any short token of this alphabet.
# Anything else (too long, spaces, quotes, newlines) is replaced, so no one can forge log lines.
VALID_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
QUIET_PATHS = frozenset({"/healthz"})
# A password-reset link carries its token in the path: a log reader must not be able to use it.
RESET_TOKEN = re.compile(r"^(/accounts/reset/[^/]+/)(?!set-password/)[^/]+")

_request_id: ContextVar[str] = ContextVar("request_id", default="-")


def current_request_id() -> str:
    """The id of the request being served in this thread, or "-" outside one."""
    return _request_id.get()


def new_request_id() -> str:
    return uuid.uuid4().hex


def incoming_request_id(request) -> str | None:
    value = request.headers.get(HEADER, "")
    return value if VALID_ID.fullmatch(value) else None


def loggable_path(path: str) -> str:
    return RESET_TOKEN.sub(r"\1********", path)


def member_id(request) -> int | None:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    return user.pk


class RequestIdFilter(logging.Filter):
    """Stamp `record.request_id` (the current request's id, or "-") for formatters to print."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            # Django logs a 4xx answer after the middleware has returned, with the request attached.
            request_id = _request_id.get()
            if request_id == "-":
                request_id = getattr(getattr(record, "request", None), "request_id", "-")
            record.request_id = request_id
        return True


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.monotonic()
        request_id = incoming_request_id(request) or new_request_id()
        request.request_id = request_id
        token = _request_id.set(request_id)
        try:
            if settings.SENTRY_DSN:
                import sentry_sdk

                sentry_sdk.set_tag("request_id", request_id)
            response = self.get_response(request)
            response.headers[HEADER] = request_id
            self.log(request, response, milliseconds=(time.monotonic() - started) * 1000)
        finally:
            _request_id.reset(token)
        return response

    def log(self, request, response, *, milliseconds: float) -> None:
        quiet = request.path_info in QUIET_PATHS
        level = logging.DEBUG if quiet else logging.INFO
        if not logger.isEnabledFor(level):
            return
        line = {
            "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "method": request.method,
            "path": loggable_path(request.path),
            "status": response.status_code,
            "ms": round(milliseconds, 1),
            # The health check never looks at the session: reading it there would cost a round trip.
            "user_id": None if quiet else member_id(request),
            "request_id": request.request_id,
            "ip": client_ip(request),
        }
        logger.log(level, json.dumps(line))
