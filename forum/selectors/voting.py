"""Reads for the factor ranking: results, reasons, opinion change, a member's ballot."""

import math
import random
from collections import Counter
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum, Window
from django.db.models.functions import RowNumber

from forum.caching import content_version
from forum.db import GroupConcat
from forum.models import Article, Ballot, BallotEntry, Classroom, Factor, User
from forum.models.accounts import can_moderate
from forum.selectors.classes import class_voter_ids

RESULTS_TIMEOUT = 600
REASONS_SHOWN = 5  # per factor on the results page; the rest on the reasons page
SORTS = {
    "score": lambda row: (-row.score, row.factor.name),
    "top3": lambda row: (-row.top3_share, -row.score, row.factor.name),
    "disagreement": lambda row: (-row.spread, -row.score, row.factor.name),
    "name": lambda row: row.factor.name.casefold(),
}


@dataclass
class FactorResult:
    factor: Factor
    score: int  # Borda points
    share: float  # of the most points possible, 0..100
    top3_share: float  # of voters, 0..100
    spread: float  # standard deviation of the points voters gave it, 0..100 of the maximum
    place: int = 0  # 1 for the most points; factors with equal points share a place (1, =2, =2, 4)
    tied: bool = False  # shares its place with another factor
    topic_ids: list[int] = field(default_factory=list)

    @property
    def place_label(self) -> str:
        """The place as shown: "4", or "=4" when tied."""
        return f"={self.place}" if self.tied else str(self.place)


@dataclass
class Results:
    voters: int
    factor_count: int
    rows: list[FactorResult]

    def sorted_by(self, key: str) -> list[FactorResult]:
        return sorted(self.rows, key=SORTS.get(key, SORTS["score"]))

    def for_topic(self, topic_id: int) -> list[FactorResult]:
        return [row for row in self.rows if topic_id in row.topic_ids]


def borda(n: int, voters: int, ranked: int, rank_sum: int, rank_squares: int) -> tuple[int, float]:
    """Borda points and their standard deviation over all voters, from sums of ranks.

    Rank r earns n - r + 1 points and an unranked factor 0, so over the
    `ranked` entries: points = ranked(n+1) - sum(r), and
    points² = ranked(n+1)² - 2(n+1)sum(r) + sum(r²).
    """
    points = ranked * (n + 1) - rank_sum
    if not voters:
        return 0, 0.0
    squares = ranked * (n + 1) ** 2 - 2 * (n + 1) * rank_sum + rank_squares
    mean = points / voters
    return points, math.sqrt(max(squares / voters - mean * mean, 0.0))


def aggregate_factors(article: Article, entries: Q, ballots: QuerySet[Ballot]) -> QuerySet[Factor]:
    """One query: each approved factor with its rank sums over `entries`, its topics, and the count of `ballots`."""
    voters = ballots.order_by().values("article").annotate(total=Count("pk")).values("total")
    topic_ids = (
        Factor.topics.through.objects.filter(factor=OuterRef("pk"))
        .order_by()
        .values("factor")
        .annotate(ids=GroupConcat("topic_id"))
        .values("ids")
    )
    top3 = entries & Q(entries__rank__lte=3)
    return (
        Factor.objects.approved()
        .filter(article=article)
        .annotate(
            ranked=Count("entries", filter=entries),
            rank_sum=Sum("entries__rank", filter=entries, default=0),
            rank_squares=Sum(F("entries__rank") * F("entries__rank"), filter=entries, default=0),
            top3=Count("entries", filter=top3),
            voters=Subquery(voters[:1]),
            topic_ids=Subquery(topic_ids),
        )
        .order_by("position", "pk")
    )


def counted_voters(voter_ids: QuerySet | None, member: str = "member") -> Q:
    """Whose ballots count: `voter_ids` (a class), or for everyone's results every member but
    the class accounts of teachers no moderator has trusted yet, so nobody can mint voters."""
    if voter_ids is not None:
        return Q(**{f"{member}__in": voter_ids})
    return Q(**{f"{member}__created_by__isnull": True}) | Q(**{f"{member}__created_by__trusted_teacher": True})


def compute_results(article: Article, voter_ids: QuerySet | None) -> Results:
    entries = Q(entries__ballot__is_current=True) & counted_voters(voter_ids, "entries__ballot__member")
    ballots = Ballot.objects.filter(counted_voters(voter_ids), article=article, is_current=True)
    factors = list(aggregate_factors(article, entries, ballots))
    n = len(factors)
    voters = (factors[0].voters or 0) if factors else 0
    rows = []
    for factor in factors:
        points, spread = borda(n, voters, factor.ranked, factor.rank_sum, factor.rank_squares)
        rows.append(
            FactorResult(
                factor=factor,
                score=points,
                share=100 * points / (n * voters) if voters else 0.0,
                top3_share=100 * factor.top3 / voters if voters else 0.0,
                spread=100 * spread / n if n else 0.0,
                topic_ids=[int(pk) for pk in (factor.topic_ids or "").split(",") if pk],
            )
        )
    assign_places(rows)
    return Results(voters=voters, factor_count=n, rows=rows)


def assign_places(rows: list[FactorResult]) -> None:
    """Standard competition ranking by points: two factors tied for 4th are both "=4", the next is 6th."""
    place, previous = 0, None
    for index, row in enumerate(sorted(rows, key=SORTS["score"]), start=1):
        if row.score != previous:
            place, previous = index, row.score
        row.place = place
    counts = Counter(row.score for row in rows)
    for row in rows:
        row.tied = counts[row.score] > 1


def cached_until_content_changes(article: Article, label: str, compute):
    """`compute()`, cached under `label` until the content changes (a ballot, a member joining a class...)."""
    if (version := content_version()) is None:  # Redis gone: compute, never risk a stale answer
        return compute()
    key = f"forum:results:{article.pk}:{version}:{label}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, RESULTS_TIMEOUT)
    return value


def ballot_results(*, article: Article, voter_ids: QuerySet | None = None, label: str = "everyone") -> Results:
    """The article's results among `voter_ids` (everyone by default), cached until a ballot changes.

    `label` names the set of voters in the cache key ("everyone", "class-12").
    """
    return cached_until_content_changes(article, label, lambda: compute_results(article, voter_ids))


@dataclass
class OpinionChange:
    members: int
    rows: list[tuple[Factor, float, float]]  # factor, share in the "before" ballots, share in the latest ones

    @property
    def moved(self) -> list[tuple[Factor, float, float, int]]:
        """The factors whose share changed as shown (whole points), with the change."""
        return [
            (factor, before, after, round(after) - round(before))
            for factor, before, after in self.rows
            if round(before) != round(after)
        ]


def opinion_change(
    *, article: Article, voter_ids: QuerySet | None = None, label: str = "everyone", since=None
) -> OpinionChange:
    """For members who changed their ranking: each factor's share before and in their latest ballots.

    "Before" is each member's first ballot or, with `since` (the end of a class's
    first phase), their latest ballot at that moment.
    """
    key = f"opinion-change:{label}:{since.timestamp() if since else ''}"
    return cached_until_content_changes(article, key, lambda: compute_opinion_change(article, voter_ids, since))


def compute_opinion_change(article: Article, voter_ids: QuerySet | None, since=None) -> OpinionChange:
    ballots = Ballot.objects.filter(counted_voters(voter_ids), article=article)
    if since is None:
        before = ballots.filter(version=1)
    else:
        earlier = ballots.filter(created_at__lte=since)
        before = earlier.exclude(Exists(earlier.filter(member=OuterRef("member"), version__gt=OuterRef("version"))))
    changed = ballots.filter(is_current=True).filter(
        Exists(before.filter(member=OuterRef("member"), version__lt=OuterRef("version")))
    )
    first = Q(entries__ballot__in=before.filter(member__in=changed.values("member")))
    latest = Q(entries__ballot__in=changed)
    factors = list(
        aggregate_factors(article, latest, changed).annotate(
            first_ranked=Count("entries", filter=first),
            first_rank_sum=Sum("entries__rank", filter=first, default=0),
        )
    )
    n = len(factors)
    members = (factors[0].voters or 0) if factors else 0
    rows = []
    for factor in factors:
        before_points = factor.first_ranked * (n + 1) - factor.first_rank_sum
        after_points = factor.ranked * (n + 1) - factor.rank_sum
        scale = 100 / (n * members) if members else 0
        rows.append((factor, before_points * scale, after_points * scale))
    rows.sort(key=lambda row: (-row[2], row[0].name))
    return OpinionChange(members=members, rows=rows)


def first_choice_reasons(
    *, article: Article, voter_ids: QuerySet | None = None, factor: Factor | None = None
) -> QuerySet[BallotEntry]:
    """The reasons voters gave for their first choice (of `factor`, or any), newest first."""
    entries = BallotEntry.objects.filter(
        counted_voters(voter_ids, "ballot__member"),
        rank=1,
        ballot__is_current=True,
        ballot__article=article,
    ).exclude(ballot__reason="")
    if factor is not None:
        entries = entries.filter(factor=factor)
    return entries.select_related("factor", "ballot__member").order_by("-ballot__created_at", "-pk")


def reasons_by_factor(*, article: Article, rows: list[FactorResult], per_factor: int = REASONS_SHOWN):
    """For the results page: each factor with reasons, its newest `per_factor` reasons and how many it has.

    Two queries whatever the number of ballots: the counts, and the newest few of each factor.
    """
    reasons = first_choice_reasons(article=article)
    counts = dict(reasons.order_by().values_list("factor").annotate(total=Count("pk")))
    newest = reasons.annotate(
        place=Window(RowNumber(), partition_by=[F("factor")], order_by=[F("ballot__created_at").desc(), F("pk").desc()])
    ).filter(place__lte=per_factor)
    shown: dict[int, list] = {}
    for entry in newest:
        shown.setdefault(entry.factor_id, []).append(entry)
    return [(row.factor, shown[row.factor.pk], counts[row.factor.pk]) for row in rows if row.factor.pk in shown]


def results_visible(*, viewer: User, article: Article, classroom: Classroom | None = None) -> bool:
    """The one rule for every page, CSV and sidebar that shows results (or their order).

    Against herding, an article (and, for a class's results, the class) can keep them from members
    until they have voted; moderators, and a class's teacher, always see them.
    """
    waits = article.results_after_voting or (classroom is not None and classroom.results_after_voting)
    if not waits:
        return True
    if not viewer.is_authenticated:
        return False
    if can_moderate(viewer) or (classroom is not None and classroom.teacher_id == viewer.pk):
        return True
    return current_ballot(member=viewer, article=article) is not None


def topic_factors(*, viewer: User, topic) -> dict:
    """The factors a topic discusses, with their standing when the viewer may see results (from the cached
    results: no query when warm); otherwise in their own order, so the order gives nothing away."""
    results = ballot_results(article=topic.article)
    rows = results.for_topic(topic.pk)
    if not results_visible(viewer=viewer, article=topic.article):
        return {
            "factor_results": None,
            "topic_factors": sorted(rows, key=lambda row: (row.factor.position, row.factor.pk)),
        }
    return {"factor_results": results, "topic_factors": sorted(rows, key=lambda row: row.place)}


def current_ballot(*, member: User, article: Article) -> Ballot | None:
    if not member.is_authenticated:
        return None
    return Ballot.objects.filter(member=member, article=article, is_current=True).first()


def ballot_factors(*, member: User, article: Article, ballot: Ballot | None) -> list[tuple[Factor, int | None]]:
    """The approved factors as the member's ballot form lists them, with their current rank.

    Ranked factors come first in the member's order; the rest are shuffled
    with a seed of the member and article, so a reload does not reshuffle and
    no factor gains from always being listed first.
    """
    factors = list(article.factors.approved())
    ranks = {entry.factor_id: entry.rank for entry in ballot.entries.all()} if ballot else {}
    random.Random(f"{member.pk}:{article.pk}").shuffle(factors)
    unranked = len(factors) + 1  # not len() inside the key: list.sort empties the list while it sorts
    factors.sort(key=lambda factor: ranks.get(factor.pk, unranked))
    return [(factor, ranks.get(factor.pk)) for factor in factors]


BIGGEST_DIFFERENCES = 3


def class_comparison(classroom: Classroom) -> dict:
    """The class's factor results and everyone's, side by side, the biggest differences marked."""
    overall = ballot_results(article=classroom.article)
    own = ballot_results(article=classroom.article, voter_ids=class_voter_ids(classroom), label=f"class-{classroom.pk}")
    everyone = {row.factor.pk: row for row in overall.rows}
    # Differences in whole points, as shown: equal ones are all marked or none is.
    rows = [
        (row, everyone[row.factor.pk], round(row.share - everyone[row.factor.pk].share))
        for row in own.sorted_by("score")
    ]
    sizes = sorted({abs(difference) for _, _, difference in rows}, reverse=True)[:BIGGEST_DIFFERENCES]
    threshold = max(sizes[-1] if sizes else 0, 5)
    # With no votes on either side there is nothing to compare: a difference would be noise.
    compared = own.voters and overall.voters
    marked = {row.factor.pk for row, _, difference in rows if abs(difference) >= threshold} if compared else set()
    return {"class_results": own, "overall_results": overall, "comparison": rows, "marked": marked}
