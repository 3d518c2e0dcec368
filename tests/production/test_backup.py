"""`manage.py backup` and `manage.py restore`, on the database the suite runs on (SQLite, or PostgreSQL in CI).

The backup reads the database from outside the test's connection, so the data is
committed (transactional_db). Every restore runs in a subprocess pointed at an
empty database of its own: a temporary SQLite file, or a scratch PostgreSQL
database whose name contains "restore_test" (never the database the suite uses).
"""

import hashlib
import os
import random
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from contextlib import closing
from dataclasses import dataclass
from io import StringIO
from urllib.parse import urlsplit

import psycopg
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from forum import ratelimit, shared
from forum.caching import VERSION_KEY
from forum.models import (
    Ballot,
    BallotEntry,
    Classroom,
    Comment,
    CommentRevision,
    Flag,
    Membership,
    ModerationLog,
    Restriction,
    User,
)
from forum.services.classes import create_class, join_class
from forum.services.discussion import edit_comment, flag_comment, post_comment
from forum.services.moderation import moderate_comment, restrict_member
from forum.services.voting import cast_ballot
from tests.factories import ArticleFactory, FactorFactory, MemberFactory, ModeratorFactory, TopicFactory

ON_SQLITE = connection.vendor == "sqlite"
sqlite_only = pytest.mark.skipif(not ON_SQLITE, reason="SQLite's backup file; this run is on PostgreSQL")
postgresql_only = pytest.mark.skipif(
    ON_SQLITE, reason="pg_dump and pg_restore: run with DATABASE_URL=postgres://... (CI's second run)"
)
# Every table a restore must bring back whole, compared row by row.
CHECKED = [User, Classroom, Membership, Comment, CommentRevision, Flag, Ballot, BallotEntry, ModerationLog, Restriction]


def connect(name: str):
    """A plain driver connection (not Django's) to the SQLite file or PostgreSQL database `name`."""
    if ON_SQLITE:
        return sqlite3.connect(name)
    source = connection.settings_dict
    return psycopg.connect(
        dbname=name,
        host=source["HOST"] or None,
        port=source["PORT"] or None,
        user=source["USER"] or None,
        password=source["PASSWORD"] or None,
        autocommit=True,
    )


def fingerprint(database) -> dict[str, tuple[int, str]]:
    """Each checked table's row count and a checksum of every column of every row, in id order."""
    found = {}
    with closing(database.cursor()) as cursor:
        for model in CHECKED:
            columns = ", ".join(f'"{field.column}"' for field in model._meta.concrete_fields)
            cursor.execute(f'SELECT {columns} FROM "{model._meta.db_table}" ORDER BY "id"')  # noqa: S608
            rows = cursor.fetchall()
            found[model._meta.db_table] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return found


@dataclass
class Database:
    name: str
    url: str

    def manage(self, *args):
        """Run manage.py with this database configured, as an operator would."""
        env = {**os.environ, "DATABASE_URL": self.url}
        if isinstance(shared.counters, shared.SQLiteCounters):  # the counters this test run reads
            env["DJANGO_SHARED_STATE_PATH"] = shared.counters.path
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    def connect(self):
        return connect(self.name)


def administer(statement: str) -> None:
    with closing(connect("postgres")) as database:
        database.execute(statement)


@pytest.fixture
def empty_database(tmp_path):
    """A database with nothing in it, not even tables, for a restore."""
    if ON_SQLITE:
        path = tmp_path / "restored.sqlite3"
        yield Database(name=str(path), url=f"sqlite:///{path}")
        return
    name = f"forum_restore_test_{os.getpid()}"
    assert name != connection.settings_dict["NAME"]
    administer(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    administer(f'CREATE DATABASE "{name}"')
    try:
        yield Database(name=name, url=urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}").geturl())
    finally:
        administer(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def backup_path(tmp_path):
    return tmp_path / ("forum.sqlite3" if ON_SQLITE else "forum.dump")


@pytest.fixture
def no_comment_limit(monkeypatch):
    monkeypatch.setitem(ratelimit.LIMITS, "comment", [])


@pytest.fixture
def forum_data(transactional_db, no_comment_limit):
    """A little of everything, written through the services: classes, comments, revisions, flags, ballots, log."""
    moderator = ModeratorFactory()
    article = ArticleFactory()
    topic = TopicFactory(article=article)
    factors = FactorFactory.create_batch(4, article=article)
    teacher, *members = MemberFactory.create_batch(6)
    classroom = create_class(teacher=teacher, name="10B", article=article)
    for member in members[:3]:
        join_class(member=member, code=classroom.join_code)
    first = post_comment(author=members[0], topic=topic, body="Sanctions matter most.")
    reply = post_comment(author=members[1], topic=topic, body="Not **more** than energy.", parent=first)
    post_comment(author=members[2], topic=topic, body="And a reply to the reply.", parent=reply)
    in_class = post_comment(author=members[0], topic=topic, body="In class: what about Ukraine?", classroom=classroom)
    post_comment(author=teacher, topic=topic, body="Good question.", parent=in_class)
    edit_comment(editor=members[0], comment=first, body="Sanctions matter most, I think.")
    edit_comment(editor=members[0], comment=first, body="Sanctions matter most, I am sure.")
    rude = post_comment(author=members[4], topic=topic, body="Something rude.")
    flag_comment(member=members[3], comment=rude, reason=Flag.Reason.choices[0][0])
    moderate_comment(moderator=moderator, comment=rude, action="hide", reason="Rude.")
    restrict_member(moderator=moderator, member=members[4], kind=Restriction.Kind.MUTE, reason="Rude again.")
    for index, member in enumerate(members[:4]):
        cast_ballot(member=member, article=article, ranking=factors[index:] + factors[:index], reason="Because.")
    cast_ballot(member=members[0], article=article, ranking=[factors[3], factors[2]])  # a changed mind


def test_a_backup_restored_into_an_empty_database_has_every_row(forum_data, backup_path, empty_database):
    call_command("backup", backup_path, stdout=StringIO())
    result = empty_database.manage("restore", str(backup_path))
    assert result.returncode == 0, result.stderr
    with closing(connect(connection.settings_dict["NAME"])) as source:
        expected = fingerprint(source)
    with closing(empty_database.connect()) as restored:
        assert fingerprint(restored) == expected
    assert all(count for count, _ in expected.values())  # every table had rows to lose


def test_the_backup_command_says_what_it_wrote(forum_data, backup_path):
    out = StringIO()
    call_command("backup", backup_path, stdout=out)
    size = backup_path.stat().st_size
    assert out.getvalue() == f"Wrote {backup_path} ({size:,} bytes): 6 comments, 5 ballots, 7 users.\n"


def test_the_restore_command_says_what_it_restored(forum_data, backup_path, empty_database):
    call_command("backup", backup_path, stdout=StringIO())
    result = empty_database.manage("restore", str(backup_path))
    size = backup_path.stat().st_size
    assert result.stdout == f"Restored {backup_path} ({size:,} bytes): 6 comments, 5 ballots, 7 users.\n"


def test_only_its_owner_can_read_a_backup(forum_data, backup_path):
    call_command("backup", backup_path, stdout=StringIO())
    assert stat.S_IMODE(backup_path.stat().st_mode) == 0o600


def test_a_backup_taken_while_comments_are_written_restores_consistent(
    transactional_db, no_comment_limit, backup_path, empty_database
):
    topic, authors = TopicFactory(), MemberFactory.create_batch(5)
    stop, failures = threading.Event(), []

    def keep_writing():
        pick, posted = random.Random(13), []
        try:
            while not stop.is_set():
                parent = pick.choice(posted) if posted and pick.random() < 0.7 else None
                posted.append(
                    post_comment(
                        author=pick.choice(authors), topic=topic, parent=parent, body=f"Comment {len(posted)}."
                    )
                )
        except Exception as error:  # noqa: BLE001 (reported below, in the test's thread)
            failures.append(error)
        finally:
            connection.close()

    def wait_for(count):
        deadline = time.monotonic() + 60
        while Comment.objects.count() < count and time.monotonic() < deadline and not failures:
            time.sleep(0.02)

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        wait_for(50)
        before = Comment.objects.count()
        call_command("backup", backup_path, stdout=StringIO())
        wait_for(before + 50)
    finally:
        stop.set()
        writer.join()
    after = Comment.objects.count()
    assert not failures
    assert empty_database.manage("restore", str(backup_path)).returncode == 0
    with closing(empty_database.connect()) as restored, closing(restored.cursor()) as cursor:
        cursor.execute("SELECT count(*) FROM forum_comment")
        (count,) = cursor.fetchone()
        cursor.execute(
            "SELECT count(*) FROM forum_comment AS c WHERE "
            "(c.parent_id IS NOT NULL AND c.parent_id NOT IN (SELECT id FROM forum_comment)) OR "
            "(c.root_id IS NOT NULL AND c.root_id NOT IN (SELECT id FROM forum_comment))"
        )
        (orphans,) = cursor.fetchone()
    assert before <= count < after
    assert orphans == 0


def test_restoring_makes_pages_cached_before_it_stale(forum_data, backup_path, empty_database):
    call_command("backup", backup_path, stdout=StringIO())
    version = shared.counters.version(VERSION_KEY)
    assert empty_database.manage("restore", str(backup_path)).returncode == 0
    assert shared.counters.version(VERSION_KEY) != version


def test_a_database_that_holds_data_is_replaced_only_with_force(forum_data, backup_path, empty_database):
    call_command("backup", backup_path, stdout=StringIO())
    assert empty_database.manage("restore", str(backup_path)).returncode == 0

    refused = empty_database.manage("restore", str(backup_path))
    assert refused.returncode == 1
    assert refused.stderr.strip().splitlines() == [
        f"CommandError: The database {empty_database.name} already holds 7 users, 1 article, 6 comments, "
        "5 ballots, 1 class: pass --force to replace it."
    ]
    assert empty_database.manage("restore", "--force", str(backup_path)).returncode == 0


def test_a_file_that_is_no_backup_is_refused_in_one_line(db, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("Not a backup.\n")
    with pytest.raises(
        CommandError,
        match=r"^\S+notes.txt: not a backup \(neither a SQLite database nor a "
        r"pg_dump custom-format archive\)$",
    ):
        call_command("restore", path)


def test_a_backup_of_the_other_database_engine_is_refused(db, tmp_path):
    path = tmp_path / "other"
    path.write_bytes(b"PGDMP\x01\x0e\x00" if ON_SQLITE else b"SQLite format 3\x00" + bytes(100))
    other, this = ("PostgreSQL", "SQLite") if ON_SQLITE else ("SQLite", "PostgreSQL")
    with pytest.raises(CommandError, match=f"is a {other} backup, but the configured database is {this}"):
        call_command("restore", path)


def test_a_backup_into_a_missing_folder_fails_in_one_line(db, tmp_path):
    with pytest.raises(CommandError, match=f"^{tmp_path / 'missing'}: no such directory$"):
        call_command("backup", tmp_path / "missing" / "forum.backup")


@sqlite_only
def test_a_sqlite_backup_is_one_self_contained_file(forum_data, backup_path):
    call_command("backup", backup_path, stdout=StringIO())
    assert sorted(path.name for path in backup_path.parent.iterdir()) == [backup_path.name]
    with closing(sqlite3.connect(f"{backup_path.as_uri()}?mode=ro", uri=True)) as backup:
        assert backup.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        assert backup.execute("PRAGMA integrity_check").fetchone() == ("ok",)


@sqlite_only
def test_a_sqlite_database_of_another_program_is_refused(db, tmp_path):
    path = tmp_path / "other.sqlite3"
    with closing(sqlite3.connect(path)) as other:
        other.execute("CREATE TABLE notes (text TEXT)")
    with pytest.raises(CommandError, match="a SQLite database, but not a backup of this forum"):
        call_command("restore", path)


@sqlite_only
def test_restoring_a_backup_of_older_code_says_to_migrate(forum_data, backup_path, empty_database):
    call_command("backup", backup_path, stdout=StringIO())
    with closing(sqlite3.connect(backup_path)) as backup:  # as if made before the latest migration
        backup.execute("DELETE FROM django_migrations WHERE id = (SELECT max(id) FROM django_migrations)")
        backup.commit()
    result = empty_database.manage("restore", str(backup_path))
    assert result.stdout.splitlines()[-1] == (
        "The backup predates 1 migration(s) of this code: run `manage.py migrate`."
    )


@postgresql_only
def test_a_postgresql_backup_is_an_archive_pg_restore_reads(forum_data, backup_path):
    call_command("backup", backup_path, stdout=StringIO())
    listing = subprocess.run(["pg_restore", "--list", str(backup_path)], capture_output=True, text=True)  # noqa: S607
    assert listing.returncode == 0, listing.stderr
    assert "TABLE DATA public forum_comment" in listing.stdout


@postgresql_only
def test_a_missing_pg_dump_is_named(db, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(CommandError, match=r"^pg_dump not found: install the PostgreSQL client tools"):
        call_command("backup", tmp_path / "forum.dump")


@postgresql_only
def test_a_pg_restore_older_than_the_server_is_refused(db, tmp_path, monkeypatch):
    fake = tmp_path / "pg_restore"
    fake.write_text('#!/bin/sh\necho "pg_restore (PostgreSQL) 9.6.24"\n')
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    archive = tmp_path / "forum.dump"
    archive.write_bytes(b"PGDMP\x01\x0e\x00")
    with pytest.raises(CommandError, match=r"^pg_restore is version 9, older than the server \(PostgreSQL \d+\)"):
        call_command("restore", "--force", archive)
