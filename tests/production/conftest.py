"""Fixtures of the production tests: the request log, and the stack (tests/production/helpers.py) on this
machine's PostgreSQL and Redis, or on a PostgreSQL cluster and a redis-server of the test's own."""

import contextlib
import json
import logging
import os
import shutil
from dataclasses import dataclass

import pytest

from tests.production.helpers import (
    PostgresCluster,
    RedisServer,
    Stack,
    answers,
    cluster_missing,
    nginx_missing,
    running_stack,
)

POSTGRES = ("127.0.0.1", 5432)
REDIS = ("127.0.0.1", 6379)
REDIS_DB = 7  # the stack's on this machine's Redis; the outer test run uses db 0


@dataclass
class Line:
    level: int
    fields: dict


@pytest.fixture
def request_log(caplog):
    """The `forum.request` lines written during the test, parsed (that logger does not propagate to caplog's)."""
    logger = logging.getLogger("forum.request")
    logger.addHandler(caplog.handler)
    caplog.set_level(logging.DEBUG, logger="forum.request")
    yield lambda: [
        Line(record.levelno, json.loads(record.getMessage()))
        for record in caplog.records
        if record.name == "forum.request"
    ]
    logger.removeHandler(caplog.handler)


def skip_unless_required(absent: list[str]) -> None:
    """Skip when something is missing, unless REQUIRE_PRODUCTION=1 (`.ci/run`): then carry on, and fail."""
    if absent and os.environ.get("REQUIRE_PRODUCTION") != "1":
        pytest.skip(f"the production stack needs {', '.join(absent)}; REQUIRE_PRODUCTION=1 makes this a failure")


def flush_redis() -> None:
    import redis

    redis.Redis(*REDIS, db=REDIS_DB).flushdb()


def drop_database(name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """The stack on this machine's PostgreSQL (a database `forum_prodtest_<pid>`) and Redis (db 7)."""
    absent = ["nginx (apt-get install nginx)"] if nginx_missing() else []
    absent += [] if answers(POSTGRES) else ["PostgreSQL on 127.0.0.1:5432"]
    absent += [] if answers(REDIS) else ["Redis on 127.0.0.1:6379"]
    # Required: the stack installs nginx and starts PostgreSQL and Redis itself, or `up` fails.
    skip_unless_required(absent)
    name = f"forum_prodtest_{os.getpid()}"
    with contextlib.suppress(Exception):  # down: then nothing of an earlier run is left in them either
        drop_database(name)
        flush_redis()  # the content version of an earlier run would name pages of another database
    try:
        with running_stack(
            run=tmp_path_factory.mktemp("stack"),
            database_url=f"postgres://postgres@127.0.0.1:5432/{name}",
            redis_url=f"redis://127.0.0.1:6379/{REDIS_DB}",
        ) as running:
            yield running
    finally:
        drop_database(name)
        flush_redis()


@dataclass
class Faults:
    """A stack whose PostgreSQL and Redis are the test's own, to stop and restart."""

    stack: Stack
    redis: RedisServer
    postgres: PostgresCluster


@pytest.fixture(scope="module")
def faults(tmp_path_factory):
    """The stack on a throwaway PostgreSQL cluster and a redis-server of the module's own, on free ports.

    Never the machine's PostgreSQL or its Redis on 6379: the outer test run uses them. Everything is
    stopped and removed afterwards, whatever the test did to it.
    """
    absent = ["nginx (apt-get install nginx)"] if nginx_missing() else []
    absent += [] if shutil.which("redis-server") else ["redis-server"]
    absent += [why] if (why := cluster_missing()) else []
    skip_unless_required(absent)
    with contextlib.ExitStack() as cleanup:
        postgres = PostgresCluster()
        cleanup.callback(postgres.destroy)
        postgres.create()
        postgres.start()
        directory = tmp_path_factory.mktemp("faults")
        redis = RedisServer(directory)
        cleanup.callback(redis.stop)
        redis.start()
        stack = cleanup.enter_context(
            running_stack(run=directory / "run", database_url=postgres.url("forum_faults"), redis_url=redis.url)
        )
        yield Faults(stack=stack, redis=redis, postgres=postgres)
