import json
import re

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from forum.models import Ballot
from forum.services.voting import add_curated_factors, cast_ballot
from tests.browser.helpers import submit_login_form
from tests.factories import MemberFactory

pytestmark = pytest.mark.browser

CURATED = settings.BASE_DIR / "forum" / "content" / "factors.json"


@pytest.fixture
def factors(article):
    """The shipped article's thirteen curated factors, by name."""
    add_curated_factors(article=article, factors=json.loads(CURATED.read_text())["factors"])
    return {factor.name: factor for factor in article.factors.all()}


def share(*, points, factor_count, voters):
    """Borda share of the maximum, in whole percent as the results page rounds it."""
    return f"{round(100 * points / (factor_count * voters))}%"


def log_in_to_ballot(page, article, member):
    """Open the ballot, which sends a visitor through the login form and back."""
    page.goto(reverse("forum:ballot", args=[article.slug]))
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    submit_login_form(page, member.username)
    expect(page.get_by_role("heading", level=1)).to_have_text("Rank the factors")


def ballot_script_ran(page):
    """ballot.js is deferred: wait until it has built the two lists."""
    expect(page.locator("#unranked-list")).to_be_attached()


def item(page, name):
    return page.locator(f'.ballot-item[data-name="{name}"]')


def names_in(page, list_id):
    return page.locator(f"#{list_id} .ballot-item").evaluate_all("items => items.map(item => item.dataset.name)")


def result_rows(page):
    return page.locator(".results-table tbody tr")


def saved_ranking(member, article):
    ballot = Ballot.objects.get(member=member, article=article, is_current=True)
    return [entry.factor.name for entry in ballot.entries.select_related("factor").order_by("rank")]


def test_member_ranks_factors_with_the_keyboard_only(factors, page, axe_check, screenshot):
    member = MemberFactory(display_name="Grace Hopper")  # a fixed name keeps the screenshot stable
    article = next(iter(factors.values())).article
    log_in_to_ballot(page, article, member)
    ballot_script_ran(page)
    expect(page.locator("#ranked-list .ballot-item")).to_have_count(0)
    first, second, third = names_in(page, "unranked-list")[:3]

    # Add the first factor not ranked; then Tab reaches the next one's Add button.
    item(page, first).get_by_role("button", name=f"Add {first} to your ranking").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#live-status")).to_have_text(f"{first} is now number 1 of 1.")
    page.keyboard.press("Tab")
    expect(item(page, second).get_by_role("button", name=f"Add {second} to your ranking")).to_be_focused()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert names_in(page, "ranked-list") == [first, second, third]
    expect(page.locator("#live-status")).to_have_text(f"{third} is now number 3 of 3.")

    # Focus stays on the added item's Remove; Shift+Tab skips the disabled Down to reach Up.
    expect(item(page, third).get_by_role("button", name=f"Remove {third} from your ranking")).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(item(page, third).get_by_role("button", name=f"Move {third} down")).to_be_disabled()
    expect(item(page, third).get_by_role("button", name=f"Move {third} up")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#live-status")).to_have_text(f"{third} is now number 2 of 3.")
    page.keyboard.press("Enter")
    expect(page.locator("#live-status")).to_have_text(f"{third} is now number 1 of 3.")
    # At the top Up is disabled, so focus moves on to Down rather than being lost.
    expect(item(page, third).get_by_role("button", name=f"Move {third} up")).to_be_disabled()
    expect(item(page, third).get_by_role("button", name=f"Move {third} down")).to_be_focused()
    page.keyboard.press("Space")
    expect(page.locator("#live-status")).to_have_text(f"{third} is now number 2 of 3.")
    assert names_in(page, "ranked-list") == [first, third, second]
    expect(page.locator("#ranked-list .rank-badge")).to_have_text(["1", "2", "3"])
    axe_check(page)
    screenshot(page, "ballot")

    reason = page.get_by_label("Why does your first choice come first? (optional)")
    reason.focus()
    page.keyboard.type("It decides what leaders can afford to say.")
    page.keyboard.press("Enter")

    expect(page).to_have_url(reverse("forum:results", args=[article.slug]))
    expect(page.get_by_role("main")).to_contain_text("Your ranking is saved.")
    n = len(factors)  # 13 factors, one voter: rank r earns n - r + 1 points of n possible
    expect(page.locator(".lead")).to_contain_text(f"1 member ranked {n} factors")
    expect(result_rows(page).first.get_by_role("rowheader")).to_contain_text(first)
    expect(result_rows(page).first.locator(".bar-label")).to_have_text(share(points=n, factor_count=n, voters=1))
    expect(result_rows(page).nth(1).get_by_role("rowheader")).to_contain_text(third)
    expect(result_rows(page).nth(1).locator(".bar-label")).to_have_text(share(points=n - 1, factor_count=n, voters=1))
    expect(result_rows(page).nth(2).get_by_role("rowheader")).to_contain_text(second)
    expect(result_rows(page).nth(2).locator(".bar-label")).to_have_text(share(points=n - 2, factor_count=n, voters=1))
    expect(result_rows(page).nth(3).locator(".bar-label")).to_have_text("0%")
    expect(page.locator(".reason-list")).to_contain_text("It decides what leaders can afford to say.")
    assert saved_ranking(member, article) == [first, third, second]


def test_member_ranks_factors_by_drag_and_drop(factors, page):
    member = MemberFactory()
    article = next(iter(factors.values())).article
    log_in_to_ballot(page, article, member)
    ballot_script_ran(page)
    first, second, third = names_in(page, "unranked-list")[:3]
    ranked = page.locator("#ranked-list")

    item(page, first).drag_to(ranked)
    expect(page.locator("#live-status")).to_have_text(f"{first} is now number 1 of 1.")
    # Dropped on the lower half of the last ranked item: it goes after it.
    item(page, second).drag_to(item(page, first), target_position={"x": 40, "y": 45})
    item(page, third).drag_to(item(page, second), target_position={"x": 40, "y": 45})
    assert names_in(page, "ranked-list") == [first, second, third]
    # Dropped on the upper half of the first item: it goes before it.
    item(page, third).drag_to(item(page, first), target_position={"x": 40, "y": 3})
    expect(page.locator("#live-status")).to_have_text(f"{third} is now number 1 of 3.")
    assert names_in(page, "ranked-list") == [third, first, second]
    expect(page.locator("#unranked-list .ballot-item")).to_have_count(len(factors) - 3)

    page.get_by_role("button", name="Save my ranking").click()

    expect(page).to_have_url(reverse("forum:results", args=[article.slug]))
    assert saved_ranking(member, article) == [third, first, second]


def test_member_ranks_factors_without_javascript(factors, new_context):
    page = new_context(java_script_enabled=False).new_page()
    member = MemberFactory()
    article = factors["Public opinion"].article
    log_in_to_ballot(page, article, member)
    expect(page.locator("#ranked-list")).to_have_count(0)
    expect(page.locator("input.rank-input")).to_have_count(len(factors))

    page.get_by_label("Economic sanctions").fill("1")
    page.get_by_label("Public opinion").fill("2")
    page.get_by_role("button", name="Save my ranking").click()

    expect(page).to_have_url(reverse("forum:results", args=[article.slug]))
    n = len(factors)
    expect(result_rows(page).first.get_by_role("rowheader")).to_contain_text("Economic sanctions")
    expect(result_rows(page).first.locator(".bar-label")).to_have_text(share(points=n, factor_count=n, voters=1))
    expect(result_rows(page).nth(1).get_by_role("rowheader")).to_contain_text("Public opinion")
    expect(result_rows(page).nth(1).locator(".bar-label")).to_have_text(share(points=n - 1, factor_count=n, voters=1))
    assert saved_ranking(member, article) == ["Economic sanctions", "Public opinion"]

    page.get_by_role("link", name="Change your ranking").click()
    expect(page.get_by_label("Economic sanctions")).to_have_value("1")
    page.get_by_label("Public opinion").fill("")
    page.get_by_label("Nationalism").fill("3")
    page.get_by_role("button", name="Save my ranking").click()

    expect(page).to_have_url(reverse("forum:ballot", args=[article.slug]))
    expect(page.get_by_role("alert")).to_contain_text("rank 2 is missing")
    expect(page.get_by_label("Economic sanctions")).to_have_value("1")
    expect(page.get_by_label("Nationalism")).to_have_value("3")
    expect(page.get_by_label("Public opinion")).to_have_value("")
    assert saved_ranking(member, article) == ["Economic sanctions", "Public opinion"]


def test_changed_ballot_moves_the_results_and_shows_how_opinions_changed(factors, page, axe_check, screenshot):
    article = factors["Public opinion"].article
    x, y, z = factors["Public opinion"], factors["Economic sanctions"], factors["Fear of escalation"]
    changer, other = MemberFactory(display_name="Ada Lovelace"), MemberFactory(display_name="Alan Turing")
    cast_ballot(member=changer, article=article, ranking=[x, z], reason="Leaders follow the polls.")
    cast_ballot(member=other, article=article, ranking=[x, y], reason="Voters punish weakness.")
    n, voters = len(factors), 2
    results_url = reverse("forum:results", args=[article.slug])

    log_in_to_ballot(page, article, changer)
    page.goto(results_url)
    expect(result_rows(page).first.get_by_role("rowheader")).to_contain_text(x.name)
    expect(result_rows(page).first.locator(".bar-label")).to_have_text(
        share(points=2 * n, factor_count=n, voters=voters)
    )
    expect(page.get_by_role("heading", name="How opinions changed")).to_have_count(0)

    page.get_by_role("link", name="Change your ranking").click()
    ballot_script_ran(page)
    assert names_in(page, "ranked-list") == [x.name, z.name]
    page.get_by_role("button", name=f"Remove {x.name} from your ranking").click()
    page.get_by_role("button", name=f"Add {y.name} to your ranking").click()
    page.get_by_role("button", name=f"Move {y.name} up").click()
    assert names_in(page, "ranked-list") == [y.name, z.name]
    page.get_by_label("Why does your first choice come first? (optional)").fill("Sanctions set the agenda now.")
    page.get_by_role("button", name="Save my ranking").click()
    expect(page).to_have_url(results_url)
    page.reload()

    # Now y: n + (n - 1) points, x: n, z: n - 1, of n * 2 possible.
    expect(page.locator(".lead")).to_contain_text(f"2 members ranked {n} factors")
    expect(result_rows(page).first.get_by_role("rowheader")).to_contain_text(y.name)
    expect(result_rows(page).first.locator(".bar-label")).to_have_text(
        share(points=2 * n - 1, factor_count=n, voters=voters)
    )
    expect(result_rows(page).nth(1).get_by_role("rowheader")).to_contain_text(x.name)
    expect(result_rows(page).nth(1).locator(".bar-label")).to_have_text(share(points=n, factor_count=n, voters=voters))
    expect(page.get_by_role("heading", name="How opinions changed")).to_be_visible()
    expect(page.get_by_text("1 member changed their ranking.")).to_be_visible()
    # One member changed: before and after are shares of that member's n points; z stayed second (n - 1).
    change = page.locator(".change-table tbody tr")
    second = share(points=n - 1, factor_count=n, voters=1)
    expect(change.nth(0)).to_contain_text(re.compile(rf"{y.name}\s*0%\s*100%\s*▲ up"))
    expect(change.nth(1)).to_contain_text(re.compile(rf"{z.name}\s*{second}\s*{second}\s*no change"))
    # Rows go by latest share, so x sits among the factors with none; find it by name.
    dropped = change.filter(has=page.get_by_role("rowheader", name=x.name, exact=True))
    expect(dropped).to_contain_text(re.compile(r"100%\s*0%\s*▼ down"))
    expect(page.locator(".reason-list")).to_contain_text(["Sanctions set the agenda now.", "Voters punish weakness."])
    axe_check(page)
    screenshot(page, "results")
