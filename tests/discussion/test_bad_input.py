"""Text a comment or flag cannot keep is refused with a message on the form, never a 500."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from forum.models import Comment, Flag
from forum.services.discussion import flag_comment, post_comment
from tests.factories import CommentFactory, MemberFactory, TopicFactory


@pytest.mark.parametrize("body", ["a\x07b", "\x1b[31mred", "del\x7f"])
def test_a_comment_with_control_characters_is_refused_on_the_form(client, db, body):
    topic = TopicFactory()
    client.force_login(MemberFactory())
    url = reverse("forum:comment_create", args=[topic.article.slug, topic.slug])
    response = client.post(url, {"body": body})
    assert "Control characters such as" in response.content.decode()
    assert body.replace("\x1b", "") in response.content.decode().replace("\x1b", "")  # kept in the box
    assert not Comment.objects.exists()


def test_the_service_refuses_control_characters_in_a_comment(db):
    with pytest.raises(ValidationError) as error:
        post_comment(author=MemberFactory(), topic=TopicFactory(), body="a\x07b")
    assert "body" in error.value.message_dict


def test_tabs_and_line_breaks_are_kept_in_a_comment(db):
    comment = post_comment(author=MemberFactory(), topic=TopicFactory(), body="one\r\n\ttwo")
    assert comment.body == "one\r\n\ttwo"


@pytest.mark.parametrize("note", ["x" * 501, "Spam\x00"])
def test_a_flag_note_that_does_not_fit_is_refused(db, note):
    with pytest.raises(ValidationError) as error:
        flag_comment(member=MemberFactory(), comment=CommentFactory(), reason="other", note=note)
    assert "note" in error.value.message_dict
    assert not Flag.objects.exists()


@pytest.mark.parametrize("space", ["²", "١٢x", "abc"])
def test_a_class_space_named_by_something_that_is_no_id_is_a_404(client, db, space):
    topic = TopicFactory()
    client.force_login(MemberFactory())
    url = reverse("forum:comment_create", args=[topic.article.slug, topic.slug])
    assert client.post(url, {"body": "Hello.", "space": space}).status_code == 404
    assert client.get(topic.get_absolute_url(), {"space": space}).status_code == 404
    assert not Comment.objects.exists()
