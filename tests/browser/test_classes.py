import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from forum.models import Comment, Membership
from forum.services.classes import add_prompt
from forum.services.discussion import flag_comment, post_comment, toggle_helpful
from forum.services.voting import add_curated_factors, cast_ballot
from tests.browser.helpers import choose_password, log_in
from tests.factories import ClassroomFactory, MemberFactory, MembershipFactory

pytestmark = pytest.mark.browser

CURATED = settings.BASE_DIR / "forum" / "content" / "factors.json"


def logged_in_page(new_context, member):
    page = new_context().new_page()
    log_in(page, username=member.username)
    return page


def class_tab_url(topic, classroom):
    return f"{topic.get_absolute_url()}?space={classroom.pk}#discussion"


def discussion_tabs(page):
    return page.get_by_role("navigation", name="Discussion spaces")


def roster_row(page, name):
    return page.locator(".roster-table tbody tr").filter(has=page.get_by_role("rowheader", name=name))


@pytest.fixture
def classroom(article):
    # Fixed names and code keep the screenshots stable.
    return ClassroomFactory(
        name="10B",
        article=article,
        join_code="K7DP3QX",
        teacher=MemberFactory(username="tess", display_name="Tess Teacher"),
    )


@pytest.fixture
def busy_classroom(classroom):
    """Amara, Ben and Chloé write, and mark Amara's comment helpful; Amara votes twice, Ben once;
    Dev does nothing. A member outside the class votes too, for the "Everyone" column."""
    article = classroom.article
    add_curated_factors(article=article, factors=json.loads(CURATED.read_text())["factors"])
    factors = list(article.factors.order_by("position"))
    first, second = article.topics.order_by("position")[:2]
    add_prompt(teacher=classroom.teacher, classroom=classroom, text="Which side gains most from waiting?", topic=first)
    amara, ben, chloe, _ = [
        MembershipFactory(classroom=classroom, member=MemberFactory(username=username, display_name=name)).member
        for username, name in [
            ("amara", "Amara Okafor"),
            ("ben", "Ben Hughes"),
            ("chloe", "Chloé Martin"),
            ("dev", "Dev Patel"),
        ]
    ]
    opening = post_comment(
        author=amara,
        topic=first,
        classroom=classroom,
        body="Neither side wants to look weak before the other moves first.",
    )
    reply = post_comment(
        author=ben,
        topic=first,
        classroom=classroom,
        parent=opening,
        body="But sanctions make waiting expensive for one of them.",
    )
    flag_comment(member=chloe, comment=reply, reason="off_topic")  # the teacher decides, on the class page
    post_comment(
        author=chloe, topic=second, classroom=classroom, body="The back channels matter more than the public summits."
    )
    for member in (ben, chloe):
        toggle_helpful(member=member, comment=opening)
    cast_ballot(member=amara, article=article, ranking=factors[:5])
    cast_ballot(member=amara, article=article, ranking=factors[4::-1])
    cast_ballot(member=ben, article=article, ranking=factors[2:7])
    cast_ballot(member=MemberFactory(), article=article, ranking=factors[-5:])  # outside the class
    return classroom


# Creating, joining and the class's own discussion


def test_teacher_creates_a_class_a_student_joins_and_posts_and_the_teacher_exports_it(article, new_context):
    teacher = MemberFactory(display_name="Tess Teacher")
    student = MemberFactory(display_name="Sam Student")
    topic = article.topics.order_by("position").first()

    teacher_page = logged_in_page(new_context, teacher)
    teacher_page.goto(reverse("forum:class_create"))
    teacher_page.get_by_label("Name").fill("10B")
    teacher_page.get_by_role("combobox", name="Article").select_option(label=article.title)
    teacher_page.get_by_role("button", name="Create the class").click()
    expect(teacher_page.get_by_role("heading", level=1)).to_have_text("10B")
    code = teacher_page.locator("#join-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{6,8}", code)
    classroom_url = teacher_page.url

    student_page = logged_in_page(new_context, student)
    student_page.goto(reverse("forum:classes"))
    student_page.get_by_label("Join code").fill(code.lower())
    student_page.get_by_role("main").get_by_role("button", name="Join", exact=True).click()
    expect(student_page).to_have_url(classroom_url)
    expect(student_page.get_by_role("heading", level=1)).to_have_text("10B")
    expect(student_page.get_by_text("You are in “10B”.")).to_be_visible()

    student_page.goto(topic.get_absolute_url())
    tabs = discussion_tabs(student_page)
    expect(tabs.get_by_role("link")).to_have_text(["Everyone", "10B"])
    tabs.get_by_role("link", name="10B").click()
    expect(tabs.get_by_role("link", name="10B")).to_have_attribute("aria-current", "page")
    student_page.evaluate("window.__marker = 1")  # a full page load would wipe it out
    form = student_page.locator("#comment-form")
    form.get_by_label("Your comment").fill("Only our class should read this.")
    form.get_by_role("button", name="Post to 10B").click()
    expect(student_page.locator("#comment-list .comment").first).to_contain_text("Only our class should read this.")
    assert student_page.evaluate("window.__marker") == 1  # htmx posted it in place
    assert Comment.objects.get().classroom.name == "10B"

    tabs.get_by_role("link", name="Everyone").click()
    expect(tabs.get_by_role("link", name="Everyone")).to_have_attribute("aria-current", "page")
    expect(student_page.locator("#comment-list")).not_to_contain_text("Only our class should read this.")

    teacher_page.reload()
    expect(roster_row(teacher_page, "Sam Student").locator("td").first).to_have_text("1")
    with teacher_page.expect_download() as info:
        teacher_page.get_by_role("link", name="the class's comments").click()
    data = Path(info.value.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # the UTF-8 byte-order mark Excel needs
    assert "Only our class should read this." in data.decode("utf-8")
    assert info.value.suggested_filename.endswith("-comments.csv")


def test_member_outside_the_class_gets_a_404_for_its_page_and_its_tab(classroom, page):
    topic = classroom.article.topics.first()
    log_in(page, username=MemberFactory().username)

    for url in (classroom.get_absolute_url(), class_tab_url(topic, classroom)):
        response = page.goto(url)
        assert response.status == 404
        expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")


def test_teacher_locks_the_discussion_and_the_students_tab_loses_its_form(classroom, new_context):
    topic = classroom.article.topics.first()
    student = MembershipFactory(classroom=classroom).member
    student_page = logged_in_page(new_context, student)
    student_page.goto(class_tab_url(topic, classroom))
    expect(student_page.get_by_role("button", name="Post to 10B")).to_be_visible()

    teacher_page = logged_in_page(new_context, classroom.teacher)
    teacher_page.goto(classroom.get_absolute_url())
    teacher_page.get_by_label("Lock the discussion").check()
    teacher_page.get_by_role("button", name="Save settings").click()
    expect(teacher_page.get_by_text("The class's settings are saved.")).to_be_visible()
    expect(teacher_page.locator(".class-page .badge")).to_have_text("Discussion locked")

    student_page.reload()
    expect(student_page.locator("#discussion")).to_contain_text("The teacher has locked the discussion for now.")
    expect(student_page.locator("#comment-form")).to_have_count(0)


def test_pupil_logs_in_with_the_sheet_and_must_choose_a_password_first(classroom, new_context):
    teacher_page = logged_in_page(new_context, classroom.teacher)
    teacher_page.goto(classroom.get_absolute_url())
    teacher_page.get_by_text("Create accounts for pupils without email").click()
    teacher_page.get_by_label("Pupils' names, one per line").fill("Dee Pupil\nEd Pupil\n")
    teacher_page.get_by_role("button", name="Create the accounts").click()

    rows = teacher_page.locator(".sheet-table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.locator("td:nth-child(2)")).to_have_text(["dee.pupil", "ed.pupil"])
    password = rows.first.locator("td:nth-child(3)").inner_text().strip()
    assert re.fullmatch(r"[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}", password)

    pupil_page = new_context().new_page()
    log_in(pupil_page, username="dee.pupil", password=password)
    choose_password(pupil_page, password)
    # Straight into the class, not a "password changed" page.
    expect(pupil_page).to_have_url(classroom.get_absolute_url())
    expect(pupil_page.get_by_role("heading", level=1)).to_have_text("10B")
    expect(pupil_page.get_by_text("Your password is set. Welcome to 10B!")).to_be_visible()
    assert Membership.objects.filter(classroom=classroom, member__username="ed.pupil").exists()


# What the pages look like, with data


def test_class_dashboard_with_students_has_no_serious_axe_violations(busy_classroom, page, axe_check, screenshot):
    log_in(page, username="tess")
    page.goto(busy_classroom.get_absolute_url())

    expect(page.locator(".roster-table tbody tr")).to_have_count(4)
    # comments, replies, words, helpful marks, ballot
    assert roster_row(page, "Amara Okafor").locator("td").all_inner_texts()[:5] == ["1", "0", "11", "2", "yes, changed"]
    expect(page.locator(".compare-table tbody tr")).to_have_count(13)
    screenshot(page, "class-dashboard")
    axe_check(page)


def test_class_tab_has_no_serious_axe_violations(busy_classroom, page, axe_check, screenshot):
    topic = busy_classroom.article.topics.order_by("position").first()
    log_in(page, username="amara")
    page.goto(class_tab_url(topic, busy_classroom))

    expect(page.locator(".class-prompts")).to_contain_text("Which side gains most from waiting?")
    expect(page.locator("#comment-list")).to_contain_text("Neither side wants to look weak")
    expect(page.get_by_role("button", name="Post to 10B")).to_be_visible()
    # The #discussion anchor scrolled the page, and a full-page shot would draw the sticky sidebar mid-page.
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "class-tab")
    axe_check(page)
