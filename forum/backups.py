"""Backups of the configured database, and restores from them (`manage.py backup` / `restore`).

SQLite: the online backup API copies the live database in one read transaction,
so a backup taken while the site writes is a consistent snapshot; a restore runs
the same API the other way, into the configured file, in one write transaction.
PostgreSQL: `pg_dump` custom format from a snapshot that the counts printed are
read from too; `pg_restore --clean --if-exists --no-owner` in one transaction.

Every failure is a BackupError with a one-line message. The shared-state file
(rate limits, the content version) is not backed up: it holds only counters.
"""

import functools
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from django.db import DatabaseError, connection, transaction
from django.db.backends.postgresql.client import DatabaseClient
from django.db.migrations.executor import MigrationExecutor

from forum.caching import bump_content_version
from forum.models import Article, Ballot, Classroom, Comment, User

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
# What the commands report, and what a database must hold none of to be restored into without --force.
COUNTED = {"comments": Comment, "ballots": Ballot, "users": User}
KEPT = [User, Article, Comment, Ballot, Classroom]


class BackupError(Exception):
    """A backup or restore that could not be done; the message is one line."""


@dataclass(frozen=True)
class Outcome:
    path: Path
    size: int
    counts: dict[str, int]
    pending_migrations: int = 0

    def describe(self) -> str:
        return ", ".join(amount(count, COUNTED[name]) for name, count in self.counts.items())


def amount(count: int, model) -> str:
    """The count and the model's name, singular or plural: 1 comment, 2,000 comments."""
    return f"{count:,} {model._meta.verbose_name if count == 1 else model._meta.verbose_name_plural}"


def engine() -> str:
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {vendor}.")
    return vendor


def one_line(function):
    """Turn a database's own error (often several lines: psycopg's connection failures) into one line."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except DatabaseError as error:
            first = next((line.strip() for line in str(error).splitlines() if line.strip()), type(error).__name__)
            raise BackupError(f"The database {database_name()}: {first}") from None

    return wrapper


@one_line
def backup(path: Path) -> Outcome:
    """Write a backup of the configured database to `path` (replaced atomically if it exists)."""
    path = Path(path).absolute()
    if not path.parent.is_dir():
        raise BackupError(f"{path.parent}: no such directory")
    counts = backup_sqlite(path) if engine() == "sqlite" else backup_postgresql(path)
    return Outcome(path=path, size=path.stat().st_size, counts=counts)


@one_line
def restore(path: Path, *, force: bool = False) -> Outcome:
    """Replace the configured database with the backup at `path`, then make every cached page stale.

    Refuses a database that holds members or content unless `force`.
    """
    path = Path(path).absolute()
    kind = backup_kind(path)
    vendor = engine()
    if kind != vendor:
        raise BackupError(f"{path} is a {NAMES[kind]} backup, but the configured database is {NAMES[vendor]}.")
    # Everything that can be checked is checked before the database is touched.
    if vendor == "sqlite":
        check_sqlite_backup(path)
    else:
        pg_restore = pg_tool("pg_restore")
    if not force:
        refuse_if_in_use()
    connection.close()  # hold no connection of our own while the database is replaced
    if vendor == "sqlite":
        restore_sqlite(path)
    else:
        restore_postgresql(path, pg_restore)
    bump_content_version()  # no page cached before the restore is served after it
    counts = {name: model.objects.count() for name, model in COUNTED.items()}
    executor = MigrationExecutor(connection)
    pending = len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    connection.close()
    return Outcome(path=path, size=path.stat().st_size, counts=counts, pending_migrations=pending)


def backup_kind(path: Path) -> str:
    try:
        with path.open("rb") as file:
            head = file.read(len(SQLITE_MAGIC))
    except FileNotFoundError:
        raise BackupError(f"{path}: no such file") from None
    except OSError as error:
        raise BackupError(f"{path}: {error.strerror}") from None
    if head == SQLITE_MAGIC:
        return "sqlite"
    if head.startswith(PG_DUMP_MAGIC):
        return "postgresql"
    raise BackupError(f"{path}: not a backup (neither a SQLite database nor a pg_dump custom-format archive)")


def refuse_if_in_use() -> None:
    tables = set(connection.introspection.table_names())
    counts = [(model.objects.count(), model) for model in KEPT if model._meta.db_table in tables]
    held = [amount(count, model) for count, model in counts if count]
    if held:
        what = ", ".join(held)
        raise BackupError(f"The database {database_name()} already holds {what}: pass --force to replace it.")


def database_name() -> str:
    return str(connection.settings_dict["NAME"])


def temporary_beside(path: Path) -> Path:
    """An empty file only its owner can read (a backup holds password hashes and addresses), in `path`'s folder,
    so that os.replace is atomic."""
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    return Path(name)


# SQLite


def sqlite_file() -> Path:
    name = database_name()
    if name == ":memory:" or name.startswith("file:"):
        raise BackupError(f"The database {name} is not a plain file: configure a file database.")
    return Path(name).absolute()


def sqlite_counts(database: sqlite3.Connection) -> dict[str, int]:
    return {
        name: database.execute(f'SELECT count(*) FROM "{model._meta.db_table}"').fetchone()[0]  # noqa: S608
        for name, model in COUNTED.items()
    }


def backup_sqlite(path: Path) -> dict[str, int]:
    source_path = sqlite_file()
    if not source_path.is_file():
        raise BackupError(f"{source_path}: no such database")
    if path == source_path:
        raise BackupError(f"{path} is the database itself: write the backup elsewhere.")
    temporary = temporary_beside(path)
    try:
        source = sqlite3.connect(source_path, timeout=20)
        target = sqlite3.connect(temporary)
        try:
            # One step (pages=-1): the whole copy is read in one transaction, a snapshot the site's
            # writers (WAL) go on beside. Copied step by step, a write in between would restart it.
            source.backup(target)
            # The copy carries the live database's WAL mode; a backup is better one self-contained file.
            target.execute("PRAGMA journal_mode=DELETE")
            counts = sqlite_counts(target)
        finally:
            source.close()
            target.close()
        os.replace(temporary, path)
    except sqlite3.Error as error:
        raise BackupError(f"SQLite backup failed: {error}") from None
    finally:
        temporary.unlink(missing_ok=True)
    return counts


def check_sqlite_backup(path: Path) -> None:
    if path == sqlite_file():
        raise BackupError(f"{path} is the database itself.")
    try:
        with closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as backup_file:
            check = backup_file.execute("PRAGMA quick_check").fetchone()[0]
            tables = {row[0] for row in backup_file.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.Error as error:
        raise BackupError(f"{path}: {error}") from None
    if check != "ok":
        raise BackupError(f"{path} is damaged: {check}")
    if not {"django_migrations", User._meta.db_table} <= tables:
        raise BackupError(f"{path}: a SQLite database, but not a backup of this forum")


def restore_sqlite(path: Path) -> None:
    try:
        with (
            closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as backup_file,
            closing(sqlite3.connect(sqlite_file(), timeout=20)) as target,
        ):
            # The backup API the other way: one write transaction on the target, so processes that have
            # it open see the old database or the new one, never half of each (and its WAL stays right).
            backup_file.backup(target)
    except sqlite3.Error as error:
        raise BackupError(f"SQLite restore failed: {error}") from None


# PostgreSQL


def pg_tool(name: str) -> str:
    """The path of pg_dump or pg_restore, if it is at least as new as the server (else it cannot dump or read)."""
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} not found: install the PostgreSQL client tools (Debian: postgresql-client).")
    try:
        output = subprocess.run([found, "--version"], capture_output=True, text=True, timeout=30).stdout  # noqa: S603
    except (OSError, subprocess.SubprocessError) as error:
        raise BackupError(f"{name} --version failed: {error}") from None
    match = re.search(r"\(PostgreSQL\)\s+(\d+)", output)
    if match is None:
        raise BackupError(f"{name} --version said {output.strip()!r}: not a PostgreSQL tool.")
    with connection.cursor():  # connects, so pg_version is the server's
        server = connection.pg_version // 10000
    if int(match.group(1)) < server:
        raise BackupError(
            f"{name} is version {match.group(1)}, older than the server (PostgreSQL {server}): "
            f"install postgresql-client-{server}."
        )
    return found


def pg_env() -> dict[str, str]:
    """The connection settings as libpq's variables (Django's dbshell does the same for psql)."""
    settings = connection.settings_dict
    _, env = DatabaseClient.settings_to_cmd_args_env(settings, [])
    env = {**os.environ, **(env or {})}
    for key, variable in [("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("NAME", "PGDATABASE")]:
        if settings.get(key):
            env[variable] = str(settings[key])
    return env


def run_pg(args: list[str]) -> None:
    try:
        result = subprocess.run(args, env=pg_env(), capture_output=True, text=True)  # noqa: S603
    except OSError as error:
        raise BackupError(f"{Path(args[0]).name} could not start: {error}") from None
    if result.returncode != 0:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        # The first error names the cause; later lines are often its consequences.
        errors = [line for line in lines if "error" in line.lower()] or lines or [f"exit status {result.returncode}"]
        raise BackupError(f"{Path(args[0]).name} failed: {errors[0].strip()}")


def backup_postgresql(path: Path) -> dict[str, int]:
    pg_dump = pg_tool("pg_dump")
    temporary = temporary_beside(path)
    try:
        # The counts and the dump read one snapshot: this transaction exports it, pg_dump imports it.
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                cursor.execute("SELECT pg_export_snapshot()")
                (snapshot,) = cursor.fetchone()
            counts = {name: model.objects.count() for name, model in COUNTED.items()}
            run_pg([pg_dump, "--format=custom", "--no-password", f"--snapshot={snapshot}", f"--file={temporary}"])
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return counts


def restore_postgresql(path: Path, pg_restore: str) -> None:
    # One transaction: a restore that fails half-way leaves the database as it was.
    run_pg(
        [
            pg_restore,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--no-password",
            f"--dbname={database_name()}",
            str(path),
        ]
    )
