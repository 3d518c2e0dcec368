from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from forum.backups import BackupError, restore


class Command(BaseCommand):
    help = (
        "Replace the database with a backup that `manage.py backup` wrote. Refuses a database that holds "
        "members or content unless --force. README: Backups."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--force", action="store_true", help="Replace a database that holds data.")

    def handle(self, *args, path: Path, force: bool, **options):
        try:
            outcome = restore(path, force=force)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Restored {outcome.path} ({outcome.size:,} bytes): {outcome.describe()}.")
        if outcome.pending_migrations:
            self.stdout.write(
                f"The backup predates {outcome.pending_migrations} migration(s) of this code: run `manage.py migrate`."
            )
