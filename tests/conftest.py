import pytest
from django.conf import settings as django_settings
from django.core.cache import cache, caches

from forum import shared
from forum.article_format import parse_article
from forum.services.content import publish_article

SHIPPED_ARTICLE = django_settings.BASE_DIR / "forum" / "content" / "us-russia-peace-talks.txt"
SHIPPED_TITLE = "The reduction in US-Russia peace talks"
# Sessions live in the database by default; with REDIS_URL they are read from Redis in front of it.
SESSION_QUERIES = 0 if django_settings.SESSION_ENGINE.endswith((".cache", ".cached_db")) else 1


@pytest.fixture(scope="session", autouse=True)
def _shared_counters(tmp_path_factory):
    """Without Redis, the counters every process shares live in a file: one of this test run's own."""
    if isinstance(shared.counters, shared.SQLiteCounters):
        shared.counters = shared.SQLiteCounters(tmp_path_factory.mktemp("shared") / "shared-state.sqlite3")


@pytest.fixture(autouse=True)
def _test_settings(settings):
    # Hashed static names need collectstatic (tests/test_settings.py checks that
    # pipeline); pages under test use the plain files. Argon2 is slow on purpose,
    # so tests hash with MD5.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    caches["local"].clear()
    if isinstance(shared.counters, shared.SQLiteCounters):
        shared.counters.clear()
    yield
    cache.clear()


@pytest.fixture
def article(db):
    """The shipped article, imported as `make run` imports it."""
    article, _ = publish_article(parsed=parse_article(SHIPPED_ARTICLE.read_text()), title=SHIPPED_TITLE)
    return article


@pytest.fixture(autouse=True)
def _queued_email(settings):
    """Mail goes through the task queue as on the site (pytest-django would swap in its outbox backend
    directly) and is delivered to `mail.outbox`. Tasks run at once, on SQLite and on PostgreSQL alike;
    tests/test_mail.py switches to the database queue and runs the worker itself."""
    settings.EMAIL_BACKEND = "forum.mail.QueuedEmailBackend"
    settings.EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
