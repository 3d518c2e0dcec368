"""Who finds what, in which order, with which marks: the one selector, on whichever database runs the tests."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from forum.models import Comment
from forum.selectors.search import MARK_END, MARK_START, highlighted, parse_query, search_entries
from forum.services.classes import remove_student
from tests.factories import CommentFactory, MemberFactory, SubsectionFactory, TopicFactory
from tests.search.conftest import comment_hit, found

# Who sees a comment in a class's space: its teacher and students, and moderators; nobody else.
CLASS_ONLY = [
    ("teacher", True),
    ("student", True),
    ("other_student", False),
    ("member", False),
    ("anonymous", False),
    ("moderator", True),
    ("admin", True),
]


@pytest.mark.parametrize(("role", "sees"), CLASS_ONLY)
def test_a_class_comment_is_found_only_by_the_class_and_moderators(topic, classroom, student, viewer_in, role, sees):
    comment = CommentFactory(topic=topic, author=student, classroom=classroom, body_html="<p>Grain corridors.</p>")

    assert found(viewer_in(role), "grain") == ([comment_hit(comment)] if sees else [])


@pytest.mark.parametrize(("role", "sees"), CLASS_ONLY)
def test_a_public_comment_is_found_by_everyone(topic, viewer_in, role, sees):
    comment = CommentFactory(topic=topic, body_html="<p>Grain corridors.</p>")

    assert found(viewer_in(role), "grain") == [comment_hit(comment)]


def test_a_removed_student_s_class_comments_leave_the_class_s_results(topic, classroom, student):
    comment = CommentFactory(topic=topic, author=student, classroom=classroom, body_html="<p>Grain corridors.</p>")
    assert found(classroom.teacher, "grain") == [comment_hit(comment)]

    remove_student(teacher=classroom.teacher, classroom=classroom, student=student)

    assert found(classroom.teacher, "grain") == []


@pytest.mark.parametrize(("role", "sees"), CLASS_ONLY)
def test_the_author_filter_finds_a_class_account_only_for_those_who_see_the_class(
    topic, classroom, pupil, viewer_in, role, sees
):
    comment = CommentFactory(topic=topic, author=pupil, classroom=classroom, body_html="<p>Grain corridors.</p>")

    assert found(viewer_in(role), "grain", author="zoë m.") == ([comment_hit(comment)] if sees else [])
    assert found(viewer_in(role), "grain", author=pupil.username) == []


def test_a_class_account_s_comment_outside_its_class_is_never_shown_to_outsiders(topic, pupil):
    """Class accounts write only in their classes; a comment of one outside them (written before) stays hidden."""
    CommentFactory(topic=topic, author=pupil, body_html="<p>Grain corridors.</p>")

    assert found(MemberFactory(), "grain") == []
    assert found(None, "grain") == []


def test_the_author_filter_reads_the_public_name_without_case(topic):
    named = CommentFactory(topic=topic, author=MemberFactory(display_name="Ana Lima"), body_html="<p>Grain.</p>")
    unnamed = CommentFactory(topic=topic, author=MemberFactory(display_name=""), body_html="<p>Grain.</p>")
    CommentFactory(topic=topic, body_html="<p>Grain.</p>")

    assert found(None, "grain", author="ana lima") == [comment_hit(named)]
    assert found(None, "grain", author=named.author.username) == []
    assert found(None, "grain", author=unnamed.author.username.upper()) == [comment_hit(unnamed)]


def test_the_topic_filter_keeps_that_topic_s_passages_and_comments(topic):
    other = TopicFactory(article=topic.article, title="Grain elsewhere")
    here = CommentFactory(topic=topic, body_html="<p>Grain corridors.</p>")
    section = SubsectionFactory(topic=topic, title="Grain", body="Grain.")
    CommentFactory(topic=other, body_html="<p>Grain corridors.</p>")

    assert sorted(found(None, "grain", topic=topic)) == sorted([comment_hit(here), ("subsection", section.pk)])


def test_the_date_filters_include_both_days(topic):
    days = [datetime.date(2026, 3, day) for day in (1, 2, 3, 4)]
    comments = [CommentFactory(topic=topic, body_html="<p>Grain corridors.</p>") for _ in days]
    for comment, day in zip(comments, days, strict=True):
        noon = timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))
        Comment.objects.filter(pk=comment.pk).update(created_at=noon)
        comment.refresh_from_db()
        comment.save()  # the entry takes its date from the comment

    results = found(None, "grain", date_from=days[1], date_to=days[2])

    assert sorted(results) == sorted([comment_hit(comments[1]), comment_hit(comments[2])])
    assert found(None, "grain", date_from=days[3]) == [comment_hit(comments[3])]


def test_a_word_in_a_title_ranks_above_the_same_word_in_a_body(topic):
    SubsectionFactory(topic=topic, title="Other matters", body="Some say hotlines help, among many other things.")
    titled = SubsectionFactory(topic=topic, title="Hotlines", body="Direct lines between the capitals.")

    assert found(None, "hotlines")[0] == ("subsection", titled.pk)


def test_every_word_must_be_there_and_a_quoted_phrase_in_order(topic):
    both = CommentFactory(topic=topic, body_html="<p>Grain corridors stay open.</p>")
    CommentFactory(topic=topic, body_html="<p>Grain only.</p>")
    reversed_words = CommentFactory(topic=topic, body_html="<p>Corridors of grain.</p>")

    assert sorted(found(None, "grain corridors")) == sorted([comment_hit(both), comment_hit(reversed_words)])
    assert found(None, '"grain corridors"') == [comment_hit(both)]


def test_stemming_finds_other_forms_of_a_word(topic):
    comment = CommentFactory(topic=topic, body_html="<p>The sanctions were negotiated.</p>")

    assert found(None, "sanction negotiating") == [comment_hit(comment)]


def test_matches_are_marked_in_the_title_and_the_snippet(topic):
    SubsectionFactory(topic=topic, title="Hotlines", body="A word on hotlines and trust.")
    terms = parse_query("hotlines")
    [entry] = highlighted(search_entries(viewer=AnonymousUser(), terms=terms), terms)

    assert entry.marked_title == f"{MARK_START}Hotlines{MARK_END}"
    assert f"{MARK_START}hotlines{MARK_END}" in entry.marked_body


@pytest.mark.parametrize("text", ['"', '""', "*", "\\", "%", "_", "(", ")", ":*", "^", "-", "+", "!", "&|"])
def test_a_query_without_letters_or_digits_asks_for_nothing(topic, text):
    CommentFactory(topic=topic, body_html="<p>Grain corridors.</p>")

    assert not parse_query(text)
    assert found(None, text) == []


@pytest.mark.parametrize(
    "text", ["grain*", "-grain", "^grain", "(grain", "grain)", "'grain'", "grain:*", "grain&", "!grain", '"grain']
)
def test_query_syntax_of_either_database_is_only_text(topic, text):
    comment = CommentFactory(topic=topic, body_html="<p>Grain corridors.</p>")

    assert found(None, text) == [comment_hit(comment)]


@pytest.mark.parametrize("text", ["NEAR(", "NEAR(grain corridors, 2)", "grain NEAR", "<mark>", "a" * 500])
def test_operators_are_words_to_look_for(topic, text):
    CommentFactory(topic=topic, body_html="<p>Grain corridors.</p>")

    assert found(None, text) == []
