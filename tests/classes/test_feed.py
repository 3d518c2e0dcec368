"""The class feed: every comment of a class's space on one page, newest first, for a live lesson."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from forum.models import Comment
from forum.views import classes as class_views
from tests.classes.conftest import CLASS_ONLY, outcome
from tests.conftest import SESSION_QUERIES
from tests.factories import (
    ClassroomFactory,
    CommentFactory,
    MemberFactory,
    MembershipFactory,
    SubsectionFactory,
    TopicFactory,
)


@pytest.fixture
def classroom(db):
    classroom = ClassroomFactory(name="10B")
    SubsectionFactory(topic=TopicFactory(article=classroom.article, title="Why talks stalled"), title="Sanctions")
    return classroom


@pytest.fixture
def topic(classroom):
    return classroom.article.topics.get()


def feed_url(classroom):
    return reverse("forum:class_feed", args=[classroom.pk])


def class_comment(classroom, topic, author, minutes_ago=0, **fields):
    comment = CommentFactory(topic=topic, author=author, classroom=classroom, **fields)
    Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now() - timedelta(minutes=minutes_ago))
    return comment


def feed_bodies(response):
    return [comment.body for comment in response.context["page"]]


@pytest.mark.parametrize("role, expected", CLASS_ONLY)
def test_who_may_open_the_feed(act_as, classroom, role, expected):
    assert outcome(act_as(role).get(feed_url(classroom))) == expected


def test_feed_lists_the_class_comments_newest_first(act_as, classroom, topic, student):
    class_comment(classroom, topic, student, minutes_ago=30, body="First thought.")
    class_comment(classroom, topic, student, minutes_ago=2, body="Latest thought.")
    class_comment(classroom, topic, student, minutes_ago=10, body="Middle thought.")

    response = act_as("teacher").get(feed_url(classroom))

    assert feed_bodies(response) == ["Latest thought.", "Middle thought.", "First thought."]


def test_feed_shows_topic_subsection_and_reply_context(act_as, classroom, topic, student):
    opener = class_comment(
        classroom,
        topic,
        MembershipFactory(classroom=classroom, member=MemberFactory(display_name="Ada")).member,
        anchor=topic.subsections.get(),
        body="Sanctions backfire.",
    )
    reply = class_comment(classroom, topic, student, parent=opener, body="Not always.")

    html = act_as("student").get(feed_url(classroom)).content.decode()

    assert f'<a href="{reply.get_absolute_url()}">Why talks stalled</a>' in html
    assert "About: Sanctions" in html
    assert "in reply to Ada" in html
    assert "<p>Not always.</p>" in html


def test_hidden_and_pending_comments_show_to_the_teacher_with_a_badge(act_as, classroom, topic, student):
    class_comment(classroom, topic, student, body="Hidden one.", status=Comment.Status.HIDDEN)
    class_comment(classroom, topic, student, body="Pending one.", status=Comment.Status.PENDING)

    html = act_as("teacher").get(feed_url(classroom)).content.decode()

    assert "Hidden one." in html and "Pending one." in html
    assert '<span class="badge text-bg-secondary">hidden</span>' in html
    assert '<span class="badge text-bg-warning">pending review</span>' in html


def test_students_see_published_comments_and_their_own_only(act_as, classroom, topic, student):
    classmate = MembershipFactory(classroom=classroom).member
    class_comment(classroom, topic, classmate, body="Classmate's hidden.", status=Comment.Status.HIDDEN)
    class_comment(classroom, topic, classmate, body="Classmate's published.")
    class_comment(classroom, topic, student, body="My pending.", status=Comment.Status.PENDING)
    class_comment(classroom, topic, student, body="My deleted.", status=Comment.Status.REMOVED)

    response = act_as("student").get(feed_url(classroom))

    assert sorted(feed_bodies(response)) == ["Classmate's published.", "My pending."]


def test_deleted_comments_leave_the_teachers_feed_too(act_as, classroom, topic, student):
    class_comment(classroom, topic, student, body="Deleted by its author.", status=Comment.Status.REMOVED)
    assert feed_bodies(act_as("teacher").get(feed_url(classroom))) == []


def test_other_classes_and_public_comments_never_show(act_as, classroom, topic, student):
    other = ClassroomFactory(article=classroom.article, teacher=classroom.teacher)
    class_comment(other, topic, MembershipFactory(classroom=other).member, body="Other class.")
    CommentFactory(topic=topic, author=student, body="In public.")
    class_comment(classroom, topic, student, body="In our class.")

    for role in ("teacher", "student", "moderator"):
        assert feed_bodies(act_as(role).get(feed_url(classroom))) == ["In our class."]


def test_removed_students_comments_leave_the_feed(act_as, classroom, topic):
    leaver = MembershipFactory(classroom=classroom, removed_at=timezone.now()).member
    class_comment(classroom, topic, leaver, body="Written before removal.")
    assert feed_bodies(act_as("teacher").get(feed_url(classroom))) == []


def test_teacher_sees_pupils_full_names_and_students_see_public_names(act_as, classroom, topic):
    pupil = MembershipFactory(
        classroom=classroom, member=MemberFactory(display_name="Dee P.", first_name="Dee", last_name="Pupilsdottir")
    ).member
    class_comment(classroom, topic, pupil, body="Hello.")

    assert "Dee Pupilsdottir" in act_as("teacher").get(feed_url(classroom)).content.decode()
    html = act_as("student").get(feed_url(classroom)).content.decode()
    assert "Dee P." in html and "Pupilsdottir" not in html


def test_teachers_first_page_polls_and_students_do_not(act_as, classroom):
    assert 'hx-trigger="every 10s"' in act_as("teacher").get(feed_url(classroom)).content.decode()
    html = act_as("student").get(feed_url(classroom)).content.decode()
    assert "hx-trigger" not in html
    assert f'<a href="{feed_url(classroom)}" class="ms-1">Refresh</a>' in html


def test_htmx_gets_the_list_alone(act_as, classroom, topic, student):
    class_comment(classroom, topic, student, body="Fresh.")

    response = act_as("teacher").get(feed_url(classroom), headers={"HX-Request": "true"})

    html = response.content.decode()
    assert "Fresh." in html and "<html" not in html and "<h1" not in html
    assert "HX-Request" in response["Vary"]
    assert [t.name for t in response.templates][0] == "forum/classes/_feed_items.html"


def test_feed_shows_30_comments_a_page(act_as, classroom, topic, student):
    for minutes in range(31):
        class_comment(classroom, topic, student, minutes_ago=minutes, body=f"Comment {minutes}.")
    client = act_as("teacher")

    first = client.get(feed_url(classroom))
    second = client.get(feed_url(classroom), {"page": 2})

    assert len(first.context["page"]) == 30 and feed_bodies(first)[0] == "Comment 0."
    assert feed_bodies(second) == ["Comment 30."]
    assert 'href="?page=2"' in first.content.decode()
    assert "hx-trigger" not in second.content.decode()  # only the first page polls


def test_class_page_links_to_the_feed(act_as, classroom):
    assert feed_url(classroom) in act_as("student").get(classroom.get_absolute_url()).content.decode()


def test_poll_interval_follows_the_setting(act_as, classroom, monkeypatch):
    monkeypatch.setattr(class_views, "FEED_POLL_SECONDS", 1)
    assert 'hx-trigger="every 1s"' in act_as("teacher").get(feed_url(classroom)).content.decode()


@pytest.mark.parametrize("count", [1, 40])  # the same cost for 1 or 40 comments
def test_feed_costs_the_same_whatever_the_comments(act_as, classroom, topic, django_assert_num_queries, count):
    pupils = [MembershipFactory(classroom=classroom).member for _ in range(5)]
    comments = []
    for n in range(count):
        parent = comments[n // 2] if n % 3 and comments else None
        comments.append(
            class_comment(
                classroom, topic, pupils[n % 5], parent=parent, anchor=topic.subsections.get() if n % 2 else None
            )
        )
    client = act_as("teacher")
    # session (unless in Redis), teacher, unread notifications, class, comment count,
    # the page of comments with their authors, topics, subsections, parents and whether each is a pupil
    with django_assert_num_queries(5 + SESSION_QUERIES):
        response = client.get(feed_url(classroom))
    assert len(response.context["page"]) == min(count, 30)
