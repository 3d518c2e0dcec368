import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError

from forum.forms import BallotForm
from forum.models import Ballot, BallotEntry, Factor, Restriction
from forum.selectors.voting import ballot_factors
from forum.services.voting import cast_ballot
from tests.factories import ArticleFactory, FactorFactory, MemberFactory


@pytest.fixture
def factors(db):
    return FactorFactory.create_batch(4, article=ArticleFactory())


def test_casting_a_ballot_stores_the_ranking_in_order(factors):
    member = MemberFactory()
    ballot = cast_ballot(member=member, article=factors[0].article, ranking=[factors[2], factors[0]], reason="Why")
    assert [(e.factor, e.rank) for e in ballot.entries.order_by("rank")] == [(factors[2], 1), (factors[0], 2)]
    assert (ballot.version, ballot.is_current, ballot.reason) == (1, True, "Why")


def test_changing_a_ballot_keeps_the_earlier_version(factors):
    member = MemberFactory()
    first = cast_ballot(member=member, article=factors[0].article, ranking=[factors[0]])
    second = cast_ballot(member=member, article=factors[0].article, ranking=[factors[1], factors[0]])
    first.refresh_from_db()
    assert (first.is_current, second.is_current, second.version) == (False, True, 2)
    assert list(first.entries.values_list("factor", flat=True)) == [factors[0].pk]


def test_the_same_ballot_again_records_nothing(factors):
    member = MemberFactory()
    cast_ballot(member=member, article=factors[0].article, ranking=[factors[0]])
    cast_ballot(member=member, article=factors[0].article, ranking=[factors[0]])
    assert Ballot.objects.count() == 1


def test_one_current_ballot_per_member_is_a_database_constraint(factors):
    member = MemberFactory()
    Ballot.objects.create(member=member, article=factors[0].article)
    with pytest.raises(IntegrityError):
        Ballot.objects.create(member=member, article=factors[0].article, version=2)


def test_rank_must_be_positive_in_the_database(factors):
    ballot = Ballot.objects.create(member=MemberFactory(), article=factors[0].article)
    with pytest.raises(IntegrityError):
        BallotEntry.objects.create(ballot=ballot, factor=factors[0], rank=0)


@pytest.mark.parametrize("case", ["other_article", "pending", "rejected", "duplicate", "empty"])
def test_service_refuses_bad_rankings(factors, case):
    ranking = {
        "other_article": [FactorFactory()],
        "pending": [FactorFactory(article=factors[0].article, status=Factor.Status.PENDING)],
        "rejected": [FactorFactory(article=factors[0].article, status=Factor.Status.REJECTED)],
        "duplicate": [factors[0], factors[0]],
        "empty": [],
    }[case]
    with pytest.raises(ValidationError):
        cast_ballot(member=MemberFactory(), article=factors[0].article, ranking=ranking)
    assert not Ballot.objects.exists()


def test_reason_is_limited_to_280_characters(factors):
    with pytest.raises(ValidationError, match="under 280"):
        cast_ballot(member=MemberFactory(), article=factors[0].article, ranking=[factors[0]], reason="x" * 281)


def test_muted_member_cannot_vote(factors):
    member = MemberFactory()
    Restriction.objects.create(member=member, kind="mute", reason="Cooling off.")
    with pytest.raises(PermissionDenied):
        cast_ballot(member=member, article=factors[0].article, ranking=[factors[0]])


def form_for(factors, data):
    return BallotForm(data, factors=[(factor, None) for factor in factors])


@pytest.mark.parametrize(
    "ranks, message",
    [
        ({0: 1, 1: 3}, "rank 2 is missing"),
        ({0: 2}, "rank 1 is missing"),
        ({0: 1, 1: 1}, "share rank 1"),
        ({}, "Rank at least one factor"),
    ],
)
def test_form_refuses_gaps_ties_and_empty_ballots(factors, ranks, message):
    form = form_for(factors, {f"rank_{factors[i].pk}": rank for i, rank in ranks.items()})
    assert not form.is_valid()
    assert message in " ".join(form.non_field_errors())


@pytest.mark.parametrize(
    "value, message",
    [
        ("abc", "whole number"),
        ("0", "greater than or equal to 1"),
        ("5", "less than or equal to 4"),
        ("-1", "greater than or equal"),
    ],
)
def test_form_refuses_tampered_rank_values(factors, value, message):
    form = form_for(factors, {f"rank_{factors[0].pk}": value})
    assert not form.is_valid()
    assert message in str(form.errors)


def test_form_ignores_fields_for_factors_it_did_not_list(factors):
    stranger = FactorFactory()
    form = form_for(factors, {f"rank_{factors[0].pk}": "1", f"rank_{stranger.pk}": "2"})
    assert form.is_valid()
    assert form.cleaned_data["ranking"] == [factors[0]]


def test_form_turns_ranks_into_an_ordered_ranking(factors):
    form = form_for(factors, {f"rank_{factors[3].pk}": "1", f"rank_{factors[1].pk}": "2"})
    assert form.is_valid()
    assert form.cleaned_data["ranking"] == [factors[3], factors[1]]


def test_ballot_order_is_shuffled_per_member_and_stable(factors):
    FactorFactory.create_batch(8, article=factors[0].article)
    article = factors[0].article
    first, second = MemberFactory(), MemberFactory()
    order = [f for f, _ in ballot_factors(member=first, article=article, ballot=None)]
    assert order == [f for f, _ in ballot_factors(member=first, article=article, ballot=None)]
    assert order != [f for f, _ in ballot_factors(member=second, article=article, ballot=None)]
    assert sorted(f.pk for f in order) == sorted(article.factors.values_list("pk", flat=True))


def test_ballot_form_lists_the_current_ranking_first(factors):
    member = MemberFactory()
    ballot = cast_ballot(member=member, article=factors[0].article, ranking=[factors[3], factors[1]])
    listed = ballot_factors(member=member, article=factors[0].article, ballot=ballot)
    assert listed[:2] == [(factors[3], 1), (factors[1], 2)]
    assert all(rank is None for _, rank in listed[2:])


def test_changing_a_ballot_is_rate_limited(factors):
    from forum.ratelimit import RateLimited

    member = MemberFactory()
    for n in range(20):
        cast_ballot(member=member, article=factors[0].article, ranking=[factors[n % 2]])
    with pytest.raises(RateLimited, match="20 rankings an hour"):
        cast_ballot(member=member, article=factors[0].article, ranking=[factors[2]])
