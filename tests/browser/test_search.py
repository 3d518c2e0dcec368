"""Search from the header: a phrase of the article and a phrase of a comment, each found and opened."""

import pytest
from playwright.sync_api import expect

from forum.services.discussion import post_comment
from tests.browser.helpers import log_in, site_nav
from tests.factories import MemberFactory

pytestmark = pytest.mark.browser


def search_from_the_header(page, text):
    box = site_nav(page).get_by_role("searchbox", name="Search the article and comments")
    box.fill(text)
    box.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Search")


@pytest.mark.parametrize("javascript", [True, False])
def test_a_reader_finds_a_phrase_of_the_article_and_one_of_a_comment_and_opens_them(
    article, new_context, axe_check, screenshot, javascript
):
    topic = article.topics.get(slug="reasons-for-the-reduction-in-peace-talks")
    comment = post_comment(
        author=MemberFactory(display_name="Ana Lima"),
        topic=topic,
        body="Grain corridors through the Black Sea kept <b>both sides</b> talking.",
    )
    page = new_context(java_script_enabled=javascript).new_page()
    page.goto("/")

    search_from_the_header(page, '"economic sanctions"')
    results = page.locator(".search-result")
    expect(results.first.get_by_role("link")).to_have_text("Economic Sanctions")
    expect(results.first.locator("mark").first).to_contain_text("Economic")  # FTS5 marks the phrase as one
    if javascript:  # axe runs in the page's JavaScript
        axe_check(page)
        screenshot(page, "search")
    results.first.get_by_role("link").click()
    assert page.url.endswith(f"{topic.get_absolute_url()}#economic-sanctions")
    expect(page.locator("#economic-sanctions")).to_be_in_viewport()

    search_from_the_header(page, "black sea grain")
    result = page.locator(".search-result").filter(has_text="Ana Lima")
    expect(result).to_have_count(1)
    expect(result.locator(".search-snippet")).to_contain_text("<b>both sides</b>")  # shown as typed, not bold
    expect(result.locator(".search-snippet b")).to_have_count(0)
    marked = " ".join(result.locator("mark").all_inner_texts())
    assert all(word in marked for word in ("Grain", "Black", "Sea")), marked
    result.get_by_role("link", name=f"Ana Lima on “{topic.title}”").click()
    assert page.url.endswith(f"#comment-{comment.pk}")
    expect(page.locator(f"#comment-{comment.pk}")).to_contain_text("Grain corridors through the Black Sea")


def test_a_student_finds_their_class_s_comment_and_a_member_does_not(article, new_context):
    from tests.factories import ClassroomFactory, MembershipFactory

    topic = article.topics.first()
    classroom = ClassroomFactory(article=article, name="10B")
    student = MembershipFactory(classroom=classroom).member
    post_comment(author=student, topic=topic, body="Hotlines between capitals matter.", classroom=classroom)

    student_page = new_context().new_page()
    log_in(student_page, student)
    search_from_the_header(student_page, "hotlines")
    expect(student_page.locator(".search-result")).to_have_count(1)
    expect(student_page.locator(".search-result")).to_contain_text("Class 10B")

    member_page = new_context().new_page()
    log_in(member_page, MemberFactory())
    search_from_the_header(member_page, "hotlines")
    expect(member_page.get_by_role("heading", level=2)).to_have_text("0 results")
    expect(member_page.get_by_text("Nothing matches.")).to_be_visible()
