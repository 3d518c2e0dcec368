"""Versions that make cached reads stale at once, in every process that shares the cache."""

import uuid

from django.core.cache import cache


def results_version_key(article_id: int) -> str:
    return f"forum:results-version:{article_id}"


def invalidate_results(article_id: int) -> None:
    """Make every cached result of the article stale at once, in every process."""
    cache.set(results_version_key(article_id), uuid.uuid4().hex, timeout=None)
