"""A lesson as the people in the room click it, nothing stubbed: a teacher, a pupil on a phone, another pupil.

The teacher creates the class and the pupils' accounts, moves the lesson through its phases;
the pupils log in with the sheet, rank, discuss in the class's space and rank again. Everyone
reaches the live server from 127.0.0.1: one address, like a school network.
"""

import json
import re

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from forum.models import Ballot, Classroom, Comment
from forum.services.voting import add_curated_factors
from tests.browser.helpers import card, choose_password, log_in, settled, submit_login_form
from tests.factories import MemberFactory

pytestmark = pytest.mark.browser

CURATED = settings.BASE_DIR / "forum" / "content" / "factors.json"
PHONE = {"width": 390, "height": 844}
PUPILS = ["Łukasz Nowak", "Ama Owusu", "Zoë Martin", "Bo Chen"]


def roster_row(page, name):
    return page.locator(".roster-table tbody tr").filter(has=page.get_by_role("rowheader", name=name))


def move_to_phase(teacher_page, label):
    teacher_page.locator(".phase-steps").get_by_role("button", name=re.compile(rf"^\d\. {label}$")).click()
    expect(teacher_page.locator(".phase-steps [aria-current=step]")).to_have_text(re.compile(rf"{label}$"))


def read_sheet(page):
    """{full name: (username, one-time password)} from the printable sheet's table."""
    rows = page.locator(".sheet-table tbody tr").evaluate_all(
        "rows => rows.map(row => [...row.cells].map(cell => cell.innerText.trim()))"
    )
    return {name: (username, password) for name, username, password in rows}


def ranked_names(page):
    return page.locator("#ranked-list .ballot-item").evaluate_all("items => items.map(item => item.dataset.name)")


def rank_with_buttons(page, *, count):
    """Add the first `count` unranked factors with the Add buttons, move the last one up; save."""
    expect(page.get_by_role("heading", level=1)).to_have_text("Rank the factors")
    expect(page.locator("#unranked-list")).to_be_attached()  # ballot.js (deferred) built the lists
    names = page.locator("#unranked-list .ballot-item").evaluate_all("items => items.map(i => i.dataset.name)")
    for name in names[:count]:
        page.get_by_role("button", name=f"Add {name} to your ranking").click()
    page.get_by_role("button", name=f"Move {names[count - 1]} up").click()
    order = names[: count - 2] + [names[count - 1], names[count - 2]]
    expect(page.locator("#live-status")).to_have_text(f"{names[count - 1]} is now number {count - 1} of {count}.")
    assert ranked_names(page) == order
    page.get_by_role("button", name="Save my ranking").click()
    expect(page.get_by_role("main")).to_contain_text("Your ranking is saved.")
    return order


def test_a_lesson_from_the_teachers_sheet_to_the_class_changing_its_mind(article, new_context, axe_check, screenshot):
    add_curated_factors(article=article, factors=json.loads(CURATED.read_text())["factors"])
    first_topic = article.topics.order_by("position").first()
    teacher = MemberFactory(username="ms.rivera", display_name="Ms Rivera")

    # 1. The teacher logs in, creates 10B and the pupils' accounts; the sheet survives a reload.
    teacher_page = new_context().new_page()
    log_in(teacher_page, teacher)
    teacher_page.get_by_role("navigation", name="Site").get_by_role("link", name="Classes").click()
    teacher_page.get_by_role("link", name="Create a class").click()
    teacher_page.get_by_label("Name").fill("10B")
    teacher_page.get_by_role("combobox", name="Article").select_option(label=article.title)
    teacher_page.get_by_role("button", name="Create the class").click()
    expect(teacher_page.get_by_role("heading", level=1)).to_have_text("10B")
    classroom = Classroom.objects.get(teacher=teacher)
    class_url = classroom.get_absolute_url()
    expect(teacher_page).to_have_url(class_url)

    teacher_page.get_by_text("Create accounts for pupils without email").click()
    teacher_page.get_by_label("Pupils' names, one per line").fill("\n".join(PUPILS))
    teacher_page.get_by_role("button", name="Create the accounts").click()
    expect(teacher_page).to_have_url(reverse("forum:class_sheet", args=[classroom.pk]))
    expect(teacher_page.locator(".sheet-table tbody tr")).to_have_count(4)
    sheet = read_sheet(teacher_page)
    teacher_page.reload()
    expect(teacher_page.locator(".sheet-table tbody tr")).to_have_count(4)
    assert read_sheet(teacher_page) == sheet
    assert sorted(sheet) == sorted(PUPILS)
    assert classroom.memberships.count() == 4  # the reload created nobody
    screenshot(teacher_page, "lesson-sheet")
    axe_check(teacher_page)

    # 2. Step 1: rank before discussing.
    teacher_page.get_by_role("link", name="Back to the class").click()
    move_to_phase(teacher_page, "Rank before discussing")

    # 3. Łukasz, on his phone, mistypes his one-time password once, then chooses his own and ranks.
    lukasz_username, lukasz_password = sheet["Łukasz Nowak"]
    lukasz = new_context(viewport=PHONE).new_page()
    lukasz.goto(reverse("login"))
    submit_login_form(lukasz, lukasz_username, lukasz_password + "x")
    expect(lukasz.get_by_role("main")).to_contain_text("correct username and password")
    expect(lukasz.get_by_role("main")).not_to_contain_text("locked")
    submit_login_form(lukasz, lukasz_username, lukasz_password)
    choose_password(lukasz, lukasz_password)
    expect(lukasz).to_have_url(class_url)
    expect(lukasz.locator(".phase-banner")).to_contain_text("Step 1:")
    screenshot(lukasz, "lesson-pupil-class")
    axe_check(lukasz)
    lukasz.locator(".phase-banner").get_by_role("link", name="Rank them now").click()
    lukasz_before = rank_with_buttons(lukasz, count=4)

    # 4. Zoë does the same from her own device.
    zoe_username, zoe_password = sheet["Zoë Martin"]
    zoe = new_context().new_page()
    zoe.goto(reverse("login"))
    submit_login_form(zoe, zoe_username, zoe_password)
    choose_password(zoe, zoe_password)
    expect(zoe).to_have_url(class_url)
    zoe.locator(".phase-banner").get_by_role("link", name="Rank them now").click()
    rank_with_buttons(zoe, count=3)

    # 5. Step 2: discuss. Łukasz finds the first topic from the article; it opens on 10B's tab.
    move_to_phase(teacher_page, "Discuss")
    lukasz.goto(class_url)
    expect(lukasz.locator(".phase-banner")).to_contain_text("Step 2:")
    lukasz.locator(".class-page").get_by_role("link", name=article.title).click()
    lukasz.get_by_role("link", name=first_topic.title).click()
    tabs = lukasz.get_by_role("navigation", name="Discussion spaces")
    expect(tabs.get_by_role("link", name="10B")).to_have_attribute("aria-current", "page")
    expect(lukasz.locator("#posting-to")).to_contain_text("Private Posting to 10B")
    lukasz.evaluate("window.__marker = 1")  # a full page load would wipe it out
    form = lukasz.locator("#comment-form")
    form.get_by_label("Your comment").fill("Neither side wants to move first.")
    form.get_by_role("button", name="Post to 10B").click()
    expect(lukasz.locator("#comment-list .comment").first).to_contain_text("Neither side wants to move first.")
    assert lukasz.evaluate("window.__marker") == 1  # posted in place
    opening = Comment.objects.get(classroom=classroom)
    settled(lukasz)
    lukasz.evaluate("window.scrollTo(0, 0)")
    screenshot(lukasz, "lesson-topic-class-tab")
    axe_check(lukasz)

    zoe.goto(first_topic.get_absolute_url())
    expect(card(zoe, opening)).to_be_visible()
    settled(zoe)
    card(zoe, opening).get_by_role("link", name="Reply", exact=True).click()
    reply_box = zoe.locator(f"#slot-{opening.pk}").get_by_label("Your reply")
    expect(reply_box).to_be_focused()
    settled(zoe)
    reply_box.fill("But sanctions make waiting expensive.")
    zoe.locator(f"#slot-{opening.pk}").get_by_role("button", name="Post reply").click()
    expect(zoe.locator(f"#replies-{opening.pk} > .comment-item")).to_contain_text(
        ["But sanctions make waiting expensive."]
    )

    # 6. The teacher sees both, by full name; outsiders see neither, nor the names.
    teacher_page.get_by_role("link", name="The class feed").click()
    items = teacher_page.locator(".feed-item")
    expect(items).to_have_count(2)
    expect(items.first).to_contain_text("Zoë Martin")
    expect(items.first).to_contain_text("in reply to Łukasz Nowak")
    expect(items.first).to_contain_text("But sanctions make waiting expensive.")
    expect(items.nth(1)).to_contain_text("Łukasz Nowak")
    expect(items.nth(1)).to_contain_text("Neither side wants to move first.")
    teacher_page.goto(class_url)
    # comments, replies
    assert roster_row(teacher_page, "Łukasz Nowak").locator("td").all_inner_texts()[:2] == ["1", "0"]
    assert roster_row(teacher_page, "Zoë Martin").locator("td").all_inner_texts()[:2] == ["0", "1"]

    reader = new_context().new_page()
    reader.goto(f"{first_topic.get_absolute_url()}?space=everyone#discussion")
    expect(reader.locator("#comment-list")).to_be_visible()
    for text in (
        "Neither side wants to move first.",
        "But sanctions make waiting expensive.",
        "Łukasz Nowak",
        "Zoë Martin",
    ):
        expect(reader.locator("body")).not_to_contain_text(text)
    assert reader.goto(reverse("forum:profile", args=[lukasz_username])).status == 404

    # 7. Step 3: rank again. Łukasz changes his mind; the teacher sees the class did.
    move_to_phase(teacher_page, "Rank again")
    lukasz.goto(class_url)
    lukasz.locator(".phase-banner").get_by_role("link", name="Rank them again").click()
    expect(lukasz.locator("#ranked-list .ballot-item")).to_have_count(4)
    assert ranked_names(lukasz) == lukasz_before
    lukasz.get_by_role("button", name=f"Move {lukasz_before[-1]} up").click()
    lukasz.get_by_role("button", name=f"Move {lukasz_before[-1]} up").click()
    lukasz.get_by_role("button", name=f"Move {lukasz_before[-1]} up").click()
    expect(lukasz.locator("#live-status")).to_have_text(f"{lukasz_before[-1]} is now number 1 of 4.")
    lukasz.get_by_role("button", name="Save my ranking").click()
    expect(lukasz.get_by_role("main")).to_contain_text("Your ranking is saved.")
    latest = Ballot.objects.get(member__username=lukasz_username, is_current=True)
    assert [entry.factor.name for entry in latest.entries.order_by("rank")] == [lukasz_before[-1], *lukasz_before[:-1]]

    teacher_page.reload()
    expect(teacher_page.get_by_role("heading", name="How the class changed its mind")).to_be_visible()
    expect(teacher_page.get_by_text("1 student changed their ranking after the first phase.")).to_be_visible()
    expect(roster_row(teacher_page, "Łukasz Nowak")).to_contain_text("yes, changed")
    screenshot(teacher_page, "lesson-dashboard")
    axe_check(teacher_page)
