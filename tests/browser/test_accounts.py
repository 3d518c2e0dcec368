import re

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.helpers import log_in, site_nav
from tests.factories import MemberFactory

pytestmark = pytest.mark.browser


def sign_in_session(page, *, client, live_server, member):
    """Give the page a session for `member` without going through the login form."""
    client.force_login(member)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def test_visitor_signs_up_logs_out_and_logs_back_in(article, page):
    page.goto("/")
    site_nav(page).get_by_role("link", name="Join the discussion").click()
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Email").fill("ada@example.org")
    page.get_by_label("Display name").fill("Ada Lovelace")
    # Crispy marks required fields with an asterisk in the label.
    page.get_by_role("textbox", name=re.compile(r"^Password\*?$")).fill("analytical engine 1843")
    page.get_by_label("Password confirmation").fill("analytical engine 1843")
    page.get_by_role("button", name="Create account").click()

    expect(page).to_have_url("/")
    expect(page.get_by_text("Welcome, Ada Lovelace!")).to_be_visible()
    expect(site_nav(page).get_by_role("link", name="Ada Lovelace")).to_be_visible()

    site_nav(page).get_by_role("button", name="Log out").click()
    expect(site_nav(page).get_by_role("link", name="Log in")).to_be_visible()
    expect(site_nav(page).get_by_role("link", name="Ada Lovelace")).to_have_count(0)

    log_in(page, username="ada", password="analytical engine 1843", succeeds=False)
    expect(page).to_have_url("/")
    expect(site_nav(page).get_by_role("link", name="Ada Lovelace")).to_be_visible()
    expect(site_nav(page).get_by_role("button", name="Log out")).to_be_visible()


def test_wrong_password_shows_the_error_and_keeps_the_username(db, page):
    MemberFactory(username="grace")

    log_in(page, username="grace", password="not the password", succeeds=False)

    expect(page.get_by_role("main")).to_contain_text("Please enter a correct username and password.")
    expect(page.get_by_label("Username")).to_have_value("grace")
    expect(page.get_by_label("Password")).to_have_value("")
    expect(site_nav(page).get_by_role("link", name="Log in")).to_be_visible()


@pytest.mark.parametrize(
    ("url_name", "heading"),
    [("login", "Log in"), ("forum:signup", "Create an account"), ("password_reset", "Reset your password")],
)
def test_visitor_form_pages_are_accessible(db, page, axe_check, url_name, heading):
    page.goto(reverse(url_name))

    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    axe_check(page)


def test_profile_and_settings_pages_are_accessible(db, client, live_server, page, axe_check):
    member = MemberFactory(username="grace", display_name="Grace Hopper")
    sign_in_session(page, client=client, live_server=live_server, member=member)

    page.goto(member.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text("Grace Hopper")
    axe_check(page)

    page.get_by_role("link", name="Edit your settings").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your settings")
    expect(page.get_by_label("Display name")).to_have_value("Grace Hopper")
    axe_check(page)
