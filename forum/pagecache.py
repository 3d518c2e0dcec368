"""Anonymous readers' pages, rendered once per content version and served from the cache.

Every reader who is not logged in sees the same page for the same address, so
it is rendered once and kept under the content version (forum/caching.py):
any change anywhere raises the version in every process, and the next reader
gets a fresh page. Readers who send the page's ETag back get a 304 without the
cache being read at all. Members' pages are never cached whole. A page and a
card are kept per language (README: "Languages"): a Russian reader is never
served the English rendering, nor the English reader's ETag.
"""

import hashlib
from collections.abc import Iterable
from functools import wraps

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache, caches
from django.http import HttpResponse, HttpResponseNotModified
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import parse_etags
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.views.decorators.cache import cache_control

from forum.caching import content_version

PAGE_TIMEOUT = 600  # a stale version's pages are never asked for again; this only frees the memory
CARD_TIMEOUT = 3600


# With Redis, two tiers: this process's memory, then Redis (a hit in memory costs no round trip).
# Safe because a key never changes its value: pages are keyed by the content version, cards by what they show.


def tiers() -> list:
    return [caches["local"], cache] if settings.REDIS_URL else [cache]


def get_many(keys: list[str], timeout: int) -> dict:
    found, nearer = {}, []
    for tier in tiers():
        if missing := [key for key in keys if key not in found]:
            hits = tier.get_many(missing)
            for near in nearer:
                near.set_many(hits, timeout)
            found.update(hits)
        nearer.append(tier)
    return found


def set_many(values: dict, timeout: int) -> None:
    for tier in tiers():
        tier.set_many(values, timeout)


def page_key(request) -> str:
    kind = "fragment" if request.htmx else "page"
    digest = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
    return f"forum:page:{content_version()}:{get_language()}:{kind}:{digest}"


def cacheable(request) -> bool:
    """Anonymous GETs with nothing meant for this reader alone (a message after logging out, say)."""
    return request.method in ("GET", "HEAD") and not request.user.is_authenticated and not get_messages(request)


def cached_for_readers(view):
    """Serve `view` to anonymous readers from the cache, with an ETag; render it for everyone else."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not cacheable(request) or content_version() is None:  # no version (Redis gone): nothing cached
            return view(request, *args, **kwargs)
        key = page_key(request)
        etag = f'"{hashlib.sha256(key.encode()).hexdigest()[:24]}"'
        # Compressed answers carry a weak ETag (GZipMiddleware); either form names this page.
        sent = {tag.removeprefix("W/") for tag in parse_etags(request.headers.get("If-None-Match", ""))}
        if etag in sent:
            response = HttpResponseNotModified()
        elif (stored := get_many([key], PAGE_TIMEOUT).get(key)) is not None:
            response = HttpResponse(stored["content"], content_type=stored["content_type"], status=stored["status"])
        else:
            response = view(request, *args, **kwargs)
            # A page that set a cookie (a CSRF token, a session) is this reader's own: never shared.
            if (
                response.status_code == 200
                and not response.cookies
                and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
                and not response.streaming
            ):
                set_many(
                    {
                        key: {
                            "content": response.content,
                            "content_type": response["Content-Type"],
                            "status": response.status_code,
                        }
                    },
                    PAGE_TIMEOUT,
                )
        if response.status_code in (200, 304):
            response["ETag"] = etag
            patch_cache_control(response, no_cache=True)  # browsers may keep it, but ask again each time
        # The language comes from the language cookie, else Accept-Language (LocaleMiddleware).
        patch_vary_headers(response, ["Cookie", "Accept-Language", "HX-Request"])
        return response

    return wrapper


# Every page of threads: a comment's card is the same for every viewer in the same position


def card_key(comment, context: dict) -> str:
    """Everything the card shows, and whose eyes it is for: an edit, a decision, a new display name or
    a mark makes a new key; members in the same position (not its author, not flagged it...) share it."""
    in_reply_to = getattr(comment, "in_reply_to", None)
    viewer = context["user"]
    shown = (
        get_language(),  # its labels and dates are in the reader's language
        comment.pk,
        comment.status,
        comment.status_reason,
        comment.edited_at,
        comment.helpful_count,
        comment.shown,
        comment.author.username,
        comment.author.public_name,
        comment.author.is_staff,
        getattr(comment, "author_teaches", False),
        in_reply_to.public_name if in_reply_to else "",
        comment.anchor.title if comment.anchor_id and not comment.parent_id else "",
        # the viewer's position
        comment.author_id == context["viewer_id"],
        comment.marked_helpful,
        comment.flagged,
        context["can_write"],
        context["moderator"],
        viewer.is_authenticated and viewer.is_staff,
        context["comment_base"],
    )
    return "forum:card:" + hashlib.sha256(repr(shown).encode()).hexdigest()[:40]


def attach_comment_cards(comments: Iterable, context: dict) -> None:
    """Give each comment `card_html`: from the cache (one round trip for a page) or rendered once.

    `context` is the page's: the viewer's id and rights, as the card template reads them.
    """
    by_key = {card_key(comment, context): comment for comment in comments}
    found = get_many(list(by_key), CARD_TIMEOUT)
    rendered = {}
    for key, comment in by_key.items():
        if (html := found.get(key)) is None:
            html = rendered[key] = render_to_string(
                "forum/discussion/_comment_card.html", {**context, "comment": comment}
            )
        comment.card_html = mark_safe(html)  # noqa: S308 (our own template's output)
    if rendered:
        set_many(rendered, CARD_TIMEOUT)


def thread_comments(roots: Iterable):
    """Every comment of a page of threads: the roots and, depth first, what hangs under them."""
    for comment in roots:
        yield comment
        yield from thread_comments(comment.children)


def private_no_store(view):
    """`Cache-Control: private, no-store` for a member's page that carries secrets or personal data
    (one-time passwords, exports, settings, notifications): no shared cache may keep it, and the
    browser keeps no copy on disk for the next person at a school computer to find."""
    return cache_control(private=True, no_store=True)(view)
