"""``make restore BACKUP=<folder>``: a backup into an empty database, checked against its manifest."""

from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = "Restore a backup folder (made by `manage.py backup`) into an empty database and check its figures."

    def add_arguments(self, parser):
        parser.add_argument("folder", help="the backup folder, e.g. backups/shop-20260101-033000")

    def handle(self, *args, **options):
        try:
            figures = restore_backup(options["folder"])
        except (BackupError, FileNotFoundError) as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(table["rows"] for table in figures.values())
        self.stdout.write(f"restored {len(figures)} tables, {rows} rows; row counts and money sums match the backup")
