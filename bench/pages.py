"""Benchmark: server time of the busiest pages, on a throwaway SQLite database.

Run on demand (not a test): `make bench`, or `.venv/bin/python bench/pages.py [topic|results]`.

- topic: the first topic filled with 1,000 comments by 100 members;
- results: the factor results page with 5,000 ballots (cache cold and warm).

Each page is rendered 50 times for an anonymous reader and for a member; the
median and 95th percentile are printed, with the page's SQL query count.
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

from django.core.cache import cache  # noqa: E402

from forum.markdown import render_markdown  # noqa: E402
from forum.models import Article, Ballot, BallotEntry, Comment, Topic, User  # noqa: E402

COMMENTS, MEMBERS, RENDERS, BALLOTS = 1000, 100, 50, 5000


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


def measure(client: Client, url: str, *, cold=False) -> tuple[float, float, int]:
    """Median and 95th percentile in ms over RENDERS renders, and the query count of one."""
    client.get(url)  # warm up templates (and caches, unless `cold`)
    timings = []
    for _ in range(RENDERS):
        if cold:
            cache.clear()
        start = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    if cold:
        cache.clear()
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return statistics.median(timings), statistics.quantiles(timings, n=20)[18], len(queries)


def report(name: str, figures: tuple[float, float, int]) -> None:
    median, p95, queries = figures
    print(f"  {name:<28} median {median:6.1f} ms   p95 {p95:6.1f} ms   {queries} SQL queries")


def clients() -> tuple[Client, Client]:
    member = Client()
    member.force_login(User.objects.order_by("pk").first())
    return Client(), member


def bench_topic() -> None:
    topic = Topic.objects.order_by("position").first()
    fill(topic)
    url = topic.get_absolute_url()
    threads = Comment.objects.filter(topic=topic, parent=None).count()
    anonymous, member = clients()
    page = anonymous.get(url).content
    shown = page.count(b'class="comment-item')
    print(f"Topic page with {COMMENTS} comments ({threads} threads) by {MEMBERS} members; {RENDERS} renders each.")
    print(f"  its first page shows 30 threads with all their replies: {shown} comments, {len(page) // 1024} KiB")
    report("anonymous reader", measure(anonymous, url))
    report("member", measure(member, url))


def bench_results() -> None:
    article = Article.objects.get()
    factors = list(article.factors.approved())
    rng = random.Random(5000)
    voters = User.objects.bulk_create(
        User(username=f"voter{n}", email=f"voter{n}@example.org") for n in range(BALLOTS)
    )
    ballots = Ballot.objects.bulk_create(
        Ballot(member=voter, article=article, reason=f"Reason {n}" if n % 10 == 0 else "")
        for n, voter in enumerate(voters)
    )
    entries = []
    for ballot in ballots:
        ranking = rng.sample(factors, rng.randint(1, len(factors)))
        entries.extend(BallotEntry(ballot=ballot, factor=f, rank=r) for r, f in enumerate(ranking, start=1))
    BallotEntry.objects.bulk_create(entries, batch_size=2000)
    url = f"/articles/{article.slug}/factors/"
    print(f"Results page with {BALLOTS} ballots ({len(entries)} ranked entries); {RENDERS} renders each.")
    anonymous, member = clients()
    report("anonymous reader, cached", measure(anonymous, url))
    report("member, cached", measure(member, url))
    report("anonymous reader, cache cold", measure(anonymous, url, cold=True))


def main() -> None:
    which = sys.argv[1:] or ["topic", "results"]
    call_command("migrate", verbosity=0)
    call_command("import_article", str(ROOT / "forum/content/us-russia-peace-talks.txt"), stdout=io.StringIO())
    call_command("import_factors", str(ROOT / "forum/content/factors.json"), stdout=io.StringIO())
    if "topic" in which:
        bench_topic()
    if "results" in which:
        bench_results()


if __name__ == "__main__":
    main()
