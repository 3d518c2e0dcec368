"""What the browser journeys share: the site's menu, the login form, and waiting for htmx."""

import re

from django.urls import reverse
from playwright.sync_api import expect

PASSWORD = "correct horse battery staple"  # MemberFactory's


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
    page.wait_for_function("!document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')")


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
