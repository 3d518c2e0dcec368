"""`/healthz`: is this app server able to serve? For nginx, systemd, a load balancer or a person.

Answered by a middleware near the top of MIDDLEWARE, before host validation,
the HTTPS redirect, sessions, CSRF and django-axes: a probe that asks an app
server directly (`http://127.0.0.1:8001/healthz`, no `Host` the site knows, no
TLS) gets the answer rather than a 400 or a redirect, and the answer costs one
`SELECT 1` and one cache round trip. No page, no member data: nothing to protect.
"""

import logging
import threading
import uuid

from django.core.cache import cache
from django.db import connection
from django.http import HttpResponseNotAllowed, JsonResponse

logger = logging.getLogger("forum.health")

PATH = "/healthz"


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_cache() -> None:
    """Write and read back a value: the shared cache (Redis) answers, and keeps what it is given."""
    key = f"forum:healthz:{threading.get_ident()}"  # one key per thread: threads never read each other's
    value = uuid.uuid4().hex
    cache.set(key, value, timeout=10)
    if cache.get(key) != value:
        raise RuntimeError("the cache did not return the value just written")


CHECKS = {"database": check_database, "cache": check_cache}


def health() -> dict[str, str]:
    """{"status": "ok"|"error", and "ok"|"error" for each check}."""
    result = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as error:  # any failure is the answer, not a 500
            logger.warning("Health check: the %s failed: %s: %s", name, type(error).__name__, error)
            result[name] = "error"
        else:
            result[name] = "ok"
    status = "ok" if all(value == "ok" for value in result.values()) else "error"
    return {"status": status, **result}


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info != PATH:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        result = health()
        response = JsonResponse(result, status=200 if result["status"] == "ok" else 503)
        response["Cache-Control"] = "no-store"
        return response
