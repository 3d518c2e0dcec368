"""What the browser journeys share: the site's menu, the login form, waiting for htmx, and a site full
of data with the pages each role opens on it."""

import json
import re

from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from forum.models import Comment
from forum.services.classes import create_pupil_accounts
from forum.services.discussion import flag_comment, post_comment
from forum.services.voting import add_curated_factors, cast_ballot
from tests.factories import ClassroomFactory, MemberFactory, MembershipFactory, ModeratorFactory

PASSWORD = "correct horse battery staple"  # MemberFactory's
CURATED = settings.BASE_DIR / "forum" / "content" / "factors.json"
LONG_WORD = "Antidisestablishmentarianism" * 3
LONG_URL = "https://example.org/reports/2025/us-russia/peace-talks/back-channels/istanbul-round-three-transcript.pdf"
LONG_NAMES = [
    "Maximilian Alexander Montgomery-Fitzgerald",
    "Anastasia Konstantinopoulou",
    "Bartholomew Featherstonehaugh",
    "Oluwaseun Adebayo-Okonkwo",
    "Siddharth Venkataraghavan",
    "Mary-Elizabeth Worthington-Smythe",
    "Kristóf Szentgyörgyi-Nagy",
    "Wolfgang Schwarzenberger",
]


def site_nav(page):
    return page.get_by_role("navigation", name="Site")


def submit_login_form(page, username, password=PASSWORD):
    """Fill in the login form on the current page and send it."""
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("main").get_by_role("button", name="Log in").click()


def log_in(page, member=None, *, username=None, password=PASSWORD, succeeds=True):
    """Log in through the site's form, as `member` or as `username`."""
    page.goto(reverse("login"))
    submit_login_form(page, username or member.username, password)
    if succeeds:
        expect(site_nav(page).get_by_role("button", name="Log out")).to_be_visible()


def open_topic(page, topic):
    """Open the topic page and leave a marker that a full page load would wipe out."""
    page.goto(topic.get_absolute_url())
    page.evaluate("window.__marker = 1")


def assert_not_reloaded(page):
    assert page.evaluate("window.__marker") == 1


def settled(page):
    """Wait until htmx has wired up what it swapped in: a click before that leaves the page."""
    # A function, not an expression: Playwright evals an expression in the page, which the CSP forbids.
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')"
    )


def card(page, comment):
    return page.locator(f"#card-{comment.pk}")


def choose_password(page, one_time_password):
    """Django's password change form, which a pupil meets at first login."""
    expect(page).to_have_url(reverse("password_change"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Change your password")
    page.get_by_label("Old password").fill(one_time_password)
    # A regex meets the label's raw text, which crispy pads with spaces and ends with a star.
    page.get_by_label(re.compile(r"^\s*New password\*?\s*$")).fill("my own secret 42")
    page.get_by_label("New password confirmation").fill("my own secret 42")
    page.get_by_role("button", name="Change password").click()


def seed(article):
    """The shipped article with its factors, ballots with reasons, long comments, a flagged and a pending
    one, a class of eight pupils with long names who vote and write, and a moderator."""
    add_curated_factors(article=article, factors=json.loads(CURATED.read_text())["factors"])
    factors = list(article.factors.order_by("position"))
    topics = list(article.topics.order_by("position"))
    for n in range(6):
        cast_ballot(
            member=MemberFactory(),
            article=article,
            ranking=factors[n:] + factors[:n],
            reason=f"{LONG_WORD} {LONG_URL}" if n == 0 else "Sanctions change what each side can wait for.",
        )
    changer = MemberFactory()
    cast_ballot(member=changer, article=article, ranking=factors[:4])
    cast_ballot(member=changer, article=article, ranking=factors[4:8])  # for "How opinions changed"
    writer = MemberFactory(username="writer", display_name="Konstantin Alexandrovich Rimsky-Korsakov")
    opening = post_comment(author=writer, topic=topics[0], body=f"{LONG_WORD} and see {LONG_URL} for the text.")
    reply = opening
    for depth in range(4):  # deeper than the three levels replies nest to
        reply = post_comment(
            author=MemberFactory(), topic=topics[0], parent=reply, body=f"Reply {depth}: `{LONG_WORD}` <{LONG_URL}>"
        )
    flagged = post_comment(author=MemberFactory(), topic=topics[0], body=f"Buy watches at {LONG_URL}")
    flag_comment(member=MemberFactory(), comment=flagged, reason="spam", note=LONG_WORD)
    Comment.objects.create(
        topic=topics[0], author=writer, body=LONG_WORD, body_html=f"<p>{LONG_WORD}</p>", status=Comment.Status.PENDING
    )

    teacher = MemberFactory(username="tess", display_name="Tess Teacher-Thistlethwaite")
    classroom = ClassroomFactory(name="10B Modern History and Politics", article=article, teacher=teacher)
    student = MembershipFactory(classroom=classroom, member=MemberFactory(username="sam")).member
    pupils = [
        pupil for pupil, _ in create_pupil_accounts(teacher=teacher, classroom=classroom, names=LONG_NAMES).created
    ]
    for n, pupil in enumerate(pupils[:5]):
        cast_ballot(member=pupil, article=article, ranking=factors[-n - 1 :] + factors[: -n - 1])
        post_comment(author=pupil, topic=topics[0], classroom=classroom, body=f"{LONG_WORD} {LONG_URL}")
    cast_ballot(member=student, article=article, ranking=factors[3:8])
    return {
        "article": article,
        "topics": topics,
        "writer": writer,
        "comment": opening,
        "reply": reply,
        "classroom": classroom,
        "teacher": teacher,
        "student": student,
        "pupils": pupils,
        "moderator": ModeratorFactory(username="maria"),
    }  # a fixed name keeps screenshots stable


def role_pages(world) -> dict[str, list[str]]:
    """Every page each role opens, on a site `seed` filled: what the phone and the CSP tests visit."""
    article, topics, classroom = world["article"], world["topics"], world["classroom"]
    slug = article.slug
    reading = [
        reverse("forum:home"),
        article.get_absolute_url(),
        *(topic.get_absolute_url() for topic in topics),
        reverse("forum:faq", args=[slug]),
        reverse("forum:results", args=[slug]),
        world["writer"].get_absolute_url(),
        world["comment"].get_absolute_url(),
        world["reply"].get_absolute_url(),
        reverse("forum:comment_thread", args=[world["comment"].pk]),
    ]
    class_tab = f"{topics[0].get_absolute_url()}?space={classroom.pk}"
    return {
        "anonymous": [*reading, reverse("login"), reverse("forum:signup")],
        "member": [
            *reading,
            reverse("forum:ballot", args=[slug]),
            reverse("forum:propose_factor", args=[slug]),
            reverse("forum:account_settings"),
            reverse("forum:notifications"),
            reverse("forum:classes"),
            reverse("forum:class_join"),
            reverse("forum:class_join_link", args=[classroom.join_code]),
            reverse("forum:class_create"),
            reverse("password_change"),
        ],
        "student": [
            classroom.get_absolute_url(),
            class_tab,
            reverse("forum:ballot", args=[slug]),
            reverse("forum:class_feed", args=[classroom.pk]),
        ],
        "teacher": [
            reverse("forum:class_feed", args=[classroom.pk]),
            reverse("forum:class_projector", args=[classroom.pk]),
            reverse("forum:class_student", args=[classroom.pk, world["student"].pk]),
            classroom.get_absolute_url(),
            class_tab,
        ],
        "moderator": [
            topics[0].get_absolute_url(),
            reverse("admin:index"),
            reverse("admin:forum_comment_changelist"),
            reverse("admin:forum_moderationqueueitem_changelist"),
        ],
    }
