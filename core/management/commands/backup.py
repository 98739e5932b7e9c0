"""``make backup``: the database, the media and the private files into one folder (core.backup)."""

from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, make_backup


class Command(BaseCommand):
    help = "Back up the database (pg_dump custom format), the media and the private files into one folder."

    def add_arguments(self, parser):
        parser.add_argument("--output-dir", default="backups", help="where the backup folder is made")

    def handle(self, *args, **options):
        try:
            folder = make_backup(output_dir=options["output_dir"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"backup written to {folder}")
