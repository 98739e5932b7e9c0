"""python manage.py reconcile [--from DATE --to DATE]: every money equation with both sides; exit 1 on a difference."""

from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.money import format_won
from settlement.reconcile import reconcile


class Command(BaseCommand):
    help = "Prove the shop's money balances to the won for a date range (default: the last 90 days)."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="date_from", type=date.fromisoformat)
        parser.add_argument("--to", dest="date_to", type=date.fromisoformat)

    def handle(self, *args, date_from=None, date_to=None, **options):
        date_to = date_to or timezone.localdate()
        date_from = date_from or date_to - timedelta(days=90)
        if date_from > date_to:
            raise CommandError("--from must not be after --to")
        report = reconcile(date_from=date_from, date_to=date_to)
        self.stdout.write(f"Reconciliation {date_from} … {date_to}")
        for equation in report.equations:
            mark = "OK  " if equation.balances else "DIFF"
            self.stdout.write(f"\n[{mark}] {equation.title}")
            for label, amount in equation.left_terms:
                self.stdout.write(f"    + {label:<48} {format_won(amount):>18}")
            self.stdout.write(f"    = {equation.left_label:<48} {format_won(equation.left):>18}")
            for label, amount in equation.right_terms:
                self.stdout.write(f"    + {label:<48} {format_won(amount):>18}")
            self.stdout.write(f"    = {equation.right_label:<48} {format_won(equation.right):>18}")
            if not equation.balances:
                self.stdout.write(f"    difference {format_won(equation.difference)}")
                for row in equation.differing[:20]:
                    self.stdout.write(f"      {row}")
        if not report.balances:
            raise CommandError("the money does not balance")
        self.stdout.write(self.style.SUCCESS("\nEverything balances to the won."))
