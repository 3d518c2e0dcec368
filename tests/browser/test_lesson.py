"""A live lesson: the teacher follows the class feed and shows the projector page."""

import json

import pytest
from django.conf import settings
from playwright.sync_api import expect

from forum.services.classes import teacher_of_comment
from forum.services.discussion import post_comment
from forum.services.moderation import moderate_comment
from forum.services.voting import add_curated_factors, cast_ballot
from forum.views import classes as class_views
from tests.browser.helpers import log_in
from tests.factories import ClassroomFactory, MemberFactory, MembershipFactory

pytestmark = pytest.mark.browser

CURATED = settings.BASE_DIR / "forum" / "content" / "factors.json"


def logged_in_page(new_context, member):
    page = new_context().new_page()
    log_in(page, member)
    return page


@pytest.fixture
def classroom(article):
    # Fixed names and code keep the screenshots stable.
    return ClassroomFactory(
        name="10B",
        article=article,
        join_code="K7DP3QX",
        teacher=MemberFactory(username="tess", display_name="Tess Teacher"),
    )


def test_a_students_comment_appears_in_the_teachers_feed_without_a_reload(
    classroom, new_context, monkeypatch, axe_check, screenshot
):
    monkeypatch.setattr(class_views, "FEED_POLL_SECONDS", 1)  # the live server runs in this process
    first, second = classroom.article.topics.order_by("position")[:2]
    amara = MembershipFactory(classroom=classroom, member=MemberFactory(display_name="Amara Okafor")).member
    ben = MembershipFactory(classroom=classroom, member=MemberFactory(display_name="Ben Hughes")).member
    opening = post_comment(
        author=amara,
        topic=first,
        classroom=classroom,
        anchor=first.subsections.first(),
        body="Neither side wants to look weak before the other moves first.",
    )
    post_comment(
        author=ben,
        topic=first,
        classroom=classroom,
        parent=opening,
        body="But sanctions make waiting *expensive* for one of them.",
    )
    rude = post_comment(author=ben, topic=second, classroom=classroom, body="Whoever disagrees is an idiot.")
    moderate_comment(
        moderator=classroom.teacher, comment=rude, action="hide", reason="Be kind.", allowed=teacher_of_comment(rude)
    )

    teacher_page = logged_in_page(new_context, classroom.teacher)
    teacher_page.goto(classroom.get_absolute_url())
    teacher_page.get_by_role("link", name="The class feed").click()
    expect(teacher_page.get_by_role("heading", level=1)).to_have_text("10B: every comment")
    items = teacher_page.locator(".feed-item")
    expect(items).to_have_count(3)
    expect(items.first).to_contain_text("hidden")  # to the teacher only, marked
    expect(items.nth(1)).to_contain_text("in reply to Amara Okafor")
    teacher_page.evaluate("window.__marker = 1")  # a full page load would wipe it out

    student_page = logged_in_page(new_context, amara)
    student_page.goto(f"{second.get_absolute_url()}?space={classroom.pk}#discussion")
    form = student_page.locator("#comment-form")
    form.get_by_label("Your comment").fill("The back channels matter more than the public summits.")
    form.get_by_role("button", name="Post to 10B").click()
    expect(student_page.locator("#comment-list .comment").first).to_contain_text("The back channels")

    expect(items).to_have_count(4, timeout=15_000)
    expect(items.first).to_contain_text("The back channels matter more than the public summits.")
    expect(items.first.get_by_role("link", name=second.title)).to_be_visible()
    assert teacher_page.evaluate("window.__marker") == 1
    screenshot(teacher_page, "class-feed")
    axe_check(teacher_page)


def test_projector_page_shows_the_code_the_qr_code_and_the_live_results(classroom, new_context, axe_check, screenshot):
    article = classroom.article
    add_curated_factors(article=article, factors=json.loads(CURATED.read_text())["factors"])
    factors = list(article.factors.order_by("position"))
    students = [MembershipFactory(classroom=classroom).member for _ in range(3)]
    for n, student in enumerate(students[:2]):
        cast_ballot(member=student, article=article, ranking=factors[n : n + 6])
    classroom.projector_results = True
    classroom.save()

    page = new_context(viewport={"width": 1920, "height": 1080}).new_page()
    log_in(page, classroom.teacher)
    page.goto(classroom.get_absolute_url())
    page.get_by_role("link", name="Open the projector page").click()

    expect(page.locator("#projector-code")).to_have_text("K7D P3QX")
    qr = page.locator(".projector-qr svg")
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box["width"] >= 300 and box["width"] == box["height"]  # big and square: scannable across a room
    expect(page.locator("#projector-count")).to_have_text("3")
    expect(page.locator(".projector-bars li")).to_have_count(len(factors))
    expect(page.get_by_role("navigation", name="Site")).to_have_count(0)

    MembershipFactory(classroom=classroom)
    expect(page.locator("#projector-count")).to_have_text("4", timeout=10_000)  # polled every 5 seconds
    screenshot(page, "projector")
    axe_check(page)
