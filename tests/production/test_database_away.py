"""A database that is away for a moment (a PostgreSQL restart) gets a styled 503 with Retry-After, not a
traceback or a 500; once it is back the next request works again without any restart of the app."""

from unittest import mock

from django.db import OperationalError
from django.test import Client

from tests.factories import CommentFactory


def test_a_database_restart_answers_a_styled_503_and_the_next_request_works(db):
    comment = CommentFactory(body="Here again.")
    client = Client(raise_request_exception=False)
    failing = mock.patch(
        "forum.views.discussion.topic_detail",
        side_effect=OperationalError("terminating connection due to administrator command"),
    )
    with failing:
        response = client.get(comment.topic.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 503 and response["Retry-After"] == "10"
    assert "Back in a moment" in html and "Traceback" not in html and "administrator command" not in html
    assert "Here again." in client.get(comment.topic.get_absolute_url()).content.decode()


def test_any_other_error_is_the_styled_500(db):
    comment = CommentFactory()
    client = Client(raise_request_exception=False)
    with mock.patch("forum.views.discussion.topic_detail", side_effect=RuntimeError("a bug")):
        response = client.get(comment.topic.get_absolute_url())
    assert response.status_code == 500 and "Something went wrong" in response.content.decode()
