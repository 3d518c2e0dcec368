"""A whole lesson, scripted through the site's own forms: a teacher and 30 pupils on one school network.

28 pupils get accounts from the teacher's sheet (6 mistype their one-time password
once), 2 join with a code typed in lower case with spaces. Everyone ranks, discusses
(2 comments and 2 replies each), half rank again. Then every figure the teacher sees
is checked against what the pupils did, and outsiders see none of it.

Run with -s to print the timings of each kind of request (p50/p95).
"""

import csv
import io
import json
import statistics
import time
from collections import defaultdict

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from forum.models import Classroom, Comment
from forum.services.voting import add_curated_factors, cast_ballot
from tests.factories import ClassroomFactory, MemberFactory, MembershipFactory

SCHOOL = "203.0.113.7"  # the whole class, and the teacher, behind one address
HOME = "198.51.100.20"
PASSWORD = "correct horse battery staple"  # MemberFactory's
NEW_PASSWORD = "a-Pupil-chose-42"
NAMES = [
    "Łukasz Nowak",
    "Ayşe Yılmaz",
    "Δημήτρης Παππάς",
    "Zoë Martin",
    "Иван Петров",
    "Ana Lima",
    "Bo Chen",
    "Cy Diaz",
    "Dee Evans",
    "Ed Fox",
    "Fay Green",
    "Gus Hill",
    "Hal Ito",
    "Ivy Jones",
    "Jo King",
    "Kim Lee",
    "Lu Moss",
    "Max Nash",
    "Ned Owen",
    "Ola Park",
    "Pat Quinn",
    "Quy Ross",
    "Ray Shaw",
    "Sue Tate",
    "Tom Uhl",
    "Uma Vos",
    "Val Wu",
    "Wes Xu",
]
MISTYPERS = {1, 4, 9, 14, 19, 24}


class Timed:
    """Each request kind's durations, for the note (a report, never an assertion)."""

    def __init__(self):
        self.durations = defaultdict(list)

    def __call__(self, kind, call, *args, **kwargs):
        start = time.perf_counter()
        response = call(*args, **kwargs)
        self.durations[kind].append(time.perf_counter() - start)
        assert response.status_code < 500, (kind, response.status_code)
        return response

    def report(self):
        lines = ["", "Lesson timings (ms): kind, requests, p50, p95"]
        for kind, values in sorted(self.durations.items()):
            values = sorted(values)
            p95 = values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))]
            lines.append(f"  {kind:<14} {len(values):>4} {statistics.median(values) * 1000:8.1f} {p95 * 1000:8.1f}")
        print("\n".join(lines))


def client_at(address):
    return Client(REMOTE_ADDR=address)


def log_in(timed, username, password, address=SCHOOL):
    client = client_at(address)
    response = timed("login", client.post, reverse("login"), {"username": username, "password": password})
    return client, response


def rows_of(response):
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def ranking_of(factors, index, *, again=False):
    """Pupil `index`'s ranking: four factors, different for each pupil, and again different after discussing."""
    shift = 5 if again else 0
    return [factors[(index + shift + step * 3) % len(factors)] for step in range(4)]


def post_ranking(timed, client, article, ranking):
    data = {f"rank_{factor.pk}": place for place, factor in enumerate(ranking, start=1)}
    response = timed("rank", client.post, reverse("forum:ballot", args=[article.slug]), data)
    assert response.status_code == 302, response.content.decode()[:500]


def shares(rankings: list[list], factors) -> dict:
    """Borda shares of the maximum, by hand: rank r of n earns n - r + 1."""
    n, points = len(factors), defaultdict(int)
    for ranking in rankings:
        for place, factor in enumerate(ranking, start=1):
            points[factor.pk] += n - place + 1
    return {factor.pk: 100 * points[factor.pk] / (n * len(rankings)) for factor in factors}


@pytest.fixture
def factors(article):
    data = json.loads((settings.BASE_DIR / "forum" / "content" / "factors.json").read_text())
    add_curated_factors(article=article, factors=data["factors"])
    return list(article.factors.order_by("position", "pk"))


# Committed transactions, as in production: the caches are invalidated on commit.
@pytest.mark.django_db(transaction=True)
def test_a_lesson_of_thirty_pupils_on_one_school_network(article, factors):
    timed = Timed()
    topics = list(article.topics.order_by("position"))
    teacher_user = MemberFactory(username="ms.rivera", display_name="Ms Rivera")
    teacher, response = log_in(timed, "ms.rivera", PASSWORD)
    assert response.status_code == 302

    # The teacher creates the class and the pupils' accounts; the sheet is a page of its own.
    response = timed("class", teacher.post, reverse("forum:class_create"), {"name": "10B", "article": article.pk})
    classroom = Classroom.objects.get(teacher=teacher_user)
    class_url = classroom.get_absolute_url()
    accounts_url = reverse("forum:class_accounts", args=[classroom.pk])
    response = timed("accounts", teacher.post, accounts_url, {"names": "\n".join(NAMES)})
    sheet = timed("sheet", teacher.get, response["Location"]).context["sheet"]["accounts"]
    assert len(sheet) == 28
    reloaded = timed("sheet", teacher.get, response["Location"]).context["sheet"]["accounts"]
    assert reloaded == sheet and classroom.memberships.count() == 28  # a reload creates nobody
    usernames = [username for _, username, _ in sheet]
    assert usernames[:3] == ["lukasz.nowak", "ayse.yilmaz", "dimitris.pappas"]

    # One pupil mistypes five times and is locked out, alone: the teacher unlocks them from the class page.
    unlucky_username, unlucky_password = sheet[27][1], sheet[27][2]
    for _ in range(5):
        log_in(timed, unlucky_username, "wrong")
    _, locked = log_in(timed, unlucky_username, unlucky_password)
    assert locked.status_code == 429 or "locked" in locked.content.decode().lower()
    assert "locked out" in timed("dashboard", teacher.get, class_url).content.decode()
    unlucky = classroom.memberships.get(member__username=unlucky_username).member
    timed("unlock", teacher.post, reverse("forum:class_unlock", args=[classroom.pk, unlucky.pk]))

    # 28 pupils log in from the school's address; 6 mistype their one-time password once.
    pupils = []
    for index, (_, username, password) in enumerate(sheet):
        if index in MISTYPERS:
            _, refused = log_in(timed, username, password + "x")
            assert refused.status_code == 200 and "correct username and password" in refused.content.decode()
        client, response = log_in(timed, username, password)
        assert response.status_code == 302, f"{username} could not log in"
        response = timed(
            "password",
            client.post,
            reverse("password_change"),
            {"old_password": password, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        )
        assert response["Location"] == class_url  # straight into their class
        pupils.append(client)

    # Two pupils who have their own accounts type the code in lower case, with spaces.
    code = classroom.join_code.lower()
    for name in ("own.one", "own.two"):
        MemberFactory(username=name)
        client, response = log_in(timed, name, PASSWORD)
        assert response.status_code == 302
        response = timed("join", client.post, reverse("forum:class_join"), {"code": f" {code[:3]} {code[3:]} "})
        assert response["Location"] == class_url
        pupils.append(client)
    assert classroom.memberships.active().count() == 30

    # Nobody is locked out: the teacher still logs in from the same address.
    _, response = log_in(timed, "ms.rivera", PASSWORD)
    assert response.status_code == 302

    # Phase 1: everyone ranks before discussing.
    settings_url = reverse("forum:class_settings", args=[classroom.pk])
    timed("phase", teacher.post, settings_url, {"phase": Classroom.Phase.RANK_BEFORE})
    before = {}
    for index, client in enumerate(pupils):
        before[index] = ranking_of(factors, index)
        post_ranking(timed, client, article, before[index])

    # Phase 2: each pupil posts 2 comments in the class's space and replies twice.
    timed("phase", teacher.post, settings_url, {"phase": Classroom.Phase.DISCUSS})
    for index, client in enumerate(pupils):
        for number in range(2):
            topic = topics[(index + number) % len(topics)]
            url = reverse("forum:comment_create", args=[article.slug, topic.slug])
            response = timed(
                "comment", client.post, url, {"body": f"Pupil {index} thinks, point {number}.", "space": classroom.pk}
            )
            assert response.status_code == 302
        timed("topic", client.get, topics[index % len(topics)].get_absolute_url())
    class_comments = list(Comment.objects.filter(classroom=classroom, parent__isnull=True).order_by("pk"))
    for index, client in enumerate(pupils):
        for number in range(2):
            parent = class_comments[(2 * index + 2 + number) % len(class_comments)]  # a classmate's comment
            response = timed(
                "reply",
                client.post,
                reverse("forum:comment_reply", args=[parent.pk]),
                {"body": f"Reply {number} from pupil {index}."},
            )
            assert response.status_code == 302
        timed("class page", client.get, class_url)

    # Phase 3: half of them rank again.
    timed("phase", teacher.post, settings_url, {"phase": Classroom.Phase.RANK_AGAIN})
    latest = dict(before)
    for index, client in enumerate(pupils):
        if index % 2 == 0:
            latest[index] = ranking_of(factors, index, again=True)
            post_ranking(timed, client, article, latest[index])

    # Outsiders: another class, and members who changed their minds, must move none of 10B's figures.
    other = ClassroomFactory(article=article, name="9C")
    for _ in range(3):
        member = MembershipFactory(classroom=other).member
        cast_ballot(member=member, article=article, ranking=factors[:2])
        cast_ballot(member=member, article=article, ranking=factors[-2:])
    outsiders = [MemberFactory() for _ in range(2)]
    for member in outsiders:
        cast_ballot(member=member, article=article, ranking=factors[5:7])
        cast_ballot(member=member, article=article, ranking=factors[7:9])

    # The teacher's dashboard matches what the pupils did, exactly.
    all_usernames = usernames + ["own.one", "own.two"]  # in the order of `pupils`
    page = timed("dashboard", teacher.get, class_url)
    roster = {m.member.username: m for m in page.context["roster"]}
    assert len(roster) == 30
    for membership in roster.values():
        assert (membership.comment_total, membership.reply_total) == (2, 2)
        assert membership.words == 2 * 5 + 2 * 5
        ranked_again = all_usernames.index(membership.member.username) % 2 == 0
        assert membership.ballot_version == (2 if ranked_again else 1)
    class_results = {row.factor.pk: row.share for row in page.context["class_results"].rows}
    expected = shares(list(latest.values()), factors)
    assert class_results == pytest.approx(expected)
    assert page.context["class_results"].voters == 30
    # Everyone's results: the two pupils with their own accounts, the other class and the outsiders count;
    # the teacher's 28 class accounts do not until a moderator trusts the teacher.
    everyone_rankings = [latest[28], latest[29]] + [factors[-2:]] * 3 + [factors[7:9]] * 2
    overall = {row.factor.pk: row.share for row in page.context["overall_results"].rows}
    assert overall == pytest.approx(shares(everyone_rankings, factors))
    # How the class changed its mind: the 15 who ranked again, their phase-one ranking against their latest.
    change = page.context["change"]
    assert change.members == 15
    changed = [index for index in range(30) if index % 2 == 0]
    expected_before = shares([before[i] for i in changed], factors)
    expected_after = shares([latest[i] for i in changed], factors)
    for factor, was, now in change.rows:
        assert (was, now) == pytest.approx((expected_before[factor.pk], expected_after[factor.pk]))

    # The teacher's feed has every comment and reply, newest first, with full names.
    feed_url = reverse("forum:class_feed", args=[classroom.pk])
    feed = timed("feed", teacher.get, feed_url)
    assert feed.context["page"].paginator.count == 30 * 4
    newest = feed.context["page"].object_list[0]
    assert newest.body == "Reply 1 from pupil 29." and newest.parent_id is not None
    assert "Reply 1 from pupil 29." in feed.content.decode()

    # The exports say the same.
    export = reverse("forum:class_export", args=[classroom.pk, "roster"])
    rows = rows_of(timed("export", teacher.get, export))
    assert len(rows) == 31 and {row[1] for row in rows[1:]} == set(roster)
    assert {row[0] for row in rows[1:]} >= set(NAMES)  # the teacher's export has full names
    comments_csv = rows_of(timed("export", teacher.get, reverse("forum:class_export", args=[classroom.pk, "comments"])))
    assert len(comments_csv) == 1 + 30 * 4
    results_csv = rows_of(timed("export", teacher.get, reverse("forum:class_export", args=[classroom.pk, "results"])))
    assert {row[1] for row in results_csv[1:]} == {factor.name for factor in factors}

    # An outsider and an anonymous reader see none of it, and no pupil's full name anywhere.
    outsider = client_at(HOME)
    outsider.force_login(outsiders[0])
    anonymous = client_at(HOME)
    for viewer in (outsider, anonymous):
        assert timed("outsider", viewer.get, class_url).status_code in (302, 404)
        public_pages = [
            reverse("forum:home"),
            reverse("forum:results", args=[article.slug]),
            *[topic.get_absolute_url() for topic in topics],
        ]
        for url in public_pages:
            html = timed("public page", viewer.get, url).content.decode()
            assert "Pupil 3 thinks" not in html and "Reply 0 from pupil" not in html
            for name in NAMES:
                assert name not in html, (name, url)
        for username in usernames[:5]:
            assert timed("profile", viewer.get, reverse("forum:profile", args=[username])).status_code == 404

    timed.report()
