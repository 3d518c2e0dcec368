"""On a 390 px wide phone no page scrolls sideways, for any role, with pages full of data."""

import os
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.helpers import LONG_NAMES, log_in, role_pages, seed, site_nav
from tests.factories import MemberFactory

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
# Lists what sticks out past the window, furthest first and, among equals, the innermost: the
# element that pushes the page sideways rather than the ancestors that grow with it. An element's
# right edge counts its overflowing content (a long word sticks out of its paragraph's box), unless
# it clips or scrolls it; what is inside a box that clips or scrolls cannot widen the page, unless it
# is positioned outside it (a .visually-hidden header inside a .table-responsive wrapper can).
OVERFLOWING = """() => {
  const limit = window.innerWidth;
  const clips = (el) => getComputedStyle(el).overflowX !== "visible";
  const lifted = (el) => ["absolute", "fixed"].includes(getComputedStyle(el).position);
  const clipped = (el) => {
    let escapes = lifted(el);  // an absolute box escapes the clipping of ancestors up to its containing block
    for (el = el.parentElement; el && el !== document.body; el = el.parentElement) {
      const positioned = getComputedStyle(el).position !== "static";
      if (clips(el) && (!escapes || positioned)) return true;
      if (escapes && positioned) escapes = lifted(el);
    }
    return false;
  };
  const depth = (el) => { let n = 0; for (; el; el = el.parentElement) n++; return n; };
  const classes = (el) => typeof el.className === "string" ? el.className.trim().split(/\\s+/).filter(Boolean) : [];
  const describe = (el) => [el.tagName.toLowerCase() + (el.id ? "#" + el.id : ""), ...classes(el)].join(".");
  return Array.from(document.querySelectorAll("body *"))
    .filter((el) => !clipped(el))
    .map((el) => {
      const box = el.getBoundingClientRect();
      const right = clips(el) ? box.right : Math.max(box.right, box.left + el.scrollWidth);
      return {el, width: box.width, right: Math.round(right), depth: depth(el)};
    })
    .filter((item) => item.width > 0 && item.right > limit)
    .sort((a, b) => b.right - a.right || b.depth - a.depth)
    .slice(0, 3)
    .map((item) => describe(item.el) + " (right edge " + item.right + " px)");
}"""


def phone_page(new_context, member=None, **options):
    page = new_context(viewport=PHONE, **options).new_page()
    if member is not None:
        log_in(page, member, succeeds=False)
        # On a phone the menu is folded away: "Log out" is there, but not visible.
        expect(site_nav(page).get_by_role("button", name="Log out", include_hidden=True)).to_be_attached()
    return page


def overflow(page):
    """None if the page fits the phone's width, else what sticks out."""
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert inner == PHONE["width"]
    if width <= inner:
        return None
    return f"{page.url}: {width} px wide; " + "; ".join(page.evaluate(OVERFLOWING))


def visit(page, url, problems, role):
    response = page.goto(url)
    assert response.ok, f"{role}: {url} answered {response.status}"
    if problem := overflow(page):
        problems.append(f"{role}: {problem}")


def shoot(page, name):
    """With PHONE_SCREENSHOTS=DIR, screenshots to look at by eye: the whole page, and screen by screen."""
    if not (folder := os.environ.get("PHONE_SCREENSHOTS")):
        return
    page.screenshot(path=Path(folder, f"phone-{name}.png"), full_page=True)
    height = page.evaluate("document.documentElement.scrollHeight")
    for n, top in enumerate(range(0, height, PHONE["height"]), start=1):
        clip = {"x": 0, "y": top, "width": PHONE["width"], "height": min(PHONE["height"], height - top)}
        page.screenshot(path=Path(folder, f"phone-{name}-{n}.png"), full_page=True, clip=clip)


def test_no_page_scrolls_sideways_on_a_phone(article, new_context, axe_check):
    world = seed(article)
    classroom, topics = world["classroom"], world["topics"]
    slug = article.slug
    pages = role_pages(world)
    problems: list[str] = []

    anonymous = phone_page(new_context)
    for url in pages["anonymous"]:
        visit(anonymous, url, problems, "anonymous")

    member = phone_page(new_context, MemberFactory())
    for url in pages["member"]:
        visit(member, url, problems, "member")
    member.goto(reverse("forum:ballot", args=[slug]))
    shoot(member, "ballot")
    without_js = phone_page(new_context, MemberFactory(), java_script_enabled=False)
    visit(without_js, reverse("forum:ballot", args=[slug]), problems, "member without JavaScript")
    shoot(without_js, "ballot-without-js")

    student = phone_page(new_context, world["student"])
    for url in pages["student"]:
        visit(student, url, problems, "student")
    student.goto(reverse("forum:ballot", args=[slug]))
    shoot(student, "ballot-ranked")

    teacher = phone_page(new_context, world["teacher"])
    for url in pages["teacher"]:
        visit(teacher, url, problems, "teacher")
    teacher.goto(classroom.get_absolute_url())
    shoot(teacher, "class")
    teacher.get_by_text("Create accounts for pupils without email").click()
    teacher.get_by_label("Pupils' names, one per line").fill("\n".join(f"Pupil {n}" for n in range(41)))
    teacher.get_by_role("button", name="Create the accounts").click()
    expect(teacher.get_by_text("At most 40 names")).to_be_visible()  # the accounts form, with its error
    if problem := overflow(teacher):
        problems.append(f"teacher: accounts form: {problem}")
    teacher.get_by_label("Pupils' names, one per line").fill("\n".join(LONG_NAMES[:3]).replace(" ", "-"))
    teacher.get_by_role("button", name="Create the accounts").click()
    expect(teacher.locator(".sheet-table tbody tr")).to_have_count(3)  # the password sheet
    if problem := overflow(teacher):
        problems.append(f"teacher: password sheet: {problem}")
    shoot(teacher, "password-sheet")

    moderating = phone_page(new_context, world["moderator"])
    for url in pages["moderator"]:
        visit(moderating, url, problems, "moderator")
    moderating.goto(topics[0].get_absolute_url())
    expect(moderating.locator(".moderate-form").first).to_be_visible()
    shoot(moderating, "topic-moderator")
    moderating.goto(reverse("admin:forum_moderationqueueitem_changelist"))
    shoot(moderating, "needs-attention")

    anonymous.goto(reverse("forum:results", args=[slug]))
    shoot(anonymous, "results")
    # The stacked cards are the phone's own layout: they must be as accessible as the tables.
    axe_check(anonymous)
    teacher.goto(classroom.get_absolute_url())
    axe_check(teacher)
    assert not problems, "Pages wider than a 390 px phone:\n" + "\n".join(problems)
