"""Email leaves the request: every message is queued as a background task, sent by the worker, retried.

`EMAIL_BACKEND` is `QueuedEmailBackend`, so whatever sends mail (reply notifications, Django's password
reset, anything added later) only enqueues it: one database row with the `database` task backend. The
`send_email` task rebuilds the message and sends it with `EMAIL_DELIVERY_BACKEND` (SMTP or the console);
when the server fails it is tried again after each of `EMAIL_RETRY_DELAYS`, then given up with an error
in the log. No SMTP failure reaches the request that asked for the mail.
"""

import base64
import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import task

logger = logging.getLogger(__name__)

# What a failing or unreachable mail server raises (refused, timed out, disconnected, 4xx/5xx answers).
DELIVERY_ERRORS = (smtplib.SMTPException, OSError)


class QueuedEmailBackend(BaseEmailBackend):
    """Enqueue each message as a `send_email` task instead of sending it."""

    def send_messages(self, email_messages):
        queued = 0
        for message in email_messages:
            if not message.recipients():
                continue
            try:
                send_email.enqueue(message_to_dict(message))
            except Exception:
                if not self.fail_silently:
                    raise
                logger.exception("Could not queue the email “%s”", message.subject)
            else:
                queued += 1
        return queued


@task()
def send_email(message: dict, attempt: int = 1) -> str:
    """Send one queued message; on a delivery error, enqueue the next attempt or give up with a logged error.

    Returns what happened, which the task's result keeps (the admin's "Task results" shows it)."""
    email = message_from_dict(message)
    try:
        with delivery_connection() as connection:
            connection.send_messages([email])
    except DELIVERY_ERRORS as error:
        delays = settings.EMAIL_RETRY_DELAYS
        attempts = len(delays) + 1
        # The immediate backend runs tasks inside the request: no waiting there, so no retry.
        if attempt < attempts and send_email.get_backend().supports_defer:
            delay = delays[attempt - 1]
            logger.warning(
                "Email “%s” to %d recipient(s) failed (attempt %d of %d: %s); trying again in %d s",
                email.subject,
                len(email.recipients()),
                attempt,
                attempts,
                describe(error),
                delay,
            )
            send_email.using(run_after=timezone.now() + timedelta(seconds=delay)).enqueue(message, attempt + 1)
            return f"attempt {attempt} of {attempts} failed ({describe(error)}); trying again in {delay} s"
        logger.error(
            "Email “%s” to %d recipient(s) not sent after %d attempt(s): %s",
            email.subject,
            len(email.recipients()),
            attempt,
            describe(error),
        )
        raise  # the task's result is marked failed, with the traceback
    return "sent"


def delivery_connection():
    backend = settings.EMAIL_DELIVERY_BACKEND
    if issubclass(import_string(backend), QueuedEmailBackend):
        raise ImproperlyConfigured("EMAIL_DELIVERY_BACKEND must send mail, not queue it again.")
    return get_connection(backend, fail_silently=False)


def describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


def message_to_dict(message: EmailMessage) -> dict:
    """The message as JSON a task can carry: addresses, headers, bodies and attachments."""
    attachments = []
    for attachment in message.attachments:
        if not isinstance(attachment, tuple):
            raise TypeError("Queued email takes attachments as (filename, content, mimetype), not MIME objects.")
        filename, content, mimetype = attachment
        if isinstance(content, bytes):
            attachments.append(
                {"filename": filename, "base64": base64.b64encode(content).decode(), "mimetype": mimetype}
            )
        else:
            attachments.append({"filename": filename, "text": content, "mimetype": mimetype})
    return {
        "subject": str(message.subject),
        "body": str(message.body),
        "from_email": message.from_email,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "headers": {name: str(value) for name, value in message.extra_headers.items()},
        "content_subtype": message.content_subtype,
        "alternatives": [[str(content), mimetype] for content, mimetype in getattr(message, "alternatives", [])],
        "attachments": attachments,
    }


def message_from_dict(data: dict) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        subject=data["subject"],
        body=data["body"],
        from_email=data["from_email"],
        to=data["to"],
        cc=data["cc"],
        bcc=data["bcc"],
        reply_to=data["reply_to"],
        headers=data["headers"],
        alternatives=[tuple(alternative) for alternative in data["alternatives"]],
    )
    email.content_subtype = data["content_subtype"]
    for attachment in data["attachments"]:
        content = base64.b64decode(attachment["base64"]) if "base64" in attachment else attachment["text"]
        email.attach(attachment["filename"], content, attachment["mimetype"])
    return email
