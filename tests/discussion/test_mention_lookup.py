"""The names the comment box offers after "@": who may ask, what they get, what it costs."""

import pytest
from django.urls import reverse

from forum.models import Comment
from forum.services.classes import create_pupil_accounts
from tests.conftest import SESSION_QUERIES
from tests.factories import (
    ClassroomFactory,
    CommentFactory,
    MemberFactory,
    MembershipFactory,
    ModeratorFactory,
    TopicFactory,
)


@pytest.fixture
def classroom(db):
    return ClassroomFactory(teacher=MemberFactory(username="ms.teach", display_name="Ms Teach"))


@pytest.fixture
def topic(classroom):
    return TopicFactory(article=classroom.article)


@pytest.fixture
def pupil(classroom):
    pupil = create_pupil_accounts(teacher=classroom.teacher, classroom=classroom, names=["Zoë Martin"]).created[0][0]
    pupil.must_change_password = False
    pupil.save()
    return pupil


@pytest.fixture
def thread(topic, pupil, classroom):
    """Public authors bob and bea; the pupil writes in the class only."""
    CommentFactory(topic=topic, author=MemberFactory(username="bob", display_name="Bob Builder"))
    CommentFactory(topic=topic, author=MemberFactory(username="bea", display_name="Beatrice"))
    CommentFactory(topic=topic, author=pupil, classroom=classroom)


def lookup(client, topic, q="", space=None):
    params = {"q": q} | ({"space": space.pk} if space else {})
    return client.get(reverse("forum:mention_lookup", args=[topic.article.slug, topic.slug]), params)


def usernames(response):
    return [member["username"] for member in response.json()["members"]]


def login(client, user):
    client.force_login(user)
    return client


# Who may ask


def test_a_reader_must_log_in(client, topic):
    response = lookup(client, topic, "b")
    assert response.status_code == 302 and reverse("login") in response["Location"]


@pytest.mark.parametrize(
    "role, public, in_class",
    [
        ("member", 200, 404),
        ("pupil", 200, 200),
        ("teacher", 200, 200),
        ("other_pupil", 200, 404),
        ("moderator", 200, 200),
    ],
)
def test_the_public_thread_is_for_every_member_and_a_class_for_those_who_see_it(
    client, topic, classroom, pupil, role, public, in_class
):
    user = {
        "member": MemberFactory,
        "pupil": lambda: pupil,
        "teacher": lambda: classroom.teacher,
        "other_pupil": lambda: MembershipFactory(classroom=ClassroomFactory(article=classroom.article)).member,
        "moderator": ModeratorFactory,
    }[role]()
    login(client, user)
    assert lookup(client, topic).status_code == public
    assert lookup(client, topic, space=classroom).status_code == in_class


def test_a_class_of_another_article_is_not_found(client, classroom, topic):
    login(client, classroom.teacher)
    assert lookup(client, TopicFactory(), space=classroom).status_code == 404


# What they get


def test_the_public_box_offers_the_threads_authors_by_username_or_name(client, thread, topic):
    login(client, MemberFactory())
    assert usernames(lookup(client, topic, "b")) == ["bea", "bob"]
    assert usernames(lookup(client, topic, "@Bo")) == ["bob"]
    assert usernames(lookup(client, topic, "beat")) == ["bea"]


def test_the_public_box_offers_no_one_outside_the_thread_and_not_yourself(client, thread, topic):
    MemberFactory(username="bill")  # never wrote on this topic
    bob = MemberFactory(username="bobby")
    CommentFactory(topic=topic, author=bob)
    CommentFactory(topic=topic, author=MemberFactory(username="bert"), status=Comment.Status.HIDDEN)
    login(client, bob)
    assert usernames(lookup(client, topic, "b")) == ["bea", "bob"]


def test_the_public_box_never_offers_a_pupil_whoever_asks(client, thread, topic, pupil, classroom):
    CommentFactory(topic=topic, author=pupil)  # even one that somehow stands in public
    for user in (MemberFactory(), classroom.teacher, ModeratorFactory()):
        login(client, user)
        response = lookup(client, topic, pupil.username[:3])
        assert pupil.username not in response.content.decode()
        assert "Zoë" not in response.content.decode()


def test_the_class_box_offers_the_teacher_and_students_only(client, thread, topic, pupil, classroom):
    student = MembershipFactory(classroom=classroom, member=MemberFactory(username="stu")).member
    left = MembershipFactory(classroom=classroom, member=MemberFactory(username="gone"))
    left.removed_at = left.joined_at
    left.save()
    login(client, student)
    assert usernames(lookup(client, topic, space=classroom)) == sorted(["ms.teach", pupil.username])


def test_a_pupil_is_offered_by_public_name_only_never_full_name_or_email(client, thread, topic, pupil, classroom):
    pupil.email = "zoe@example.org"
    pupil.save()
    login(client, classroom.teacher)
    response = lookup(client, topic, "zo", space=classroom)
    assert response.json()["members"] == [{"username": pupil.username, "name": "Zoë M."}]
    assert "Martin" not in response.content.decode() and "example.org" not in response.content.decode()


@pytest.mark.parametrize("q", ["b b", "<script>", "a\x00", "x" * 151, "bob@example"])
def test_what_cannot_be_a_name_finds_no_one(client, thread, topic, q):
    login(client, MemberFactory())
    response = lookup(client, topic, q)
    assert response.status_code == 200 and usernames(response) == []


def test_answers_are_not_kept_by_any_cache(client, thread, topic):
    login(client, MemberFactory())
    assert "no-store" in lookup(client, topic, "b")["Cache-Control"]


def test_asking_too_often_is_refused_with_a_reason(client, thread, topic):
    login(client, MemberFactory())
    for _ in range(60):
        assert lookup(client, topic, "b").status_code == 200
    response = lookup(client, topic, "b")
    assert response.status_code == 429
    assert "60 name lookups a minute" in response.json()["error"]


# What it costs


@pytest.mark.parametrize("authors", [1, 30])
def test_a_lookup_costs_the_same_whatever_the_thread(client, topic, django_assert_num_queries, authors):
    for n in range(authors):
        CommentFactory(topic=topic, author=MemberFactory(username=f"b{n}"))
    login(client, MemberFactory())
    with django_assert_num_queries(3 + SESSION_QUERIES):  # (session), member, topic with article, the names
        response = lookup(client, topic, "b")
    assert len(usernames(response)) == min(authors, 8)


def test_a_class_lookup_costs_two_queries_more(client, topic, classroom, django_assert_num_queries):
    MembershipFactory.create_batch(3, classroom=classroom)
    login(client, classroom.teacher)
    with django_assert_num_queries(4 + SESSION_QUERIES):  # (session), member, topic, the class, the names
        response = lookup(client, topic, space=classroom)
    assert len(usernames(response)) == 3


# Where the comment boxes ask


def test_each_comment_box_asks_for_the_names_of_its_own_space(client, topic, classroom, pupil):
    url = reverse("forum:mention_lookup", args=[topic.article.slug, topic.slug])
    login(client, pupil)
    class_page = client.get(topic.get_absolute_url()).content.decode()  # a pupil opens on their class's tab
    assert f'data-mentions="{url}?space={classroom.pk}"' in class_page
    public = CommentFactory(topic=topic, author=MemberFactory())
    login(client, MemberFactory())
    assert f'data-mentions="{url}"' in client.get(topic.get_absolute_url()).content.decode()
    assert f'data-mentions="{url}"' in client.get(reverse("forum:comment_reply", args=[public.pk])).content.decode()
    assert "data-mentions" not in client.get(reverse("forum:comment_flag", args=[public.pk])).content.decode()


def test_the_edit_box_of_a_class_comment_asks_for_the_class(client, topic, classroom, pupil):
    comment = CommentFactory(topic=topic, author=pupil, classroom=classroom)
    login(client, pupil)
    html = client.get(reverse("forum:comment_edit", args=[comment.pk])).content.decode()
    assert f"mentions/?space={classroom.pk}" in html
