"""Anonymous readers' pages, rendered once per content version and served from the cache.

Every reader who is not logged in sees the same page for the same address, so
it is rendered once and kept under the content version (forum/caching.py):
any change anywhere raises the version in every process, and the next reader
gets a fresh page. Readers who send the page's ETag back get a 304 without the
cache being read at all. Members' pages are never cached whole.
"""

import hashlib
from functools import wraps

from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import parse_etags

from forum.caching import content_version

PAGE_TIMEOUT = 600  # a stale version's pages are never asked for again; this only frees the memory


def page_key(request) -> str:
    kind = "fragment" if request.htmx else "page"
    digest = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
    return f"forum:page:{content_version()}:{kind}:{digest}"


def cacheable(request) -> bool:
    """Anonymous GETs with nothing meant for this reader alone (a message after logging out, say)."""
    return request.method in ("GET", "HEAD") and not request.user.is_authenticated and not get_messages(request)


def cached_for_readers(view):
    """Serve `view` to anonymous readers from the cache, with an ETag; render it for everyone else."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not cacheable(request):
            return view(request, *args, **kwargs)
        key = page_key(request)
        etag = f'"{hashlib.sha256(key.encode()).hexdigest()[:24]}"'
        # Compressed answers carry a weak ETag (GZipMiddleware); either form names this page.
        sent = {tag.removeprefix("W/") for tag in parse_etags(request.headers.get("If-None-Match", ""))}
        if etag in sent:
            response = HttpResponseNotModified()
        elif (stored := cache.get(key)) is not None:
            response = HttpResponse(stored["content"], content_type=stored["content_type"], status=stored["status"])
        else:
            response = view(request, *args, **kwargs)
            # A page that set a cookie (a CSRF token, a session) is this reader's own: never shared.
            if response.status_code == 200 and not response.cookies and not request.META.get(
                    "CSRF_COOKIE_NEEDS_UPDATE") and not response.streaming:
                cache.set(key, {"content": response.content, "content_type": response["Content-Type"],
                                "status": response.status_code}, PAGE_TIMEOUT)
        if response.status_code in (200, 304):
            response["ETag"] = etag
            patch_cache_control(response, no_cache=True)  # browsers may keep it, but ask again each time
        patch_vary_headers(response, ["Cookie", "HX-Request"])
        return response

    return wrapper
