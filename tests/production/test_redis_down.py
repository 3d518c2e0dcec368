"""Redis gone mid-lesson: pages still serve (uncached), writes still work, rate limits fail open with a
warning, members stay logged in (sessions are in the database behind Redis)."""

import logging

import pytest
from django.urls import reverse

from forum import shared
from forum.models import Comment
from tests.factories import CommentFactory, MemberFactory

DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.fixture
def redis_gone(db, settings, monkeypatch):
    settings.REDIS_URL = DEAD_REDIS
    settings.CACHES = {
        "default": {
            "BACKEND": "forum.cache_backends.ResilientRedisCache",
            "LOCATION": DEAD_REDIS,
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        },
        "local": settings.CACHES["local"],
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    monkeypatch.setattr(shared, "counters", shared.RedisCounters())
    monkeypatch.setattr("forum.cache_backends._last_warning", [0.0])


def test_readers_pages_serve_uncached_and_the_failure_is_logged(client, redis_gone, caplog):
    comment = CommentFactory(body="Still readable.")
    with caplog.at_level(logging.WARNING, logger="forum.cache"):
        first = client.get(comment.topic.get_absolute_url())
    assert first.status_code == 200 and "Still readable." in first.content.decode()
    assert "ETag" not in first  # nothing cached, so nothing to revalidate against
    assert any("Redis unavailable" in record.getMessage() for record in caplog.records)


def test_members_stay_logged_in_and_write_with_rate_limits_open(client, redis_gone):
    comment = CommentFactory()
    member = MemberFactory()
    client.force_login(member)
    url = reverse("forum:comment_create", args=[comment.topic.article.slug, comment.topic.slug])
    for n in range(7):  # over the 5-a-minute limit: with Redis gone the limit fails open
        response = client.post(url, {"body": f"Comment {n} while Redis is down."})
        assert response.status_code == 302, response.content.decode()[:300]
    assert Comment.objects.filter(author=member).count() == 7


def test_a_failing_redis_answers_the_health_check_with_503(client, redis_gone):
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["cache"] != "ok"
