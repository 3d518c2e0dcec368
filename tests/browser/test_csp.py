"""No page of any role breaks the Content-Security-Policy: every violation the browser reports fails the test.

The browser tells a page about each thing the policy blocked with a `securitypolicyviolation` event (an
init script keeps them in window.__csp) and writes it to the console as an error; either one fails."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from forum.models import Comment
from tests.browser.helpers import card, log_in, role_pages, seed, settled
from tests.factories import MemberFactory

pytestmark = pytest.mark.browser

WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__csp.push(`${event.effectiveDirective} blocked ${event.blockedURI || "inline"} at ` +
                    `${event.sourceFile}:${event.lineNumber} ${event.sample}`);
});
"""
# Chromium's console wording for a blocked resource and for a header it could not parse.
CONSOLE = re.compile(r"Content Security Policy|Permissions-Policy|Permissions Policy", re.IGNORECASE)


class Violations:
    """What the browser refused, page by page, in every page of the contexts it watches."""

    def __init__(self):
        self.found: list[str] = []

    def watch(self, context):
        context.add_init_script(WATCH)
        context.on("console", self.console)
        return context

    def console(self, message):
        if message.type in ("error", "warning") and CONSOLE.search(message.text):
            self.found.append(f"console {message.type} on {message.page.url if message.page else '?'}: {message.text}")

    def collect(self, page, where: str):
        """The events since the last look on this page (a navigation starts a fresh list)."""
        page.wait_for_timeout(50)  # the browser reports a violation in a task of its own, after the fact
        self.found.extend(f"{where}: {event}" for event in page.evaluate("window.__csp.splice(0)"))


@pytest.fixture
def violations():
    return Violations()


@pytest.fixture
def open_as(new_context, violations):
    """`open_as(member)`: a watched page, logged in as `member` (or nobody)."""

    def open_page(member=None):
        page = violations.watch(new_context()).new_page()
        if member is not None:
            log_in(page, member)
        return page

    return open_page


def report(violations):
    return "The Content-Security-Policy blocked:\n" + "\n".join(dict.fromkeys(violations.found))


def visit(page, url, violations, role, *, status=200):
    response = page.goto(url)
    assert response.status == status, f"{role}: {url} answered {response.status}"
    if url not in (reverse("login"), reverse("admin:login")):
        assert "/login/" not in page.url, f"{role}: {url} asked to log in"
    assert page.evaluate("window.__csp") is not None, "the watching script did not run"
    violations.collect(page, f"{role} {url}")


def test_the_watch_catches_what_the_policy_blocks(open_as, violations, settings):
    settings.PERMISSIONS_POLICY += ", no-such-feature=()"  # the browser warns about it in the console
    page = open_as()
    page.goto(reverse("forum:home"))
    page.evaluate("""() => {
        const script = document.createElement("script");
        script.textContent = "window.ran = 1";
        document.body.append(script);
        document.body.setAttribute("style", "color: red");
    }""")
    violations.collect(page, "home")
    assert page.evaluate("window.ran") is None
    assert [line.split(" blocked ")[0] for line in violations.found if line.startswith("home:")] == [
        "home: script-src-elem",
        "home: style-src-attr",
    ]
    assert any("no-such-feature" in line for line in violations.found if line.startswith("console"))


def test_no_page_of_any_role_breaks_the_policy(article, open_as, violations):
    world = seed(article)
    pages = role_pages(world)
    classroom = world["classroom"]

    anonymous = open_as()
    for url in pages["anonymous"]:
        visit(anonymous, url, violations, "anonymous")
    visit(anonymous, "/no-such-page/", violations, "anonymous", status=404)
    assert anonymous.evaluate("document.querySelectorAll('style, [style]').length") == 0  # htmx added none

    member = open_as(MemberFactory())
    for url in pages["member"]:
        visit(member, url, violations, "member")
    member.goto(reverse("forum:ballot", args=[article.slug]))
    member.get_by_role("button", name=re.compile("^Add")).first.click()  # ballot.js builds the ranked list
    violations.collect(member, "member ballot, a factor added")

    student = open_as(world["student"])
    for url in pages["student"]:
        visit(student, url, violations, "student")

    teacher = open_as(world["teacher"])
    for url in pages["teacher"]:
        visit(teacher, url, violations, "teacher")
    # The projector's live part as htmx refreshes it: bars swapped in must not need style attributes.
    teacher.goto(reverse("forum:class_projector", args=[classroom.pk]))
    teacher.evaluate("htmx.ajax('GET', location.pathname, {target: '#projector-live', swap: 'innerHTML'})")
    settled(teacher)
    violations.collect(teacher, "teacher projector, refreshed")
    teacher.goto(classroom.get_absolute_url())
    teacher.get_by_text("Create accounts for pupils without email").click()
    teacher.get_by_label("Pupils' names, one per line").fill("Dee Pupil")
    teacher.get_by_role("button", name="Create the accounts").click()
    expect(teacher.locator(".sheet-table tbody tr")).to_have_count(1)
    violations.collect(teacher, "teacher password sheet")

    moderator = open_as(world["moderator"])
    comment = world["comment"]
    for url in [
        *pages["moderator"],
        reverse("admin:forum_comment_change", args=[comment.pk]),
        reverse("admin:forum_user_change", args=[world["writer"].pk]),
        f"{reverse('admin:forum_restriction_add')}?member={world['writer'].pk}",
        reverse("admin:forum_flag_changelist"),
        reverse("admin:forum_moderationlog_changelist"),
    ]:
        visit(moderator, url, violations, "moderator")
    moderator.goto(reverse("admin:forum_comment_changelist"))
    moderator.locator("#result_list tbody tr").first.get_by_role("checkbox").check()  # admin's actions.js
    moderator.get_by_label("Action:").select_option(label="Hide")
    moderator.get_by_role("button", name="Go").click()
    expect(moderator.locator("#reason")).to_be_visible()  # templates/admin/forum/reason_form.html
    violations.collect(moderator, "moderator bulk hide, reason form")

    assert not violations.found, report(violations)


def test_htmx_on_a_topic_page_breaks_no_policy(article, open_as, violations):
    world = seed(article)
    topic, comment = world["topics"][0], world["comment"]
    author = world["writer"]
    page = open_as(author)
    page.goto(topic.get_absolute_url())

    form = page.locator("#comment-form")
    form.get_by_label("Your comment").fill("A **new** comment, posted in place.")
    form.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("region", name="Preview").locator("strong")).to_have_text("new")
    form.get_by_role("button", name="Post comment").click()
    expect(page.locator("#comment-list .comment").first).to_contain_text("A new comment, posted in place.")
    settled(page)

    card(page, comment).locator(".comment-actions").get_by_role("link", name="Reply", exact=True).click()
    box = page.locator(f"#slot-{comment.pk} textarea[name=body]")
    expect(box).to_be_focused()
    settled(page)
    box.fill("A reply, posted in place.")
    page.locator(f"#slot-{comment.pk}").get_by_role("button", name="Post reply").click()
    expect(page.locator(f"#replies-{comment.pk}")).to_contain_text("A reply, posted in place.")
    reply = Comment.objects.get(parent=comment, body="A reply, posted in place.")
    expect(card(page, reply)).to_be_focused()
    settled(page)

    card(page, reply).locator(".comment-actions").get_by_role("link", name="Edit", exact=True).click()
    box = page.locator(f"#slot-{reply.pk} textarea[name=body]")
    expect(box).to_be_focused()
    settled(page)
    box.fill("A reply, edited in place.")
    page.locator(f"#slot-{reply.pk}").get_by_role("button", name="Save changes").click()
    expect(card(page, reply).locator(".comment-body")).to_have_text("A reply, edited in place.")
    settled(page)

    other = (
        Comment.objects.filter(topic=topic, parent=None, status=Comment.Status.PUBLISHED).exclude(author=author).first()
    )
    card(page, other).locator(".helpful-form button").click()
    expect(card(page, other).locator(".helpful-form button")).to_have_attribute("aria-pressed", "true")
    settled(page)
    page.get_by_role("link", name=re.compile(r"^Show \d+ more repl")).first.click()
    expect(page.get_by_role("link", name=re.compile(r"^Show \d+ more repl"))).to_have_count(0)
    settled(page)

    violations.collect(page, "topic page after htmx posts, edits and swaps")
    assert page.evaluate("document.querySelectorAll('style, [style]').length") == 0
    assert not violations.found, report(violations)
