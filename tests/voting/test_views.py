import csv
import io

import pytest
from django.urls import reverse

from forum.models import Ballot, Factor, ModerationSettings, Notification, Restriction
from forum.services.voting import cast_ballot
from tests.factories import AdminFactory, FactorFactory, MemberFactory, ModeratorFactory, TopicFactory

ROLES = ["anonymous", "member", "muted", "moderator", "admin"]


@pytest.fixture
def factors(db):
    topic = TopicFactory()
    factors = FactorFactory.create_batch(3, article=topic.article)
    factors[0].topics.add(topic)
    return factors


@pytest.fixture
def article(factors):
    return factors[0].article


@pytest.fixture
def act_as(client):
    def login(role):
        factory = {
            "member": MemberFactory,
            "muted": MemberFactory,
            "moderator": ModeratorFactory,
            "admin": AdminFactory,
        }.get(role)
        member = None
        if factory:
            member = factory()
            client.force_login(member)
        if role == "muted":
            Restriction.objects.create(member=member, kind="mute", reason="Cooling off.")
        client.member = member
        return client

    return login


def urls(article):
    return {
        "results": reverse("forum:results", args=[article.slug]),
        "csv": reverse("forum:results_csv", args=[article.slug]),
        "ballot": reverse("forum:ballot", args=[article.slug]),
        "propose": reverse("forum:propose_factor", args=[article.slug]),
    }


@pytest.mark.parametrize("role", ROLES)
def test_everyone_sees_the_results_and_the_csv(act_as, article, role):
    client = act_as(role)
    assert client.get(urls(article)["results"]).status_code == 200
    assert client.get(urls(article)["csv"]).status_code == 200


def test_anonymous_reader_is_invited_to_log_in_to_vote(client, article):
    html = client.get(urls(article)["results"]).content.decode()
    assert "Log in to vote" in html


@pytest.mark.parametrize(
    "role, status", [("anonymous", 302), ("member", 200), ("muted", 200), ("moderator", 200), ("admin", 200)]
)
def test_ballot_page_is_for_members(act_as, article, role, status):
    assert act_as(role).get(urls(article)["ballot"]).status_code == status


@pytest.mark.parametrize(
    "role, allowed", [("anonymous", False), ("member", True), ("muted", False), ("moderator", True), ("admin", True)]
)
def test_who_may_vote(act_as, factors, article, role, allowed):
    client = act_as(role)
    response = client.post(urls(article)["ballot"], {f"rank_{factors[1].pk}": "1", f"rank_{factors[0].pk}": "2"})
    assert Ballot.objects.exists() is allowed
    if allowed:
        assert response["Location"] == urls(article)["results"]
    elif role == "muted":
        assert response.status_code == 403


def test_muted_member_is_told_why_on_the_ballot_page(act_as, article):
    html = act_as("muted").get(urls(article)["ballot"]).content.decode()
    assert "Your account is muted until further notice: Cooling off." in html
    assert 'id="ballot-form"' not in html


def test_ballot_with_a_gap_shows_the_error_and_keeps_the_ranks(act_as, factors, article):
    response = act_as("member").post(
        urls(article)["ballot"], {f"rank_{factors[0].pk}": "1", f"rank_{factors[1].pk}": "3", "reason": "Mine"}
    )
    html = response.content.decode()
    assert "rank 2 is missing" in html
    assert 'value="3"' in html and 'value="Mine"' in html
    assert not Ballot.objects.exists()


def test_ballot_page_prefills_the_current_ranking(act_as, factors, article):
    client = act_as("member")
    cast_ballot(member=client.member, article=article, ranking=[factors[2]], reason="Because")
    html = client.get(urls(article)["ballot"]).content.decode()
    assert f'name="rank_{factors[2].pk}" id="id_rank_{factors[2].pk}"\n                   value="1"' in html
    assert 'value="Because"' in html


def test_changing_a_ballot_through_the_page_keeps_history(act_as, factors, article):
    client = act_as("member")
    client.post(urls(article)["ballot"], {f"rank_{factors[0].pk}": "1"})
    client.post(urls(article)["ballot"], {f"rank_{factors[1].pk}": "1"})
    assert Ballot.objects.filter(member=client.member).count() == 2
    assert Ballot.objects.get(member=client.member, is_current=True).version == 2


def test_results_page_shows_scores_voters_and_reasons(act_as, factors, article):
    cast_ballot(
        member=MemberFactory(display_name="Voter One"),
        article=article,
        ranking=[factors[1], factors[0]],
        reason="Sanctions bite.",
    )
    html = act_as("anonymous").get(urls(article)["results"]).content.decode()
    assert "1 member ranked 3 factors" in html
    assert "Sanctions bite." in html and "Voter One" in html
    assert 'class="bar bar-w-100"' in html  # the first choice of the only voter


def test_results_sort_by_each_column(client, factors, article):
    cast_ballot(member=MemberFactory(), article=article, ranking=[factors[2], factors[0], factors[1]])
    for sort in ("score", "top3", "disagreement", "name"):
        assert client.get(urls(article)["results"], {"sort": sort}).status_code == 200
    html = client.get(urls(article)["results"], {"sort": "score"}).content.decode()
    assert html.index(factors[2].name) < html.index(factors[0].name) < html.index(factors[1].name)


def test_csv_lists_every_factor_with_its_figures(client, factors, article):
    cast_ballot(member=MemberFactory(), article=article, ranking=[factors[1]])
    response = client.get(urls(article)["csv"])
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:3] == ["place", "factor", "borda_points"]
    assert rows[1][:3] == ["1", factors[1].name, "3"]
    assert len(rows) == 4


def test_results_can_stay_hidden_until_the_member_has_voted(act_as, factors, article):
    article.results_after_voting = True
    article.save()
    client = act_as("member")
    html = client.get(urls(article)["results"]).content.decode()
    assert "Results are shown once you have ranked the factors yourself" in html
    assert client.get(urls(article)["csv"]).status_code == 302
    cast_ballot(member=client.member, article=article, ranking=[factors[0]])
    assert "Results are shown once" not in client.get(urls(article)["results"]).content.decode()


def test_moderators_see_hidden_results(act_as, factors, article):
    article.results_after_voting = True
    article.save()
    assert "Results are shown once" not in act_as("moderator").get(urls(article)["results"]).content.decode()


def test_topic_page_shows_its_factors_with_their_standing(client, factors, article, django_capture_on_commit_callbacks):
    topic = factors[0].topics.get()
    with django_capture_on_commit_callbacks(execute=True):
        cast_ballot(member=MemberFactory(), article=article, ranking=[factors[0]])
    html = client.get(topic.get_absolute_url()).content.decode()
    assert factors[0].name in html and "Place 1 of 3" in html
    assert factors[1].name not in html
    assert f'href="{urls(article)["ballot"]}"' in html


@pytest.mark.parametrize("count", [10, 200])
def test_results_page_costs_the_same_whatever_the_ballots(client, factors, article, django_assert_num_queries, count):
    for n in range(count):
        cast_ballot(
            member=MemberFactory(), article=article, ranking=factors[n % 3 :] + factors[: n % 3], reason=f"r{n}"
        )
    client.get(urls(article)["results"])
    # Rendered again (another address, so not the reader's cached page): article, reason counts, the
    # newest reasons of each factor; the results and the opinion change come from the cache
    with django_assert_num_queries(3):
        client.get(urls(article)["results"], {"sort": "top3"})
    with django_assert_num_queries(0):  # the same page again: from the page cache
        client.get(urls(article)["results"], {"sort": "top3"})


# Proposing factors


@pytest.mark.parametrize(
    "role, allowed", [("anonymous", False), ("member", True), ("muted", False), ("moderator", True)]
)
def test_who_may_propose_a_factor(act_as, article, role, allowed):
    act_as(role).post(urls(article)["propose"], {"name": "Energy markets", "description": "Oil and gas."})
    assert Factor.objects.filter(name="Energy markets").exists() is allowed


def test_proposed_factor_waits_for_a_moderator_and_is_not_on_the_ballot(act_as, article):
    client = act_as("member")
    client.post(urls(article)["propose"], {"name": "Energy markets", "description": "Oil and gas."})
    assert Factor.objects.get(name="Energy markets").status == Factor.Status.PENDING
    listed = client.get(urls(article)["ballot"]).context["form"].factors
    assert "Energy markets" not in [factor.name for factor in listed]


@pytest.mark.parametrize("name", ["factor 0", "  FACTOR   0 ", "Factor\t0"])
def test_duplicate_names_are_refused_ignoring_case_and_spacing(act_as, factors, article, name):
    factors[0].name = "Factor 0"
    factors[0].save()
    response = act_as("member").post(urls(article)["propose"], {"name": name, "description": "Again."})
    assert "already exists" in response.content.decode()
    assert Factor.objects.count() == 3


def test_proposals_can_be_switched_off(act_as, article):
    settings_row = ModerationSettings.load()
    settings_row.members_can_propose_factors = False
    settings_row.save()
    response = act_as("member").post(urls(article)["propose"], {"name": "New", "description": "x"})
    assert response.status_code == 403


def test_moderator_approves_in_the_admin_and_the_proposer_is_told(act_as, article, django_capture_on_commit_callbacks):
    proposer = MemberFactory()
    factor = FactorFactory(article=article, status=Factor.Status.PENDING, proposed_by=proposer, name="Energy")
    client = act_as("moderator")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:forum_factor_changelist"),
            {"action": "approve", "_selected_action": [factor.pk], "apply": "Approve", "reason": ""},
        )
    factor.refresh_from_db()
    assert factor.status == Factor.Status.APPROVED
    assert "“Energy” was approved" in Notification.objects.get(recipient=proposer).text


# Empty results and ties


def test_results_page_without_votes_says_so_instead_of_a_table_of_zeros(client, factors, article):
    html = client.get(urls(article)["results"]).content.decode()
    assert "No votes yet." in html and f'href="{urls(article)["ballot"]}"' in html
    assert "results-table" not in html and "0 points" not in html
    assert all(factor.name in html for factor in factors)  # still listed, as the factors to rank


def test_results_page_shows_a_tie_as_a_shared_place(client, factors, article):
    cast_ballot(member=MemberFactory(), article=article, ranking=[factors[0], factors[1]])
    cast_ballot(member=MemberFactory(), article=article, ranking=[factors[1], factors[0]])
    html = client.get(urls(article)["results"]).content.decode()
    # both have 5 points and share first place; the third factor, unranked, is third
    assert html.count('<span aria-hidden="true">=1</span>') == 2
    assert html.count('<span class="visually-hidden">1, tied</span>') == 2
    assert '<td class="results-place text-nowrap">3</td>' in html


def test_csv_marks_a_tie_and_keeps_it_text_for_spreadsheets(client, factors, article):
    cast_ballot(member=MemberFactory(), article=article, ranking=[factors[2]])
    rows = list(csv.reader(io.StringIO(client.get(urls(article)["csv"]).content.decode("utf-8").lstrip("\ufeff"))))
    # a spreadsheet would compute =2 to 2: the apostrophe makes it show "=2"
    assert [row[:2] for row in rows[1:]] == [["1", factors[2].name], ["'=2", factors[0].name], ["'=2", factors[1].name]]


def test_csv_without_votes_gives_no_places(client, factors, article):
    rows = list(csv.reader(io.StringIO(client.get(urls(article)["csv"]).content.decode("utf-8").lstrip("\ufeff"))))
    assert [row[0] for row in rows[1:]] == ["", "", ""]


def test_topic_page_without_votes_gives_no_places(client, factors, article):
    html = client.get(factors[0].topics.get().get_absolute_url()).content.decode()
    assert "No votes yet." in html and "Place" not in html


def test_topic_page_shows_a_tied_factor_as_a_shared_place(client, factors, article, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        cast_ballot(member=MemberFactory(), article=article, ranking=[factors[1]])
    html = client.get(factors[0].topics.get().get_absolute_url()).content.decode()
    assert 'Place <span aria-hidden="true">=2</span><span class="visually-hidden">2, tied</span> of 3' in html


def test_home_without_votes_says_so_and_lists_no_places(client, factors, article):
    html = client.get(article.get_absolute_url()).content.decode()
    assert "No votes yet." in html and "1. " not in html


# Reasons


def reason_ballots(article, factors, count, *, first=0):
    for n in range(count):
        cast_ballot(member=MemberFactory(), article=article, ranking=[factors[first]], reason=f"Reason {n}.")


def test_the_results_page_shows_five_reasons_per_factor_and_links_to_the_rest(client, factors, article):
    reason_ballots(article, factors, 7)
    html = client.get(urls(article)["results"]).content.decode()
    assert all(f"Reason {n}." in html for n in range(2, 7)) and "Reason 1." not in html  # the newest five
    assert f"All 7 reasons for {factors[0].name}" in html


def test_the_reasons_page_lists_every_reason_of_a_factor(client, factors, article):
    reason_ballots(article, factors, 7)
    reason_ballots(article, factors, 1, first=1)
    url = reverse("forum:reasons", args=[article.slug])
    html = client.get(url, {"factor": factors[0].pk}).content.decode()
    assert all(f"Reason {n}." in html for n in range(7)) and "7 reasons" in html
    assert "8 reasons" in client.get(url).content.decode()
    assert client.get(url, {"factor": 999999}).status_code == 404


@pytest.mark.parametrize("count", [3, 60])
def test_the_reasons_on_the_results_page_cost_the_same_whatever_their_number(
    client, factors, article, django_assert_num_queries, count
):
    reason_ballots(article, factors, count)
    client.get(urls(article)["results"])
    # article, reason counts per factor, the newest of each (the results are cached)
    with django_assert_num_queries(3):
        client.get(urls(article)["results"], {"sort": "name"})


@pytest.mark.parametrize("role", ["anonymous", "member", "moderator"])
def test_everyone_reads_the_reasons_when_results_are_public(act_as, article, role):
    assert act_as(role).get(reverse("forum:reasons", args=[article.slug])).status_code == 200


def test_reasons_are_kept_from_members_who_have_not_voted_when_results_wait(act_as, article):
    article.results_after_voting = True
    article.save()
    response = act_as("member").get(reverse("forum:reasons", args=[article.slug]))
    assert response.status_code == 302 and response["Location"] == urls(article)["results"]
