"""The benchmark's dataset, and the check of the writes the server acknowledged.

Run by bench/run.py in a child process, one per database (Django's settings are
read once a process), with the environment that names the database:

    DATABASE_URL=... [REDIS_URL=...] python bench/seed.py seed OUT.json
    DATABASE_URL=... python bench/seed.py verify ACKS.json

`seed` migrates an empty database and fills it through the project's models,
in bulk: the shipped article and factors, 300 members, 1,000 comments on the
first topic and 10,000 on the second (a third start threads, the others answer
an earlier comment picked at random), 10,000 current ballots, and 3 classes of
30 students with comments in their class spaces. It writes what the load
needs (urls, sessions of logged-in members, factor ids) to OUT.json.

`verify` counts the writes bench/run.py saw acknowledged (a redirect after a
comment or a ballot) that are not in the database.
"""

import io
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "diplomacy.settings")

ARTICLE = ROOT / "forum/content/us-russia-peace-talks.txt"
ARTICLE_TITLE = "The reduction in US-Russia peace talks"
FACTORS = ROOT / "forum/content/factors.json"
PASSWORD = "bench-password-not-secret"  # every bench account's, for the login form

MEMBERS = 300
TOPIC_COMMENTS = (1_000, 10_000)  # the first topic, the second
BALLOTS = 10_000  # current ballots, the students' included
CLASSES, STUDENTS, CLASS_COMMENTS_PER_STUDENT = 3, 30, 4
BATCH = 2_000


def setup_django() -> None:
    import warnings

    import django

    warnings.filterwarnings("ignore", "No directory at", UserWarning)  # whitenoise, before collectstatic
    django.setup()


BODY = (
    "{where} comment {n}: *public opinion* and [trust](https://example.org/{n}) matter.\n\n"
    "- point one about sanctions\n- point two about talks\n\nSigned, bench member {m}."
)


def bodies(where: str):
    """(text, html) of comment n: Markdown rendered once, with the numbers put in after."""
    from forum.markdown import render_markdown

    html = render_markdown(BODY.format(where=where, n="NUMBER", m="MEMBER"))
    return lambda n: (
        BODY.format(where=where, n=n, m=n % MEMBERS),
        html.replace("NUMBER", str(n)).replace("MEMBER", str(n % MEMBERS)),
    )


class Ids:
    """Primary keys given in advance, so a reply can name its parent before either is saved."""

    def __init__(self, model):
        self.model = model
        self.next = (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1

    def take(self) -> int:
        self.next += 1
        return self.next - 1

    def reset_sequence(self) -> None:
        """PostgreSQL's sequence knows nothing of the ids given here: move it past them."""
        from django.core.management.color import no_style
        from django.db import connection

        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [self.model]):
                cursor.execute(sql)


def thread_comments(*, ids: Ids, topic, authors, count: int, rng: random.Random, classroom=None, where="Public"):
    """`count` comments on `topic`: a third start threads, the others answer an earlier one at random."""
    from forum.models import Comment

    body_of = bodies(where)
    subsections = list(topic.subsections.all())
    made: list[Comment] = []
    for n in range(count):
        parent = rng.choice(made) if n % 3 and made else None
        body, html = body_of(n)
        made.append(
            Comment(
                pk=ids.take(),
                topic=topic,
                author=authors[n % len(authors)],
                parent=parent,
                root_id=(parent.root_id or parent.pk) if parent else None,
                depth=parent.depth + 1 if parent else 0,
                anchor=subsections[n % len(subsections)] if subsections and not classroom else None,
                classroom=classroom,
                body=body,
                body_html=html,
                word_count=len(body.split()),
                helpful_count=n % 7,
            )
        )
    return made


def make_users(prefix: str, count: int, password_hash: str, **fields):
    from forum.models import User

    return User.objects.bulk_create(
        (
            User(
                username=f"{prefix}{n}",
                email=f"{prefix}{n}@example.org",
                password=password_hash,
                display_name=f"{prefix.title()} {n}",
                **fields,
            )
            for n in range(count)
        ),
        batch_size=BATCH,
    )


def random_ballots(*, voters, factors, rng: random.Random):
    from forum.models import Ballot, BallotEntry

    ballots = Ballot.objects.bulk_create(
        (
            Ballot(member=voter, article=factors[0].article, reason=f"Reason {n}" if n % 10 == 0 else "")
            for n, voter in enumerate(voters)
        ),
        batch_size=BATCH,
    )
    entries = []
    for ballot in ballots:
        ranking = rng.sample(factors, rng.randint(1, len(factors)))
        entries.extend(BallotEntry(ballot=ballot, factor=f, rank=r) for r, f in enumerate(ranking, start=1))
    BallotEntry.objects.bulk_create(entries, batch_size=BATCH)
    return len(entries)


def session_of(user) -> str:
    """A logged-in session for `user` in the configured session store (the database, or Redis)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def seed(out: Path) -> None:
    setup_django()
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import transaction

    from forum.caching import bump_content_version
    from forum.models import Article, Comment, Membership, Prompt
    from forum.services.classes import create_class

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("import_article", str(ARTICLE), title=ARTICLE_TITLE, stdout=io.StringIO())
    call_command("import_factors", str(FACTORS), stdout=io.StringIO())
    article = Article.objects.get()
    topics = list(article.topics.order_by("position", "pk"))
    factors = list(article.factors.approved().select_related("article"))
    rng = random.Random(2026)
    password_hash = make_password(PASSWORD)  # one slow hash, shared by every bench account

    with transaction.atomic():
        members = make_users("bench", MEMBERS, password_hash)
        ids = Ids(Comment)
        counts = {}
        for topic, count in zip(topics, TOPIC_COMMENTS, strict=False):
            comments = thread_comments(ids=ids, topic=topic, authors=members, count=count, rng=rng)
            Comment.objects.bulk_create(comments, batch_size=BATCH)
            counts[topic.pk] = count

        teachers = make_users("teacher", CLASSES, password_hash)
        classes = []
        for n, teacher in enumerate(teachers):
            classroom = create_class(teacher=teacher, name=f"Bench class {n + 1}", article=article)
            students = make_users(f"c{n + 1}pupil", STUDENTS, password_hash, created_by=teacher)
            Membership.objects.bulk_create(Membership(classroom=classroom, member=s) for s in students)
            Prompt.objects.create(classroom=classroom, text="Which factor matters most, and why?", topic=topics[0])
            comments = thread_comments(
                ids=ids,
                topic=topics[0],
                authors=students,
                classroom=classroom,
                count=STUDENTS * CLASS_COMMENTS_PER_STUDENT,
                rng=rng,
                where="Class",
            )
            Comment.objects.bulk_create(comments, batch_size=BATCH)
            classes.append((classroom, teacher, students))
        ids.reset_sequence()

        students = [s for _, _, pupils in classes for s in pupils]
        voters = make_users("voter", BALLOTS - len(students), password_hash)
        entries = random_ballots(voters=voters + students, factors=factors, rng=rng)
    bump_content_version()
    call_command("rebuild_search_index", stdout=io.StringIO())  # bulk_create sends no signal to index by

    first, second = topics[0], topics[1]
    first_thread = (
        Comment.objects.filter(topic=first, parent=None, classroom=None)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
    seeded_in = time.perf_counter() - started
    info = {
        "seconds": round(seeded_in, 1),
        "password": PASSWORD,
        "article": article.slug,
        "home_url": "/",
        "results_url": f"/articles/{article.slug}/factors/",
        "ballot_url": f"/articles/{article.slug}/factors/rank/",
        "topics": [
            {
                "url": t.get_absolute_url(),
                "comments": counts[t.pk],
                "comment_url": f"/articles/{article.slug}/topics/{t.slug}/comments/",
            }
            for t in (first, second)
        ],
        # The concurrent writers' topic: no comments at the start, so its page is quick to read.
        "quiet_topic": {
            "url": topics[2].get_absolute_url(),
            "comment_url": f"/articles/{article.slug}/topics/{topics[2].slug}/comments/",
        },
        "thread_url": f"/comments/{first_thread}/thread/",
        "class_url": classes[0][0].get_absolute_url(),
        "teacher": classes[0][1].username,
        "member": members[0].username,
        "factor_ids": [f.pk for f in factors],
        # Writers: every bench member but the one the read benchmark logs in as.
        "writers": [{"id": m.pk, "session": session_of(m)} for m in members[1:]],
        "counts": {
            "members": len(members),
            "ballots": len(voters) + len(students),
            "ballot_entries": entries,
            "classes": len(classes),
            "students": len(students),
            "comments": Comment.objects.count(),
        },
    }
    out.write_text(json.dumps(info, indent=1))
    print(
        f"Seeded in {seeded_in:.1f} s (sessions in {time.perf_counter() - started - seeded_in:.1f} s): "
        + ", ".join(f"{v:,} {k.replace('_', ' ')}" for k, v in info["counts"].items())
    )


def verify(acks_path: Path) -> None:
    """Print, as JSON, how many acknowledged comments and ballots the database lacks."""
    setup_django()
    from django.db.models import Count

    from forum.models import Ballot, Comment

    acks = json.loads(acks_path.read_text())
    comment_ids = {int(pk) for pk in acks["comments"]}
    found = set(Comment.objects.filter(pk__in=comment_ids).values_list("pk", flat=True))
    # A ballot's redirect names no id: each acknowledged ballot is one more version of its member's.
    wanted = {int(member): n for member, n in acks["ballots"].items()}
    stored = dict(
        Ballot.objects.filter(member__in=wanted).values("member").annotate(n=Count("pk")).values_list("member", "n")
    )
    print(
        json.dumps(
            {
                "comments_missing": len(comment_ids - found),
                "ballots_missing": sum(max(0, n - stored.get(member, 0)) for member, n in wanted.items()),
            }
        )
    )


if __name__ == "__main__":
    command, *paths = sys.argv[1:]
    {"seed": seed, "verify": verify}[command](*map(Path, paths))
