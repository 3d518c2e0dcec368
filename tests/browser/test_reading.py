import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.conftest import SHIPPED_TITLE

pytestmark = pytest.mark.browser


def test_home_shows_the_article_and_links_its_five_topics(article, page, axe_check, screenshot):
    page.goto("/")

    expect(page.get_by_role("heading", level=1)).to_have_text(SHIPPED_TITLE)
    topic_links = page.locator(".topic-list a")
    expect(topic_links).to_have_count(5)
    for link, topic in zip(topic_links.all(), article.topics.all(), strict=True):
        assert link.get_attribute("href") == topic.get_absolute_url()
    axe_check(page)
    screenshot(page, "home")


def test_reader_walks_every_topic_with_the_next_link(article, page, axe_check, screenshot):
    topics = list(article.topics.prefetch_related("subsections"))
    page.goto("/")
    page.locator(".topic-list a").first.click()

    for number, topic in enumerate(topics, start=1):
        expect(page).to_have_url(topic.get_absolute_url())
        expect(page.get_by_role("heading", level=1)).to_have_text(topic.title)
        headings = page.locator(".subsection h2")
        expect(headings).to_have_count(3)
        assert [sub.anchor for sub in topic.subsections.all()] == [
            heading.get_attribute("id") for heading in headings.all()
        ]
        axe_check(page)
        if number == 1:
            screenshot(page, "topic")  # before the anchor links scroll the page
        for sub in topic.subsections.all():
            anchored_url = f"{topic.get_absolute_url()}#{sub.anchor}"
            heading = page.locator(f"#{sub.anchor}")
            # From the top of the page, the "On this page" link targets the heading and scrolls to it.
            page.evaluate("window.scrollTo(0, 0)")
            page.get_by_role("navigation", name="On this page").get_by_role("link", name=sub.title).click()
            expect(page).to_have_url(anchored_url)
            expect(page.locator(f"#{sub.anchor}:target")).to_have_count(1)
            expect(heading).to_be_in_viewport()
            # The heading's own "#" link, shown on hover, puts the anchor back in a cleared address.
            page.evaluate("history.replaceState(null, '', location.pathname)")
            heading.hover()
            heading.get_by_role("link", name=f"Link to “{sub.title}”").click()
            expect(page).to_have_url(anchored_url)
        if number < len(topics):
            page.locator("a[rel=next]").click()
    expect(page.locator("a[rel=next]")).to_have_count(0)


def test_faq_link_on_home_opens_the_four_questions(article, page, axe_check):
    page.goto("/")
    page.get_by_role("link", name="Read all the answers").click()

    expect(page).to_have_url(reverse("forum:faq", args=[article.slug]))
    expect(page.get_by_role("heading", level=1)).to_have_text("Frequently asked questions")
    expect(page.locator(".faq-entry h2")).to_have_count(4)
    axe_check(page)


def test_missing_page_shows_an_accessible_404(db, page, axe_check):
    response = page.goto("/no-such-page/")

    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    axe_check(page)


def test_home_on_a_phone_does_not_scroll_sideways(article, new_context):
    page = new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True).new_page()
    page.goto("/")

    expect(page.get_by_role("heading", level=1)).to_have_text(SHIPPED_TITLE)
    widths = page.evaluate(
        "({scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth})"
    )
    assert widths["scroll"] <= widths["client"], widths


def test_home_and_topic_pages_work_without_javascript(article, new_context):
    page = new_context(java_script_enabled=False).new_page()
    first = article.topics.first()
    page.goto("/")

    expect(page.get_by_role("heading", level=1)).to_have_text(SHIPPED_TITLE)
    page.get_by_role("link", name=first.title).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(first.title)
    page.locator("a[rel=next]").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(article.topics.all()[1].title)
    page.get_by_role("link", name="FAQ", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Frequently asked questions")
