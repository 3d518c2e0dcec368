import pytest

from forum.selectors.voting import ballot_results, opinion_change
from forum.services.voting import cast_ballot
from tests.factories import ArticleFactory, FactorFactory, MemberFactory


@pytest.fixture
def factors(db):
    article = ArticleFactory()
    return FactorFactory.create_batch(4, article=article)  # n = 4: ranks earn 4, 3, 2, 1 points


def vote(factors, *order, reason=""):
    member = MemberFactory()
    cast_ballot(member=member, article=factors[0].article, ranking=[factors[i] for i in order], reason=reason)
    return member


def by_name(results):
    return {row.factor.name: row for row in results.rows}


def test_single_full_ballot_scores_n_down_to_1(factors):
    a, b, c, d = factors
    vote(factors, 2, 0, 3, 1)  # c, a, d, b
    results = ballot_results(article=a.article)
    assert results.voters == 1
    assert {row.factor: row.score for row in results.rows} == {c: 4, a: 3, d: 2, b: 1}
    assert [row.factor for row in results.sorted_by("score")] == [c, a, d, b]
    assert by_name(results)[c.name].share == 100.0
    assert by_name(results)[b.name].share == 25.0


def test_partial_rankings_give_unranked_factors_nothing(factors):
    a, b, c, d = factors
    vote(factors, 0, 1)  # a=4, b=3
    vote(factors, 1)  # b=4
    vote(factors, 2, 1, 0)  # c=4, b=3, a=2
    results = ballot_results(article=a.article)
    scores = {row.factor: row.score for row in results.rows}
    assert scores == {a: 6, b: 10, c: 4, d: 0}
    assert results.voters == 3
    # shares of the maximum n * voters = 12
    assert round(by_name(results)[b.name].share, 2) == round(100 * 10 / 12, 2)
    # top 3: a in 2 of 3 ballots, b in 3, c in 1, d in 0
    assert [round(by_name(results)[f.name].top3_share) for f in factors] == [67, 100, 33, 0]


def test_disagreement_is_the_spread_of_points(factors):
    a, b, *_ = factors
    vote(factors, 0)  # a: 4 points
    vote(factors, 1)  # a: 0 points
    results = by_name(ballot_results(article=a.article))
    # a's points are 4 and 0: standard deviation 2, which is 50% of the maximum 4
    assert results[a.name].spread == 50.0
    # b's points are 0 and 4 as well
    assert results[b.name].spread == 50.0
    assert results[factors[2].name].spread == 0.0


def test_no_votes_gives_zeros_not_errors(factors):
    results = ballot_results(article=factors[0].article)
    assert results.voters == 0
    assert all(row.score == 0 and row.share == 0 for row in results.rows)


def test_factors_with_equal_points_share_a_place_and_the_next_skips_it(factors):
    a, b, c, d = factors
    vote(factors, 0, 1, 2)  # a 4, b 3, c 2
    vote(factors, 2, 0, 1)  # c 4, a 3, b 2
    vote(factors, 1)  # b 4
    vote(factors, 3, 2)  # d 4, c 3: in all a 7, b 9, c 9, d 4
    places = {row.factor: (row.place_label, row.tied) for row in ballot_results(article=a.article).rows}
    assert places == {b: ("=1", True), c: ("=1", True), a: ("3", False), d: ("4", False)}


def test_tie_for_fourth_is_shared_and_the_next_factor_is_sixth(db):
    factors = FactorFactory.create_batch(6, article=ArticleFactory())  # n = 6
    vote(factors, 0, 1, 2, 3, 4)  # 6, 5, 4, 3, 2, 0
    vote(factors, 0, 1, 2, 4, 3)  # 6, 5, 4, 2, 3, 0: totals 12, 10, 8, 5, 5, 0
    rows = ballot_results(article=factors[0].article).sorted_by("score")
    assert [row.place_label for row in rows] == ["1", "2", "3", "=4", "=4", "6"]
    assert [row.place for row in rows] == [1, 2, 3, 4, 4, 6]  # an int, for sorting


def test_only_current_ballots_count(factors):
    a, b, *_ = factors
    member = vote(factors, 0)
    cast_ballot(member=member, article=a.article, ranking=[b])
    scores = {row.factor: row.score for row in ballot_results(article=a.article).rows}
    assert scores[a] == 0 and scores[b] == 4


def test_results_can_be_limited_to_a_set_of_voters(factors):
    a, b, *_ = factors
    insider = vote(factors, 0)
    vote(factors, 1)
    from forum.models import User

    results = ballot_results(
        article=a.article, voter_ids=User.objects.filter(pk=insider.pk).values("pk"), label="insiders"
    )
    assert results.voters == 1
    assert {row.factor: row.score for row in results.rows}[a] == 4
    assert ballot_results(article=a.article).voters == 2


def test_a_new_ballot_invalidates_the_cached_results_at_once(factors, django_capture_on_commit_callbacks):
    a = factors[0]
    assert ballot_results(article=a.article).voters == 0
    with django_capture_on_commit_callbacks(execute=True):
        vote(factors, 0)
    assert ballot_results(article=a.article).voters == 1


def test_results_are_one_aggregate_query_and_then_cached(factors, django_assert_num_queries):
    for _ in range(5):
        vote(factors, 0, 1, 2)
    with django_assert_num_queries(1):  # one aggregate, the factors' topics included
        ballot_results(article=factors[0].article)
    with django_assert_num_queries(0):
        ballot_results(article=factors[0].article)


def test_opinion_change_compares_first_and_latest_ballots_of_members_who_changed(factors):
    a, b, *_ = factors
    changer = vote(factors, 0)  # first: a
    cast_ballot(member=changer, article=a.article, ranking=[b])  # latest: b
    vote(factors, 0)  # someone who never changed is left out
    change = opinion_change(article=a.article)
    assert change.members == 1
    rows = {factor: (before, after) for factor, before, after in change.rows}
    assert rows[a] == (100.0, 0.0)
    assert rows[b] == (0.0, 100.0)
