"""A topic page shows a bounded amount: 20 threads, each with its first 3 replies; the rest of a
thread is on its own page (or loaded in place), and a permalink finds a reply however deep."""

import pytest
from django.urls import reverse

from forum.models import Comment
from forum.selectors.discussion import REPLIES_SHOWN
from tests.conftest import SESSION_QUERIES
from tests.factories import ClassroomFactory, CommentFactory, MemberFactory, MembershipFactory, ModeratorFactory


@pytest.fixture
def root(db):
    return CommentFactory(body="The opening comment.")


def reply_chain(root, count):
    """`count` replies in one thread, each answering the one before: as deep as it gets."""
    replies, parent = [], root
    for n in range(count):
        parent = CommentFactory(topic=root.topic, parent=parent, body=f"Reply number {n}.")
        replies.append(parent)
    return replies


def thread_url(comment):
    return reverse("forum:comment_thread", args=[comment.pk])


def test_a_thread_shows_its_first_three_replies_then_how_many_more(client, root):
    reply_chain(root, 20)
    html = client.get(root.topic.get_absolute_url()).content.decode()
    assert all(f"Reply number {n}." in html for n in range(REPLIES_SHOWN))
    assert f"Reply number {REPLIES_SHOWN}." not in html
    assert "Show 17 more replies" in html and f'href="{thread_url(root)}"' in html


def test_hidden_replies_are_not_counted_among_the_more(client, root):
    replies = reply_chain(root, 6)
    Comment.objects.filter(pk=replies[-1].pk).update(status=Comment.Status.HIDDEN)
    assert "Show 2 more replies" in client.get(root.topic.get_absolute_url()).content.decode()


def test_the_thread_page_shows_every_reply(client, root):
    reply_chain(root, 20)
    html = client.get(thread_url(root)).content.decode()
    assert "The opening comment." in html and all(f"Reply number {n}." in html for n in range(20))
    assert "more repl" not in html


def test_htmx_gets_the_replies_alone_to_put_in_place(client, root):
    reply_chain(root, 8)
    response = client.get(thread_url(root), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith("<ol") and f'id="replies-{root.pk}"' in html
    assert "Reply number 7." in html and "<html" not in html
    assert f'id="more-{root.pk}" hx-swap-oob="true"' in html  # the button goes


def test_a_reply_s_thread_address_leads_to_the_thread_of_its_first_comment(client, root):
    reply = reply_chain(root, 1)[0]
    assert client.get(thread_url(reply))["Location"] == thread_url(root)


def test_a_permalink_to_a_deep_reply_opens_the_thread_page_at_it(client, root):
    replies = reply_chain(root, 10)
    early, deep = replies[1], replies[8]
    assert client.get(early.get_absolute_url())["Location"] == f"{root.topic.get_absolute_url()}#comment-{early.pk}"
    assert client.get(deep.get_absolute_url())["Location"] == f"{thread_url(root)}#comment-{deep.pk}"
    assert f'id="comment-{deep.pk}"' in client.get(thread_url(root)).content.decode()


def test_a_long_thread_pages_its_replies_and_the_permalink_finds_the_page(client, root):
    replies = [CommentFactory(topic=root.topic, parent=root, body=f"Answer {n}.") for n in range(105)]
    assert client.get(replies[-1].get_absolute_url())["Location"] == (
        f"{thread_url(root)}?page=2#comment-{replies[-1].pk}"
    )
    page2 = client.get(thread_url(root), {"page": 2}).content.decode()
    assert "Answer 104." in page2 and "Answer 3." not in page2


@pytest.mark.parametrize("count", [5, 60])
def test_the_thread_page_costs_the_same_whatever_the_replies(client, root, django_assert_num_queries, count):
    reply_chain(root, count)
    # the comment with its topic, article, author and class; the count of replies; the replies
    with django_assert_num_queries(3):
        client.get(thread_url(root))


@pytest.mark.parametrize(
    "role, expected",
    [
        ("student", 200),
        ("teacher", 200),
        ("moderator", 200),
        ("other_student", 404),
        ("member", 404),
        ("anonymous", 404),
    ],
)
def test_a_class_thread_is_for_the_class(db, client, role, expected):
    classroom = ClassroomFactory()
    student = MembershipFactory(classroom=classroom).member
    root = CommentFactory(classroom=classroom, author=student, topic__article=classroom.article)
    viewer = {
        "student": lambda: student,
        "teacher": lambda: classroom.teacher,
        "moderator": ModeratorFactory,
        "other_student": lambda: MembershipFactory(classroom=ClassroomFactory(article=classroom.article)).member,
        "member": MemberFactory,
        "anonymous": lambda: None,
    }[role]()
    if viewer is not None:
        client.force_login(viewer)
    assert client.get(thread_url(root)).status_code == expected


@pytest.mark.parametrize("role", ["anonymous", "member", "moderator"])
def test_everyone_reads_a_public_thread(client, root, role):
    viewer = {"anonymous": None, "member": MemberFactory, "moderator": ModeratorFactory}[role]
    if viewer is not None:
        client.force_login(viewer())
    assert client.get(thread_url(root)).status_code == 200


def test_a_hidden_thread_is_not_found_for_others(client, root):
    Comment.objects.filter(pk=root.pk).update(status=Comment.Status.HIDDEN)
    assert client.get(thread_url(root)).status_code == 404
    client.force_login(root.author)
    assert client.get(thread_url(root)).status_code == 200


def test_member_thread_page_queries(client, root, django_assert_num_queries):
    reply_chain(root, 30)
    client.force_login(MemberFactory())
    client.get(thread_url(root))
    # session, member, unread notifications, the comment, own mark and flag on it, restriction, count, replies
    with django_assert_num_queries(8 + SESSION_QUERIES):
        client.get(thread_url(root))


def test_the_row_of_page_numbers_stays_short_however_many_pages(client, root):
    CommentFactory.create_batch(20 * 40, topic=root.topic)  # 41 pages of threads
    html = client.get(root.topic.get_absolute_url(), {"page": 20}).content.decode()
    numbers = html.split('aria-label="Comment pages"', 1)[1].split("</nav>", 1)[0]
    assert numbers.count('class="page-link"') <= 12 and "…" in numbers
    assert "?page=41#discussion" in numbers and "?page=21#discussion" in numbers


def test_moderators_and_teachers_carry_a_badge_beside_their_names(client, root):
    moderator_comment = CommentFactory(topic=root.topic, author=ModeratorFactory(display_name="Mo Derate"))
    teacher = ClassroomFactory(article=root.topic.article).teacher
    CommentFactory(topic=root.topic, author=teacher)
    html = client.get(root.topic.get_absolute_url()).content.decode()
    assert 'role-moderator">Moderator</span>' in html and 'role-teacher">Teacher</span>' in html
    assert html.count("role-badge") == 2
    assert 'role-moderator">Moderator' in client.get(thread_url(moderator_comment)).content.decode()
