"""Email leaves the request: queued as a task, sent by the worker, retried when the mail server fails."""

import json
import logging
import smtplib
import socket
from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.locmem import EmailBackend as OutboxBackend
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from forum.mail import message_from_dict, message_to_dict
from forum.models import Comment
from tests.factories import CommentFactory, MemberFactory

failures_left = []


class FlakyMailServer(OutboxBackend):
    """Refuses while `failures_left` holds a turn, then delivers to `mail.outbox`."""

    def send_messages(self, messages):
        if failures_left:
            failures_left.pop()
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


@pytest.fixture
def queue(db, settings, monkeypatch):
    """The production queue: tasks are rows in the database, run by `manage.py db_worker`."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    # The worker closes stale connections between tasks; in a test that connection holds the test's
    # transaction (Django's test client disconnects the same function from its request signals).
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    failures_left.clear()


@pytest.fixture
def down_mail_server(settings):
    """Django's SMTP backend pointed at a port on this machine where nothing listens: connection refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", port, False


def run_worker(*, later=False):
    """What the worker does, once: run every task that is due, then stop. `later`: as if the retry delays had passed."""
    if later:
        DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=StringIO())


@pytest.fixture
def parent(db):
    return CommentFactory(author=MemberFactory(email_on_reply=True, email="parent@example.org"))


def post_reply(client, parent, django_capture_on_commit_callbacks):
    client.force_login(MemberFactory())
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("forum:comment_reply", args=[parent.pk]), {"body": "A reply worth mailing."})


def test_a_replys_email_is_queued_in_the_request_and_sent_by_the_worker(
    queue, parent, client, django_capture_on_commit_callbacks
):
    response = post_reply(client, parent, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert mail.outbox == []
    assert DBTaskResult.objects.get().task_path == "forum.mail.send_email"
    run_worker()
    assert [message.to for message in mail.outbox] == [["parent@example.org"]]
    assert "A reply worth mailing." in mail.outbox[0].body
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def test_a_password_reset_is_queued_in_the_request_and_sent_by_the_worker(queue, client):
    MemberFactory(email="forgetful@example.org")
    response = client.post(reverse("password_reset"), {"email": "forgetful@example.org"})
    assert response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []
    run_worker()
    assert [message.to for message in mail.outbox] == [["forgetful@example.org"]]
    assert "http://testserver/accounts/reset/" in mail.outbox[0].body


def test_a_refused_send_is_tried_again_after_a_minute_not_at_once(
    queue, parent, client, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_DELIVERY_BACKEND = "tests.test_mail.FlakyMailServer"
    failures_left.append(1)
    post_reply(client, parent, django_capture_on_commit_callbacks)
    run_worker()
    retry = DBTaskResult.objects.get(status="READY")
    assert retry.args_kwargs["args"][1] == 2  # the second attempt
    assert timedelta(seconds=55) < retry.run_after - timezone.now() <= timedelta(seconds=60)
    run_worker()  # not due yet
    assert mail.outbox == []
    run_worker(later=True)
    assert [message.to for message in mail.outbox] == [["parent@example.org"]]


def test_a_mail_server_that_stays_down_gets_four_attempts_then_an_error_in_the_log(
    queue, down_mail_server, parent, client, caplog, django_capture_on_commit_callbacks
):
    response = post_reply(client, parent, django_capture_on_commit_callbacks)
    assert response["Location"] == Comment.objects.get(parent=parent).get_absolute_url()
    with caplog.at_level(logging.WARNING, logger="forum.mail"):
        for _ in range(5):
            run_worker(later=True)
    attempts = DBTaskResult.objects.order_by("enqueued_at")
    assert [attempt.status for attempt in attempts] == ["SUCCESSFUL"] * 3 + ["FAILED"]
    assert [attempt.args_kwargs["args"][1:] for attempt in attempts] == [[], [2], [3], [4]]
    mail_log = [record for record in caplog.records if record.name == "forum.mail"]
    assert [record.levelname for record in mail_log] == ["WARNING"] * 3 + ["ERROR"]
    assert "not sent after 4 attempt(s): ConnectionRefusedError" in mail_log[-1].getMessage()
    assert mail.outbox == []


def test_a_reply_succeeds_while_the_mail_server_is_down_without_a_worker(
    down_mail_server, parent, client, caplog, django_capture_on_commit_callbacks
):
    # The immediate backend (development, a laptop) sends in the request: once, and only logs a failure.
    with caplog.at_level(logging.ERROR, logger="forum.mail"):
        response = post_reply(client, parent, django_capture_on_commit_callbacks)
    reply = Comment.objects.get(parent=parent)
    assert response["Location"] == reply.get_absolute_url()
    assert "not sent after 1 attempt(s): ConnectionRefusedError" in caplog.text


def test_a_password_reset_succeeds_while_the_mail_server_is_down_without_a_worker(db, down_mail_server, client, caplog):
    MemberFactory(email="forgetful@example.org")
    with caplog.at_level(logging.ERROR, logger="forum.mail"):
        response = client.post(reverse("password_reset"), {"email": "forgetful@example.org"})
    assert response["Location"] == reverse("password_reset_done")
    assert "not sent after 1 attempt(s): ConnectionRefusedError" in caplog.text


def test_a_queued_message_keeps_its_addresses_headers_html_and_attachments():
    message = EmailMultiAlternatives(
        subject="Résumé",
        body="Plain",
        from_email="forum@example.org",
        to=["a@example.org"],
        cc=["b@example.org"],
        bcc=["c@example.org"],
        reply_to=["d@example.org"],
        headers={"X-Forum": "1"},
        alternatives=[("<p>Rich</p>", "text/html")],
    )
    message.attach("notes.txt", "Some notes", "text/plain")
    message.attach("logo.png", b"\x89PNG\x00", "image/png")
    copy = message_from_dict(json.loads(json.dumps(message_to_dict(message))))
    assert copy.message()["X-Forum"] == "1"
    for field in [
        "subject",
        "body",
        "from_email",
        "to",
        "cc",
        "bcc",
        "reply_to",
        "extra_headers",
        "alternatives",
        "attachments",
    ]:
        assert getattr(copy, field) == getattr(message, field), field
