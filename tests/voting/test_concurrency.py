"""Ballots cast at the same moment, from threads with their own database connections.

Runs against SQLite (WAL, immediate transactions) and, in CI, PostgreSQL.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from forum.models import Ballot, BallotEntry
from forum.services.voting import cast_ballot
from tests.factories import ArticleFactory, FactorFactory, MemberFactory


def in_thread(function):
    """Run `function` with a connection of its own, closed afterwards."""

    def run(*args):
        try:
            return function(*args)
        finally:
            connection.close()

    return run


@pytest.fixture
def factors(transactional_db):
    return FactorFactory.create_batch(5, article=ArticleFactory())


def test_two_submissions_of_one_member_at_once_leave_one_current_ballot(factors):
    member, article = MemberFactory(), factors[0].article
    start = threading.Barrier(2)

    @in_thread
    def vote(ranking):
        start.wait()
        return cast_ballot(member=member, article=article, ranking=ranking)

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(vote, [[factors[0], factors[1]], [factors[2]]]))
    assert len(results) == 2
    assert Ballot.objects.filter(member=member, is_current=True).count() == 1
    assert sorted(Ballot.objects.filter(member=member).values_list("version", flat=True)) == [1, 2]


def test_two_identical_submissions_at_once_leave_one_ballot(factors):
    member, article = MemberFactory(), factors[0].article
    start = threading.Barrier(2)

    @in_thread
    def vote(_):
        start.wait()
        return cast_ballot(member=member, article=article, ranking=[factors[3]])

    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(vote, range(2)))
    assert Ballot.objects.filter(member=member).count() == 1


def test_200_members_voting_concurrently_lose_no_vote(factors):
    article = factors[0].article
    members = MemberFactory.create_batch(200)

    @in_thread
    def vote(index):
        ranking = factors[index % 5 :] + factors[: index % 5]
        return cast_ballot(member=members[index], article=article, ranking=ranking)

    with ThreadPoolExecutor(max_workers=20) as pool:
        ballots = list(pool.map(vote, range(200)))
    assert len(ballots) == 200
    assert Ballot.objects.filter(article=article, is_current=True).count() == 200
    assert BallotEntry.objects.filter(ballot__article=article).count() == 1000
