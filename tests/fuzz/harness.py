"""One fuzzed request and what must hold after it: no 5xx, and a refused request changes nothing stored."""

from django.apps import apps
from django.contrib.messages import SUCCESS, WARNING, get_messages
from django.core.cache import cache
from django.db import connection, transaction
from django.forms import BaseForm
from django.test import TestCase

from forum import shared

# Every table of the site's own (proxies read the same rows as their models; the search's FTS5 table,
# unmanaged and SQLite's only, is read through the entries its triggers copy).
MODELS = [model for model in apps.get_app_config("forum").get_models() if model._meta.managed and not model._meta.proxy]


def snapshot() -> dict:
    """Every row of every table, in plain SQL: the ORM's own cost would be most of the fuzz tests' time."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        tables = {}
        for model in MODELS:
            table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)  # the models' own names
            cursor.execute(f"SELECT * FROM {table} ORDER BY {pk}")  # noqa: S608
            tables[model._meta.label] = cursor.fetchall()
    return tables


def changed_tables(before: dict, after: dict) -> list[str]:
    return [label for label in before if before[label] != after[label]]


def forms_with_errors(response) -> list[BaseForm]:
    contexts = response.context if isinstance(response.context, list) else [response.context]
    found = []
    for context in filter(None, contexts):
        for value in context.flatten().values():
            if isinstance(value, BaseForm) and value.is_bound and value.errors and value not in found:
                found.append(value)
    return found


def refused(response) -> bool:
    """Whether the site said no: a 4xx, a form with errors, or a warning without any success."""
    if response.status_code >= 400:
        return True
    levels = {message.level for message in get_messages(response.wsgi_request)}
    if levels and max(levels) >= WARNING and SUCCESS not in levels:
        return True
    return bool(forms_with_errors(response))


def post_and_check(client, user, url: str, data: dict, **headers):
    """POST `data` to `url` as `user` (None: anonymous), in a savepoint rolled back afterwards.

    Fails on a 5xx (or an exception, which the test client raises) and, when the
    request was refused, on any change to the stored rows.
    """
    cache.clear()  # the page and settings caches and, with Redis, the sessions and rate limits
    if isinstance(shared.counters, shared.SQLiteCounters):
        shared.counters.clear()
    client.cookies.clear()  # no session, and no message left over from the last example
    with transaction.atomic():
        if user is not None:
            client.force_login(user)
        before = snapshot()
        # Notifications and mail run on commit in the site: here they run when the request ends.
        with TestCase.captureOnCommitCallbacks(execute=True):
            response = client.post(url, data, **headers)
        assert response.status_code < 500, f"{response.status_code} from POST {url} {data!r}"
        if refused(response):
            after = snapshot()
            assert after == before, f"refused POST {url} changed {changed_tables(before, after)}"
        transaction.set_rollback(True)
    return response
