"""A course on a learning platform, played by the test: the forum opens inside the platform's iframe.

The platform's pages (the course, its login and auth steps) are answered by Playwright's page.route(),
on http://localhost:65123 (never reached: every request to it is intercepted). That is the same site as the
live server, so its Lax cookies reach the iframe over plain http, and another origin, so the forum's pages
show in the frame only because their frame-ancestors name the platform. What the forum fetches from the
platform on the server (its key set, tokens, the gradebook) is answered by `responses`.
"""

import html
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import responses
from django.urls import reverse
from playwright.sync_api import expect

from forum.models import Classroom, Comment
from tests.lti.platform import INSTRUCTOR, LEARNER, LTI, FakePlatform, deep_linking_claims

pytestmark = pytest.mark.browser

PLATFORM = "http://localhost:65123"


@pytest.fixture
def platform(transactional_db, article):
    platform = FakePlatform(issuer=PLATFORM)
    platform.registration = platform.register()
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        platform.serve(rsps)
        yield platform


def auto_post(action: str, fields: dict) -> str:
    """A platform's page that posts `fields` to `action` at once (its own script: our CSP is not on it)."""
    inputs = "".join(
        f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(str(v))}">' for k, v in fields.items()
    )
    return (
        f'<!doctype html><form method="post" action="{html.escape(action)}">{inputs}'
        "<button>Continue</button></form><script>document.forms[0].submit()</script>"
    )


def play_platform(page, platform, live_server, *, sub, roles, given_name, family_name, **extra_claims):
    """Route the platform's pages for one person: the course with the forum in an iframe, login, auth."""

    def course(route):
        route.fulfill(
            content_type="text/html",
            body="<!doctype html><title>History 10B</title><h1>History 10B</h1>"
            f'<iframe name="tool" title="Peace Talks Forum" width="420" height="1500" src="{PLATFORM}/start"></iframe>',
        )

    def start(route):
        params = platform.login_params(sub, target_link_uri=f"{live_server.url}/lti/launch/")
        route.fulfill(content_type="text/html", body=auto_post(f"{live_server.url}/lti/login/", params))

    def login(route):
        """The forum's login answer goes through; its redirect to the auth URL is answered here, as the
        platform's auth step would (the browser follows redirects itself, where no route sees them)."""
        answer = route.fetch(max_redirects=0)
        assert answer.status == 302, answer.text()
        location = answer.headers["location"]
        assert location.startswith(platform.auth_url)
        query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
        assert query["client_id"] == platform.client_id and query["login_hint"] == sub
        assert query["redirect_uri"] == f"{live_server.url}/lti/launch/"
        claims = platform.claims(
            nonce=query["nonce"], sub=sub, roles=roles, given_name=given_name, family_name=family_name, **extra_claims
        )
        fields = {"id_token": platform.sign(claims), "state": query["state"]}
        # Only its cookie (the login's state), not its frame headers: a redirect is never shown.
        cookies = "\n".join(h["value"] for h in answer.headers_array if h["name"].lower() == "set-cookie")
        route.fulfill(
            status=200,
            headers={"set-cookie": cookies, "content-type": "text/html"},
            body=auto_post(query["redirect_uri"], fields),
        )

    page.route(f"{PLATFORM}/course", course)
    page.route(f"{PLATFORM}/start", start)
    page.route(f"{live_server.url}/lti/login/", login)
    page.goto(f"{PLATFORM}/course")
    return page.frame_locator("iframe[name=tool]")


def test_a_course_opens_the_forum_in_its_iframe_and_gets_the_participation_scores(
    new_context, live_server, platform, article, axe_check, screenshot
):
    # The instructor's first launch makes the course a class.
    teacher_page = new_context(permissions=["local-network-access"]).new_page()
    teacher_frame = play_platform(
        teacher_page,
        platform,
        live_server,
        sub="teacher-1",
        roles=[INSTRUCTOR],
        given_name="Ada",
        family_name="Lovelace",
    )
    expect(teacher_frame.get_by_role("heading", level=1)).to_contain_text("History 10B")
    classroom = Classroom.objects.get()
    assert classroom.teacher.display_name == "Ada Lovelace"

    # A learner's launch lands in the class's space; they comment on a topic there.
    pupil_page = new_context(viewport={"width": 1024, "height": 800}, permissions=["local-network-access"]).new_page()
    pupil_frame = play_platform(
        pupil_page, platform, live_server, sub="learner-1", roles=[LEARNER], given_name="Zoë", family_name="Martin"
    )
    expect(pupil_frame.get_by_role("heading", level=1)).to_contain_text("History 10B")
    topic = article.topics.first()
    pupil_frame.get_by_role("link", name=topic.title).first.click()
    pupil_frame.get_by_label("Your comment").first.fill("Trust comes before any treaty.")
    pupil_frame.get_by_role("button", name="Post to History 10B").first.click()
    expect(pupil_frame.get_by_text("Trust comes before any treaty.")).to_be_visible()
    comment = Comment.objects.get()
    assert comment.classroom == classroom and comment.author.public_name == "Zoë M."

    # The teacher chooses what counts and sends the scores, from the course page inside the frame.
    teacher_frame.get_by_role("link", name="The course on the learning platform: roster and gradebook").click()
    teacher_frame.get_by_label("Ranked before the discussion").uncheck()
    teacher_frame.get_by_label("Ranked again after the discussion").uncheck()
    teacher_frame.get_by_label("At least this many comments").fill("1")
    teacher_frame.get_by_label("At least this many replies").fill("0")
    teacher_frame.get_by_role("button", name="Save").click()
    expect(teacher_frame.get_by_text("Saved: this is what counts as taking part.")).to_be_visible()
    expect(teacher_frame.locator("#lti-participation tbody tr")).to_contain_text("1 / 1")
    teacher_frame.get_by_role("button", name="Send the scores to the course's gradebook").click()
    expect(teacher_frame.get_by_text("Scores (out of 1) sent to the course's gradebook for 1 pupil.")).to_be_visible()
    screenshot(teacher_page, "lti-course")

    # The platform received one score: the learner's, for taking part.
    assert [(s["userId"], s["scoreGiven"], s["scoreMaximum"]) for s in platform.scores] == [("learner-1", 1, 1)]
    assert platform.line_items[0]["label"] == "Forum participation"

    teacher_page.goto(live_server.url + reverse("lti:course", args=[classroom.pk]))
    axe_check(teacher_page)


def test_a_page_of_a_session_that_did_not_come_from_the_platform_is_not_framed(
    new_context, live_server, platform, article
):
    """The same frame around the forum's home page, without a launch: the browser refuses to show it."""
    page = new_context(permissions=["local-network-access"]).new_page()
    page.route(
        f"{PLATFORM}/course",
        lambda route: route.fulfill(
            content_type="text/html",
            body=f'<!doctype html><iframe name="tool" title="Forum" src="{live_server.url}/"></iframe>',
        ),
    )
    with page.expect_response(f"{live_server.url}/") as answer:
        page.goto(f"{PLATFORM}/course")
    assert answer.value.headers["x-frame-options"] == "DENY"
    frame = page.frame(name="tool")
    expect(page.frame_locator("iframe[name=tool]").get_by_role("heading")).to_have_count(0)
    assert frame.url == "chrome-error://chromewebdata/"  # what Chromium shows for a frame it refused


def test_an_instructor_picks_a_topic_and_the_signed_link_goes_back_to_the_platform(
    new_context, live_server, platform, article
):
    page = new_context(permissions=["local-network-access"]).new_page()
    received = []

    def content_item_return(route):
        received.append(parse_qs(route.request.post_data)["JWT"][0])
        route.fulfill(content_type="text/html", body="<!doctype html><h1>Activity added</h1>")

    return_url = f"{PLATFORM}/mod/lti/contentitem_return.php"
    page.route(return_url, content_item_return)
    frame = play_platform(
        page,
        platform,
        live_server,
        sub="teacher-1",
        roles=[INSTRUCTOR],
        given_name="Ada",
        family_name="Lovelace",
        **deep_linking_claims(return_url),
    )
    topic = article.topics.first()
    frame.get_by_label(f"Topic: {topic.title}").check()
    frame.get_by_role("button", name="Add to the course").click()
    # static/js/lti-deep-link.js posts the signed answer back to the platform, inside the frame.
    expect(frame.get_by_role("heading", name="Activity added")).to_be_visible()
    [token] = received
    claims = jwt.decode(token, options={"verify_signature": False})
    [item] = claims["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]
    assert item["custom"] == {"forum_target": f"topic:{topic.slug}"}
    assert claims[LTI + "message_type"] == "LtiDeepLinkingResponse"
