"""Settings for the peer forum Spirit, as its docs advise for production: import its
`prod` settings (from the project `spirit startproject spiritsite` made under
.bench/) and override what a site must (database, hosts, secret key, paths).

bench/run.py puts .bench/spirit-project and this folder on PYTHONPATH and sets
DJANGO_SETTINGS_MODULE=spirit_bench_settings. Like the forum without Redis:
SQLite (with the same options as diplomacy/settings.py) and local-memory caches
(those of Spirit's own dev settings), so the two are compared on equal terms.
"""

import os

from spiritsite.settings.prod import *  # noqa: F403

DEBUG = False
SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
ALLOWED_HOSTS = ["127.0.0.1"]
ADMINS = ()  # no mail on errors: bench/run.py counts the 5xx answers
ST_SITE_URL = "http://127.0.0.1/"

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ["SPIRIT_BENCH_DB"],
        "OPTIONS": {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        },
    }
}
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "st_rate_limit": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "spirit_rl_cache",
        "TIMEOUT": None,
    },
}
STATIC_ROOT = os.environ["SPIRIT_BENCH_STATIC"]
MEDIA_ROOT = os.path.join(os.environ["SPIRIT_BENCH_TMP"], "media")
HAYSTACK_CONNECTIONS = {
    "default": {
        "ENGINE": "haystack.backends.whoosh_backend.WhooshEngine",
        "PATH": os.path.join(os.environ["SPIRIT_BENCH_TMP"], "st_search"),
    }
}
LOGGING["handlers"]["file"]["filename"] = os.path.join(os.environ["SPIRIT_BENCH_TMP"], "django.log")  # noqa: F405
