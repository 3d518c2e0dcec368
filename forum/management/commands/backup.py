from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from forum.backups import BackupError, backup


class Command(BaseCommand):
    help = (
        "Write a consistent backup of the database to PATH while the site runs: a SQLite file, "
        "or a pg_dump custom-format archive on PostgreSQL. README: Backups."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)

    def handle(self, *args, path: Path, **options):
        try:
            outcome = backup(path)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Wrote {outcome.path} ({outcome.size:,} bytes): {outcome.describe()}.")
