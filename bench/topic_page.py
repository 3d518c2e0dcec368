"""Benchmark: the topic page's server time with 1,000 comments by 100 members.

Run on demand (not a test): `make bench` or `.venv/bin/python bench/topic_page.py`.
Builds a throwaway SQLite database in a temporary folder, imports the shipped
article, fills its first topic, then renders the page 50 times each for an
anonymous reader and for a member, and prints the median and 95th percentile.
"""

import io
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORKDIR = tempfile.mkdtemp(prefix="forum-bench-")
os.environ.update(
    DJANGO_SETTINGS_MODULE="diplomacy.settings",
    DJANGO_DEBUG="0",
    DJANGO_HTTPS="0",
    DJANGO_SECRET_KEY="bench-only-key-not-secret-0123456789abcdefghijklmnop",
    DJANGO_ALLOWED_HOSTS="testserver",
    DATABASE_URL=f"sqlite:///{WORKDIR}/bench.sqlite3",
)

import warnings  # noqa: E402

import django  # noqa: E402

warnings.filterwarnings("ignore", "No directory at", UserWarning)  # whitenoise: no collectstatic here

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

settings.STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

from forum.markdown import render_markdown  # noqa: E402
from forum.models import Comment, Topic, User  # noqa: E402

COMMENTS, MEMBERS, RENDERS = 1000, 100, 50


def fill(topic: Topic) -> None:
    members = User.objects.bulk_create(
        User(username=f"bench{n}", email=f"bench{n}@example.org", display_name=f"Bench Member {n}") for n in
        range(MEMBERS)
    )
    subsections = list(topic.subsections.all())
    comments: list[Comment] = []
    rng = random.Random(2026)
    for n in range(COMMENTS):
        # A third start threads; the others answer an earlier comment picked at random (seeded).
        parent = rng.choice(comments) if n % 3 and comments else None
        body = f"Comment {n}: *public opinion* and [trust](https://example.org/{n}) matter.\n\n- point one\n- point two"
        comment = Comment(
            topic=topic, author=members[n % MEMBERS], parent=parent, root=(parent.root or parent) if parent else None,
            depth=parent.depth + 1 if parent else 0, anchor=subsections[n % len(subsections)], body=body,
            body_html=render_markdown(body), helpful_count=n % 7,
        )
        comment.save()
        comments.append(comment)


def measure(client: Client, url: str) -> tuple[float, float, int]:
    client.get(url)  # warm up caches and templates
    timings = []
    for _ in range(RENDERS):
        start = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return statistics.median(timings), statistics.quantiles(timings, n=20)[18], len(queries)


def main() -> None:
    call_command("migrate", verbosity=0)
    call_command("import_article", str(ROOT / "forum/content/us-russia-peace-talks.txt"), stdout=io.StringIO())
    topic = Topic.objects.order_by("position").first()
    fill(topic)
    url = topic.get_absolute_url()
    threads = Comment.objects.filter(topic=topic, parent=None).count()
    print(f"Topic page with {COMMENTS} comments ({threads} threads) by {MEMBERS} members; {RENDERS} renders each.")
    anonymous = Client()
    member = Client()
    member.force_login(User.objects.get(username="bench1"))
    for name, client in (("anonymous reader", anonymous), ("member", member)):
        median, p95, queries = measure(client, url)
        print(f"  {name:<17} median {median:6.1f} ms   p95 {p95:6.1f} ms   {queries} SQL queries")


if __name__ == "__main__":
    main()
