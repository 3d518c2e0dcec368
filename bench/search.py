"""The search scenario of `make bench` (bench/run.py --search): 100,000 comments, then the median latency of searches.

Run by bench/run.py in a child process per database, with the environment that names it:

    DATABASE_URL=... python bench/search.py OUT.json

It migrates an empty database, imports the article, writes 100,000 comments in bulk
(words drawn from the article's own vocabulary, the frequent ones often, so some
queries match half the comments and others a handful; a tenth in three classes'
spaces, 3% held or hidden), rebuilds the search index (timed), then asks each query
of QUERIES ROUNDS times, as a reader and as a student of a class, through the page
itself (Django's test client: middleware, the selector's count and first page,
the template) and reports the median and 90th percentile in milliseconds.
"""

import io
import json
import random
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.seed import ARTICLE, ARTICLE_TITLE, BATCH, make_users, setup_django  # noqa: E402

COMMENTS = 100_000
MEMBERS, CLASSES, STUDENTS = 300, 3, 30
ROUNDS = 15
QUERIES = [
    {"q": "peace"},
    {"q": "russia talks"},
    {"q": '"public opinion"'},
    {"q": "sanctions trust escalation"},
    {"q": "grievances"},
    {"q": "peace", "author": "Bench 7"},
    {"q": "diplomacy", "date_from": "2026-01-01"},
    {"q": "zyzzyva"},  # in no comment
]


def vocabulary() -> tuple[list[str], list[float]]:
    """The article's words, weighted by rank (Zipf): the first ones are in most comments, the last in few."""
    words = re.findall(r"[A-Za-z]{3,}", ARTICLE.read_text())
    counts: dict[str, int] = {}
    for word in words:
        counts[word.lower()] = counts.get(word.lower(), 0) + 1
    ranked = sorted(counts, key=lambda w: -counts[w])
    return ranked, [1 / (rank + 1) for rank in range(len(ranked))]


def seed(rng: random.Random) -> dict:
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from forum.models import Article, Comment, Membership
    from forum.services.classes import create_class

    call_command("migrate", verbosity=0)
    call_command("import_article", str(ARTICLE), title=ARTICLE_TITLE, stdout=io.StringIO())
    article = Article.objects.get()
    topics = list(article.topics.all())
    words, weights = vocabulary()
    password = make_password("bench-password-not-secret")
    now = timezone.now()
    with transaction.atomic():
        members = make_users("bench", MEMBERS, password)
        spaces = []
        for n, teacher in enumerate(make_users("teacher", CLASSES, password)):
            classroom = create_class(teacher=teacher, name=f"Bench class {n + 1}", article=article)
            students = make_users(f"c{n + 1}pupil", STUDENTS, password, created_by=teacher)
            Membership.objects.bulk_create(Membership(classroom=classroom, member=s) for s in students)
            spaces.append((classroom, students))
        batch = []
        for n in range(COMMENTS):
            text = " ".join(rng.choices(words, weights, k=rng.randint(15, 60))).capitalize() + "."
            classroom, students = spaces[n % CLASSES] if n % 10 == 0 else (None, members)
            status = Comment.Status.HIDDEN if n % 50 == 1 else Comment.Status.PENDING if n % 100 == 3 else "published"
            batch.append(
                Comment(
                    topic=topics[n % len(topics)],
                    author=students[n % len(students)],
                    classroom=classroom,
                    body=text,
                    body_html=f"<p>{text}</p>",
                    word_count=len(text.split()),
                    status=status,
                    created_at=now,
                )
            )
            if len(batch) == BATCH:
                Comment.objects.bulk_create(batch)
                batch = []
        Comment.objects.bulk_create(batch)
    started = time.perf_counter()
    call_command("rebuild_search_index", stdout=io.StringIO())
    return {
        "index_seconds": round(time.perf_counter() - started, 1),
        "student": spaces[0][1][0],
        "comments": Comment.objects.count(),
    }


def measure(out: Path, reuse: bool = False) -> None:
    setup_django()
    from django.conf import settings
    from django.contrib.auth.models import AnonymousUser
    from django.db import connection
    from django.test import Client

    from forum import ratelimit
    from forum.forms import SearchForm
    from forum.models import Comment, SearchEntry, User
    from forum.selectors.search import parse_query, search_entries

    ratelimit.LIMITS["search"] = [(10**9, 60, "no limit in the bench")]  # one address asks everything
    started = time.perf_counter()
    if reuse:  # by hand, to time again a database seeded before
        seeded = {"index_seconds": None, "student": User.objects.filter(username="c1pupil0").get()}
        seeded["comments"] = Comment.objects.count()
    else:
        seeded = seed(random.Random(2026))
    seeded_seconds = time.perf_counter() - started
    host = settings.ALLOWED_HOSTS[0]
    readers = {"reader": Client(HTTP_HOST=host), "student": Client(HTTP_HOST=host)}
    readers["student"].force_login(seeded["student"], backend="django.contrib.auth.backends.ModelBackend")
    rows, every = [], []
    for params in QUERIES:
        for who, client in readers.items():
            client.get("/search/", params)  # warm: templates, the connection, the database's caches
            times, count = [], None
            for _ in range(ROUNDS):
                begin = time.perf_counter()
                response = client.get("/search/", params)
                times.append((time.perf_counter() - begin) * 1000)
                assert response.status_code == 200, response.status_code
            form = SearchForm(params)
            assert form.is_valid(), form.errors
            viewer = seeded["student"] if who == "student" else AnonymousUser()
            data = dict(form.cleaned_data)
            data["terms"] = parse_query(data.pop("q"))
            count = search_entries(viewer=viewer, **data).count()
            every += times
            rows.append(
                {
                    "query": " ".join(f"{k}={v}" for k, v in params.items()),
                    "who": who,
                    "matches": count,
                    "median_ms": round(statistics.median(times), 1),
                    "p90_ms": round(statistics.quantiles(times, n=10)[-1], 1),
                }
            )
    report = {
        "database": connection.vendor,
        "comments": seeded["comments"],
        "entries": SearchEntry.objects.count(),
        "seed_seconds": round(seeded_seconds, 1),
        "index_seconds": seeded["index_seconds"],
        "median_ms": round(statistics.median(every), 1),
        "p90_ms": round(statistics.quantiles(every, n=10)[-1], 1),
        "rows": rows,
    }
    out.write_text(json.dumps(report, indent=1))
    print(f"{connection.vendor}: median {report['median_ms']} ms over {len(every)} searches")


if __name__ == "__main__":
    measure(Path(sys.argv[1]), reuse="--reuse" in sys.argv[2:])
