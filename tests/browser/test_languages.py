"""The site in Russian and in Spanish, switched from the footer: no English interface string is left
on the main pages, and the choice is remembered from page to page (README: "Languages").

"No English left" is decided against the catalogue itself: every English msgid (each literal piece
between its placeholders and tags) whose translation differs is looked for in the page's visible
text, its document title, and the aria-labels and placeholders a screen reader or a box shows. The
article, its topics, key points, FAQ, factors, names and comments are content, which stays in its own
language: every piece of it the database holds is taken out of the text first, and the prose blocks
(and the search's snippets, pieces of them) are left out whole.
"""

import ast
import re

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from forum.models import Ballot, Classroom, Comment, Factor, FaqEntry, KeyPoint, Subsection, Topic, User
from forum.services.api import create_api_token, regenerate_feed_key
from tests.browser.helpers import LONG_WORD, PASSWORD, seed

pytestmark = pytest.mark.browser

# The footer's buttons: each language in its own name.
LANGUAGE_NAMES = {"ru": "Русский", "es": "Español"}
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%%|<[^>]+>")

# Visible text and the labels only assistive technology or an empty box show, outside the content's prose.
PAGE_TEXT = """() => {
  const copy = document.body.cloneNode(true);
  copy.querySelectorAll('.prose, .lede, .comment-body, .search-snippet, blockquote, script, noscript')
    .forEach(node => node.remove());
  const labels = [...document.querySelectorAll('[aria-label], [placeholder]')]
    .filter(node => !node.closest('.prose, .comment-body'))
    .flatMap(node => [node.getAttribute('aria-label'), node.getAttribute('placeholder')]).filter(Boolean);
  document.body.appendChild(copy); copy.hidden = false;
  const text = copy.innerText; copy.remove();
  return [document.title, ...text.split('\\n'), ...labels];
}"""


def catalogue_pairs(language: str):
    """(English msgid or plural, [translations]) for every entry of the language's catalogue."""
    path = settings.BASE_DIR / "locale" / language / "LC_MESSAGES" / "django.po"
    for block in path.read_text().split("\n\n")[1:]:
        fields = {"msgid": [], "msgid_plural": [], "msgstr": []}
        for line in block.splitlines():
            name, _, value = line.partition(" ")
            name = "msgstr" if name.startswith("msgstr") else name
            if name in fields:
                fields[name].append(ast.literal_eval(value))
        yield fields["msgid"] + fields["msgid_plural"], fields["msgstr"]


def english_pieces(language: str) -> tuple[set[str], list[re.Pattern]]:
    """The catalogue's English interface text the language translates: short pieces (a button's
    "Reply") must not be a whole line; a piece of two words or more must not appear anywhere."""
    whole, anywhere = set(), []
    for english, translations in catalogue_pairs(language):
        for msgid in english:
            for piece in PLACEHOLDER.split(msgid):
                piece = piece.strip(" .,:;·()“”\"'?!…↓")
                if not re.search(r"[A-Za-z]{2}", piece) or any(piece in text for text in translations):
                    continue  # no words, or the same in the translation ("Spam", "CSV", "Markdown")
                whole.add(piece)
                if " " in piece and len(piece) >= 10:
                    anywhere.append(re.compile(rf"(?<!\w){re.escape(piece)}(?!\w)"))
    return whole, anywhere


def content(article) -> list[str]:
    """Every text of the site's content a page can show, longest first."""
    texts = [article.title, article.lede]
    texts += Topic.objects.values_list("title", flat=True)
    texts += Topic.objects.values_list("summary", flat=True)
    texts += Subsection.objects.values_list("title", flat=True)
    texts += [text for point in KeyPoint.objects.all() for text in (point.icon, point.label, point.text)]
    texts += FaqEntry.objects.values_list("question", flat=True)
    texts += [text for factor in Factor.objects.all() for text in (factor.name, factor.description)]
    texts += [text for member in User.objects.all() for text in (member.username, member.public_name, member.full_name)]
    texts += Classroom.objects.values_list("name", flat=True)
    texts += Comment.objects.values_list("body", flat=True)
    texts += Ballot.objects.values_list("reason", flat=True)
    return sorted({text for text in texts if text}, key=len, reverse=True)


def english_left(page, pieces, shown_content=()) -> list[str]:
    whole, anywhere = pieces
    found = []
    for text in page.evaluate(PAGE_TEXT):
        for piece in shown_content:
            text = text.replace(piece, " ")
        text = text.strip()
        if text.strip(" .,:;·()“”\"'?!…↓") in whole or any(pattern.search(text) for pattern in anywhere):
            found.append(text)
    return found


def expect_translated(page, url, language, pieces, shown_content):
    page.goto(url)
    expect(page.locator("html")).to_have_attribute("lang", language)  # remembered: no switch on this page
    assert english_left(page, pieces, shown_content) == [], f"English left on {url} in {language}"


@pytest.mark.parametrize("language", ["ru", "es"])
def test_the_site_switches_language_from_the_footer_with_no_english_interface_left(new_context, article, language):
    world = seed(article)
    slug, topic, classroom = article.slug, world["topics"][0], world["classroom"]
    pieces, shown_content = english_pieces(language), content(article)
    page = new_context(locale="en-US").new_page()

    page.goto(reverse("forum:home"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    english = english_left(page, pieces, shown_content)
    assert {"Log in", "Join the discussion", "Key points"} <= set(english)  # the check sees English where it is
    page.get_by_role("contentinfo").get_by_role("button", name=LANGUAGE_NAMES[language]).click()
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page).to_have_url(re.compile(re.escape(reverse("forum:home")) + "$"))  # back on the same page
    assert english_left(page, pieces, shown_content) == []

    # A search with results: passages of the article, each with its kind, and the page's own words.
    expect_translated(page, f"{reverse('forum:search')}?q=sanctions", language, pieces, shown_content)
    expect(page.locator(".search-result").first).to_be_visible()

    for url in [
        article.get_absolute_url(),
        topic.get_absolute_url(),
        reverse("forum:faq", args=[slug]),
        reverse("forum:results", args=[slug]),
        reverse("forum:signup"),
        reverse("login"),
    ]:
        expect_translated(page, url, language, pieces, shown_content)

    # The teacher logs in on the translated form: the language stays chosen after logging in. Their settings
    # page lists a token (its name is theirs, content) and the address of their notifications feed.
    create_api_token(member=world["teacher"], name="class tools")
    regenerate_feed_key(member=world["teacher"])
    page.locator("input[name=username]").fill(world["teacher"].username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("main").get_by_role("button").click()
    expect(page.locator(".nav-name")).to_be_visible()
    expect_translated(page, reverse("forum:account_settings"), language, pieces, ["class tools", *shown_content])
    expect(page.locator("#feed-address")).to_be_visible()  # the feed and the token were on the page checked
    expect(page.get_by_role("main").get_by_text("class tools")).to_be_visible()
    # Their search finds comments, their pupils' in the class among them: "<name> on <topic>", the class's badge.
    # A word of the comments' text, not of their links: PostgreSQL reads a link's path as one token.
    expect_translated(page, f"{reverse('forum:search')}?q={LONG_WORD}", language, pieces, shown_content)
    expect(page.locator(".search-result .badge.text-bg-info").first).to_be_visible()
    for url in [
        reverse("forum:ballot", args=[slug]),
        reverse("forum:notifications"),
        reverse("forum:classes"),
        classroom.get_absolute_url(),
        f"{topic.get_absolute_url()}?space={classroom.pk}",
    ]:
        expect_translated(page, url, language, pieces, shown_content)

    # And back to English from the footer, as a member (with the page's CSRF token).
    page.get_by_role("contentinfo").get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"{topic.title}")
