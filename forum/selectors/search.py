"""Reads for search: the passages and comments a viewer may see that match a query, ranked and highlighted.

One selector for both databases. PostgreSQL: SearchEntry.search_vector (GIN),
SearchRank and SearchHeadline. SQLite: the FTS5 table forum_searchentry_fts,
bm25(), highlight() and snippet(). Two steps, so a word in half the comments
costs a rank each, not a highlight each: search_entries ranks every match
(ids only) for the paginator's count and page, highlighted reads that page's
twenty entries in full with their marks. Whatever the database, the viewer's words
never reach a query language: they are cut into words (letters and digits) and
phrases, which are passed as plain text (PostgreSQL) or as quoted FTS5 strings.
Matches are marked with \\x02 and \\x03 (no indexed text holds control
characters); the `marked` filter escapes the text and turns only those into <mark>.
"""

import datetime
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connection
from django.db.models import BooleanField, Exists, F, FloatField, Func, OuterRef, Q, QuerySet, TextField, Value
from django.utils import timezone

from forum.models import Article, Membership, SearchEntry, Topic, User
from forum.models.accounts import can_moderate
from forum.selectors.classes import classes_of

MAX_QUERY_LENGTH = 200
MAX_TERMS = 10  # words, a phrase counting as its words: a query's cost stays bounded
RESULTS_PER_PAGE = 20
CONFIG = "english"  # PostgreSQL's text search configuration, as in migration 0010's trigger
MARK_START, MARK_END = "\x02", "\x03"
# PostgreSQL's parser takes <...> for tags and &...; for entities, and drops them from headlines: it reads the
# text with these two stand-ins (as migration 0010's trigger does), which the `marked` filter turns back.
STAND_INS = {"<": "\ue000", "&": "\ue001"}
WORD = re.compile(r"[^\W_]+")  # letters and digits: what both databases' tokenizers keep
FTS = '"forum_searchentry_fts"'  # the FTS5 table, joined under its own name


@dataclass(frozen=True)
class Terms:
    """What a query asks for: every word, and every phrase (words in a row), must be in the passage."""

    words: tuple[str, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()

    def __bool__(self):
        return bool(self.words or self.phrases)

    def fts5(self) -> str:
        """The FTS5 query: each word and phrase a double-quoted string (words hold no quote), all required."""
        return " AND ".join(f'"{" ".join(words)}"' for words in [*((w,) for w in self.words), *self.phrases])

    def postgres(self) -> SearchQuery:
        queries = [SearchQuery(word, config=CONFIG, search_type="plain") for word in self.words]
        queries += [SearchQuery(" ".join(words), config=CONFIG, search_type="phrase") for words in self.phrases]
        combined = queries[0]
        for query in queries[1:]:
            combined &= query
        return combined


def parse_query(text: str) -> Terms:
    """Words and "quoted phrases" from what a person typed; punctuation and operators are only separators."""
    text = unicodedata.normalize("NFKC", text)[:MAX_QUERY_LENGTH]
    parts = text.split('"')
    words, phrases, budget = {}, {}, MAX_TERMS
    for index, part in enumerate(parts):
        found = [word.lower() for word in WORD.findall(part)][:budget]
        budget -= len(found)
        quoted = index % 2 == 1 and index < len(parts) - 1
        if quoted and len(found) > 1:
            phrases[tuple(found)] = True
        else:
            words.update(dict.fromkeys(found, True))
    return Terms(tuple(words), tuple(phrases))


def visible_entries(viewer: User) -> Q:
    """Passages of published articles, public comments, and the comments of the viewer's classes.

    A class's space is seen by its teacher, its students and moderators (as
    permissions.can_see_class), without what removed students wrote (as the
    class tab); a class account's words never show outside its classes.
    Subqueries rather than joins: each is read once, not once per match.
    """
    removed = Exists(
        Membership.objects.filter(classroom=OuterRef("classroom"), member=OuterRef("author"), removed_at__isnull=False)
    )
    class_accounts = User.objects.filter(created_by__isnull=False).values("pk")
    public = Q(classroom__isnull=True) & ~Q(author__in=class_accounts)
    if can_moderate(viewer):
        in_class = Q(classroom__isnull=False)
    elif viewer.is_authenticated:
        in_class = Q(classroom__in=classes_of(viewer).order_by().values("pk"))
    else:
        in_class = Q(pk__in=[])
    return Q(article__in=Article.objects.published().values("pk")) & (public | (in_class & ~removed))


def start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def search_entries(
    *,
    viewer: User,
    terms: Terms,
    topic: Topic | None = None,
    author: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[SearchEntry]:
    """The entries `viewer` may see that match `terms`, best first (annotated `rank`): kind and id only,
    so ranking every match stays cheap; `highlighted` then reads a page of them in full.

    `author` is a public name (display name, or username when there is none), matched without case.
    """
    entries = SearchEntry.objects.filter(visible_entries(viewer)).only("pk", "kind", "object_id")
    if topic is not None:
        entries = entries.filter(topic=topic)
    if author:
        named = User.objects.filter(Q(display_name__iexact=author) | Q(display_name="", username__iexact=author))
        entries = entries.filter(author__in=named.values("pk"))
    if date_from is not None:
        entries = entries.filter(created_at__gte=start_of(date_from))
    if date_to is not None:
        entries = entries.filter(created_at__lt=start_of(date_to + datetime.timedelta(days=1)))
    if not terms:
        return entries.none()
    if connection.vendor == "postgresql":
        query = terms.postgres()
        entries = entries.filter(search_vector=query).annotate(rank=SearchRank(F("search_vector"), query))
    else:
        entries = (
            entries.filter(fts__isnull=False)
            .filter(Fts5("MATCH", terms.fts5(), output_field=BooleanField()))
            # bm25 is lower for better matches; a word in the title counts five times one in the body.
            .annotate(rank=Fts5("bm25", 5.0, 1.0, output_field=FloatField(), negate=True))
        )
    return entries.order_by("-rank", "-created_at", "-pk")


def highlighted(entries: Iterable[SearchEntry], terms: Terms) -> list[SearchEntry]:
    """`entries` (a page of search_entries) in the same order, in full, with what the page shows joined,
    and annotated with `marked_title` and `marked_body` (matches between \\x02 and \\x03). One query."""
    ids = [entry.pk for entry in entries]
    if not ids:
        return []
    rows = SearchEntry.objects.order_by().select_related("article", "topic", "author", "classroom")
    if connection.vendor == "postgresql":
        query = terms.postgres()
        rows = rows.filter(pk__in=ids).annotate(
            marked_title=SearchHeadline(
                stood_in("title"), query, config=CONFIG, start_sel=MARK_START, stop_sel=MARK_END, highlight_all=True
            ),
            marked_body=SearchHeadline(
                stood_in("body"), query, config=CONFIG, start_sel=MARK_START, stop_sel=MARK_END, max_words=35,
                min_words=15,
            ),
        )  # fmt: skip
    else:
        # The ids on the FTS5 table's side: it then looks up these rows, instead of every match.
        rows = rows.filter(Fts5("MATCH", terms.fts5(), output_field=BooleanField()), fts__pk__in=ids).annotate(
            marked_title=Fts5("highlight", 0, MARK_START, MARK_END, output_field=TextField()),
            marked_body=Fts5("snippet", 1, MARK_START, MARK_END, " … ", 32, output_field=TextField()),
        )
    by_id = {row.pk: row for row in rows}
    return [by_id[pk] for pk in ids if pk in by_id]


def stood_in(field: str) -> Func:
    return Func(F(field), Value("".join(STAND_INS)), Value("".join(STAND_INS.values())), function="translate")


class Fts5(Func):
    """The FTS5 table's MATCH, or one of its functions (bm25, highlight, snippet), every argument a parameter."""

    def __init__(self, function: str, *arguments, output_field, negate: bool = False):
        if function == "MATCH":
            template = f"{FTS} MATCH %(expressions)s"
        else:
            template = f"{'-' if negate else ''}%(function)s({FTS}, %(expressions)s)"
        super().__init__(
            *[Value(argument) for argument in arguments],
            function=function,
            template=template,
            output_field=output_field,
        )
